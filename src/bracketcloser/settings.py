"""Settings arrive from JSON files and ``--set KEY=VALUE``: check their types before use."""

from __future__ import annotations

import dataclasses
import os
from typing import Any


def check_types(config, defaults: dict | None = None) -> None:
    """Every field of a dataclass must have the type of its default: a whole number where the
    default is an int, a number where it is a float, text where it is a string. One-line
    ``ValueError`` otherwise, so ``--set lr=abc`` is an error message, not a traceback.
    ``defaults`` gives the typed default of fields whose declared default is None."""
    for f in dataclasses.fields(config):
        value = getattr(config, f.name)
        default = f.default if f.default is not dataclasses.MISSING else None
        if default is None and defaults:
            default = defaults.get(f.name)
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


# the largest size a setting may take: beyond these a model no longer fits in memory on a
# laptop (n_embd 4096 with n_layer 64 is already ~10 GB of weights)
SIZE_LIMITS = {"n_layer": 64, "n_head": 64, "n_embd": 4096, "n_hidden": 4096, "ffn_mult": 16, "max_len": 65536}


def check_sizes(config, names: tuple[str, ...]) -> None:
    """Sizes must be whole numbers from 1 to their limit; one-line ``ValueError`` otherwise."""
    for name in names:
        value, limit = getattr(config, name), SIZE_LIMITS[name]
        if not 1 <= value <= limit:
            raise ValueError(f"{name} must be between 1 and {limit}, got {value}")


def machine_memory() -> int:
    """Physical memory in bytes (8 GiB where the system will not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return 8 * 2**30


# ---- search spaces, declared beside the settings they search --------------------------------

def searched(default: Any, choices: list | None = None, low: float | None = None, high: float | None = None,
             log: bool = False):
    """A dataclass field with a default and the range ``bracketcloser tune`` searches:
    ``choices`` (a list) or ``low``..``high`` (on a log scale with ``log=True``)."""
    space = {"choices": list(choices)} if choices is not None else {"low": low, "high": high, "log": log}
    return dataclasses.field(default=default, metadata={"search": space})


def search_space(config_class) -> dict[str, dict]:
    """The fields of a config class that carry a search range, and their ranges."""
    return {f.name: dict(f.metadata["search"]) for f in dataclasses.fields(config_class) if "search" in f.metadata}
