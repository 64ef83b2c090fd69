"""Units and standard results: ORRES/ORRESU as collected → STRESN/STRESC/STRESU (SDTMIG v3.4 §4.5.1).

* a test with an ``analyte`` (testcodes.csv → units.csv): numeric ORRES, LLN and ULN convert from
  ORRESU to the analyte's canonical unit through :func:`lupustrial.units.convert_expr`; a unit not
  declared for the analyte (or missing) is a problem;
* a test with a fixed ``unit``: ORRESU must name that unit (any declared spelling); no conversion;
* a test with neither (instrument items, biopsy indices): STRESN is the number, STRESU the unit as
  written.

Templates without ORRESU, SPEC, LLN or ULN columns (vital_signs, eligibility, biopsy_findings) get
them as nulls, so every findings template goes through the same steps.

Non-numeric results (``"<5"``, ``"POSITIVE"``) keep STRESN null and STRESC = ORRES.
A titre written ``1:320`` (reciprocal dilution) has STRESN 320 and STRESC "320" (ORRES kept); parsed by
:func:`lupustrial.titres.titre_value` with policy ``negative="null"``: a negative (``<1:80``,
``negative``) keeps STRESN null and STRESC = ORRES. Text written as a titre with no valid dilution
(``1:0``, ``1:abc``) is a problem on ORRES.
Subjects: WEIGHT + WEIGHTU → ``weight_kg``.
"""

from __future__ import annotations

import polars as pl

from lupustrial import units
from lupustrial.errors import Problem
from lupustrial.ingest.spec import TemplateSpec, declared_tests
from lupustrial.ingest.validate import ROW, problems_where
from lupustrial.titres import titre_problems, titre_value

__all__ = ["standardise_findings", "standardise_weight"]

_OPTIONAL = {"ORRESU": pl.Utf8, "SPEC": pl.Utf8, "LLN": pl.Float64, "ULN": pl.Float64}


def _known(analyte: str) -> str:
    return ", ".join(units.known_units(analyte))


def standardise_weight(frame: pl.DataFrame, source: str) -> tuple[pl.DataFrame, list[Problem]]:
    """WEIGHT in WEIGHTU → ``WEIGHT_KG`` (units.csv ``weight``)."""
    out = frame.with_columns(
        WEIGHT_KG=units.convert_expr(pl.col("WEIGHT"), pl.col("WEIGHTU"), "weight", "kg")
    )
    bad = pl.col("WEIGHT").is_not_null() & pl.col("WEIGHT_KG").is_null()
    return out, problems_where(out, bad, "WEIGHTU", f"weight: use one of {_known('weight')}", source)


def standardise_findings(
    frame: pl.DataFrame, spec: TemplateSpec, source: str
) -> tuple[pl.DataFrame, list[Problem]]:
    """Add DOMAIN, TEST, CAT, SPEC defaults and STRESN/STRESC/STRESU/LLN/ULN in standard units."""
    absent = {c: t for c, t in _OPTIONAL.items() if c not in frame.columns}
    frame = frame.with_columns(pl.lit(None, dtype=t).alias(c) for c, t in absent.items())
    tests = declared_tests(spec.name).select(
        TESTCD=pl.col("testcd"),
        _TEST=pl.col("test"),
        _DOMAIN=pl.col("domain"),
        _CAT=pl.col("cat"),
        _ANALYTE=pl.col("analyte"),
        _UNIT=pl.col("unit"),
        _SPEC=pl.col("spec"),
    )
    f = frame.join(tests, on="TESTCD", how="left", maintain_order="left")
    problems = _test_problems(f, spec, source, tests)
    problems += _titre_problems(f, source)
    titre = titre_value(pl.col("ORRES"), negative="null")  # "1:320" → 320; "<1:80" → null (text kept)
    f = f.with_columns(
        _NUM=pl.coalesce(pl.col("ORRES").cast(pl.Float64, strict=False).fill_nan(None), titre)
    )
    parts, more = [], []
    for (analyte,), part in f.partition_by("_ANALYTE", as_dict=True, maintain_order=True).items():
        converted, found = _convert(part, analyte, source)
        parts.append(converted)
        more += found
    f = pl.concat(parts, how="vertical_relaxed").sort(ROW)
    user = [pl.col(c) for c in ("TEST", "CAT") if c in f.columns]
    f = f.with_columns(
        DOMAIN=pl.col("_DOMAIN").fill_null(spec.sdtm),
        TEST=pl.coalesce(pl.col("_TEST"), *user),
        CAT=pl.coalesce(pl.col("_CAT"), *user[1:]),
        SPEC=pl.coalesce(pl.col("SPEC"), pl.col("_SPEC")),
        STRESC=pl.when(pl.col("STRESN").is_not_null())
        .then(pl.col("STRESN").cast(pl.Utf8))
        .otherwise(pl.col("ORRES")),
    )
    return f, problems + sorted(more, key=lambda p: p.row or 0)


