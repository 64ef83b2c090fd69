"""SAS transport v5 writer (lupustrial.derive.xpt) against SAS TS-140, read back with pandas.read_sas.

pandas (BSD) is the independent reader: ``pd.read_sas(path, format="xport", iterator=True)`` gives the
namestr fields and member header it parsed. pandas reads an IBM true zero (all zero bytes) as 16^-65 =
5.397605e-79 (pandas-dev/pandas#50670, open), so read-back values with |v| ≤ 16^-65 are compared as 0.
"""

from __future__ import annotations

import datetime as dt
import struct
from fractions import Fraction

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lupustrial.derive.xpt import compute_ibm_double, write_xpt
from lupustrial.errors import InputError

IBM_TINY = 16.0**-65
CREATED = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC)

# (value, expected 8 bytes, arithmetic). IBM: ±0.F × 16^(E−64), E in the low 7 bits of byte 0.
IBM_CASES = [
    (1.0, "41 10 00 00 00 00 00 00", "1 = 0.1(hex) × 16^1 → E = 64+1 = 0x41, F = 10 00 …"),
    (-1.0, "c1 10 00 00 00 00 00 00", "sign bit 0x80 | 0x41 = 0xC1"),
    (-118.625, "c2 76 a0 00 00 00 00 00",
     "118.625 = 0x76.A = 0.76A(hex) × 16^2 → E = 66 = 0x42, sign → 0xC2, F = 76 A0 00 …"),
    (0.5, "40 80 00 00 00 00 00 00", "0.5 = 0.8(hex) × 16^0 → E = 0x40, F = 80 00 …"),
    (100.0, "42 64 00 00 00 00 00 00", "100 = 0x64 = 0.64(hex) × 16^2 → E = 0x42"),
    (0.1, "40 19 99 99 99 99 99 9a",
     "IEEE 0.1 = 1.999999999999A(hex) × 2^-4 = 0.1999999999999A(hex) × 16^0 → E = 0x40, exact"),
    (0.0, "00 00 00 00 00 00 00 00", "IBM true zero: all bits 0"),
    (float("nan"), "2e 00 00 00 00 00 00 00", "missing '.' = 0x2E then zeros (TS-140 Missing Values)"),
    (IBM_TINY, "00 10 00 00 00 00 00 00", "16^-65 = 0.1(hex) × 16^-64 → E = 0: smallest normalised"),
    (IBM_TINY / 2, "00 00 00 00 00 00 00 00", "below 16^-65 → written as 0"),
    (2.0**252 - 2.0**199, "7f ff ff ff ff ff ff f8",
     "largest double < 16^63: 53 one-bits shifted 3 → F = FF…F8, E = 127 = 0x7F"),
]


@pytest.mark.parametrize(("value", "expected", "arithmetic"), IBM_CASES, ids=[c[1][:11] for c in IBM_CASES])
def test_ibm_double_hand_derived(value, expected, arithmetic):
    assert compute_ibm_double(np.array([value])).tobytes().hex(" ") == expected, arithmetic


def _decode_ibm(raw: bytes) -> Fraction:
    """Independent IBM 370 decoder: (−1)^s × F / 2^56 × 16^(E−64), exact."""
    (word,) = struct.unpack(">Q", raw)
    sign = -1 if word >> 63 else 1
    exponent, fraction = (word >> 56) & 0x7F, word & ((1 << 56) - 1)
    return sign * Fraction(fraction, 1 << 56) * Fraction(16) ** (exponent - 64)


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=IBM_TINY, max_value=7.2e75, allow_nan=False), st.booleans())
def test_ibm_double_is_exact_and_normalised(x, negative):
    x = -x if negative else x
    raw = compute_ibm_double(np.array([x])).tobytes()
    assert _decode_ibm(raw) == Fraction(x)
    assert raw[1] >> 4 != 0  # normalised: first hex digit of the fraction is not 0


def test_ibm_double_columnar_equals_one_by_one():
    x = np.array([1.0, -2.5, 0.0, np.nan, 1e-30, 3.14159, -7e70])
    together = compute_ibm_double(x)
    for i, v in enumerate(x):
        assert together[i].tobytes() == compute_ibm_double(np.array([v])).tobytes()


