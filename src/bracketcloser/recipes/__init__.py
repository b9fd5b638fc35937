"""Recipes: a shipped model's whole training as a small TOML file of settings.

    read_recipe("gpt")            # the shipped GPT's settings, from recipes/gpt.toml
    read_recipe("my_run.toml")    # or any file of the same form

A recipe holds ``arch``, ``dist``, the budget, ``seed`` and any setting ``train --set`` takes;
``include = "common"`` first reads ``common.toml`` (what every shipped recipe shares), and the
file's own settings then apply on top. ``bracketcloser train --recipe NAME`` runs one.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

HERE = Path(__file__).parent
SHARED = "common"  # not a recipe of its own: what the others include


def names() -> list[str]:
    """The shipped recipes, by name."""
    return sorted(p.stem for p in HERE.glob("*.toml") if p.stem != SHARED)


def recipe_path(name_or_path: str | Path) -> Path:
    """A shipped recipe's file by name (``gpt``), or a path to a TOML file."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.is_file():
        if not path.is_file():
            raise ValueError(f"no recipe file {path}")
        return path
    if str(name_or_path) not in names():
        raise ValueError(f"no recipe named {name_or_path!r} (shipped: {', '.join(names())}; or give a .toml path)")
    return HERE / f"{name_or_path}.toml"


def read_recipe(name_or_path: str | Path) -> dict:
    """The settings a recipe asks for, its includes resolved (flat: training and model settings)."""
    path = recipe_path(name_or_path)
    try:
        settings = tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ValueError(f"{path}: not a valid TOML recipe ({e})") from None
    include = settings.pop("include", None)
    if include is None:
        return settings
    if include not in (SHARED, *names()) and not Path(include).is_file():
        raise ValueError(f"{path}: include {include!r} is not a recipe")
    base = HERE / f"{include}.toml" if include == SHARED else recipe_path(include)
    return {**read_recipe(base), **settings}
