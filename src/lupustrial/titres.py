"""Titres written "1:N": one columnar parser for ingest, derive and pk (a core module: imports polars only).

An immunofluorescence (HEp-2 IIF) or agglutination titre is the highest dilution still positive,
written as the dilution ``1:N``; its number is the **reciprocal dilution** N (EULAR/ACR 2019 SLE
criteria: ANA "at a titer of ≥1:80 on HEp-2 cells", i.e. reciprocal 80). A sample negative at the
screening dilution is written ``<1:N`` (below the screening dilution N) or as a word.

Grammar (text stripped, case ignored, spaces around ``<`` and ``:`` allowed)::

    text                  dilution  below  titre_like  reason
    1:N                   N         false  true        null
    <1:N                  N         true   true        null      (N = the stated screening dilution)
    negative | neg        null      true   false       null
    null                  null      null   false       null      (not recorded: the caller's missing rule)
    1:0, 1:0.5, 1:x, 1:   null      null   true        "invalid titre: ..."
    anything else         null      null   false       "not a titre: ..."

N is digits with an optional decimal part and must be ≥ 1 (1:1 is undiluted; a reciprocal dilution
below 1 is not a dilution). ``below`` is the negative / below-screening flag.

What a *negative* is worth is the caller's policy, an explicit argument of :func:`titre_value`
(:data:`NEGATIVE_POLICIES`):

* ``"null"`` — a negative has no number (ingest: STRESN null, STRESC keeps the text; derive
  ``titre_below_lowest="exclude"``);
* ``"half_stated"`` — one doubling dilution below the stated screening dilution, ``<1:80`` → 40;
  a bare ``negative`` → ``screening / 2`` (null without ``screening``) (derive
  ``titre_below_lowest="one_step_below"``);
* ``"half_screening"`` — every negative, stated dilution or not, is ``screening / 2`` (pk.pd.titre_log2,
  ``screening=40`` by default).

>>> import polars as pl
>>> s = pl.Series(["1:80", " 1 : 320 ", "<1:80", "Negative", "1:0", "POSITIVE", None])
>>> pl.select(compute_titre(pl.lit(s)).struct.unnest()).rows()[:4]
[(80.0, False, True, None), (320.0, False, True, None), (80.0, True, True, None), (None, True, False, None)]
>>> pl.select(titre_value(pl.lit(s), negative="half_stated", screening=40)).to_series().to_list()
[80.0, 320.0, 40.0, 20.0, None, None, None]
"""

from __future__ import annotations

import polars as pl

from lupustrial.errors import InputError, Problem

__all__ = [
    "NEGATIVE_POLICIES", "TITRE_FIELDS", "compute_titre", "titre_problems", "titre_text", "titre_value",
]

TITRE_FIELDS = ("dilution", "below", "titre_like", "reason")
NEGATIVE_POLICIES = ("null", "half_stated", "half_screening")
NEGATIVE_WORDS = ("negative", "neg")

_SHAPE = r"^(<\s*)?1\s*:"  # written as a titre, valid or not
_TITRE = r"^(?<lt><\s*)?1\s*:\s*(?<n>\d+(?:\.\d+)?)$"


_FIELDS = {"dilution": pl.Float64, "below": pl.Boolean, "titre_like": pl.Boolean, "reason": pl.Utf8}


def _rules(t: pl.Expr) -> list[pl.Expr]:
    """The grammar of the module docstring on stripped text ``t``: one column per field of ``_FIELDS``."""
    groups = t.str.extract_groups(_TITRE)
    number = groups.struct.field("n").cast(pl.Float64)
    valid = (number >= 1).fill_null(False)
    word = t.str.to_lowercase().is_in(list(NEGATIVE_WORDS)).fill_null(False)
    like = t.str.contains(_SHAPE).fill_null(False)
    below = pl.when(valid).then(groups.struct.field("lt").is_not_null()).when(word).then(True)
    fix = "write 1:N or <1:N with a reciprocal dilution N ≥ 1"
    reason = (
        pl.when(like & ~valid)
        .then(pl.format("invalid titre: '{}': " + fix, t))
        .when(t.is_not_null() & ~valid & ~word)
        .then(pl.format("not a titre: '{}': write 1:N, <1:N or negative", t))
    )
    return [pl.when(valid).then(number).alias("dilution"), below.alias("below"), like.alias("titre_like"),
            reason.alias("reason")]


