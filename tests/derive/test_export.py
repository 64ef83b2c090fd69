"""Writing derived datasets (lupustrial.derive.export): formats, provenance, all-or-nothing, labels."""

from __future__ import annotations

import hashlib
import itertools
import json
from types import SimpleNamespace

import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lupustrial.derive import derive_study
from lupustrial.derive.export import (
    ADAM_DATASETS,
    ALL_DATASETS,
    compute_ascii,
    compute_split_long_text,
    compute_xpt_frame,
    export_datasets,
    load_labels,
)
from lupustrial.errors import InputError

IBM_TINY = 16.0**-65  # pandas reads an IBM zero as 16^-65 (pandas-dev/pandas#50670)


@pytest.fixture(scope="module")
def derived(make_study):
    return derive_study(make_study("ptoc1", n=4, seed=3))


@pytest.fixture(scope="module")
def xpt_dir(derived, tmp_path_factory):
    out = tmp_path_factory.mktemp("xpt") / "datasets"
    export_datasets(derived, out, "xpt")
    return out


def test_parquet_round_trip_and_provenance(derived, tmp_path):
    out = tmp_path / "pq"
    prov = export_datasets(derived, out, "parquet")
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{d.lower()}.parquet" for d in ALL_DATASETS] + ["provenance.json"]
    )
    for name in ADAM_DATASETS:
        assert pl.read_parquet(out / f"{name.lower()}.parquet").equals(derived.frames[name])
    assert pl.read_parquet(out / "outcomes.parquet").equals(derived.outcomes)
    on_disk = json.loads((out / "provenance.json").read_text())
    assert on_disk == json.loads(json.dumps(prov, default=str))
    assert on_disk["protocol_hash"] == derived.provenance["protocol_hash"]
    assert on_disk["data_hash"] == derived.provenance["data_hash"]
    assert on_disk["options"] == derived.provenance["options"] and on_disk["format"] == "parquet"
    for name, entry in on_disk["datasets"].items():
        assert entry["sha256"] == hashlib.sha256((out / entry["file"]).read_bytes()).hexdigest()
        frame = derived.outcomes if name == "OUTCOMES" else derived.frames[name]
        assert entry["rows"] == frame.height and entry["columns"] == frame.columns


def test_csv_selected_datasets(derived, tmp_path):
    out = tmp_path / "csv"
    prov = export_datasets(derived, out, "csv", ["adsl", "ADTTE"])
    assert sorted(p.name for p in out.iterdir()) == ["adsl.csv", "adtte.csv", "provenance.json"]
    back = pl.read_csv(out / "adsl.csv", try_parse_dates=True)
    assert back["USUBJID"].to_list() == derived.frames["ADSL"]["USUBJID"].to_list()
    assert list(prov["datasets"]) == ["ADSL", "ADTTE"]


def test_xpt_default_is_the_adam_datasets(xpt_dir):
    prov = json.loads((xpt_dir / "provenance.json").read_text())
    assert list(prov["datasets"]) == list(ADAM_DATASETS)
    assert prov["export_options"] == {"xpt_text": "ascii", "xpt_long_text": "split",
                                      "define_date_type": "integer"}  # fmt: skip
    assert prov["define"]["file"] == "define.xml" and (xpt_dir / "define.xml").is_file()


@pytest.mark.parametrize("name", ADAM_DATASETS)
def test_xpt_round_trip_with_pandas(derived, xpt_dir, name):
    opts = {"xpt_text": "ascii", "xpt_long_text": "split"}
    frame, labels = compute_xpt_frame(name, derived.frames[name], opts)
    reader = pd.read_sas(xpt_dir / f"{name.lower()}.xpt", format="xport", iterator=True, encoding="ascii")
    try:
        back = reader.read() if frame.height else None
        fields, member = reader.fields, reader.member_info
    finally:
        reader.close()
    assert member["set_name"] == name and member["label"] == load_labels()[0][name]
    by_name = {f["name"].decode(): f for f in fields}
    for col in frame.columns:
        assert by_name[col]["label"].decode() == labels.get(col, "")
        if frame.schema[col] == pl.Date:
            assert by_name[col]["nform"] == b"DATE" and by_name[col]["nfl"] == 9
    if back is None:
        return
    assert len(back) == frame.height
    for col, dtype in frame.schema.items():
        if dtype == pl.Utf8:  # missing character values are blanks
            assert back[col].fillna("").tolist() == frame[col].fill_null("").to_list(), col
        else:
            x = frame[col]
            if dtype == pl.Date:  # SAS date: days since 1960-01-01 = days since 1970 + 3653
                x = x.cast(pl.Int64) + 3653
            got = back[col].to_numpy(dtype=float)
            got[abs(got) <= IBM_TINY] = 0.0
            assert pl.Series(got).equals(x.cast(pl.Float64).fill_null(float("nan")), check_names=False), col


