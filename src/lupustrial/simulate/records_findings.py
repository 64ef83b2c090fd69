"""Findings source records (labs, instrument items, PK, flow cytometry, cytokines) at the protocol's
visits, whole columns at a time.

At ``SCREENING`` every screening variable is written so that screening the imported study reproduces
the patients' eligibility: labs with declared test codes (canonical units, LLN/ULN) in ``labs``; the
other variables (ANA, anti-Sm, LVEF, SpO₂, PT, pregnancy test, viral status, consent, classification,
refractoriness, life expectancy, prednisone equivalent...) under their ``screening_variables.csv`` test
codes in ``instrument_items`` with ``CAT = ELIGIBILITY`` (the only template with open test codes; see
docs/simulation_study.md for the gap). Pregnancy tests are written NEGATIVE for everyone not pregnant
(assumption: the protocols' pregnancy rules need a value for every subject).

Disease instruments (SLEDAI-2K total and its 24 descriptors Y/N, PGA, BILAG-2004 system grades, the 41
SDI items ``SDI01``–``SDI41`` at screening) at ``SCREENING`` and every visit from day 28; labs,
cytokines, PK (CAR transgene, below the LLOQ written ``<LLOQ``) and CD19 B cells at every visit from day
0. BILAG-2004 system grade at a visit: the baseline grade while one of the system's descriptors is
active (renal: also UPCR > 0.5 g/g), else D (previously active) or E (never) — assumption.

Follow-up findings of the outcome measures (parameters in the ``records`` group of parameters.yaml):
ANA (reciprocal IIF titre, ORRES ``1:320`` / ``<1:80``) and anti-Sm (U/mL) at day 0 (pre-infusion
baseline) and every visit from day 28 (:mod:`lupustrial.simulate.serology`); bone-marrow CAR transgene
(``SPEC = BONE MARROW``) at the marrow NCA outcome's ``marrow_visits`` (:mod:`lupustrial.simulate.marrow`);
the SDI items at the follow-up visits of the protocol's ``sdi`` outcome (:mod:`lupustrial.simulate.damage`;
no total is written: the derivation scores the items with the ``sdi`` instrument). These draws use
generators spawned from ``rng`` so the other records' draws are unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from lupustrial.instruments.sdi import load_items as load_sdi_items
from lupustrial.simulate.damage import SDI_TESTCDS, compute_item_scores, damage_onsets, item_weights, sdi_days
from lupustrial.simulate.phenotype import BILAG_SYSTEMS, SLEDAI_ITEMS, phenotype_table
from lupustrial.simulate.records import schedule, shaped

__all__ = ["findings_records"]

_U9 = "10^9/L"
#            TESTCD, column, unit, LLN (number or column), ULN (number or column)
SCREEN_LABS = (
    ("CREAT", "creatinine", "µmol/L", None, "creatinine_uln"),
    ("BILI", "bilirubin", "µmol/L", None, "bilirubin_uln"),
    ("ALT", "alt", "U/L", None, "alt_uln"),
    ("AST", "ast", "U/L", None, "ast_uln"),
    ("NEUT", "anc", _U9, 1.8, 7.5),
    ("LYM", "alc", _U9, 1.0, 4.0),
    ("PLAT", "platelets", _U9, 150, 400),
    ("HGB", "hemoglobin", "g/L", 120, 160),
    ("WBC", "wbc", _U9, 4.0, 10.0),
    ("INR", "inr", "ratio", None, "inr_uln"),
    ("PT", "pt", "s", None, "pt_uln"),
    ("C3", "c3", "g/L", "c3_lln", 1.8),
    ("C4", "c4", "g/L", "c4_lln", 0.4),
    ("DSDNAAB", "anti_dsdna", "IU/mL", None, "anti_dsdna_uln"),
    ("PROTCRT", "upcr", "g/g", None, 0.2),
    ("IGG", "igg", "g/L", 7.0, 16.0),
)
FOLLOW_LABS = (
    ("NEUT", "anc", _U9, 1.8, 7.5),
    ("PLAT", "platelets", _U9, 150, 400),
    ("IGG", "igg", "g/L", 7.0, 16.0),
    ("C3", "dis_c3", "g/L", 0.9, 1.8),
    ("C4", "dis_c4", "g/L", 0.1, 0.4),
    ("DSDNAAB", "dis_anti_dsdna", "IU/mL", None, 30.0),
    ("PROTCRT", "dis_upcr", "g/g", None, 0.2),
)
# flow cytometry: total CD19+ B cells and the subsets the B-cell model resolves (cells/µL; the model's
# plasmablasts are relative to baseline, so they are not written as counts)
B_SUBSETS = (("CD19", "bcells"), ("BTRANS", "b_transitional"), ("BNAIVE", "b_naive"), ("BMEMORY", "b_memory"))
CYTOKINES = (("IL6", "il6", "pg/mL"), ("CRP", "crp", "mg/L"), ("FERRITIN", "ferritin", "µg/L"))
SLEDAI_CODES = {item: f"SLD{i + 1:02d}" for i, item in enumerate(SLEDAI_ITEMS)}  # local codes SLD01-SLD24


def _base(pts: pl.DataFrame, protocol: Any, days: int, min_day: int) -> pl.DataFrame:
    """Treated subjects × visits from ``min_day`` (rows with course_row and day)."""
    sched = schedule(protocol).filter((pl.col("VISITDY") >= min_day) & (pl.col("VISITDY") <= days))
    return (
        pts.filter(pl.col("infusion_date").is_not_null())
        .select("USUBJID", "course_row", "infusion_date")
        .join(sched, how="cross")
        .with_columns(
            (pl.col("infusion_date") + pl.duration(days=pl.col("VISITDY"))).cast(pl.Utf8).alias("DTC"),
            pl.col("VISITDY").alias("DY"),
        )
    )


def _screen_base(pts: pl.DataFrame) -> pl.DataFrame:
    return pts.select(
        "USUBJID",
        "course_row",
        pl.lit("SCREENING").alias("VISIT"),
        pl.lit(1.0).alias("VISITNUM"),
        pl.col("screening_date").cast(pl.Utf8).alias("DTC"),
        (pl.col("screening_date") - pl.col("infusion_date")).dt.total_days().alias("DY"),
    )


def _limit(src: pl.DataFrame, spec: Any) -> Any:
    """A limit: a column of ``src`` (by name), a constant or None."""
    return src[spec] if isinstance(spec, str) else spec


def _text(x: Any, name: str) -> Any:
    if isinstance(x, (pl.Series, pl.Expr)):
        return x.cast(pl.Utf8).alias(name)
    return pl.lit(None if x is None else str(x), pl.Utf8).alias(name)


def _long(base: pl.DataFrame, tests: list[tuple[str, Any, str | None, Any, Any]]) -> pl.DataFrame:
    """One row per base row and test; each test's values (Series/array aligned to base) as text."""
    parts = []
    for testcd, values, unit, lln, uln in tests:
        parts.append(
            base.select("USUBJID", "VISIT", "VISITNUM", "DY", "DTC").with_columns(
                pl.lit(testcd).alias("TESTCD"),
                pl.Series("ORRES", values, dtype=pl.Utf8),
                pl.lit(unit, pl.Utf8).alias("ORRESU"),
                _text(lln, "LLN"),
                _text(uln, "ULN"),
            )
        )
    return pl.concat(parts, how="vertical_relaxed").filter(pl.col("ORRES").is_not_null())


