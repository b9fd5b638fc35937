"""The shipped stack model at 100x: ten thousand brackets, a thousand deep, soft against discrete.

    python bench/stack_long.py            # -> bench/results/stack_long.json, stack_length.png
    python bench/stack_long.py --n 4 --lengths 100 1000 --timing 1000 10000   # a quick look

Both forms are the same weights (``answer_with`` in ``architectures/stack.py``): ``soft``
answers with the superposition stack it trained with, ``discrete`` takes the most probable
action on a real stack. Held-out prefixes (the ``test`` split) from ``data.sample_far``,
random walks over ``()[]{}<>`` of exactly L brackets, depth drawn up to L/10:

    far_2000     1,000 prefixes of 2,000 brackets, depth <= 200: accuracy of each form, how
                 the wrong answers are wrong, and whether they agree wherever soft is right
    far_10000    200 prefixes of 10,000 brackets, depth <= 1,000: the same
    by_length    accuracy against length, 100 to 10,000 brackets (soft only up to --soft-max:
                 it rewrites its whole stack at every token, so its time grows with length^2)
    timing       the discrete form's milliseconds per 1,000 tokens read, through
                 ``Completer.complete``, at 1,000, 10,000 and 100,000 brackets in one run

The suites are answered in batches of ``--batch`` rows (``complete`` reads prompts this long
a row or two at a time: its memory budget is set for attention maps, which the stack has not).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch

import bracketcloser as bc
from bracketcloser.batch import answer_texts, prompt_batch
from bracketcloser.data import GENERAL, GENERAL_VOCAB, sample_far, split_of
from bracketcloser.solver import solve
from common import write_result

FORMS = ("soft", "discrete")
FAR = {"far_2000": (2000, 1000), "far_10000": (10_000, 200)}  # suite: brackets, prefixes


def held_out(n: int, length: int, seed: int) -> list[str]:
    """``n`` prefixes of exactly ``length`` brackets, depth up to length/10, all in ``test``."""
    rng, out = random.Random(f"stack_long/{length}/{seed}"), []
    while len(out) < n:
        prefix = sample_far(rng, GENERAL_VOCAB, length, length // 10).prefix
        if split_of(prefix) == "test":
            out.append(prefix)
    return out


@torch.inference_mode()
def answers(completer, prefixes: list[str], form: str, batch: int) -> tuple[list[str], float]:
    """Greedy answers by one form, ``batch`` rows at a time, and the seconds they took."""
    model, vocab = completer.model, completer.vocab
    before, model.cfg.answer_with = model.cfg.answer_with, form
    out, started = [], time.perf_counter()
    try:
        for i in range(0, len(prefixes), batch):
            chunk = prefixes[i : i + batch]
            idx, lengths = prompt_batch(chunk, vocab)
            bounds = [len(solve(p, vocab)) + 1 for p in chunk]  # as complete() bounds them
            out += answer_texts(model.generate(idx, lengths, bounds), bounds, vocab)
    finally:
        model.cfg.answer_with = before
    return out, time.perf_counter() - started


def score(given: list[str], truth: list[str], seconds: float) -> dict:
    right = sum(g == t for g, t in zip(given, truth, strict=True))
    return {"right": right, "accuracy": round(right / len(truth), 4), "seconds": round(seconds, 1),
            "wrong_too_long": sum(len(g) > len(t) for g, t in zip(given, truth, strict=True)),
            "wrong_too_short": sum(len(g) < len(t) for g, t in zip(given, truth, strict=True)),
            "wrong_same_length": sum(len(g) == len(t) and g != t for g, t in zip(given, truth, strict=True))}


def compare(completer, prefixes: list[str], forms: tuple[str, ...], batch: int) -> dict:
    truth = [solve(p, GENERAL_VOCAB) for p in prefixes]
    given = {form: answers(completer, prefixes, form, batch) for form in forms}
    row = {"prefixes": len(prefixes), "length": len(prefixes[0]), "depth_up_to": len(prefixes[0]) // 10}
    row.update({form: score(g, truth, s) for form, (g, s) in given.items()})
    if len(given) == 2:  # the same model: the same answer wherever the soft form is right
        soft, discrete = given["soft"][0], given["discrete"][0]
        right = [i for i, t in enumerate(truth) if soft[i] == t]
        row["agree_where_soft_right"] = f"{sum(discrete[i] == soft[i] for i in right)} of {len(right)}"
    print(json.dumps(row), flush=True)
    return row


def timing(completer, lengths: list[int], seed: int) -> list[dict]:
    """One prefix of each length through ``complete``, the discrete form, in this one run."""
    completer.complete(held_out(1, 100, seed), warn=False)  # warm-up
    rows = []
    for length in lengths:
        (prefix,) = held_out(1, length, seed)
        started = time.perf_counter()
        (answer,) = completer.complete([prefix], warn=False)
        seconds = time.perf_counter() - started
        tokens = len(prefix) + 2 + len(answer) + 1  # input, prefix, ,output, the answer, the end token
        rows.append({"brackets": length, "tokens": tokens, "seconds": round(seconds, 2),
                     "ms_per_1000_tokens": round(1e6 * seconds / tokens, 1), "right": answer == solve(prefix, GENERAL_VOCAB)})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def figure(by_length: list[dict]) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(7, 4))
    for form, style, z in (("discrete", "s-", 2), ("soft", "o--", 3)):  # soft on top, hollow: seen where they agree
        points = [(r["length"], 100 * r[form]["accuracy"]) for r in by_length if form in r]
        if points:
            ax.plot(*zip(*points, strict=True), style, zorder=z, label=f"{form} stack", **({"mfc": "none"} if z == 3 else {}))
    lengths = [r["length"] for r in by_length]
    ax.set_xscale("log")
    ax.set_xlim(0.8 * min(lengths), 1.25 * max(lengths))
    ax.axvspan(0.8 * min(lengths), GENERAL.length, color="tab:green", alpha=0.08, label="trained lengths (<= 100)")
    ax.set_xticks(lengths, [f"{n:,}" for n in lengths])
    ax.minorticks_off()
    ax.set_xlabel("prefix length (brackets; depth up to a tenth of it)")
    ax.set_ylabel("exact match (%)")
    ax.set_ylim(-3, 103)
    ax.legend(loc="lower left")
    ax.set_title("the shipped stack model: the same weights, answering with a soft or a real stack", fontsize=9)
    fig.tight_layout()
    return fig


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=None, help="at most this many prefixes per measurement (default: all)")
    p.add_argument("--per-length", type=int, default=48, help="prefixes at each length of the length sweep")
    p.add_argument("--lengths", type=int, nargs="+", default=[100, 200, 500, 1000, 2000, 5000, 10_000])
    p.add_argument("--soft-max", type=int, default=10_000, help="longest prefix the soft form answers")
    p.add_argument("--timing", type=int, nargs="*", default=[1000, 10_000, 100_000], help="prefix lengths to time")
    p.add_argument("--batch", type=int, default=100, help="rows answered together")
    p.add_argument("--seed", type=int, default=0, help="seed of the held-out prefixes")
    p.add_argument("--threads", type=int, default=1, help="torch threads (a step is too small to share)")
    p.add_argument("--out", default="bench/results")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    completer = bc.load("stack")
    cap = (lambda n: n) if args.n is None else (lambda n: min(n, args.n))

    def forms(length: int) -> tuple[str, ...]:
        return FORMS if length <= args.soft_max else ("discrete",)

    far = {name: compare(completer, held_out(cap(n), length, args.seed), forms(length), args.batch)
           for name, (length, n) in FAR.items()}
    by_length = [compare(completer, held_out(cap(args.per_length), length, args.seed), forms(length), args.batch)
                 for length in args.lengths]
    result = {"seed": args.seed, "batch": args.batch,
              "model": {"shipped": "stack", **completer.config["model"]}, **far, "by_length": by_length,
              "timing": timing(completer, args.timing, args.seed)}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_result(out / "stack_long.json", result, models={"stack": "stack"})
    figure(by_length).savefig(out / "stack_length.png", dpi=110)
    print(f"wrote {out / 'stack_long.json'} and {out / 'stack_length.png'}")


if __name__ == "__main__":
    main()
