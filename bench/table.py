"""Print the shipped models' table for the README from bench/results/pretrained.json.

    python bench/table.py
"""

from __future__ import annotations

import json
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


def main() -> None:
    data = json.loads(Path("bench/results/pretrained.json").read_text())
    print("| shipped | params | recipe | steps | time | " + " | ".join(BOARD) + " |")
    print("|---" * (5 + len(BOARD)) + "|")
    for arch, row in data["models"].items():
        cells = [f"{100 * row[s]['exact_match']:.2f}%" if s in row else "-" for s in BOARD]
        print(f"| {arch} | {row['params']:,} | `{recipe(row['command'])}` | {row['steps']:,} | "
              f"{row['train_time_s'] / 60:.0f} min | " + " | ".join(cells) + " |")
    print()
    print(learning_table(data["models"]))


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


if __name__ == "__main__":
    main()
