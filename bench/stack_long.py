"""The shipped stack model far out: ten thousand brackets, a thousand deep, soft against discrete;
and what it does on one prefix.

    python bench/stack_long.py            # -> bench/results/stack_long.json, stack_length.png
    python bench/stack_long.py --n 4 --lengths 100 1000 --timing 1000 10000   # a quick look
    python bench/stack_long.py --actions  # -> bench/results/stack_actions.json, stack_actions.png

``--actions``: for each token of one prefix, the probabilities of push, pop and keep, and the
stack after it (the size of each slot's vector, top first); and over seeded prefixes of the
general range, of 1,000 brackets and of depth 100, how far the actions are from 0/1 (the
largest distance from the nearest of 0 and 1, and the mean): a blurred action mixes slots,
and over 1,000 tokens the mixing would add up.

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
from matplotlib.figure import Figure

import bracketcloser as bc
from bracketcloser.batch import answer_texts, prompt_batch
from bracketcloser.data import DISTS, GENERAL, GENERAL_VOCAB, sample_far, split_of
from bracketcloser.plots import png_bytes
from bracketcloser.solver import max_depth, solve
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


PREFIX = "{[(<>)]<{}"


def actions_figure(completer, prefix: str) -> Figure:
    seen = completer.inspect(prefix)
    tokens = [t if t != "," else "end" for t in completer.vocab.decode(seen.stream)]
    read = tokens[: seen.tracks["actions"].size(0)]
    actions, stack = seen.tracks["actions"].numpy(), seen.tracks["stack"].numpy()
    fig = Figure(figsize=(9, 5.5))
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[1, 1.3])
    x = range(len(read))
    bottom_of_bar = [0.0] * len(read)
    for j, (name, colour) in enumerate(zip(("push", "pop", "keep"), ("tab:green", "tab:red", "tab:gray"), strict=True)):
        top.bar(x, actions[:, j], bottom=bottom_of_bar, color=colour, label=name)
        bottom_of_bar = [b + a for b, a in zip(bottom_of_bar, actions[:, j], strict=True)]
    top.set_ylabel("action probability")
    top.legend(loc="upper left", ncol=3, fontsize=8, bbox_to_anchor=(0, 1.25))
    depth = max(1, max_depth(prefix, completer.vocab) + 1)
    bottom.imshow(stack[:, :depth].T, aspect="auto", cmap="Purples", origin="upper")
    bottom.set_ylabel("stack slot (top = 0)")
    bottom.set_xticks(list(x), read)
    bottom.set_xlabel("token read (the prompt, then the model's own answer)")
    fig.suptitle(f"stack model on {prefix!r}: answer {completer.complete([prefix])[0]!r}", fontsize=10)
    fig.tight_layout()
    return fig


def discreteness(completer, dist: str, n: int) -> dict:
    rng = random.Random(f"stack_figure/{dist}")  # the seed the first figure was drawn with
    spec = DISTS[dist]
    worst, total, count = 0.0, 0.0, 0
    for _ in range(n):
        ex = spec.sample(rng, spec.vocab)
        seen = completer.inspect(ex.prefix)
        a = seen.tracks["actions"]
        off = torch.minimum(a, 1 - a)  # distance from the nearest of 0 and 1
        worst, total, count = max(worst, float(off.max())), total + float(off.sum()), count + off.numel()
    return {"prefixes": n, "max_distance_from_0_or_1": round(worst, 5), "mean_distance_from_0_or_1": round(total / count, 6)}


def actions(out: Path) -> None:
    """The figure of one prefix and how discrete the actions are (stack_actions.json, .png)."""
    completer = bc.load("stack")
    out.mkdir(parents=True, exist_ok=True)
    (out / "stack_actions.png").write_bytes(png_bytes(actions_figure(completer, PREFIX), dpi=110))
    sizes = {"general": 200, "len1000": 20, "depth100": 50}
    result = {"prefix": PREFIX, "actions": {d: discreteness(completer, d, n) for d, n in sizes.items()}}
    write_result(out / "stack_actions.json", result, models={"stack": "stack"})
    print(json.dumps(result["actions"], indent=2))


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
    p.add_argument("--actions", action="store_true", help="only the figure of one prefix and how discrete the actions are")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    if args.actions:
        actions(Path(args.out))
        return
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
