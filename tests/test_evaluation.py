"""``evaluation.validate_table``: the string-view fast path for text ``code`` columns must never accept a
value the exact ``is_in`` check rejects, and every bad row is still reported (contract: docs/instruments.md
"Validation")."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lupustrial.errors import InputError
from lupustrial.evaluation import _codes_surely_valid, _view_word, validate_table
from lupustrial.registry import Field, Instrument

PROPS = settings(max_examples=200, deadline=None, derandomize=True)
SHORT = ("ND", "0", "1", "2", "3", "4")  # BILAG-2004 ordinal codes (catalogue.CODES)
LONG = ("female", "male")  # longer than 4 bytes: no fast path


def _entry(codes: tuple[str, ...]) -> Instrument:
    return Instrument(name="t", version="0", title="t", citation="t",
                      fields=(Field("x", "code", "test code", codes=codes),),
                      score=lambda frame, options: frame, example={})


def _column(values: list[str | None], chunks: int, offset: int) -> pl.DataFrame:
    """``values`` as a String column split into ``chunks`` chunks, behind ``offset`` dropped rows."""
    padded = ["pad"] * offset + values
    size = max(1, -(-len(padded) // chunks))
    parts = [pl.DataFrame({"x": pl.Series(padded[i:i + size], dtype=pl.Utf8)})
             for i in range(0, len(padded), size)] or [pl.DataFrame({"x": pl.Series([], dtype=pl.Utf8)})]
    return pl.concat(parts, rechunk=False).slice(offset)


def _bad_rows(values: list[str | None], codes: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(i for i, v in enumerate(values) if v is not None and v not in codes)


# near-misses of the codes: prefixes, suffixes, padding bytes, case, whitespace, long and non-ASCII text
TEXT = st.one_of(
    st.sampled_from(SHORT + LONG),
    st.sampled_from(["", "N", "D", "nd", "ND ", " 0", "0\x00", "00", "04", "5", "-1", "+1", "NDND",
                     "4\x00\x00\x00", "0000000000000", "ND" * 7, "é", "١"]),
    st.text(max_size=14),
)


@PROPS
@given(st.lists(st.none() | TEXT, max_size=40), st.integers(1, 3), st.integers(0, 3),
       st.sampled_from([SHORT, LONG, ("", "a")]))
def test_fast_path_never_accepts_a_bad_value(values, chunks, offset, codes):
    frame = _column(values, chunks, offset)
    field = _entry(codes).fields[0]
    if _codes_surely_valid(frame, [field]) and "" not in codes:
        # proven columns only get the empty-text probe: everything else must already be a code
        assert set(_bad_rows(values, codes)) <= {i for i, v in enumerate(values) if v == ""}
    bad = _bad_rows(values, codes)
    if bad:
        with pytest.raises(InputError) as info:
            validate_table(_entry(codes), frame)
        assert info.value.rows == bad and set(info.value.fields) == {"x"}
    else:
        assert validate_table(_entry(codes), frame)["x"].to_list() == values


@PROPS
@given(st.lists(st.none() | st.sampled_from(SHORT), max_size=40), st.integers(1, 3), st.integers(0, 3))
def test_fast_path_proves_columns_of_codes(values, chunks, offset):
    """Speed, not correctness: a column holding only codes and nulls takes the fast path."""
    frame = _column(values, chunks, offset)
    assert _codes_surely_valid(frame, list(_entry(SHORT).fields)) == {"x"}


def test_view_word_hand_derived():
    # "ND": length 2 in bytes 0-3, then 'N' = 0x4E, 'D' = 0x44, zero-padded; little-endian
    assert _view_word("ND") == 2 + 0x4E * 2**32 + 0x44 * 2**40
    assert _view_word("0") == 1 + 0x30 * 2**32
    assert _view_word("") == 0
    assert _view_word("male") is not None and _view_word("female") is None


@pytest.mark.parametrize(("values", "rows"), [
    pytest.param(["0", "", "ND", None], (1,), id="empty-text-caught-by-probe"),
    pytest.param(["0", "ND", "N", "NDx"], (2, 3), id="prefix-and-suffix-of-ND"),
    pytest.param(["4", "0" * 13], (1,), id="long-text-with-code-prefix"),
])
def test_bad_rows_reported(values, rows):
    with pytest.raises(InputError) as info:
        validate_table(_entry(SHORT), pl.DataFrame({"x": pl.Series(values, dtype=pl.Utf8)}))
    assert info.value.rows == rows


def test_long_codes_use_the_exact_check():
    frame = pl.DataFrame({"x": ["female", "male", "mail"]})
    assert _codes_surely_valid(frame, list(_entry(LONG).fields)) == set()
    with pytest.raises(InputError) as info:
        validate_table(_entry(LONG), frame)
    assert info.value.rows == (2,)
