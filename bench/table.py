"""The shipped models' tables, from bench/results/pretrained.json.

    python bench/table.py           # print them
    python bench/table.py --write   # put them in README.md, docs/results.md and their Japanese twins

Three tables: the leaderboard (every suite, with each recipe: docs/results), the README's
(in-range samplers, seed, BIG-Bench Hard and the original README's 21), and how long each
model took to learn the rule. ``--write`` replaces each table where it stands (found by its
header row), so the prose around it is kept.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
from pathlib import Path

from bracketcloser.data import BOARD

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


def board_table(models: dict) -> str:
    """Every suite of the leaderboard, with each model's recipe, steps and training time."""
    lines = ["| shipped | params | recipe | steps | time | " + " | ".join(BOARD) + " |", "|---" * (5 + len(BOARD)) + "|"]
    for arch, row in models.items():
        lines.append(f"| {arch} | {row['params']:,} | `{recipe(row['command'])}` | {row['steps']:,} | "
                     f"{row['train_time_s'] / 60:.0f} min | " + " | ".join(percent(row, s) for s in BOARD) + " |")
    return "\n".join(lines)


def readme_table(models: dict) -> str:
    """The README's: the in-range samplers, seed, BIG-Bench Hard and the original README's examples."""
    lines = ["| shipped | shapes | walks | strings | runs | seed | BIG-Bench Hard | original README |", "|---" * 8 + "|"]
    for arch, row in models.items():
        readme = row["readme"]
        lines.append(f"| {arch} | " + " | ".join(percent(row, s) for s in README_SUITES)
                     + f" | {readme['correct']} of {readme['n']} |")
    return "\n".join(lines)


def learning_table(models: dict) -> str:
    """How long each model took to learn the rule: steps and minutes (one core) until its
    validation first reached 99% and 99.9%, for the models validated on `strings` as they trained."""
    def cell(reached: dict | None) -> str:
        return "not reached" if reached is None else f"{reached['step']:,} steps, {reached['minutes']:.0f} min"

    lines = ["| shipped | validated on | every | 99% | 99.9% | at the end of training |", "|---|---|---|---|---|---|"]
    for arch, row in models.items():
        curve = row.get("learning")
        if curve is None:
            lines.append(f"| {arch} | (trained before validation on `strings`) | | | | |")
            continue
        lines.append(f"| {arch} | `{curve['validated_on']}` ({curve['val_samples']:,}) | {curve['every']:,} steps | "
                     f"{cell(curve['to_99'])} | {cell(curve['to_999'])} | {100 * curve['final']:.2f}% |")
    return "\n".join(lines)


JA_HEADERS = {  # the Japanese twins' header rows, for the English ones
    "| shipped | params | recipe | steps | time |": "| 同梱モデル | パラメータ数 | レシピ | ステップ | 時間 |",
    "| shipped | shapes |": "| 同梱モデル | shapes |",
    "original README |": "元の README |",
    "| shipped | validated on | every | 99% | 99.9% | at the end of training |":
        "| 同梱モデル | 検証に使ったもの | 間隔 | 99% | 99.9% | 学習終了時 |",
}
JA_CELLS = (("(trained before validation on `strings`)", "（`strings` での検証ができる前に学習）"),
            (" steps, ", " ステップ、"), (" steps |", " ステップ |"), (" min |", " 分 |"), ("not reached", "未到達"))


def japanese(table: str) -> str:
    header, *rows = table.splitlines()
    for en, ja in JA_HEADERS.items():
        header = header.replace(en, ja)
    body = "\n".join(rows)
    for en, ja in JA_CELLS:
        body = body.replace(en, ja)
    body = re.sub(r"`strings` \(([\d,]+)\)", r"`strings`（\1 例）", body)
    body = re.sub(r"\| (\d+) of (\d+) \|$", r"| \2 例中 \1 例 |", body, flags=re.M)
    return "\n".join([header, body])


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
    board, readme, learning = board_table(models), readme_table(models), learning_table(models)
    out = {}
    for page, tables in (("README", (readme, learning)), ("docs/results", (board, learning))):
        for suffix, translate in ((".md", str), (".ja.md", japanese)):
            name = page + suffix
            text = (root / name).read_text()
            for table in tables:
                text = replace_table(text, translate(table), name)
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
