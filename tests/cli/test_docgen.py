"""docs/cli.md is what the commands say: regenerate it with `make docs` after changing a command."""

from __future__ import annotations

from pathlib import Path

import typer.main

from lupustrial.cli import app
from lupustrial.cli.docgen import render

PAGE = Path(__file__).parents[2] / "docs" / "cli.md"


def test_committed_page_is_current():
    assert PAGE.read_text(encoding="utf-8") == render(), "docs/cli.md is stale: run `make docs`"


def _paths(cmd, path):
    yield path
    for name, sub in getattr(cmd, "commands", {}).items():
        yield from _paths(sub, [*path, name])


def test_every_command_and_option_has_an_entry():
    page = render()
    root = typer.main.get_command(app)
    paths = [p for p in _paths(root, ["lupustrial"]) if len(p) > 1]
    assert len(paths) >= 20
    for path in paths:
        assert f"`{' '.join(path)}`" in page, path
    derive = root.commands["derive"]
    for param in derive.params:
        assert f"`{param.opts[-1]}" in page or f"{param.opts[-1]} " in page, param.name