def _num(x: np.ndarray, digits: int = 4) -> list[str | None]:
    return [None if not np.isfinite(v) else f"{v:.{digits}g}" for v in np.asarray(x, dtype=float)]


def _labs(
    pts: pl.DataFrame, arrays: dict, protocol: Any, rng: np.random.Generator, params: Any, sub: Any
) -> pl.DataFrame:
    scr = _screen_base(pts)
    tests = [
        (cd, _num(pts[col].to_numpy()), u, _limit(pts, lo), _limit(pts, hi))
        for cd, col, u, lo, hi in SCREEN_LABS
    ]
    out = [_long(scr, tests)]
    fu = _base(pts, protocol, arrays["anc"].shape[1] - 1, 0)
    if fu.height:
        r, d = fu["course_row"].to_numpy(), fu["VISITDY"].to_numpy()
        tests = [(cd, _num(arrays[col][r, d]), u, lo, hi) for cd, col, u, lo, hi in FOLLOW_LABS]
        rows = _rows_of(pts, r)
        for cd, col, u, uln in (
            ("CREAT", "creatinine", "µmol/L", "creatinine_uln"),
            ("ALT", "alt", "U/L", "alt_uln"),
        ):
            val = pts[col].to_numpy()[rows] * np.exp(rng.normal(0, 0.1, r.size))
            tests.append((cd, _num(val, 3), u, None, pl.Series(pts[uln].to_numpy()[rows]).cast(pl.Utf8)))
        out.append(_long(fu, tests))
    out += [f for f in [_serology(pts, arrays, protocol, params, sub)] if f is not None]
    return shaped("labs", pl.concat(out, how="vertical_relaxed"))


