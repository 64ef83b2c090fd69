"""SAS transport (XPORT) version 5 files, the format FDA submissions require.

Written from the published record layout, SAS Institute technical paper TS-140 "Record Layout of a SAS
Version 5 or 6 Data Set in SAS Transport (XPORT) Format" (support.sas.com/techsup/technote/ts140.pdf).
One member (dataset) per file, as the FDA Study Data Technical Conformance Guide asks::

    80-byte records, ASCII blanks pad every record and every section to a multiple of 80
    LIBRARY header, real header (SAS SAS SASLIB version os created), modified datetime
    MEMBER header (namestr length 140), DSCRPTR header
    member record (SAS name SASDATA version os created), modified + dataset label + type
    NAMESTR header (number of variables, 4 digits at bytes 54-57), one 140-byte namestr per variable
    OBS header, then the observations back to back (numerics 8-byte IBM doubles, characters blank-padded)

Numbers are IBM System/370 doubles (TS-140 "Numeric Data Fields"): sign bit, 7-bit base-16 exponent in
excess 64, 56-bit fraction with value = ±0.F × 16^(E−64). Missing is ``2E 00 00 00 00 00 00 00`` (``.``);
a missing character value is all blanks. Dates (polars ``Date``) are SAS date numbers, days since
1960-01-01, with format ``DATE9.``; datetimes are seconds since 1960-01-01T00:00 with ``DATETIME20.``.

V5 limits, checked before anything is written (:class:`~lupustrial.errors.InputError` naming the
dataset, the variable, the value and the fix): dataset and variable names are SAS names of ≤ 8
characters, labels ≤ 40 bytes, character values ≤ 200 bytes, |x| < 16^63 ≈ 7.2e75 for numbers.

>>> compute_ibm_double(np.array([1.0, -118.625])).tobytes().hex(" ")
'41 10 00 00 00 00 00 00 c2 76 a0 00 00 00 00 00'
"""

from __future__ import annotations

import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl

from lupustrial.errors import InputError, Problem

MAX_NAME = 8  # TS-140: nname char8, member name char8
MAX_LABEL = 40  # TS-140: nlabel char40, dataset label char40
MAX_CHAR = 200  # FDA/CDISC v5 transport: character variables at most 200 bytes
ENCODINGS = ("ascii", "utf-8")  # character data: ASCII (TS-140) or, by choice, UTF-8 bytes
RECORD = 80
SAS_VERSION = "9.4"  # the SAS release the header declares; v5 layout is release independent
SAS_OS = "PYTHON"  # operating-system field; constant so equal data give equal files
SAS_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_EPOCH_DAYS = 3653  # days from 1960-01-01 to 1970-01-01 (10 years incl. 1964 and 1968 leap days)
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MISSING = 0x2E << 56  # "." missing value, TS-140 "Missing Values"
_IBM_MAX = 16.0**63  # largest IBM exponent 127 → 0.FFF… × 16^63 < 16^63
_IBM_MIN = 16.0**-65  # smallest normalised IBM double 0.1 × 16^-64; smaller values are written as 0


def _header(kind: str, digits: str = "0" * 30) -> bytes:
    return f"HEADER RECORD*******{kind:<8}HEADER RECORD!!!!!!!{digits}  ".encode("ascii")


def _sas_datetime(when: datetime) -> str:
    """``ddMMMyy:hh:mm:ss``, the header datetime of TS-140 (two-digit year)."""
    return f"{when.day:02d}{_MONTHS[when.month - 1]}{when.year % 100:02d}:{when:%H:%M:%S}"


def compute_ibm_double(values: np.ndarray) -> np.ndarray:
    """IEEE-754 doubles → IBM 370 doubles, shape (n, 8) uint8, big-endian; NaN → missing ``.``.

    With x = m × 2^(p−52) (m the 53-bit significand), k = ⌈(p+1)/4⌉ makes 16^(k−1) ≤ |x| < 16^k, so
    E = k + 64 and the fraction F = m << (p + 4 − 4k), a shift of 0–3 bits: the 53 bits fit the 56-bit
    fraction exactly (no rounding). Zero and |x| < 16^−65 give all zero bytes. Callers check the range
    (|x| < 16^63) and infinities first (:func:`write_xpt` does).
    """
    x = np.ascontiguousarray(values, dtype=np.float64)
    bits = x.view(np.uint64)
    sign = bits >> np.uint64(63)
    exp = ((bits >> np.uint64(52)) & np.uint64(0x7FF)).astype(np.int64)
    mant = (bits & np.uint64((1 << 52) - 1)) | np.uint64(1 << 52)
    p = exp - 1023
    k = np.floor_divide(p + 4, 4)
    shift = (p + 4 - 4 * k).astype(np.uint64)
    ibm_exp = np.clip(k + 64, 0, 127).astype(np.uint64)
    out = (sign << np.uint64(63)) | (ibm_exp << np.uint64(56)) | (mant << shift)
    with np.errstate(invalid="ignore"):
        out[np.abs(x) < _IBM_MIN] = 0
    out[np.isnan(x)] = _MISSING
    return out.astype(">u8").view(np.uint8).reshape(-1, 8)


