"""What the shipped stack model does on one prefix, and how discrete its actions are.

    python bench/stack_figure.py        # -> bench/results/stack_actions.png, stack_actions.json

The figure: for each token read, the probabilities of push, pop and keep, and the stack
after it (the size of each slot's vector, top first). The JSON: over seeded prefixes of
the general range, of 1,000 brackets and of depth 100, how far the actions are from 0/1
(the largest distance from the nearest of 0 and 1, and the mean): a blurred action mixes
slots, and over 1,000 tokens the mixing would add up.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import torch
from matplotlib.figure import Figure

import bracketcloser as bc
from bracketcloser.data import DISTS
from bracketcloser.plots import png_bytes
from bracketcloser.solver import max_depth
from common import write_result

OUT = Path("bench/results")
PREFIX = "{[(<>)]<{}"


def figure(completer, prefix: str) -> Figure:
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
    rng = random.Random(f"stack_figure/{dist}")
    spec = DISTS[dist]
    worst, total, count = 0.0, 0.0, 0
    for _ in range(n):
        ex = spec.sample(rng, spec.vocab)
        seen = completer.inspect(ex.prefix)
        a = seen.tracks["actions"]
        off = torch.minimum(a, 1 - a)  # distance from the nearest of 0 and 1
        worst, total, count = max(worst, float(off.max())), total + float(off.sum()), count + off.numel()
    return {"prefixes": n, "max_distance_from_0_or_1": round(worst, 5), "mean_distance_from_0_or_1": round(total / count, 6)}


def main() -> None:
    torch.set_num_threads(1)
    completer = bc.load("stack")
    fig = figure(completer, PREFIX)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "stack_actions.png").write_bytes(png_bytes(fig, dpi=110))
    sizes = {"general": 200, "len1000": 20, "depth100": 50}
    result = {"prefix": PREFIX, "actions": {d: discreteness(completer, d, n) for d, n in sizes.items()}}
    write_result(OUT / "stack_actions.json", result, models={"stack": "stack"})
    json.dump(result["actions"], sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