def _serology(
    pts: pl.DataFrame, arrays: dict, protocol: Any, params: Any, rng: np.random.Generator
) -> pl.DataFrame | None:
    """ANA (IIF titre) and anti-Sm (U/mL) at day 0 and every visit from day 28."""
    from lupustrial.simulate.serology import simulate_serology, titre_text

    fu = _base(pts, protocol, arrays["anc"].shape[1] - 1, 0).filter(
        (pl.col("VISITDY") == 0) | (pl.col("VISITDY") >= 28)
    )
    if fu.height == 0:
        return None
    r, d = fu["course_row"].to_numpy(), fu["VISITDY"].to_numpy()
    sero = simulate_serology(pts, _rows_of(pts, r), r, d, arrays, params, rng)
    lowest = params.value("records.ana_lowest_dilution")
    uln = params.value("records.anti_sm_uln")
    return _long(
        fu,
        [
            ("ANA", titre_text(sero["ana"], lowest), None, None, None),
            ("SMAB", _num(sero["anti_sm"], 3), "U/mL", None, uln),
        ],
    )


def _eligibility(pts: pl.DataFrame) -> pl.DataFrame:
    from lupustrial.protocol.variables import all_variables

    scr, tests = _screen_base(pts), []
    words = {
        "ana_positive": ("POSITIVE", "NEGATIVE"),
        "anti_sm_positive": ("POSITIVE", "NEGATIVE"),
        "pregnancy_test_positive": ("POSITIVE", "NEGATIVE"),
    }
    for v in all_variables().values():
        if not v.testcd or v.name not in pts.columns or v.testcd[0] in {t[0] for t in SCREEN_LABS}:
            continue
        if v.name in ("age_years", "sex", "weight_kg", "sledai2k", "crcl_cockcroft_gault"):
            continue  # from subjects / SLEDAI items / derived
        col = pts[v.name]
        if v.kind == "bool":
            yes, no = words.get(v.name, ("Y", "N"))
            vals = [None if x is None else (yes if x else no) for x in col.to_list()]
            tests.append((v.testcd[0], vals, None, None, None, v.description))
        else:
            unit = v.unit if v.analyte else None  # no analyte: blank = the variable's canonical unit
            tests.append((v.testcd[0], _num(col.to_numpy()), unit, None, None, v.description))
    frame = _long(scr, [t[:5] for t in tests]).join(
        pl.DataFrame({"TESTCD": [t[0] for t in tests], "TEST": [t[5][:40] for t in tests]}), on="TESTCD"
    )
    return frame.with_columns(pl.lit("ELIGIBILITY").alias("CAT"))


def _bilag(pts: pl.DataFrame, items: dict[str, np.ndarray], rows: np.ndarray, upcr: np.ndarray) -> dict:
    systems: dict[str, list[str]] = {s: [] for s in BILAG_SYSTEMS}
    for r in phenotype_table():
        if r["bilag_system"]:
            systems[r["bilag_system"]] += list(r["items"])
    out = {}
    for s, its in systems.items():
        base = pts[f"bilag_{s}"].to_numpy()[rows].astype(object)
        active = np.zeros(rows.size, bool)
        for it in its:
            active |= items[it]
        if s == "renal":
            active |= upcr > 0.5
        out[s] = np.where(active & np.isin(base, ["A", "B", "C"]), base, np.where(base == "E", "E", "D"))
    return out


