"""``derive_study``: a stored study → ADaM-like analysis frames and the protocol's outcomes.

Order (each step a pure ``derive_*`` over frames): ADSL → ADAE (+ DLT adjudication) → visit table →
ADRS → ADLB → ADPC/ADPP → ADTTE → populations DLTEVLFL/EFFFL/DTHFL on ADSL → outcomes frame.
``DLTEVLFL`` = SAFFL and DLT-evaluable (``adjudicate_dlt``: a DLT, or the window completed);
``EFFFL`` = SAFFL and a post-infusion SLEDAI-2K or PGA assessment (ADRS, ADY > 0).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from lupustrial.derive._common import check_options, groups_of, reasons_frame
from lupustrial.derive.flares import FLARE_DEFINITIONS
from lupustrial.instruments.adverse_events.coding import TERM_MATCH

DOMAINS = ("subjects", "visits", "interventions", "events", "findings")
DEFAULT_OPTIONS: dict[str, Any] = {
    "teae_start": "infusion",
    "ae_term_match": "normalised",
    "missing_response": "non_responder",
    "visit_window_days": 14,
    "titre_below_lowest": "one_step_below",
    "autoantibody_population": "all",
    "blq_summary": "zero",
    "flare_definition": "sfi",
    "km_ci_no_events": "exact_binomial",
}
CHOICES = {
    "teae_start": ("infusion", "lymphodepletion"),
    "ae_term_match": TERM_MATCH,  # instruments.adverse_events.coding
    "missing_response": ("non_responder", "exclude"),
    "titre_below_lowest": ("one_step_below", "exclude"),
    "autoantibody_population": ("all", "baseline_positive"),
    "blq_summary": ("zero", "exclude"),
    "flare_definition": tuple(FLARE_DEFINITIONS),  # ADTTE TTFLARE (derive.flares)
    "km_ci_no_events": ("exact_binomial", "not_estimable"),  # outcomes_pk._km_at
}


@dataclass(frozen=True)
class DerivedStudy:
    """Analysis frames (ADSL, ADAE, ADLB, ADRS, ADPC, ADPP, ADTTE), outcomes, provenance, data reasons."""

    frames: dict[str, pl.DataFrame]
    outcomes: pl.DataFrame
    provenance: dict[str, Any]
    reasons: pl.DataFrame


def _options(options: dict[str, Any] | None) -> dict[str, Any]:
    return check_options("derive_study options", DEFAULT_OPTIONS, CHOICES, options)


DERIVED_BY = {
    "ADSL": "lupustrial.derive.adsl.derive_adsl (+ study._populations)",
    "ADAE": "lupustrial.derive.adae.derive_adae",
    "ADLB": "lupustrial.derive.adlb.derive_adlb",
    "ADRS": "lupustrial.derive.adrs.derive_adrs",
    "ADPC": "lupustrial.derive.adpc.derive_adpc",
    "ADPP": "lupustrial.derive.adpc.derive_adpp",
    "ADTTE": "lupustrial.derive.adtte.derive_adtte",
    "outcomes": "lupustrial.derive.compute.compute_outcomes",
}


def _frame_hash(f: pl.DataFrame) -> str:
    """SHA-256 (16 hex) of a frame's content, independent of row order."""
    h = hashlib.sha256(",".join(f.columns).encode())
    h.update(f.sort(pl.all()).write_csv().encode())
    return h.hexdigest()[:16]


def _frame_provenance(frames: dict[str, pl.DataFrame]) -> dict[str, dict[str, Any]]:
    return {
        k: {"derived_by": DERIVED_BY[k], "rows": f.height, "columns": f.columns, "hash": _frame_hash(f)}
        for k, f in frames.items()
    }


def _data_hash(raw: dict[str, pl.DataFrame]) -> str:
    h = hashlib.sha256()
    for name in DOMAINS:
        f = raw[name]
        h.update(name.encode())
        h.update(f.select(sorted(c for c in f.columns if c != "VERSION")).sort(pl.all()).write_csv().encode())
    return h.hexdigest()[:16]


def _populations(
    adsl: pl.DataFrame, dlt: pl.DataFrame, adrs: pl.DataFrame, adtte: pl.DataFrame, adae: pl.DataFrame
) -> pl.DataFrame:
    """DLTEVLFL, EFFFL, DTHFL/DTHDT and the subject-level DLTFL, CRSFL, ICANSFL (any TEAE record)."""
    evl = dlt.filter(pl.col("DLT_EVALUABLE")).select(
        "USUBJID", pl.lit(True).alias("_evl"), (pl.col("DLT") == "Y").alias("_dlt")
    )
    te = (
        adae.filter(pl.col("TRTEMFL") == "Y")
        .group_by("USUBJID")
        .agg((pl.col("CRSFL") == "Y").any().alias("_crs"), (pl.col("ICANSFL") == "Y").any().alias("_icans"))
    )
    post = (
        (
            adrs.filter(
                pl.col("PARAMCD").is_in(["SLEDAI2K", "PGA"])
                & (pl.col("ADY") > 0)
                & pl.col("AVAL").is_not_null()
            )
            .select("USUBJID")
            .unique()
            .with_columns(pl.lit(True).alias("_eff"))
        )
        if adrs.height
        else pl.DataFrame(schema={"USUBJID": pl.Utf8, "_eff": pl.Boolean})
    )
    death = (pl.col("PARAMCD") == "OS") & (pl.col("CNSR") == 0)
    dth = adtte.filter(death).select("USUBJID", pl.col("ADT").alias("DTHDT"))
    yn = {True: "Y", False: "N"}
    return (
        adsl.join(evl, on="USUBJID", how="left")
        .join(post, on="USUBJID", how="left")
        .join(dth, on="USUBJID", how="left")
        .join(te, on="USUBJID", how="left")
        .with_columns(
            (pl.col("SAFFL").eq("Y") & pl.col("_evl").fill_null(False)).replace_strict(yn).alias("DLTEVLFL"),
            (pl.col("SAFFL").eq("Y") & pl.col("_eff").fill_null(False)).replace_strict(yn).alias("EFFFL"),
            pl.col("DTHDT").is_not_null().replace_strict(yn).alias("DTHFL"),
            pl.when(pl.col("_evl")).then(pl.col("_dlt").replace_strict(yn)).alias("DLTFL"),
            pl.when(pl.col("SAFFL") == "Y")
            .then(pl.col("_crs").fill_null(False).replace_strict(yn))
            .alias("CRSFL"),
            pl.when(pl.col("SAFFL") == "Y")
            .then(pl.col("_icans").fill_null(False).replace_strict(yn))
            .alias("ICANSFL"),
        )
        .drop("_evl", "_eff", "_dlt", "_crs", "_icans")
    )


