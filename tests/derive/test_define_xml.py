"""define.xml (lupustrial.derive.define_xml) against the Define-XML 2.0 structure (ODM 1.3.2 + def v2.0).

The XPT files are read back with pandas (an independent reader) so that every variable written, its
label, type and length are compared with what define.xml says. Parsed with the standard library only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pandas as pd
import polars as pl
import pytest

from lupustrial.derive import derive_study
from lupustrial.derive.define_xml import (
    DefineDataset,
    compute_define_variables,
    define_tree,
    item_def,
    item_group_def,
    load_dataset_metadata,
)
from lupustrial.derive.export import ALL_DATASETS, export_datasets
from lupustrial.errors import InputError

ODM = "{http://www.cdisc.org/ns/odm/v1.3}"
DEF = "{http://www.cdisc.org/ns/def/v2.0}"
XLINK = "{http://www.w3.org/1999/xlink}"
LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture(scope="module")
def derived(make_study):
    return derive_study(make_study("ptoc1", n=4, seed=3))


@pytest.fixture(scope="module")
def xpt_out(derived, tmp_path_factory):
    out = tmp_path_factory.mktemp("define") / "xpt"
    prov = export_datasets(derived, out, "xpt", ALL_DATASETS)
    return out, prov, ET.parse(out / "define.xml").getroot()


def _tree(node: ET.Element) -> tuple:
    """(tag, attributes, text, children) with whitespace-only text dropped, for exact comparison."""
    text = (node.text or "").strip() or None
    return node.tag, dict(node.attrib), text, [_tree(c) for c in node]


def _read_xpt(path):
    reader = pd.read_sas(path, format="xport", iterator=True, encoding="ascii")
    try:
        return reader.fields, reader.member_info
    finally:
        reader.close()


# 1. One variable of a hand-made frame gives exactly the expected elements -------------------------


def test_hand_made_frame_gives_exactly_the_expected_elements():
    # USUBJID: longest value "S-22" = 4 bytes → Length 4; NOTE: "é" is 2 UTF-8 bytes → Length 2;
    # ASTDT: a date in XPT is a SAS day number → DataType integer, def:DisplayFormat DATE9., no Length
    frame = pl.DataFrame({"USUBJID": ["S-1", "S-22"], "ASTDT": [dt.date(2025, 1, 2), None],
                          "NOTE": ["é", "x"]})  # fmt: skip
    labels = {"USUBJID": "Unique Subject Identifier", "ASTDT": "Analysis Start Date", "NOTE": "Note"}
    variables = compute_define_variables(frame, labels, "xpt")
    ds = DefineDataset("ADXX", "Test Dataset", "adxx.xpt", variables, "a comment")
    expected_usubjid = (
        f"{ODM}ItemDef",
        {"OID": "IT.ADXX.USUBJID", "Name": "USUBJID", "DataType": "text", "Length": "4",
         "SASFieldName": "USUBJID"},
        None,
        [(f"{ODM}Description", {}, None,
          [(f"{ODM}TranslatedText", {LANG: "en"}, "Unique Subject Identifier", [])])],
    )  # fmt: skip
    expected_astdt = (
        f"{ODM}ItemDef",
        {"OID": "IT.ADXX.ASTDT", "Name": "ASTDT", "DataType": "integer", "SASFieldName": "ASTDT",
         f"{DEF}DisplayFormat": "DATE9."},
        None,
        [(f"{ODM}Description", {}, None,
          [(f"{ODM}TranslatedText", {LANG: "en"}, "Analysis Start Date", [])])],
    )  # fmt: skip
    assert _tree(item_def("ADXX", variables[0])) == expected_usubjid
    assert _tree(item_def("ADXX", variables[1])) == expected_astdt
    assert item_def("ADXX", variables[2]).get("Length") == "2"
    # ADXX has no row in define_datasets.csv: no keys, so every ItemRef is Mandatory="No"
    group = _tree(item_group_def(ds, {"class": "BASIC DATA STRUCTURE", "structure": "One record per x",
                                      "keys": "USUBJID ASTDT"}))  # fmt: skip
    assert group[1] == {
        "OID": "IG.ADXX", "Name": "ADXX", "Repeating": "Yes", "IsReferenceData": "No",
        "SASDatasetName": "ADXX", "Purpose": "Analysis", f"{DEF}Structure": "One record per x",
        f"{DEF}Class": "BASIC DATA STRUCTURE",
        f"{DEF}CommentOID": "COM.ADXX", f"{DEF}ArchiveLocationID": "LF.ADXX",
    }  # fmt: skip
    refs = [c[1] for c in group[3] if c[0] == f"{ODM}ItemRef"]
    assert refs == [
        {"ItemOID": "IT.ADXX.USUBJID", "OrderNumber": "1", "Mandatory": "Yes", "KeySequence": "1"},
        {"ItemOID": "IT.ADXX.ASTDT", "OrderNumber": "2", "Mandatory": "No", "KeySequence": "2"},  # has a null
        {"ItemOID": "IT.ADXX.NOTE", "OrderNumber": "3", "Mandatory": "No"},
    ]
    assert group[3][-1] == (f"{DEF}leaf", {"ID": "LF.ADXX", f"{XLINK}href": "adxx.xpt"}, None,
                            [(f"{DEF}title", {}, "adxx.xpt", [])])  # fmt: skip


@pytest.mark.parametrize(
    ("dtype", "values", "fmt", "date_type", "expected"),
    [
        (pl.Int64, [1, None], "xpt", "integer", ("integer", None, "")),
        (pl.Boolean, [True, False], "xpt", "integer", ("integer", None, "")),
        (pl.Float64, [1.5, None], "xpt", "integer", ("float", None, "")),
        (pl.Date, [dt.date(2025, 1, 1)], "xpt", "date", ("date", None, "DATE9.")),
        (pl.Datetime("us"), [dt.datetime(2025, 1, 1, 8)], "xpt", "integer", ("integer", None, "DATETIME20.")),
        (pl.Date, [dt.date(2025, 1, 1)], "parquet", "integer", ("date", None, "")),
        (pl.Datetime("us"), [dt.datetime(2025, 1, 1, 8)], "csv", "integer", ("datetime", None, "")),
        (pl.Utf8, [None, None], "xpt", "integer", ("text", 1, "")),  # all missing: length 1, as xpt.py writes
        (pl.Categorical, ["ab", "abc"], "csv", "integer", ("text", 3, "")),
    ],
    ids=["int", "bool", "float", "xpt-date-as-date", "xpt-datetime", "parquet-date", "csv-datetime",
         "all-null-text", "categorical"],
)
def test_data_types(dtype, values, fmt, date_type, expected):
    frame = pl.DataFrame({"X": pl.Series(values, dtype=dtype)})
    (v,) = compute_define_variables(frame, {}, fmt, date_type=date_type)
    assert (v.data_type, v.length, v.display_format) == expected


def test_list_column_is_a_typed_error():
    with pytest.raises(InputError) as err:
        compute_define_variables(pl.DataFrame({"L": [[1, 2]]}), {}, "xpt")
    assert "dtype" in err.value.fields


def test_duplicate_oids_are_refused():
    v = compute_define_variables(pl.DataFrame({"A": [1]}), {}, "xpt")
    with pytest.raises(InputError) as err:
        define_tree([DefineDataset("ADXX", "", "a.xpt", v), DefineDataset("ADXX", "", "b.xpt", v)], {})
    assert "IG.ADXX" in str(err.value) and "IT.ADXX.A" in str(err.value)


# 2. The define.xml of a simulated study's XPT export ---------------------------------------------------


def test_header_and_standard(xpt_out, derived):
    _, prov, root = xpt_out
    assert root.tag == f"{ODM}ODM" and root.get("ODMVersion") == "1.3.2"
    assert root.get("FileType") == "Snapshot"
    assert root.get("CreationDateTime") == derived.provenance["created_utc"]
    mdv = root.find(f"{ODM}Study/{ODM}MetaDataVersion")
    assert mdv.get(f"{DEF}DefineVersion") == "2.0.0"
    assert (mdv.get(f"{DEF}StandardName"), mdv.get(f"{DEF}StandardVersion")) == ("ADaM-IG", "1.3")
    assert root.findtext(f"{ODM}Study/{ODM}GlobalVariables/{ODM}StudyName") == derived.provenance["study_id"]
    for key, value in {**prov["options"], **prov["export_options"]}.items():  # options that shaped the data
        assert f"{key}={value}" in mdv.get("Description")
    assert derived.provenance["protocol_hash"] in mdv.get("Description")


def test_metadata_version_children_in_define_2_0_order(xpt_out):
    _, _, root = xpt_out
    kinds = [c.tag for c in root.find(f"{ODM}Study/{ODM}MetaDataVersion")]
    order = [f"{ODM}ItemGroupDef", f"{ODM}ItemDef", f"{DEF}CommentDef"]
    assert [order.index(k) for k in kinds] == sorted(order.index(k) for k in kinds)


def test_oids_unique_and_every_reference_resolves(xpt_out):
    _, _, root = xpt_out
    oids = [e.get("OID") for e in root.iter() if e.get("OID")]
    assert len(oids) == len(set(oids))
    item_defs = {e.get("OID") for e in root.iter(f"{ODM}ItemDef")}
    refs = [r.get("ItemOID") for r in root.iter(f"{ODM}ItemRef")]
    assert set(refs) == item_defs and len(refs) == len(item_defs)  # each ItemDef used exactly once
    comments = {e.get("OID") for e in root.iter(f"{DEF}CommentDef")}
    for group in root.iter(f"{ODM}ItemGroupDef"):
        assert group.get(f"{DEF}CommentOID") in comments
        assert group.find(f"{DEF}leaf").get("ID") == group.get(f"{DEF}ArchiveLocationID")


def test_leaf_hrefs_exist_and_match_provenance(xpt_out):
    out, prov, root = xpt_out
    hrefs = {g.get("Name"): g.find(f"{DEF}leaf").get(f"{XLINK}href") for g in root.iter(f"{ODM}ItemGroupDef")}
    assert hrefs == {name: entry["file"] for name, entry in prov["datasets"].items()}
    assert all((out / href).is_file() for href in hrefs.values())


def test_provenance_records_the_define_sha256(xpt_out):
    out, prov, _ = xpt_out
    on_disk = json.loads((out / "provenance.json").read_text())
    assert on_disk["define"] == prov["define"]
    assert prov["define"]["sha256"] == hashlib.sha256((out / "define.xml").read_bytes()).hexdigest()


@pytest.mark.parametrize("name", ALL_DATASETS)
def test_every_written_variable_with_its_label_type_and_length(xpt_out, name):
    out, prov, root = xpt_out
    fields, member = _read_xpt(out / prov["datasets"][name]["file"])
    group = next(g for g in root.iter(f"{ODM}ItemGroupDef") if g.get("Name") == name)
    assert group.findtext(f"{ODM}Description/{ODM}TranslatedText") == member["label"]
    meta = load_dataset_metadata()[name]
    assert group.get(f"{DEF}Class") == meta["class"] and group.get(f"{DEF}Structure") == meta["structure"]
    items = {e.get("OID"): e for e in root.iter(f"{ODM}ItemDef")}
    defs = [items[r.get("ItemOID")] for r in group.iter(f"{ODM}ItemRef")]
    assert [d.get("SASFieldName") for d in defs] == [f["name"].decode() for f in fields]  # all, in file order
    for d, f in zip(defs, fields, strict=True):
        assert d.findtext(f"{ODM}Description/{ODM}TranslatedText", "") == f["label"].decode()
        if f["ntype"] == "char":
            assert (d.get("DataType"), d.get("Length")) == ("text", str(f["field_length"]))
        elif f["nform"] == b"DATE":
            got = (d.get("DataType"), d.get(f"{DEF}DisplayFormat"), d.get("Length"))
            assert got == ("integer", "DATE9.", None)
        else:
            assert d.get("DataType") in ("integer", "float") and d.get("Length") is None


def test_renamed_variables_keep_the_frame_name_and_give_the_sas_name(xpt_out):
    _, _, root = xpt_out
    item = next(e for e in root.iter(f"{ODM}ItemDef") if e.get("OID") == "IT.OUTCOMES.OUTCOME_ID")
    assert (item.get("Name"), item.get("SASFieldName")) == ("OUTCOME_ID", "OUTCID")


@pytest.mark.parametrize("name", ALL_DATASETS)
def test_declared_keys_are_columns_of_the_frame(derived, name):
    frame = derived.outcomes if name == "OUTCOMES" else derived.frames[name]
    keys = load_dataset_metadata()[name]["keys"].split()
    assert keys and set(keys) <= set(frame.columns)


@pytest.mark.parametrize("name", ALL_DATASETS)
def test_declared_keys_identify_rows(derived, name):
    frame = derived.outcomes if name == "OUTCOMES" else derived.frames[name]
    keys = load_dataset_metadata()[name]["keys"].split()
    assert frame.select(keys).unique().height == frame.height


def test_same_study_gives_the_same_define_xml(derived, xpt_out, tmp_path):
    out, _, _ = xpt_out
    export_datasets(derived, tmp_path / "again", "xpt", ALL_DATASETS)
    assert (tmp_path / "again" / "define.xml").read_bytes() == (out / "define.xml").read_bytes()


def test_date_type_option(derived, tmp_path):
    prov = export_datasets(derived, tmp_path / "d", "xpt", ["ADSL"], {"define_date_type": "date"})
    root = ET.parse(tmp_path / "d" / "define.xml").getroot()
    trtsdt = next(e for e in root.iter(f"{ODM}ItemDef") if e.get("Name") == "TRTSDT")
    assert (trtsdt.get("DataType"), trtsdt.get(f"{DEF}DisplayFormat")) == ("date", "DATE9.")
    assert prov["export_options"]["define_date_type"] == "date"


# 3. Parquet / CSV: only with define=True, hrefs point to the files written ------------------------------


def test_parquet_with_define(derived, tmp_path):
    out = tmp_path / "pq"
    prov = export_datasets(derived, out, "parquet", ["ADSL", "OUTCOMES"], define=True)
    root = ET.parse(out / "define.xml").getroot()
    hrefs = [leaf.get(f"{XLINK}href") for leaf in root.iter(f"{DEF}leaf")]
    assert hrefs == ["adsl.parquet", "outcomes.parquet"] and all((out / h).is_file() for h in hrefs)
    trtsdt = next(e for e in root.iter(f"{ODM}ItemDef") if e.get("Name") == "TRTSDT")
    assert (trtsdt.get("DataType"), trtsdt.get(f"{DEF}DisplayFormat")) == ("date", None)
    names = [e.get("Name") for e in root.iter(f"{ODM}ItemDef") if e.get("OID").startswith("IT.OUTCOMES.")]
    assert names == derived.outcomes.columns
    assert prov["define"]["file"] == "define.xml"


def test_csv_without_define_writes_none(derived, tmp_path):
    prov = export_datasets(derived, tmp_path / "csv", "csv", ["ADSL"])
    assert not (tmp_path / "csv" / "define.xml").exists() and "define" not in prov


def test_xpt_without_define_on_request(derived, tmp_path):
    prov = export_datasets(derived, tmp_path / "x", "xpt", ["ADSL"], define=False)
    assert sorted(p.name for p in (tmp_path / "x").iterdir()) == ["adsl.xpt", "provenance.json"]
    assert "define" not in prov


def test_a_define_failure_leaves_nothing(tmp_path):
    # Parquet takes a list column, define.xml cannot type it: the whole export is undone (all or nothing)
    derived = SimpleNamespace(frames={"ADSL": pl.DataFrame({"USUBJID": ["S-1"], "L": [[1, 2]]})},
                              outcomes=pl.DataFrame(), provenance={"frames": {}})  # fmt: skip
    with pytest.raises(InputError):
        export_datasets(derived, tmp_path / "out", "parquet", ["ADSL"], define=True)
    assert list(tmp_path.iterdir()) == []
