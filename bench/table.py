"""The shipped models' tables, from bench/results/pretrained.json.

    python bench/table.py           # print them
    python bench/table.py --write   # put them in README.md, docs/results.md and their Japanese twins

Each table is written in English or Japanese from the package's table of texts
(``bracketcloser.text``, its ``TABLES`` group); suite names and numbers read the same in both.
Three tables: the leaderboard (every suite, with each recipe: docs/results), the README's
(in-range samplers, seed, BIG-Bench Hard and the original README's 21), and how long each
model took to learn the rule. ``--write`` replaces each table where it stands (found by its
header row), so the prose around it is kept.
"""

from __future__ import annotations

import argparse
import json
import shlex
from pathlib import Path

from bracketcloser.data import BOARD
from bracketcloser.text import say

SKIP = {"--arch", "--dist", "--seed", "--models-dir", "--quiet"}
DEFAULTS = {"threads=1", "val_samples=2000", "eval_every=500"}


def recipe(command: str) -> str:
    """The part of a training command that differs from the common one."""
    words, out, i = shlex.split(command)[2:], [], 0
    while i < len(words):
        flag = words[i]
        value = words[i + 1] if i + 1 < len(words) else ""
        if flag not in SKIP and not (flag == "--set" and value in DEFAULTS):
            out.append(f"{flag} {value}")
        i += 2 if flag != "--quiet" else 1
    return " ".join(out)


README_SUITES = ("shapes", "walks", "strings", "runs", "seed", "bbh")


def percent(row: dict, suite: str) -> str:
    return f"{100 * row[suite]['exact_match']:.2f}%" if suite in row else "-"


def board_table(models: dict, lang: str = "en") -> str:
    """Every suite of the leaderboard, with each model's recipe, steps and training time."""
    head = [say(key, lang) for key in ("shipped", "params", "recipe", "steps_trained", "time_trained")]
    lines = ["| " + " | ".join(head + list(BOARD)) + " |", "|---" * (5 + len(BOARD)) + "|"]
    for arch, row in models.items():
        lines.append(f"| {arch} | {row['params']:,} | `{recipe(row['command'])}` | {row['steps']:,} | "
                     f"{say('minutes_trained', lang, minutes=row['train_time_s'] / 60)} | "
                     + " | ".join(percent(row, s) for s in BOARD) + " |")
    return "\n".join(lines)


BEYOND = ("long", "longer")  # twice and five times the training length


def readme_table(models: dict, lang: str = "en") -> str:
    """The README's: the in-range samplers, seed, BIG-Bench Hard, the original README's examples,
    then twice and five times the length the models trained on."""
    head = [say("shipped", lang), "shapes", "walks", "strings", "runs", "seed", "BIG-Bench Hard", say("original_readme", lang),
            say("twice_the_length", lang), say("five_times_the_length", lang)]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for arch, row in models.items():
        readme = row["readme"]
        lines.append(f"| {arch} | " + " | ".join(percent(row, s) for s in README_SUITES)
                     + f" | {say('correct_of_n', lang, correct=readme['correct'], n=readme['n'])} | "
                     + " | ".join(percent(row, s) for s in BEYOND) + " |")
    return "\n".join(lines)


def learning_table(models: dict, lang: str = "en") -> str:
    """How long each model took to learn the rule: steps and minutes (one core) until its
    validation first reached 99% and 99.9%, for the models validated on `strings` as they trained."""
    def cell(reached: dict | None) -> str:
        if reached is None:
            return say("not_reached", lang)
        return say("reached", lang, step=reached["step"], minutes=reached["minutes"])

    head = [say("shipped", lang), say("validated_on", lang), say("every", lang), "99%", "99.9%", say("at_the_end", lang)]
    lines = ["| " + " | ".join(head) + " |", "|---|---|---|---|---|---|"]
    for arch, row in models.items():
        curve = row.get("learning")
        if curve is None:
            lines.append(f"| {arch} | {say('before_validation', lang)} | | | | |")
            continue
        validated = say("validation_set", lang, dist=curve["validated_on"], n=curve["val_samples"])
        lines.append(f"| {arch} | {validated} | {say('every_steps', lang, n=curve['every'])} | "
                     f"{cell(curve['to_99'])} | {cell(curve['to_999'])} | {100 * curve['final']:.2f}% |")
    return "\n".join(lines)


def replace_table(text: str, table: str, where: str) -> str:
    """``text`` with ``table`` where the table with the same first two header cells stands."""
    lines = text.splitlines()
    start = "|".join(table.splitlines()[0].split("|")[:3])
    at = [i for i, line in enumerate(lines) if line.startswith(start)]
    if len(at) != 1:
        raise SystemExit(f"{where}: expected one table starting {start!r}, found {len(at)}")
    end = at[0]
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    lines[at[0]:end] = table.splitlines()
    return "\n".join(lines) + "\n"


def render_pages(root: Path, models: dict) -> dict[str, str]:
    """README.md, docs/results.md and their Japanese twins as they read with the tables in them."""
    out = {}
    for page, tables in (("README", (readme_table, learning_table)), ("docs/results", (board_table, learning_table))):
        for suffix, lang in ((".md", "en"), (".ja.md", "ja")):
            name = page + suffix
            text = (root / name).read_text()
            for table in tables:
                text = replace_table(text, table(models, lang), name)
            out[name] = text
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--write", action="store_true", help="replace the tables in the README and the results page")
    args = p.parse_args()
    models = json.loads(Path("bench/results/pretrained.json").read_text())["models"]
    if not args.write:
        print(f"{board_table(models)}\n\n{readme_table(models)}\n\n{learning_table(models)}")
        return
    for name, text in render_pages(Path("."), models).items():
        Path(name).write_text(text)


if __name__ == "__main__":
    main()
