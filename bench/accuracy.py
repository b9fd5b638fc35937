"""Exact match of each model on every suite, as one JSON table; with --errors, where it goes wrong.

    python bench/accuracy.py [--models RUN_OR_NAME ...] [--suites ...] [--samples 10000]
                             [--errors] [--out FILE]

Suites: every one in ``bracketcloser.data.SUITES`` (what each holds: ``bracketcloser evaluate
--help``), drawn from held-out prefixes with seed 0, and bbh (the 250 BIG-Bench Hard examples).
Models: as given, else the shipped ones (or, where none is shipped, each architecture trained
briefly). A run folder given also records how it trained: steps, time, commands, and its
validation curve as ``[step, seconds, exact match]``.

``--errors`` adds, per suite: exact match by answer length (in fives) and by prefix length (in
twenties), and for every wrong answer the first answer step at which it differs from the
solver's (in fives). A model whose errors start at step 0 on long prefixes has not found the
innermost open bracket of the prompt; one whose errors start late loses track while it writes.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter

import torch

from bracketcloser.data import SUITES, suite
from bracketcloser.evaluate import evaluate
from bracketcloser.run_folder import read_history
from common import models, write_result


def first_difference(got: str, want: str) -> int:
    return next((i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b), min(len(got), len(want)))


def bins(records: list[dict], key) -> dict:
    right, total = Counter(), Counter()
    for r in records:
        right[key(r)] += r["correct"]
        total[key(r)] += 1
    return {str(k): {"correct": right[k], "n": total[k]} for k in sorted(total)}


def errors(records: list[dict]) -> dict:
    """Where the answers go wrong (an unsupported prefix counts as wrong at step 0)."""
    wrong = [r for r in records if not r["correct"]]
    steps = Counter(first_difference(r["predicted"] or "", r["expected"]) // 5 * 5 for r in wrong)
    return {
        "by_answer_length_5": bins(records, lambda r: r["answer_length"] // 5 * 5),
        "by_prefix_length_20": bins(records, lambda r: len(r["input"]) // 20 * 20),
        "first_wrong_step_5": {str(k): steps[k] for k in sorted(steps)},
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", nargs="*")
    p.add_argument("--samples", type=int, default=10_000)
    p.add_argument("--suites", nargs="*", default=list(SUITES), choices=SUITES)
    p.add_argument("--train-steps", type=int, default=400)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--errors", action="store_true", help="also where the answers go wrong (above)")
    p.add_argument("--out", default="bench/results/accuracy.json")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    data = {name: suite(name, args.samples, seed=0) for name in args.suites}
    table = {}
    measured = models(args.models, args.train_steps)
    sources = args.models or list(measured)  # shipped names, or the run folders given
    for label, completer in measured.items():
        row = {"params": completer.model.num_params(), "trained": completer.config.get("data", {})}
        if completer.folder is not None:  # a run of ours: how long it trained, beside what it scores
            info = json.loads((completer.folder / "training_info.json").read_text())
            row["training"] = {k: info[k] for k in ("steps", "train_time_s", "finished", "command_lines")}
            # its validation curve: was it still learning when its schedule ended?
            row["training"]["validation"] = [[h["step"], h["elapsed_s"], h["val_exact_match"]]
                                             for h in read_history(completer.folder)]
        for name, examples in data.items():
            start = time.perf_counter()
            r = evaluate(completer, examples)
            row[name] = {k: r[k] for k in ("exact_match", "n", "ci95", "token_accuracy", "unsupported")}
            row[name]["seconds"] = round(time.perf_counter() - start, 2)
            if args.errors:
                row[name].update(errors(r["records"]))
        table[label] = row
        print(f"{label:<28} " + "  ".join(f"{s} {row[s]['exact_match']:.4f}" for s in data), flush=True)
    write_result(args.out, {"samples": args.samples, "results": table}, models=dict(zip(table, sources, strict=True)))


if __name__ == "__main__":
    main()
