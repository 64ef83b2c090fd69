"""The main job on simulated data: for each bundled protocol simulate a study, derive it, report it.

Per protocol: :func:`lupustrial.simulate.study.simulate_study` writes an embedded SQLite store through
the normal import path (``n`` = the registration's planned enrolment unless given),
:func:`lupustrial.derive.derive_study` derives the ADaM-like frames and every outcome measure,
:func:`lupustrial.report.render_report` writes ``<protocol>.html``; then ``index.html`` links them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["DEMO_PROTOCOLS", "run_demo"]

DEMO_PROTOCOLS = ("ptoc1", "ic19", "cht101", "cd19_bcma", "cd19_car_nk")


def _derive(path: Path) -> Any:
    from lupustrial.derive import derive_study

    return derive_study(path)


def run_demo(
    out: str | Path,
    *,
    n: int | None = None,
    random_state: int = 1,
    protocols: tuple[str, ...] = DEMO_PROTOCOLS,
    pdf: bool = False,
    progress: Callable[[str, str], None] | None = None,
    derive: Callable[[Path], Any] | None = None,
) -> list[dict[str, Any]]:
    """Simulate, derive and report each protocol into ``out``; returns one row per protocol + writes index.

    ``progress(protocol, step)`` is called before each step (simulate, derive, report); ``derive`` replaces
    ``derive_study`` (tests).
    """
    from lupustrial.protocol import load_protocol
    from lupustrial.report import render_index, render_report
    from lupustrial.simulate.study import simulate_study

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for name in protocols:
        start = time.perf_counter()
        protocol = load_protocol(name)
        size = n or protocol.registration.enrollment
        db = out / f"{name}.db"
        for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
            stale.unlink(missing_ok=True)  # a fresh study each run
        _step(progress, name, "simulate")
        simulate_study(name, size, random_state=random_state, out=db)
        _step(progress, name, "derive")
        derived = (derive or _derive)(db)
        _step(progress, name, "report")
        html = render_report(
            derived,
            out / f"{name}.html",
            pdf=pdf,
            protocol=protocol,
            provenance={"seed": random_state, "simulated": f"simulate_study({name!r}, n={size})"},
        )
        rows.append(
            {
                "protocol": name,
                "title": protocol.registration.title,
                "n": size,
                "href": html.name,
                "db": db,
                "html": html,
                "seconds": time.perf_counter() - start,
            }
        )
    index = render_index(
        rows,
        out / "index.html",
        title="lupustrial demo: simulated studies of five registrations",
        subtitle=f"seed {random_state}; each report is one self-contained HTML file.",
    )
    rows.append({"protocol": "index", "html": index})
    return rows


def _step(progress: Callable[[str, str], None] | None, name: str, step: str) -> None:
    if progress is not None:
        progress(name, step)