def _rows_of(pts: pl.DataFrame, course_rows: np.ndarray) -> np.ndarray:
    """Row positions in ``pts`` of the given course rows."""
    cr = pts["course_row"].fill_null(-1).to_numpy()
    pos = np.full(max(int(cr.max()) + 1, 1), -1)
    pos[cr[cr >= 0]] = np.nonzero(cr >= 0)[0]
    return pos[course_rows]


def _instrument_tests(pts: pl.DataFrame, rows: np.ndarray, get: Any, upcr: np.ndarray) -> list:
    items = {it: np.asarray(get(f"sledai_{it}"), bool) for it in SLEDAI_ITEMS}
    tests = [
        ("SLEDAI", _num(get("sledai2k"), 3), None, None, None),
        ("PGA", _num(get("pga"), 2), None, None, None),
    ]
    tests += [
        (SLEDAI_CODES[it], ["Y" if x else "N" for x in items[it]], None, None, None) for it in SLEDAI_ITEMS
    ]
    return tests + [
        (f"BLG{s[:5].upper()}", list(g), None, None, None) for s, g in _bilag(pts, items, rows, upcr).items()
    ]


def _sdi_visits(fu: pl.DataFrame, protocol: Any) -> np.ndarray:
    """Mask of the follow-up visits whose window holds a day of the protocol's ``sdi`` outcome."""
    days = np.array(sdi_days(protocol))
    if days.size == 0 or fu.height == 0:
        return np.zeros(fu.height, bool)
    vd, win = fu["VISITDY"].to_numpy(), fu["WINDOW"].to_numpy()
    return (np.abs(vd[:, None] - days[None, :]) <= win[:, None]).any(axis=1)


def _sdi(
    pts: pl.DataFrame, scr: pl.DataFrame, fu: pl.DataFrame, rows: np.ndarray, protocol: Any, params: Any,
    rng: np.random.Generator,
) -> list[pl.DataFrame]:
    """The 41 SDI items (``SDI01``–``SDI41``) at screening for everyone and at the follow-up visits of the
    protocol's ``sdi`` outcome (:mod:`lupustrial.simulate.damage`); ``rows`` = positions in ``pts`` of
    ``fu``'s rows."""
    keep = _sdi_visits(fu, protocol)
    last = np.zeros(pts.height)
    np.maximum.at(last, rows[keep], fu["VISITDY"].to_numpy()[keep].astype(float))
    female = (pts["sex"] == "F").fill_null(True).to_numpy()
    rate = params.value("records.sdi_accrual_rate")
    first, second = damage_onsets(pts["sdi"].fill_null(0).to_numpy().astype(int), last, female, rate,
                                  item_weights(params, True), item_weights(params, False), rng)
    codes = list(SDI_TESTCDS.values())
    out = []
    for base, subject, day in (
        # screening: baseline damage only (screen failures have no infusion day)
        (scr, np.arange(pts.height), np.minimum(scr["DY"].fill_null(0).to_numpy(), 0)),
        (fu.filter(pl.Series(keep)), rows[keep], fu["VISITDY"].to_numpy()[keep]),
    ):
        if base.height:
            scores = compute_item_scores(first, second, subject, day).astype(str)
            out.append(_long(base, [(cd, scores[:, j], None, None, None) for j, cd in enumerate(codes)]))
    return out


def _instruments(
    pts: pl.DataFrame, arrays: dict, protocol: Any, params: Any, rng: np.random.Generator
) -> pl.DataFrame:
    scr = _screen_base(pts)
    tests = _instrument_tests(pts, np.arange(pts.height), lambda c: pts[c].to_numpy(), pts["upcr"].to_numpy())
    frames = [_long(scr, tests)]
    fu = _base(pts, protocol, arrays["anc"].shape[1] - 1, 28)
    rows = _rows_of(pts, fu["course_row"].to_numpy()) if fu.height else np.zeros(0, int)
    if fu.height:
        r, d = fu["course_row"].to_numpy(), fu["VISITDY"].to_numpy()

        def get(c: str) -> np.ndarray:
            return arrays[f"dis_{c}"][r, d] if f"dis_{c}" in arrays else pts[c].to_numpy()[rows]

        frames.append(_long(fu, _instrument_tests(pts, rows, get, arrays["dis_upcr"][r, d])))
    # own generator spawned from rng: rng's stream (later findings) is unchanged by the SDI draws
    frames += _sdi(pts, scr, fu, rows, protocol, params, rng.spawn(1)[0])
    labels = {SLEDAI_CODES[it]: ("SLEDAI-2K", f"SLEDAI-2K {it.replace('_', ' ')}") for it in SLEDAI_ITEMS}
    labels |= {f"BLG{s[:5].upper()}": ("BILAG-2004", f"BILAG-2004 {s} grade") for s in BILAG_SYSTEMS}
    labels |= {SDI_TESTCDS[i.code]: ("SDI", f"SDI {i.label}"[:40]) for i in load_sdi_items()}
    lab = pl.DataFrame(
        {
            "TESTCD": list(labels),
            "CAT": [v[0] for v in labels.values()],
            "TEST": [v[1] for v in labels.values()],
        }
    )
    inst = pl.concat(frames, how="vertical_relaxed").join(lab, on="TESTCD", how="left")
    return shaped("instrument_items", pl.concat([inst, _eligibility(pts)], how="diagonal_relaxed"))


