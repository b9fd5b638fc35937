"""Exact match of each model on every suite, as one JSON table.

    python bench/accuracy.py [--models RUN_OR_NAME ...] [--samples 10000] [--out FILE]

Suites: every one in ``bracketcloser.data.SUITES`` (what each holds: ``bracketcloser evaluate
--help``), drawn from held-out prefixes with seed 0, and bbh (the 250 BIG-Bench Hard examples).
Models: as given, else the shipped ones (or, where none is shipped, each architecture trained
briefly).
"""

from __future__ import annotations

import argparse
import time

import torch

from bracketcloser.data import SUITES, suite
from bracketcloser.evaluate import evaluate
from common import models, write_result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", nargs="*")
    p.add_argument("--samples", type=int, default=10_000)
    p.add_argument("--suites", nargs="*", default=list(SUITES), choices=SUITES)
    p.add_argument("--train-steps", type=int, default=400)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", default="bench/results/accuracy.json")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    data = {name: suite(name, args.samples, seed=0) for name in args.suites}
    table = {}
    measured = models(args.models, args.train_steps)
    sources = args.models or list(measured)  # shipped names, or the run folders given
    for label, completer in measured.items():
        row = {"params": completer.model.num_params(), "trained": completer.config.get("data", {})}
        for name, examples in data.items():
            start = time.perf_counter()
            r = evaluate(completer, examples)
            row[name] = {k: r[k] for k in ("exact_match", "n", "ci95", "token_accuracy", "unsupported")}
            row[name]["seconds"] = round(time.perf_counter() - start, 2)
        table[label] = row
        print(f"{label:<28} " + "  ".join(f"{s} {row[s]['exact_match']:.4f}" for s in data), flush=True)
    write_result(args.out, {"samples": args.samples, "results": table}, models=dict(zip(table, sources, strict=True)))


if __name__ == "__main__":
    main()