def _open(study_or_path: Any) -> Any:
    if isinstance(study_or_path, str | Path):
        from lupustrial.store import open_study

        return open_study(study_or_path)
    return study_or_path


def _remission_visits(visits: pl.DataFrame) -> pl.DataFrame | None:
    """USUBJID, ADY, value: DORIS 2021 remission or LLDAS met at the visit (the ORR definitions)."""
    from lupustrial.endpoints.responses import derive_responses

    if visits.height == 0:
        return None
    res = derive_responses(visits.drop("ADT", "TRTSDT", strict=False), names=["doris", "lldas"])
    return (pl.concat([r.select("USUBJID", "ADY", "value") for r in res.values()])
            .group_by("USUBJID", "ADY").agg(pl.col("value").fill_null(False).any()))


def derive_frames(raw: dict[str, pl.DataFrame], proto: Any, study_id: str, opts: dict[str, Any]):
    """(outcome Context holding the analysis frames, data reasons) from the five domain frames."""
    from lupustrial.derive.adae import derive_adae
    from lupustrial.derive.adlb import derive_adlb
    from lupustrial.derive.adpc import derive_adpc, derive_adpp
    from lupustrial.derive.adrs import derive_adrs
    from lupustrial.derive.adsl import derive_adsl
    from lupustrial.derive.adtte import derive_adtte
    from lupustrial.derive.outcomes import Context
    from lupustrial.derive.sdi import derive_sdi
    from lupustrial.derive.visits import build_visit_table

    adsl, r_sl = derive_adsl(raw["subjects"], raw["visits"], raw["interventions"], proto, study_id)
    adae, dlt, r_ae = derive_adae(
        raw["events"], adsl, raw["interventions"], proto, opts["teae_start"], opts["ae_term_match"]
    )
    visits = build_visit_table(raw["findings"], raw["interventions"], adsl)
    adrs = derive_adrs(visits, adsl, proto, sdi=derive_sdi(raw["findings"], adsl))
    adlb = derive_adlb(raw["findings"], adsl, proto)
    adtte = derive_adtte(adsl, adae, adrs, adlb, _remission_visits(visits), visits=visits,
                         flare_definition=opts["flare_definition"], events=raw["events"])
    adsl = _populations(adsl, dlt, adrs, adtte, adae)
    adpc = derive_adpc(raw["findings"], adsl)
    frames = {
        "ADSL": adsl,
        "ADAE": adae,
        "ADLB": adlb,
        "ADRS": adrs,
        "ADPC": adpc,
        "ADPP": derive_adpp(adpc),
        "ADTTE": adtte,
    }
    missing = adsl.filter((pl.col("SAFFL") == "Y") & (pl.col("EFFFL") == "N")).select(
        "USUBJID",
        pl.lit("ADRS").alias("DOMAIN"),
        pl.lit("EFFFL").alias("WHAT"),
        pl.lit("treated but no post-infusion SLEDAI-2K/PGA assessment: not in the efficacy population").alias(
            "WHY"
        ),
    )
    return Context(frames, dlt, visits, proto, groups_of(proto), opts), [r_sl, r_ae, missing]


def derive_study(
    study_or_path: Any, protocol: Any = None, *, options: dict[str, Any] | None = None
) -> DerivedStudy:
    """Derive every analysis frame and the protocol's outcomes from a study (object or path)."""
    from lupustrial.derive.compute import compute_outcomes
    from lupustrial.protocol import load_protocol, protocol_hash
    from lupustrial.results import package_version

    opts = _options(options)
    study = _open(study_or_path)
    proto = protocol if hasattr(protocol, "outcomes") else load_protocol(protocol or study.protocol_name)
    raw = {d: study.frame(d) for d in DOMAINS}
    ctx, data_reasons = derive_frames(raw, proto, study.study_id, opts)
    frames = ctx.frames
    out, r_out = compute_outcomes(ctx)
    reasons = pl.concat([reasons_frame(), *data_reasons, r_out], how="vertical_relaxed")
    provenance = {
        "package": "lupustrial",
        "version": package_version(),
        "protocol": proto.name,
        "protocol_version": proto.version,
        "protocol_hash": protocol_hash(proto),
        "study_id": study.study_id,
        "data_hash": _data_hash(raw),
        "options": opts,
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "frames": _frame_provenance({**frames, "outcomes": out}),
    }
    return DerivedStudy(frames, out, provenance, reasons)
