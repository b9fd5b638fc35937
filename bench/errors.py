"""Where a model's answers go wrong: by answer length, by prefix length, and at which answer step.

    python bench/errors.py [--archs transformer bert] [--suite strings] [--samples 2000]
    # -> bench/results/errors_<suite>.json

For each shipped model (or run folder), on held-out examples of one suite: exact match by
answer length (in fives) and by prefix length (in twenties), and for every wrong answer the
first answer step at which it differs from the solver's (in fives). A model whose errors
start at step 0 on long prefixes has not found the innermost open bracket of the prompt; one
whose errors start late loses track while it writes.
"""

from __future__ import annotations

import argparse
from collections import Counter

import torch

import bracketcloser as bc
from bracketcloser.data import SUITES, suite
from common import write_result


def first_difference(got: str, want: str) -> int:
    return next((i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b), min(len(got), len(want)))


def bins(pairs, key) -> dict:
    right, total = Counter(), Counter()
    for example, got in pairs:
        right[key(example)] += got == example.answer
        total[key(example)] += 1
    return {str(k): {"correct": right[k], "n": total[k]} for k in sorted(total)}


def errors(model, examples) -> dict:
    pairs = list(zip(examples, model.complete([e.prefix for e in examples], warn=False), strict=True))
    wrong = [(e, g) for e, g in pairs if g != e.answer]
    return {"exact_match": 1 - len(wrong) / len(pairs), "n": len(pairs),
            "by_answer_length_5": bins(pairs, lambda e: len(e.answer) // 5 * 5),
            "by_prefix_length_20": bins(pairs, lambda e: len(e.prefix) // 20 * 20),
            "first_wrong_step_5": dict(sorted(Counter(str(first_difference(g, e.answer) // 5 * 5)
                                                      for e, g in wrong).items(), key=lambda kv: int(kv[0])))}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--archs", nargs="+", default=["transformer", "bert"], help="shipped names or run folders")
    p.add_argument("--suite", default="strings", choices=[s for s in SUITES if s != "bbh"])
    p.add_argument("--samples", type=int, default=2000)
    p.add_argument("--out", help="default: bench/results/errors_SUITE.json")
    args = p.parse_args()
    torch.set_num_threads(1)
    examples = suite(args.suite, args.samples, seed=0)
    out = {"suite": args.suite, "models": {}}
    for name in args.archs:
        out["models"][name] = r = errors(bc.load(name), examples)
        print(f"{name}: {r['exact_match']:.2%}; first wrong step (fives): {r['first_wrong_step_5']}", flush=True)
    write_result(args.out or f"bench/results/errors_{args.suite}.json", out, models={n: n for n in args.archs})


if __name__ == "__main__":
    main()
