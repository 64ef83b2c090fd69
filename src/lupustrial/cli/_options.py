"""``--option KEY=VALUE`` pairs, shared by the commands that take them (``evaluate``, ``derive``).

Only the splitting lives here; each command types and checks the values against its own declared
options (a registered entry's :class:`~lupustrial.registry.Option`, or ``derive_study``'s defaults).
"""

from __future__ import annotations

__all__ = ["split_pairs"]


def split_pairs(pairs: list[str], example: str) -> list[tuple[str, str]]:
    """``["a=1", ...]`` → ``[("a", "1"), ...]`` (key stripped, value as given); a pair without ``=`` is
    an :class:`~lupustrial.errors.InputError` whose message shows ``--option {example}``."""
    from lupustrial.errors import InputError, Problem

    out = []
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep:
            raise InputError(f"--option {pair!r}: expected KEY=VALUE, e.g. --option {example}",
                             problems=[Problem("--option", pair, "write KEY=VALUE")])
        out.append((key.strip(), text))
    return out