def _titre_problems(f: pl.DataFrame, source: str) -> list[Problem]:
    """ORRES written as a titre (``1:…``/``<1:…``) whose dilution is not a number ≥ 1."""
    bad = titre_problems(pl.col("ORRES"))
    fix = "a titre is 1:N or <1:N with a reciprocal dilution N >= 1 (e.g. 1:80)"
    return problems_where(f, bad, "ORRES", fix, source)


def _test_problems(f: pl.DataFrame, spec: TemplateSpec, source: str, tests: pl.DataFrame) -> list[Problem]:
    declared = ", ".join(tests["TESTCD"].to_list())
    undeclared = pl.col("_DOMAIN").is_null() & pl.col("TESTCD").is_not_null()
    if not spec.open_tests:
        return problems_where(
            f, undeclared, "TESTCD", f"use a test declared for {spec.name}: {declared}", source
        )
    fix = "a TESTCD not declared in testcodes.csv needs TEST and CAT (the instrument)"
    return problems_where(f, undeclared & pl.col("TEST").is_null(), "TEST", fix, source) + problems_where(
        f, undeclared & pl.col("CAT").is_null(), "CAT", fix, source
    )


def _convert(part: pl.DataFrame, analyte: str | None, source: str) -> tuple[pl.DataFrame, list[Problem]]:
    num, unit = pl.col("_NUM"), pl.col("ORRESU")
    if analyte is not None:
        out = part.with_columns(
            STRESN=units.convert_expr(num, unit, analyte),
            LLN=units.convert_expr(pl.col("LLN"), unit, analyte),
            ULN=units.convert_expr(pl.col("ULN"), unit, analyte),
            STRESU=pl.lit(units.canonical_unit(analyte)),
        )
        bad = (num.is_not_null() | pl.col("LLN").is_not_null() | pl.col("ULN").is_not_null()) & (
            units.convert_expr(pl.lit(1.0), unit, analyte).is_null()
        )
        return out, problems_where(out, bad, "ORRESU", f"{analyte}: use one of {_known(analyte)}", source)
    spelled = {u: units.normalise_unit(u) for u in part["ORRESU"].drop_nulls().unique().to_list()}
    norm = (
        unit.replace_strict(spelled, default=None, return_dtype=pl.Utf8) if spelled else pl.lit(None, pl.Utf8)
    )
    out = part.with_columns(STRESN=num, STRESU=pl.coalesce(pl.col("_UNIT"), norm))
    fixed = pl.col("_UNIT").is_not_null() & num.is_not_null() & norm.ne_missing(pl.col("_UNIT"))
    problems = []
    for want in part["_UNIT"].drop_nulls().unique(maintain_order=True).to_list():
        problems += problems_where(
            out,
            fixed & (pl.col("_UNIT") == want),
            "ORRESU",
            f"this test is recorded in {want} (testcodes.csv)",
            source,
        )
    return out, problems
