"""Settings arrive from JSON files and ``--set KEY=VALUE``: check their types before use."""

from __future__ import annotations

import dataclasses


def check_types(config) -> None:
    """Every field of a dataclass must have the type of its default: a whole number where the
    default is an int, a number where it is a float, text where it is a string. One-line
    ``ValueError`` otherwise, so ``--set lr=abc`` is an error message, not a traceback."""
    for f in dataclasses.fields(config):
        value = getattr(config, f.name)
        default = f.default if f.default is not dataclasses.MISSING else None
        if default is None or value is None:
            continue
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, int):
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif isinstance(default, float):
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        else:
            ok = isinstance(value, type(default))
        if not ok:
            kind = {int: "a whole number", float: "a number", str: "text"}.get(type(default), type(default).__name__)
            raise ValueError(f"{f.name} must be {kind}, got {value!r}")