def test_labels_cover_every_column_of_every_dataset(derived):
    ds_labels, labels = load_labels()
    frames = [*derived.frames.values(), derived.outcomes]
    missing = sorted({c for f in frames for c in f.columns} - set(labels))
    assert missing == [], f"add these variables to src/lupustrial/derive/variable_labels.csv: {missing}"
    assert set(ALL_DATASETS) <= set(ds_labels)
    assert all(len(label.encode()) <= 40 for label in [*labels.values(), *ds_labels.values()])


def test_split_long_text_parts_are_200_bytes():
    # 450 one-byte characters → 200 + 200 + 50 in T, T1, T2; a short row has null parts
    frame = pl.DataFrame({"T": ["a" * 200 + "b" * 200 + "c" * 50, "short"], "N": [1, 2]})
    split, labels = compute_split_long_text(frame, {"T": "Text"})
    assert split.columns == ["T", "T1", "T2", "N"]
    assert split.row(0) == ("a" * 200, "b" * 200, "c" * 50, 1)
    assert split.row(1) == ("short", None, None, 2)
    assert labels["T1"] == "Text (part 2)" and labels["T2"] == "Text (part 3)"


# (value, expected parts, arithmetic): é is 2 UTF-8 bytes, € 3, 😀 4 (RFC 3629 §3); XPT's limit is 200 bytes
BOUNDARY_CASES = [
    ("a" * 197 + "é", ["a" * 197 + "é"], "197 + 2 = 199 bytes: one part"),
    ("a" * 198 + "é", ["a" * 198 + "é"], "198 + 2 = 200 bytes: one part (exactly the limit)"),
    ("a" * 199 + "é", ["a" * 199, "é"], "199 + 2 = 201 bytes: é would straddle byte 200 → 199 + 2"),
    ("a" * 198 + "€", ["a" * 198, "€"], "198 + 3 = 201 bytes: € would straddle → 198 + 3"),
    ("a" * 197 + "€", ["a" * 197 + "€"], "197 + 3 = 200 bytes: one part"),
    ("a" * 197 + "😀", ["a" * 197, "😀"], "197 + 4 = 201 bytes → 197 + 4"),
    ("é" * 100 + "x", ["é" * 100, "x"], "100 × 2 = 200 bytes, then 1"),
    ("é" * 150, ["é" * 100, "é" * 50], "300 bytes → 200 + 100 bytes (100 + 50 characters)"),
]


BOUNDARY_IDS = ["199B", "200B", "201B-e-acute", "201B-euro", "200B-euro", "201B-emoji", "200B+1", "300B"]


@pytest.mark.parametrize(("value", "parts", "arithmetic"), BOUNDARY_CASES, ids=BOUNDARY_IDS)
def test_split_counts_bytes_and_never_cuts_a_character(value, parts, arithmetic):
    split, _ = compute_split_long_text(pl.DataFrame({"T": [value]}), {})
    assert [v for v in split.row(0) if v is not None] == parts, arithmetic
    assert all(len(p.encode("utf-8")) <= 200 for p in parts)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(st.characters(blacklist_categories=["Cs"]), max_size=260), min_size=1, max_size=4))
def test_split_parts_rejoin_fit_and_are_greedy(values):
    split, _ = compute_split_long_text(pl.DataFrame({"T": values}), {"T": "Text"})
    for i, value in enumerate(values):
        parts = [p for p in split.row(i) if p is not None]
        assert "".join(parts) == value
        assert all(len(p.encode("utf-8")) <= 200 for p in parts)
        for part, following in itertools.pairwise(parts):  # a part takes every character that fits
            assert len((part + following[0]).encode("utf-8")) > 200


def test_split_of_an_eight_character_name_and_a_40_byte_label_stay_within_limits():
    split, labels = compute_split_long_text(pl.DataFrame({"EVNTDESC": ["x" * 201]}), {"EVNTDESC": "L" * 40})
    assert split.columns == ["EVNTDESC", "EVNTDES1"]
    assert labels["EVNTDES1"] == "L" * 31 + " (part 2)"  # 31 + 9 = 40 bytes


def test_split_label_is_cut_by_bytes():
    # "é" × 20 = 40 bytes; suffix " (part 2)" = 9 bytes → keep 31 bytes = 15 é (30 bytes; the 16th would cut)
    _, labels = compute_split_long_text(pl.DataFrame({"T": ["x" * 201]}), {"T": "é" * 20})
    assert labels["T1"] == "é" * 15 + " (part 2)" and len(labels["T1"].encode()) == 39


