"""Import templates as data: domains.yaml (columns per template) and testcodes.csv (tests per template).

>>> spec = template_spec("labs")
>>> spec.table, spec.sdtm, spec.column("ORRESU").type
('findings', 'LB', 'text')
>>> declared_tests("labs").filter(testcd="CREAT")["analyte"].item()
'creatinine'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from lupustrial.errors import InputError, Problem

__all__ = ["TEMPLATES", "ColumnSpec", "TemplateSpec", "declared_tests", "template_spec"]

TYPES = ("text", "float", "int", "date", "dtc", "code")


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    type: str
    required: bool = False
    codes: tuple[str, ...] = ()
    help: str = ""
    example: tuple[str, ...] = ()
    unit_of: tuple[str, str] | None = None  # (value column, analyte) this column gives the unit of


@dataclass(frozen=True)
class TemplateSpec:
    name: str
    table: str
    sdtm: str | None
    help: str
    key: tuple[str, ...]
    columns: tuple[ColumnSpec, ...]
    open_tests: bool = False

    @property
    def is_findings(self) -> bool:
        return self.table == "findings"

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@cache
def _specs() -> dict[str, TemplateSpec]:
    import yaml

    raw = yaml.safe_load((resources.files("lupustrial.ingest") / "domains.yaml").read_text("utf-8"))
    out = {}
    for name, entry in raw.items():
        cols = tuple(
            ColumnSpec(
                name=c["name"],
                type=c["type"],
                required=bool(c.get("required")),
                codes=tuple(str(x) for x in c.get("codes", ())),
                help=c.get("help", ""),
                example=tuple("" if x is None else str(x) for x in c.get("example", ())),
                unit_of=tuple(c["unit_of"]) if c.get("unit_of") else None,
            )
            for c in entry["columns"]
        )
        assert all(c.type in TYPES for c in cols), name
        out[name] = TemplateSpec(
            name=name,
            table=entry["table"],
            sdtm=entry.get("sdtm"),
            help=entry["help"],
            key=tuple(entry["key"]),
            columns=cols,
            open_tests=bool(entry.get("open_tests")),
        )
    return out


TEMPLATES = (
    "subjects",
    "visits",
    "infusions",
    "medications",
    "adverse_events",
    "labs",
    "instrument_items",
    "pk",
    "flow_cytometry",
    "cytokines",
    "vital_signs",
    "disposition",
    "medical_history",
    "procedures",
    "biopsy_findings",
    "eligibility",
)


def template_spec(name: str) -> TemplateSpec:
    """The spec of one import template; unknown names raise :class:`InputError` listing the known."""
    specs = _specs()
    if name not in specs:
        raise InputError(
            f"domain {name!r}: no such import template; use one of {', '.join(TEMPLATES)}",
            problems=[Problem("DOMAIN", name, f"use one of {', '.join(TEMPLATES)}")],
        )
    return specs[name]


@cache
def _codes():
    import polars as pl

    path = resources.files("lupustrial.ingest") / "testcodes.csv"
    return pl.read_csv(path.read_bytes(), infer_schema=False)


def declared_tests(template: str):
    """The declared tests of a findings template (testcd, test, domain, cat, analyte, unit, spec, source)."""
    import polars as pl

    return _codes().filter(pl.col("template") == template).drop("template")
