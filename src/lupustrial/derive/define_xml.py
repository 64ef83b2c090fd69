"""define.xml (CDISC Define-XML 2.0) for the exported analysis datasets (``lupustrial derive``).

Written with the standard library (``xml.etree.ElementTree``) from the structure of the CDISC
Define-XML 2.0 specification, an extension of ODM 1.3.2 (namespaces ``http://www.cdisc.org/ns/odm/v1.3``
and ``http://www.cdisc.org/ns/def/v2.0``)::

    ODM  FileType="Snapshot" FileOID ODMVersion="1.3.2" CreationDateTime Originator SourceSystem[Version]
      Study OID
        GlobalVariables: StudyName, StudyDescription, ProtocolName
        MetaDataVersion OID Name Description def:DefineVersion="2.0.0" def:StandardName="ADaM-IG"
                        def:StandardVersion="1.3"
          ItemGroupDef* OID Name Repeating IsReferenceData SASDatasetName Purpose="Analysis"
                        def:Structure def:Class def:CommentOID def:ArchiveLocationID
            Description/TranslatedText (dataset label), ItemRef* (ItemOID OrderNumber Mandatory
            [KeySequence]), def:leaf ID xlink:href (the data file) / def:title
          ItemDef*      OID Name DataType [Length] SASFieldName [def:DisplayFormat]
            Description/TranslatedText (variable label)
          def:CommentDef* OID: per dataset, how it was derived (function, content hash, options)

The metadata are those of the files as written: for XPT the SAS names (``SASFieldName``; ``Name`` is the
frame column, e.g. ``OUTCOME_ID`` / ``OUTCID``), the split long-text parts, the labels and the character
lengths in bytes (the namestr length :mod:`lupustrial.derive.xpt` writes: the longest value, at least 1).
Dataset class, structure and keys come from ``define_datasets.csv`` (source beside each row). Not
written: value-level metadata, codelists, methods, origins, analysis results metadata, a stylesheet.

Data types: text → ``text`` with ``Length``; integers and booleans → ``integer``; floats → ``float``.
Dates in XPT files are SAS day numbers: ``date_type="integer"`` (default) writes ``integer`` with
``def:DisplayFormat="DATE9."``, the SAS convention for numeric dates (ODM ``date`` is ISO 8601 text);
``date_type="date"`` writes ``date``. Parquet and CSV hold real (ISO 8601) dates: ``date``/``datetime``.

>>> import polars as pl
>>> v = compute_define_variables(pl.DataFrame({"USUBJID": ["S-1", "S-22"]}), {"USUBJID": "Subject"}, "xpt")
>>> (v[0].data_type, v[0].length, v[0].sas_name)
('text', 4, 'USUBJID')
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from lupustrial.derive._common import load_table
from lupustrial.errors import InputError, Problem

ODM_NS = "http://www.cdisc.org/ns/odm/v1.3"
DEF_NS = "http://www.cdisc.org/ns/def/v2.0"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
DEFINE_VERSION = "2.0.0"
STANDARD = ("ADaM-IG", "1.3")  # Define-XML 2.0: def:StandardName / def:StandardVersion on MetaDataVersion
DATE_TYPES = ("integer", "date")
_SAS_FORMATS = {pl.Date: "DATE9.", pl.Datetime: "DATETIME20."}  # as derive/xpt.py writes them


@dataclass(frozen=True)
class DefineVariable:
    """One variable as written: frame name, SAS name, label, Define-XML DataType, length, display format."""

    name: str
    sas_name: str
    label: str
    data_type: str
    length: int | None = None
    display_format: str = ""
    complete: bool = False  # no missing value in the file; a key variable is then Mandatory="Yes"


@dataclass(frozen=True)
class DefineDataset:
    """One dataset as written: name, label, data file (relative href), variables and a comment."""

    name: str
    label: str
    href: str
    variables: tuple[DefineVariable, ...]
    comment: str = ""


def load_dataset_metadata() -> dict[str, dict[str, str]]:
    """Dataset → its row of ``define_datasets.csv`` (class, subclass, structure, keys, source)."""
    return {r["dataset"]: r for r in load_table("define_datasets.csv")}


def _data_type(dtype: pl.DataType, fmt: str, date_type: str) -> tuple[str, str]:
    """(Define-XML DataType, SAS display format) of a column written as ``fmt``."""
    if dtype in (pl.Utf8, pl.Categorical, pl.Enum):
        return "text", ""
    if dtype in (pl.Date, pl.Datetime):
        if fmt != "xpt":
            return ("date" if dtype == pl.Date else "datetime"), ""
        iso = "date" if dtype == pl.Date else "datetime"
        return (iso if date_type == "date" else "integer"), _SAS_FORMATS[dtype.base_type()]
    if dtype.is_integer() or dtype == pl.Boolean:
        return "integer", ""
    if dtype.is_float():
        return "float", ""
    raise InputError(f"define.xml: column type {dtype} has no Define-XML DataType; cast it first",
                     problems=[Problem("dtype", str(dtype), "cast to a number, date or string")])


def compute_define_variables(
    frame: pl.DataFrame,
    labels: Mapping[str, str],
    fmt: str,
    *,
    names: Mapping[str, str] | None = None,
    sas_names: Mapping[str, str] | None = None,
    date_type: str = "integer",
) -> tuple[DefineVariable, ...]:
    """The variables of ``frame`` as written in format ``fmt``.

    ``names``: written column → frame column (XPT renames; default the same); ``sas_names``: written
    column → SAS name (default: the written name for XPT). Text lengths are the longest value in UTF-8
    bytes, at least 1, computed in one columnar query.
    """
    names, sas_names = names or {}, sas_names or {}
    text = [c for c, t in frame.schema.items() if t in (pl.Utf8, pl.Categorical, pl.Enum)]
    longest = frame.select(pl.col(c).cast(pl.Utf8).str.len_bytes().max().fill_null(0) for c in text).row(0) \
        if text else ()  # fmt: skip
    lengths = {c: max(int(n or 0), 1) for c, n in zip(text, longest, strict=True)}
    nulls = frame.null_count().row(0) if frame.width else ()
    out = []
    for (col, dtype), missing in zip(frame.schema.items(), nulls, strict=True):
        data_type, display = _data_type(dtype, fmt, date_type)
        name = names.get(col, col)
        out.append(DefineVariable(name, sas_names.get(col, col), labels.get(col, labels.get(name, "")),
                                  data_type, lengths.get(col), display, missing == 0))  # fmt: skip
    return tuple(out)


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    """``<tag><TranslatedText xml:lang="en">text</TranslatedText></tag>`` (ODM Description)."""
    node = ET.SubElement(parent, f"{{{ODM_NS}}}{tag}")
    ET.SubElement(node, f"{{{ODM_NS}}}TranslatedText", {f"{{{XML_NS}}}lang": "en"}).text = text
    return node


def item_def(dataset: str, v: DefineVariable) -> ET.Element:
    """The ``ItemDef`` of one variable of ``dataset`` (OID ``IT.<dataset>.<name>``)."""
    attrs = {"OID": f"IT.{dataset}.{v.name}", "Name": v.name, "DataType": v.data_type}
    if v.length is not None:
        attrs["Length"] = str(v.length)
    attrs["SASFieldName"] = v.sas_name
    if v.display_format:
        attrs[f"{{{DEF_NS}}}DisplayFormat"] = v.display_format
    node = ET.Element(f"{{{ODM_NS}}}ItemDef", attrs)
    if v.label:
        _text(node, "Description", v.label)
    return node


def item_group_def(ds: DefineDataset, meta: Mapping[str, str]) -> ET.Element:
    """The ``ItemGroupDef`` of one dataset: attributes from ``meta`` (a ``define_datasets.csv`` row),
    one ``ItemRef`` per variable in file order, ``KeySequence`` for the declared keys present;
    ``Mandatory="Yes"`` for a key variable without missing values, else ``No``."""
    keys = [k for k in meta.get("keys", "").split() if k in {v.name for v in ds.variables}]
    node = ET.Element(f"{{{ODM_NS}}}ItemGroupDef", {
        "OID": f"IG.{ds.name}", "Name": ds.name, "Repeating": "No" if ds.name == "ADSL" else "Yes",
        "IsReferenceData": "No", "SASDatasetName": ds.name, "Purpose": "Analysis",
        f"{{{DEF_NS}}}Structure": meta.get("structure", ""), f"{{{DEF_NS}}}Class": meta.get("class", ""),
        **({f"{{{DEF_NS}}}CommentOID": f"COM.{ds.name}"} if ds.comment else {}),
        f"{{{DEF_NS}}}ArchiveLocationID": f"LF.{ds.name}",
    })  # fmt: skip
    if ds.label:
        _text(node, "Description", ds.label)
    for order, v in enumerate(ds.variables, start=1):
        attrs = {"ItemOID": f"IT.{ds.name}.{v.name}", "OrderNumber": str(order),
                 "Mandatory": "Yes" if v.name in keys and v.complete else "No"}
        if v.name in keys:
            attrs["KeySequence"] = str(keys.index(v.name) + 1)
        ET.SubElement(node, f"{{{ODM_NS}}}ItemRef", attrs)
    leaf = ET.SubElement(node, f"{{{DEF_NS}}}leaf", {"ID": f"LF.{ds.name}", f"{{{XLINK_NS}}}href": ds.href})
    ET.SubElement(leaf, f"{{{DEF_NS}}}title").text = ds.href
    return node


def _check_unique(datasets: Iterable[DefineDataset]) -> None:
    problems, seen = [], set()
    for ds in datasets:
        for oid in [f"IG.{ds.name}", *(f"IT.{ds.name}.{v.name}" for v in ds.variables)]:
            if oid in seen:
                problems.append(Problem("define.xml OID", oid, "make dataset and variable names unique"))
            seen.add(oid)
    if problems:
        raise InputError.from_problems("define.xml", problems)


def define_tree(datasets: Iterable[DefineDataset], study: Mapping[str, Any]) -> ET.ElementTree:
    """The Define-XML 2.0 document. ``study``: the derivation provenance (``study_id``, ``protocol``,
    ``protocol_version``, ``version``, ``created_utc``, hashes and options) for the header and the
    ``MetaDataVersion`` description."""
    datasets = list(datasets)
    _check_unique(datasets)
    meta = load_dataset_metadata()
    study_id = str(study.get("study_id") or "STUDY")
    ET.register_namespace("", ODM_NS)
    ET.register_namespace("def", DEF_NS)
    ET.register_namespace("xlink", XLINK_NS)
    root = ET.Element(f"{{{ODM_NS}}}ODM", {
        "FileType": "Snapshot", "FileOID": f"FL.{study_id}.ADaM", "ODMVersion": "1.3.2",
        "CreationDateTime": str(study.get("created_utc", "")), "Originator": "lupustrial",
        "SourceSystem": "lupustrial", "SourceSystemVersion": str(study.get("version", "")),
    })  # fmt: skip
    st = ET.SubElement(root, f"{{{ODM_NS}}}Study", {"OID": f"ST.{study_id}"})
    glob = ET.SubElement(st, f"{{{ODM_NS}}}GlobalVariables")
    protocol, version = str(study.get("protocol", "")), study.get("protocol_version", "")
    for tag, text in (("StudyName", study_id), ("StudyDescription", f"Protocol {protocol} version {version}"),
                      ("ProtocolName", protocol)):  # fmt: skip
        ET.SubElement(glob, f"{{{ODM_NS}}}{tag}").text = text
    mdv = ET.SubElement(st, f"{{{ODM_NS}}}MetaDataVersion", {
        "OID": f"MDV.{study_id}.ADaM", "Name": f"{study_id} analysis datasets",
        "Description": describe_provenance(study),
        f"{{{DEF_NS}}}DefineVersion": DEFINE_VERSION,
        f"{{{DEF_NS}}}StandardName": STANDARD[0], f"{{{DEF_NS}}}StandardVersion": STANDARD[1],
    })  # fmt: skip
    mdv.extend(item_group_def(ds, meta.get(ds.name, {})) for ds in datasets)  # Define-XML 2.0 element order:
    mdv.extend(item_def(ds.name, v) for ds in datasets for v in ds.variables)  # groups, items, comments
    for ds in datasets:
        if ds.comment:
            com = ET.SubElement(mdv, f"{{{DEF_NS}}}CommentDef", {"OID": f"COM.{ds.name}"})
            _text(com, "Description", ds.comment)
    ET.indent(root, space=" ")
    return ET.ElementTree(root)


def describe_provenance(prov: Mapping[str, Any]) -> str:
    """One line: package version, protocol and its hash, data hash, options, export options."""
    opts = ", ".join(f"{k}={v}" for k, v in (prov.get("options") or {}).items())
    export = ", ".join(f"{k}={v}" for k, v in (prov.get("export_options") or {}).items())
    return (f"Derived by {prov.get('package', 'lupustrial')} {prov.get('version', '')} from protocol "
            f"{prov.get('protocol', '')} version {prov.get('protocol_version', '')} (hash "
            f"{prov.get('protocol_hash', '')}), data hash {prov.get('data_hash', '')}; derivation options: "
            f"{opts}; export options: {export}")  # fmt: skip


def write_define_xml(path, datasets: Iterable[DefineDataset], study: Mapping[str, Any]) -> None:
    """Write ``define.xml`` (UTF-8, with the XML declaration)."""
    define_tree(datasets, study).write(path, encoding="utf-8", xml_declaration=True)