def test_utf8_long_multibyte_text_is_split_not_refused(tmp_path):
    # 150 × "µg/L " = 150 × 6 bytes = 900 bytes → 5 parts (each ≤ 200 bytes), written and read back
    text = "µg/L " * 150
    derived = SimpleNamespace(
        frames={"ADSL": pl.DataFrame({"USUBJID": ["S-1", "S-2"], "NOTE": [text, "ok"]})},
        outcomes=pl.DataFrame(),
        provenance={"created_utc": "2026-01-02T03:04:05+00:00", "frames": {}},
    )
    prov = export_datasets(derived, tmp_path / "u", "xpt", ["ADSL"], {"xpt_text": "utf-8"})
    written = prov["datasets"]["ADSL"]["file_columns"]
    assert written == ["USUBJID", "NOTE", "NOTE1", "NOTE2", "NOTE3", "NOTE4"]
    back = pd.read_sas(tmp_path / "u" / "adsl.xpt", format="xport", encoding="utf-8")
    # the reader strips trailing blanks of each part, so compare with blanks removed
    assert "".join(back.loc[0, written[1:]]).replace(" ", "") == text.replace(" ", "")
    assert back.loc[1, "NOTE"] == "ok"


def test_ascii_transliteration():
    frame = pl.DataFrame({"U": ["cells/µL", "x10⁹/L", "≥ 4", None]})
    assert compute_ascii(frame)["U"].to_list() == ["cells/uL", "x10^9/L", ">= 4", None]


def test_failure_leaves_nothing(derived, tmp_path):
    # ADSL is written into the temporary folder, then ADPP.OPTIONS (JSON of > 200 bytes) is refused
    with pytest.raises(InputError) as err:
        export_datasets(derived, tmp_path / "fail", "xpt", ["ADSL", "ADPP"], {"xpt_long_text": "error"})
    assert "ADPP.OPTIONS" in err.value.fields and "200 bytes" in str(err.value)
    assert list(tmp_path.iterdir()) == []  # neither out nor the temporary folder


def test_failure_with_force_keeps_the_old_files(derived, tmp_path):
    out = tmp_path / "old"
    export_datasets(derived, out, "xpt", ["ADSL"])
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(InputError):
        export_datasets(derived, out, "xpt", ["ADSL", "ADPP"], {"xpt_long_text": "error"}, force=True)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old"]


def test_outcomes_in_xpt_use_the_declared_sas_names(derived, tmp_path):
    prov = export_datasets(derived, tmp_path / "o", "xpt", ["OUTCOMES"])
    written = prov["datasets"]["OUTCOMES"]["file_columns"]
    assert {"OUTCID", "TFDAYS", "VALTEXT"} <= set(written) and all(len(c) <= 8 for c in written)
    reader = pd.read_sas(tmp_path / "o" / "outcomes.xpt", format="xport", encoding="ascii")
    assert reader["OUTCID"].tolist() == derived.outcomes["OUTCOME_ID"].to_list()


def test_refuses_non_empty_folder_without_force(derived, tmp_path):
    out = tmp_path / "busy"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(InputError) as err:
        export_datasets(derived, out, "csv", ["ADSL"])
    assert "--force" in str(err.value) and err.value.fields == ("--out",)
    export_datasets(derived, out, "csv", ["ADSL"], force=True)
    assert sorted(p.name for p in out.iterdir()) == ["adsl.csv", "notes.txt", "provenance.json"]
    assert (out / "notes.txt").read_text() == "keep me"


def test_empty_existing_folder_is_fine(derived, tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    export_datasets(derived, out, "parquet", ["ADSL"])
    assert (out / "adsl.parquet").exists()


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("feather", None, None), "--format"),
        (("csv", ["ADXX"], None), "--dataset"),
        (("xpt", None, {"xpt_text": "latin-1"}), "xpt_text"),
        (("xpt", None, {"colour": "red"}), "colour"),
    ],
    ids=["format", "dataset", "option-value", "option-name"],
)
def test_bad_arguments_are_typed_errors(derived, tmp_path, args, field):
    fmt, datasets, options = args
    with pytest.raises(InputError) as err:
        export_datasets(derived, tmp_path / "x", fmt, datasets, options)
    assert field in err.value.fields
    assert not (tmp_path / "x").exists()


@pytest.mark.slow
@pytest.mark.parametrize("protocol", ["ptoc1", "cd19_bcma", "cd19_car_nk", "cht101", "ic19"])
def test_every_dataset_of_every_bundled_protocol_fits_xpt_v5(make_study, tmp_path, protocol):
    derived = derive_study(make_study(protocol, n=3, seed=2))
    prov = export_datasets(derived, tmp_path / protocol, "xpt", ALL_DATASETS)
    for entry in prov["datasets"].values():
        reader = pd.read_sas(tmp_path / protocol / entry["file"], format="xport", iterator=True)
        try:
            names = [f["name"].decode() for f in reader.fields]
            assert reader.nobs == entry["rows"] and names == entry.get("file_columns", entry["columns"])
        finally:
            reader.close()