def _blq_text(values: np.ndarray, lloq: np.ndarray) -> list[str]:
    """PK results as text: below the LLOQ (NaN) written ``<LLOQ``."""
    return [f"<{q:g}" if not np.isfinite(v) else f"{v:.4g}" for v, q in zip(values, lloq, strict=True)]


def _marrow(
    fu: pl.DataFrame, arrays: dict, protocol: Any, params: Any, rng: np.random.Generator
) -> pl.DataFrame:
    """CAR transgene in bone-marrow aspirates at the protocol's marrow visits (``SPEC = BONE MARROW``)."""
    from lupustrial.simulate.marrow import SPEC, marrow_concentrations, marrow_visits

    at = fu.filter(pl.col("VISIT").is_in(list(marrow_visits(protocol))))
    if at.height == 0:
        return at.head(0).select("USUBJID")
    r, d = at["course_row"].to_numpy(), at["VISITDY"].to_numpy()
    conc = marrow_concentrations(arrays["conc"], r, d, arrays["lloq"], params, rng)
    text = _blq_text(conc, arrays["lloq"][r])
    return _long(at, [("CARTRANS", text, "copies/µg gDNA", None, None)]).with_columns(
        pl.lit(SPEC).alias("SPEC")
    )


def findings_records(protocol: Any, pts: pl.DataFrame, arrays: dict, rng: np.random.Generator) -> dict:
    """``labs``, ``instrument_items``, ``pk``, ``flow_cytometry`` and ``cytokines`` frames."""
    params = arrays["params"]  # as the courses were simulated (scenario overrides included)
    sub = rng.spawn(1)[0]  # follow-up findings of the outcome measures; leaves rng's own stream as it was
    fu = _base(pts, protocol, arrays["anc"].shape[1] - 1, 0)
    r, d = fu["course_row"].to_numpy(), fu["VISITDY"].to_numpy()
    pk = arrays["pk"][r, d]
    pk_text = _blq_text(pk, arrays["lloq"][r])
    scr = _screen_base(pts.filter(pl.col("infusion_date").is_not_null()))
    rs = scr["course_row"].to_numpy()
    flow = pl.concat(
        [
            _long(scr, [(cd, _num(arrays[k][rs, 0], 3), "cells/µL", None, None) for cd, k in B_SUBSETS]),
            _long(fu, [(cd, _num(arrays[k][r, d], 3), "cells/µL", None, None) for cd, k in B_SUBSETS]),
        ],
        how="vertical_relaxed",
    )
    return {
        "labs": _labs(pts, arrays, protocol, rng, params, sub),
        "instrument_items": _instruments(pts, arrays, protocol, params, sub),
        "pk": shaped(
            "pk",
            pl.concat(
                [
                    _long(fu, [("CARTRANS", pk_text, "copies/µg gDNA", None, None)]),
                    _marrow(fu, arrays, protocol, params, sub),
                ],
                how="diagonal_relaxed",
            ),
        ),
        "flow_cytometry": shaped("flow_cytometry", flow),
        "cytokines": shaped(
            "cytokines", _long(fu, [(cd, _num(arrays[c][r, d]), u, None, None) for cd, c, u in CYTOKINES])
        ),
    }