def _read(path):
    reader = pd.read_sas(path, format="xport", iterator=True, encoding="utf-8")
    try:
        return reader.read(), reader.fields, reader.member_info
    finally:
        reader.close()


@pytest.fixture
def frame():
    return pl.DataFrame({
        "USUBJID": ["S-001", None, "S-0003"],
        "AVAL": [1.0, None, -118.625],
        "ADT": [dt.date(1960, 1, 1), None, dt.date(2025, 3, 4)],
        "AGE": [34, 51, None],
        "SAFFL": ["Y", "N", "Y"],
    })


def test_round_trip_values_labels_formats(tmp_path, frame):
    labels = {"USUBJID": "Unique Subject Identifier", "AVAL": "Analysis Value", "ADT": "Analysis Date"}
    path = write_xpt(tmp_path / "adlb.xpt", "ADLB", frame, labels, label="Laboratory Analysis Dataset",
                     created=CREATED)
    data, fields, member = _read(path)
    assert list(data.columns) == frame.columns
    assert data["USUBJID"].fillna("").tolist() == ["S-001", "", "S-0003"]  # missing character = blanks
    aval = data["AVAL"].to_numpy()
    assert aval[0] == 1.0 and np.isnan(aval[1]) and aval[2] == -118.625
    # SAS date = days since 1960-01-01: 2025-03-04 → 65 years × 365 + 17 leap days (1960…2024) = 23742,
    # + 31 (Jan) + 28 (Feb) + 3 = 23804; 1960-01-01 → 0 (pandas#50670: read as 16^-65).
    adt = data["ADT"].to_numpy()
    assert abs(adt[0]) <= IBM_TINY and np.isnan(adt[1]) and adt[2] == 23804
    assert data["AGE"].tolist()[:2] == [34.0, 51.0] and np.isnan(data["AGE"].iloc[2])
    by_name = {f["name"].decode(): f for f in fields}
    assert by_name["ADT"]["nform"] == b"DATE" and by_name["ADT"]["nfl"] == 9
    assert by_name["AVAL"]["label"] == b"Analysis Value" and by_name["SAFFL"]["label"] == b""
    assert by_name["USUBJID"]["field_length"] == 6 and by_name["AVAL"]["field_length"] == 8
    assert [f["npos"] for f in fields] == [0, 6, 14, 22, 30]  # 6 + 8 + 8 + 8: back to back
    assert member["set_name"] == "ADLB" and member["label"] == "Laboratory Analysis Dataset"
    assert member["created"] == dt.datetime(2026, 3, 4, 5, 6, 7)


def test_record_layout_bytes(tmp_path, frame):
    path = write_xpt(tmp_path / "x.xpt", "ADLB", frame, created=CREATED)
    raw = path.read_bytes()
    assert len(raw) % 80 == 0
    assert raw[:80] == b"HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!" + b"0" * 30 + b"  "
    assert raw[80:104] == b"SAS     SAS     SASLIB  " and raw[144:160] == b"04MAR26:05:06:07"
    # records: 0 LIBRARY, 80 real header, 160 modified, 240 MEMBER, 320 DSCRPTR, 400/480 member, 560 NAMESTR
    assert raw[240:320] == (b"HEADER RECORD*******MEMBER  HEADER RECORD!!!!!!!"
                            b"000000000000000001600000000140  ")  # namestr length 140
    assert raw[400:424] == b"SAS     ADLB    SASDATA "
    namestr_header = raw[560:640]
    assert namestr_header.startswith(b"HEADER RECORD*******NAMESTR HEADER RECORD!!!!!!!")
    assert namestr_header[54:58] == b"0005"  # 5 variables
    # 5 namestrs × 140 = 700 bytes, padded to 720; OBS header; 3 obs × (6+8+8+8+1 = 31) = 93 → 160
    obs_at = 640 + 720
    assert raw[obs_at:obs_at + 80].startswith(b"HEADER RECORD*******OBS     HEADER RECORD")
    assert len(raw) == obs_at + 80 + 160
    assert raw[obs_at + 80 + 93:] == b" " * 67