@dataclass(frozen=True)
class XptVariable:
    """One namestr: name, label, numeric or character, length in bytes, display format."""

    name: str
    label: str
    numeric: bool
    length: int
    format: str = ""
    format_length: int = 0

    def namestr(self, number: int, position: int) -> bytes:
        """The 140-byte namestr record (TS-140 ``struct NAMESTR``; ``rest`` binary zeros)."""
        return struct.pack(
            ">hhhh8s40s8shhh2s8shhi52s",
            1 if self.numeric else 2, 0, self.length, number,
            self.name.encode("ascii").ljust(8), self.label.encode("utf-8").ljust(40),
            self.format.encode("ascii").ljust(8), self.format_length, 0, 0, b"\0\0",
            b" " * 8, 0, 0, position, b"\0" * 52,
        )  # fmt: skip


def arrow_bytes(text: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, data bytes) of a string column's Arrow buffers, without copying."""
    import pyarrow as pa

    arr = text.to_arrow().cast(pa.large_string())
    _, off_buf, data_buf = arr.buffers()
    offsets = np.frombuffer(off_buf, dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.empty(0, np.uint8)
    return offsets, data


def _fixed_width(text: pl.Series, width: int) -> np.ndarray:
    """A string column → (n, width) uint8, blank padded; null → blanks. Columnar via Arrow buffers."""
    text = text.fill_null("")
    if text.str.len_bytes().equals(text.str.len_chars().cast(pl.UInt32), check_names=False):
        offsets, data = arrow_bytes(text.str.pad_end(width))  # one byte per character: pad and view
        return data[offsets[0] : offsets[-1]].reshape(len(text), width)
    offsets, data = arrow_bytes(text)
    lengths = np.diff(offsets)
    out = np.full((len(text), width), 0x20, dtype=np.uint8)
    rows = np.repeat(np.arange(len(text)), lengths)
    within = np.arange(rows.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    out[rows, within] = data[offsets[:-1][rows] + within]
    return out


def _problem(dataset: str, name: str, value: object, fix: str, row: int | None = None) -> Problem:
    return Problem(f"{dataset}.{name}", value, fix, row=row)


def _name_problems(dataset: str, frame: pl.DataFrame, labels: Mapping[str, str], label: str) -> list[Problem]:
    out = []
    if len(dataset) > MAX_NAME or not SAS_NAME.fullmatch(dataset):
        out.append(Problem("dataset", dataset, f"use a SAS name of at most {MAX_NAME} letters/digits/_"))
    if len(label.encode("utf-8")) > MAX_LABEL:
        out.append(Problem(f"{dataset} label", label, f"shorten the dataset label to {MAX_LABEL} bytes"))
    seen: dict[str, str] = {}
    for name in frame.columns:
        if len(name) > MAX_NAME or not SAS_NAME.fullmatch(name):
            fix = f"rename to a SAS name of at most {MAX_NAME} characters"
            out.append(_problem(dataset, name, name, fix))
        if name.upper() in seen:
            out.append(_problem(dataset, name, name, f"names differ only in case from {seen[name.upper()]}"))
        seen[name.upper()] = name
        text = labels.get(name, "")
        if len(text.encode("utf-8")) > MAX_LABEL:
            out.append(_problem(dataset, name, text, f"shorten the label to {MAX_LABEL} bytes"))
    return out


def _numeric(dataset: str, s: pl.Series) -> tuple[np.ndarray, str, int, list[Problem]]:
    """(float64 values in SAS units, format, format width, problems) of a numeric/date/bool column."""
    fmt, width = "", 0
    if s.dtype == pl.Date:
        s, fmt, width = s.cast(pl.Int64) + _EPOCH_DAYS, "DATE", 9
    elif s.dtype == pl.Datetime:
        s = s.dt.epoch("us").cast(pl.Float64) / 1e6 + _EPOCH_DAYS * 86400.0
        fmt, width = "DATETIME", 20
    x = s.cast(pl.Float64).fill_null(float("nan")).to_numpy().astype(np.float64)
    with np.errstate(invalid="ignore"):
        bad = np.flatnonzero(np.isinf(x) | (np.abs(x) >= _IBM_MAX))
    problems = [
        _problem(dataset, s.name, float(x[i]), "IBM doubles hold |x| < 16^63; set missing or rescale", int(i))
        for i in bad[:5]
    ]
    return x, fmt, width, problems


def _character(dataset: str, s: pl.Series, encoding: str) -> tuple[pl.Series, int, list[Problem]]:
    s = s.cast(pl.Utf8)
    problems = []
    if encoding == "ascii":
        for i in np.flatnonzero(s.str.contains(r"[^\x00-\x7F]").fill_null(False).to_numpy())[:5]:
            fix = "use ASCII text or encoding='utf-8'"
            problems.append(_problem(dataset, s.name, s[int(i)], fix, int(i)))
    nbytes = s.str.len_bytes().fill_null(0).to_numpy()
    for i in np.flatnonzero(nbytes > MAX_CHAR)[:5]:
        value = s[int(i)]
        problems.append(_problem(dataset, s.name, f"{value[:40]}… ({nbytes[i]} bytes)",
                                 f"shorten to {MAX_CHAR} bytes or split into {s.name}, {s.name[:7]}1, …",
                                 int(i)))  # fmt: skip
    return s, int(nbytes.max()) if nbytes.size else 1, problems


def encode_members(
    dataset: str,
    frame: pl.DataFrame,
    labels: Mapping[str, str] | None = None,
    *,
    label: str = "",
    encoding: str = "ascii",
) -> tuple[list[XptVariable], np.ndarray]:
    """Check the v5 limits and encode ``frame``: (namestrs, observations as (rows, record length) uint8).

    Every problem of every variable is collected and raised together as one :class:`InputError`.
    """
    if encoding not in ENCODINGS:
        raise InputError(f"XPT encoding {encoding!r}: use {' or '.join(ENCODINGS)}",
                         problems=[Problem("encoding", encoding, f"use {' or '.join(ENCODINGS)}")])
    labels = labels or {}
    problems = _name_problems(dataset, frame, labels, label)
    variables, blocks = [], []
    for s in frame.get_columns():
        if s.dtype.is_numeric() or s.dtype in (pl.Date, pl.Datetime, pl.Boolean):
            x, fmt, width, more = _numeric(dataset, s)
            variables.append(XptVariable(s.name, labels.get(s.name, ""), True, 8, fmt, width))
            if not more:
                blocks.append(compute_ibm_double(x))
        elif s.dtype in (pl.Utf8, pl.Categorical, pl.Enum):
            text, width, more = _character(dataset, s, encoding)
            variables.append(XptVariable(s.name, labels.get(s.name, ""), False, max(width, 1)))
            if not more:
                blocks.append(_fixed_width(text, max(width, 1)))
        else:
            more = [_problem(dataset, s.name, str(s.dtype), "cast to a number, date or string first")]
        problems += more
    if problems:
        raise InputError.from_problems(f"XPT v5 dataset {dataset}", problems)
    obs = np.concatenate(blocks, axis=1) if blocks else np.empty((frame.height, 0), np.uint8)
    return variables, obs


def _pad(data: bytes) -> bytes:
    return data + b" " * (-len(data) % RECORD)


def write_xpt(
    path: str | Path,
    dataset: str,
    frame: pl.DataFrame,
    labels: Mapping[str, str] | None = None,
    *,
    label: str = "",
    encoding: str = "ascii",
    created: datetime | None = None,
) -> Path:
    """Write ``frame`` as the single member ``dataset`` of a v5 transport file; return the path.

    ``labels``: variable name → label (≤ 40 bytes); ``created`` (default now, UTC) goes into the
    created/modified header fields, so equal inputs and ``created`` give byte-identical files.
    """
    variables, obs = encode_members(dataset, frame, labels, label=label, encoding=encoding)
    stamp = _sas_datetime(created or datetime.now(UTC)).encode("ascii")
    version, opsys = SAS_VERSION.ljust(8).encode("ascii"), SAS_OS.ljust(8).encode("ascii")
    positions = np.concatenate([[0], np.cumsum([v.length for v in variables])]).astype(int)
    namestrs = b"".join(v.namestr(i + 1, int(positions[i])) for i, v in enumerate(variables))
    headers = [
        _header("LIBRARY"),
        b"SAS     SAS     SASLIB  " + version + opsys + b" " * 24 + stamp,
        _pad(stamp),
        _header("MEMBER", "000000000000000001600000000140"),
        _header("DSCRPTR"),
        b"SAS     " + dataset.encode("ascii").ljust(8) + b"SASDATA " + version + opsys + b" " * 24 + stamp,
        stamp + b" " * 16 + label.encode("utf-8").ljust(40) + b" " * 8,
        _header("NAMESTR", f"000000{len(variables):04d}" + "0" * 20),
        _pad(namestrs),
        _header("OBS"),
    ]
    out = Path(path)
    with out.open("wb") as fh:
        fh.write(b"".join(headers))
        fh.write(np.ascontiguousarray(obs).data)  # no copy of the observations
        fh.write(b" " * (-obs.size % RECORD))
    return out
