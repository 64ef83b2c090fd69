"""`lupustrial derive --study study.db --out DIR [--format] [--dataset] [--option] [--force]` end to end."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

from lupustrial.cli import app, main
from lupustrial.derive.export import ADAM_DATASETS, ALL_DATASETS, EXPORT_OPTIONS

DOCS = Path(__file__).parents[2] / "docs" / "derive.md"


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    path = tmp_path_factory.mktemp("derive_cli") / "study.db"
    assert main(["simulate", "--protocol", "ptoc1", "--n", "4", "--seed", "5", "--out", str(path)]) == 0
    return path


def test_xpt_end_to_end(study, tmp_path, capsys):
    out = tmp_path / "xpt"
    assert main(["derive", "--study", str(study), "--out", str(out), "--format", "xpt"]) == 0
    printed = capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{d.lower()}.xpt" for d in ADAM_DATASETS] + ["define.xml", "provenance.json"]
    )
    assert "provenance.json" in printed and "adsl.xpt" in printed and "define.xml" in printed
    prov = json.loads((out / "provenance.json").read_text())
    adsl = pd.read_sas(out / "adsl.xpt", format="xport", encoding="ascii")
    assert len(adsl) == prov["datasets"]["ADSL"]["rows"] > 0
    assert prov["format"] == "xpt" and prov["protocol"] == "ptoc1"


def test_default_parquet_all_datasets_and_options_recorded(study, tmp_path, capsys):
    out = tmp_path / "pq"
    args = ["derive", "--study", str(study), "--out", str(out), "-o", "teae_start=lymphodepletion",
            "--option", "visit_window_days=7"]
    assert main(args) == 0
    prov = json.loads((out / "provenance.json").read_text())
    assert list(prov["datasets"]) == list(ALL_DATASETS)
    assert prov["options"]["teae_start"] == "lymphodepletion" and prov["options"]["visit_window_days"] == 7


def test_define_for_parquet_only_with_the_flag(study, tmp_path):
    base = ["derive", "--study", str(study), "--dataset", "ADSL", "--dataset", "ADTTE"]
    assert main([*base, "--out", str(tmp_path / "plain")]) == 0
    assert not (tmp_path / "plain" / "define.xml").exists()
    assert main([*base, "--out", str(tmp_path / "def"), "--define", "-o", "define_date_type=date"]) == 0
    root = ET.parse(tmp_path / "def" / "define.xml").getroot()
    leaves = [e.get("{http://www.w3.org/1999/xlink}href") for e in root.iter("{http://www.cdisc.org/ns/def/v2.0}leaf")]
    assert leaves == ["adsl.parquet", "adtte.parquet"]
    prov = json.loads((tmp_path / "def" / "provenance.json").read_text())
    assert prov["define"]["file"] == "define.xml" and prov["export_options"]["define_date_type"] == "date"


def test_dataset_selection(study, tmp_path):
    out = tmp_path / "sel"
    assert main(["derive", "--study", str(study), "--out", str(out), "--format", "csv",
                 "--dataset", "adsl", "--dataset", "ADAE"]) == 0  # fmt: skip
    assert sorted(p.name for p in out.iterdir()) == ["adae.csv", "adsl.csv", "provenance.json"]


def test_non_empty_out_needs_force(study, tmp_path, capsys):
    out = tmp_path / "busy"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    args = ["derive", "--study", str(study), "--out", str(out), "--dataset", "ADSL"]
    assert main(args) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("InputError: ") and "--force" in err
    assert main([*args, "--force"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["adsl.parquet", "keep.txt", "provenance.json"]


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["--option", "colour=red"], "colour"),
        (["--option", "visit_window_days=two"], "visit_window_days"),
        (["--option", "teae_start"], "KEY=VALUE"),
        (["--option", "teae_start=never"], "teae_start"),
        (["--format", "sas7bdat"], "sas7bdat"),
        (["--dataset", "ADXX"], "ADXX"),
        (["--format", "xpt", "--option", "xpt_long_text=error", "--dataset", "ADPP"], "ADPP.OPTIONS"),
    ],
    ids=["unknown-option", "option-type", "no-equals", "option-choice", "format", "dataset", "xpt-limit"],
)
def test_bad_input_is_one_line_exit_1_and_writes_nothing(study, tmp_path, capsys, extra, named):
    out = tmp_path / "bad"
    assert main(["derive", "--study", str(study), "--out", str(out), *extra]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("InputError: ") and named in err
    assert list(tmp_path.iterdir()) == []


def _command_options() -> list[str]:
    command = next(c for c in app.registered_commands if c.name == "derive")
    import typer.main

    click_command = typer.main.get_command_from_info(command, pretty_exceptions_short=True,
                                                     rich_markup_mode=None)  # fmt: skip
    return [opt for p in click_command.params for opt in p.opts if opt.startswith("--")]


def test_command_is_documented():
    text = DOCS.read_text(encoding="utf-8")
    assert re.search(r"^#+ .*`lupustrial derive`", text, re.MULTILINE), "a heading naming `lupustrial derive`"
    for name in [*_command_options(), *EXPORT_OPTIONS, "parquet", "csv", "xpt"]:
        assert f"`{name}" in text, f"docs/derive.md does not mention `{name}`"
