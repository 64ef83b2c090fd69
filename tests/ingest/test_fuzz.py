"""Hypothesis-fuzzed import files: only typed errors, and nothing written when one is raised."""

from __future__ import annotations

import csv
import io
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lupustrial.errors import InputError
from lupustrial.ingest.spec import template_spec

# one findings, events and interventions template each, old and new (the checks are shared per table)
DOMAINS = ["labs", "vital_signs", "eligibility", "disposition", "medical_history", "procedures"]
CELL = st.one_of(
    st.sampled_from(
        [
            "",
            "S-001",
            "S-002",
            "CREAT",
            "PLAT",
            "IL6",
            "0.9",
            "-1",
            "1e308",
            "nan",
            "inf",
            "mg/dL",
            "µmol/L",
            "10^9/L",
            "G/L",
            "2025-01-14",
            "2025-02-30",
            "2025",
            "2025-01-14T25:00",
            "1",
            "x",
            "TEMP",
            "F",
            "DEATH",
            "DISPOSITION EVENT",
            "INCLUSION",
            "Y",
        ]
    ),
    st.text(max_size=12),
)
_SEQ = itertools.count()


def _csv(rows, columns) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.parametrize("domain", DOMAINS)
@given(data=st.data(), as_json=st.booleans())
def test_fuzzed_files_give_typed_errors_and_write_nothing(study, tmp_path, domain, data, as_json):
    names = list(template_spec(domain).names)
    pool = [*names, "EXTRA", "usubjid", f"{template_spec(domain).sdtm}{names[1]}"]
    rows = data.draw(st.lists(st.fixed_dictionaries({c: CELL for c in pool}), min_size=1, max_size=6))
    columns = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=8, unique=True))
    if not study.frame("subjects").height:
        path = tmp_path / "subjects.csv"
        path.write_text("USUBJID,SITEID\nS-001,01\nS-002,02\n", encoding="utf-8")
        study.import_file(path, "subjects", reason="entry")
    path = tmp_path / f"fuzz{next(_SEQ)}.{'json' if as_json else 'csv'}"
    if as_json:
        import json

        path.write_text(json.dumps([{c: r.get(c, "") for c in columns} for r in rows]), encoding="utf-8")
    else:
        path.write_text(_csv(rows, columns), encoding="utf-8")
    table = template_spec(domain).table
    before = (study.frame(table).height, study.verify_audit().rows)
    try:
        report = study.import_file(path, domain, reason="fuzz")
    except InputError as exc:
        assert exc.problems, "an InputError must say what was wrong"
        assert (study.frame(table).height, study.verify_audit().rows) == before
    else:
        assert study.frame(table).height == before[0] + report.inserted
    assert study.verify_audit().ok