def _parse_series(series: pl.Series, *, with_reason: bool = False) -> pl.DataFrame:
    """Every field of ``_FIELDS`` per row. Each distinct text is parsed once and joined back: titres
    take few distinct values, and text with no ``:`` that is not a negative word (numeric results of
    other tests in an ORRES column) skips the regular expressions."""
    frame = series.cast(pl.Utf8).str.strip_chars().rename("t").to_frame()
    t = pl.col("t")
    maybe = t.str.contains(":", literal=True) | t.str.len_bytes().is_in([len(w) for w in NEGATIVE_WORDS])
    table = frame.filter(maybe).unique().with_columns(_rules(t))
    joined = frame.join(table, on="t", how="left", maintain_order="left")
    joined = joined.with_columns(pl.col("titre_like").fill_null(False))
    if not with_reason:  # formatting a reason per row is the costly part: only compute_titre needs it
        return joined
    other = pl.format("not a titre: '{}': write 1:N, <1:N or negative", t)
    reason = pl.coalesce("reason", pl.when(t.is_not_null() & ~maybe).then(other))
    return joined.with_columns(reason.alias("reason")).select(list(_FIELDS))


def compute_titre(text: pl.Expr) -> pl.Expr:
    """A struct per row: ``dilution`` (Float64, reciprocal), ``below`` (Boolean: negative or below the
    screening dilution), ``titre_like`` (written ``1:…``/``<1:…``) and ``reason`` (why not a titre)."""
    return text.map_batches(
        lambda s: _parse_series(s, with_reason=True).to_struct(s.name),
        return_dtype=pl.Struct(_FIELDS),
        is_elementwise=True,
    )


def titre_problems(text: pl.Expr) -> pl.Expr:
    """True where ``text`` is written as a titre (``1:…``/``<1:…``) without a reciprocal dilution ≥ 1."""

    def bad(s: pl.Series) -> pl.Series:
        p = _parse_series(s)
        return (p["titre_like"] & p["dilution"].is_null()).alias(s.name)

    return text.map_batches(bad, return_dtype=pl.Boolean, is_elementwise=True)


def _check_policy(negative: str, screening: float | None) -> None:
    problems = []
    if negative not in NEGATIVE_POLICIES:
        problems.append(Problem("negative", negative, f"use one of {', '.join(NEGATIVE_POLICIES)}"))
    if screening is not None and not screening >= 1:
        problems.append(Problem("screening", screening, "a reciprocal screening dilution ≥ 1, e.g. 40 or 80"))
    if negative == "half_screening" and screening is None:
        problems.append(Problem("screening", None, "half_screening needs the screening dilution"))
    if problems:
        raise InputError.from_problems("titre negative policy", problems)


def titre_value(text: pl.Expr, *, negative: str, screening: float | None = None) -> pl.Expr:
    """The reciprocal titre (Float64) with negatives valued by the ``negative`` policy (module docstring);
    null for null, invalid or non-titre text."""
    _check_policy(negative, screening)
    half = pl.lit(None if screening is None else screening / 2, dtype=pl.Float64)
    dilution, below = pl.col("dilution"), pl.col("below").fill_null(False)
    low = {"null": pl.lit(None, dtype=pl.Float64), "half_stated": pl.coalesce(dilution / 2, half),
           "half_screening": half}[negative]

    def value(s: pl.Series) -> pl.Series:
        p = _parse_series(s)
        return p.select(pl.when(below).then(low).otherwise(dilution)).to_series().alias(s.name)

    return text.map_batches(value, return_dtype=pl.Float64, is_elementwise=True)


def titre_text(dilution: pl.Expr, below: pl.Expr) -> pl.Expr:
    """The written form: ``1:N``, ``<1:N`` when ``below``, ``negative`` when below with no dilution
    (N without a trailing ``.0`` when whole). Inverse of :func:`compute_titre` on valid titres."""
    d = dilution.cast(pl.Float64)
    n = pl.when(d == d.floor()).then(d.cast(pl.Int64).cast(pl.Utf8)).otherwise(d.cast(pl.Utf8))
    return (
        pl.when(below & d.is_null())
        .then(pl.lit("negative"))
        .when(below)
        .then(pl.format("<1:{}", n))
        .otherwise(pl.format("1:{}", n))
    )