def test_same_input_same_bytes(tmp_path, frame):
    a = write_xpt(tmp_path / "a.xpt", "ADLB", frame, created=CREATED).read_bytes()
    b = write_xpt(tmp_path / "b.xpt", "ADLB", frame, created=CREATED).read_bytes()
    assert a == b


def test_zero_rows(tmp_path, frame):
    path = write_xpt(tmp_path / "z.xpt", "ADLB", frame.head(0), created=CREATED)
    reader = pd.read_sas(path, format="xport", iterator=True)
    try:
        assert len(reader.fields) == 5 and reader.nobs == 0
    finally:
        reader.close()
    assert path.stat().st_size == 640 + 720 + 80  # headers, namestrs, OBS header; no observations


def test_character_value_of_exactly_200_bytes_is_allowed(tmp_path):
    path = write_xpt(tmp_path / "c.xpt", "ADX", pl.DataFrame({"TEXT": ["a" * 200, "b"]}))
    data, fields, _ = _read(path)
    assert fields[0]["field_length"] == 200 and data["TEXT"].tolist() == ["a" * 200, "b"]


def test_utf8_encoding_counts_bytes(tmp_path):
    path = write_xpt(tmp_path / "u.xpt", "ADX", pl.DataFrame({"U": ["µg/L"]}), encoding="utf-8")
    data, fields, _ = _read(path)
    assert fields[0]["field_length"] == 5  # µ is 2 bytes in UTF-8
    assert data["U"].tolist() == ["µg/L"]


LIMIT_CASES = [
    ("dataset name of 9 characters", "ADVERSEAE", {"A": [1]}, {}, "dataset"),
    ("dataset name not a SAS name", "1AD", {"A": [1]}, {}, "dataset"),
    ("variable name of 9 characters", "ADX", {"TIMEFRAME": [1]}, {}, "ADX.TIMEFRAME"),
    ("variable name with a dash", "ADX", {"A-B": [1]}, {}, "ADX.A-B"),
    ("label of 41 bytes", "ADX", {"A": [1]}, {"A": "x" * 41}, "ADX.A"),
    ("character value of 201 bytes", "ADX", {"T": ["y" * 201]}, {}, "ADX.T"),
    ("non-ASCII with encoding ascii", "ADX", {"U": ["cells/µL"]}, {}, "ADX.U"),
    ("infinity", "ADX", {"X": [float("inf")]}, {}, "ADX.X"),
    ("beyond the IBM range 16^63", "ADX", {"X": [1e76]}, {}, "ADX.X"),
    ("a list column", "ADX", {"L": [[1, 2]]}, {}, "ADX.L"),
]


@pytest.mark.parametrize(("case", "name", "data", "labels", "field"), LIMIT_CASES,
                         ids=[c[0] for c in LIMIT_CASES])
def test_v5_limits_are_typed_errors(tmp_path, case, name, data, labels, field):
    path = tmp_path / "bad.xpt"
    with pytest.raises(InputError) as err:
        write_xpt(path, name, pl.DataFrame(data), labels)
    assert field in err.value.fields
    assert all(p.fix for p in err.value.problems)
    assert not path.exists()


def test_limit_boundaries_pass(tmp_path):
    frame = pl.DataFrame({"ABCDEFGH": [1.0], "X": [7.2e75]})
    path = write_xpt(tmp_path / "ok.xpt", "ABCDEFGH", frame, {"ABCDEFGH": "z" * 40}, label="d" * 40)
    data, fields, member = _read(path)
    assert fields[0]["label"] == b"z" * 40 and member["set_name"] == "ABCDEFGH"
    assert data["X"].iloc[0] == pytest.approx(7.2e75, rel=1e-15)


def test_all_problems_reported_together(tmp_path):
    frame = pl.DataFrame({"TOOLONGNAME": [1], "T": ["y" * 300]})
    with pytest.raises(InputError) as err:
        write_xpt(tmp_path / "bad.xpt", "ADX", frame)
    assert set(err.value.fields) == {"ADX.TOOLONGNAME", "ADX.T"}
    assert "300 bytes" in str(err.value)
