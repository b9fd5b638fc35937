"""Does a GPT still know how deep each bracket stands past the length it trained on?

    python bench/depth_probe.py --runs RUN [RUN ...] [--per-band 100] [--out FILE]

A GPT has no counter: the depth at a position is something its layers must compute from the
brackets before it, a causal average of +1s and -1s whose steps shrink as 1/n with the
number of tokens averaged. Its finder (chapter 5) then looks for the open bracket whose depth
matches the query's. If the depth blurs as prefixes grow, the finder has nothing sharp to
match, however good the positions.

This reads the depth straight off the residual stream: the embedding's output and each
block's, at every bracket of prefixes in bands of length from inside the range to five times
it (``length.py``'s bands: depth at most 30, something to close). A linear probe (ridge
regression onto the depth after each bracket) is fitted on half the prefixes inside the range
(at most 100 brackets) and scored on the other half and on every longer band, by the column
the bracket stands at: 1-100 (inside the range), 101-200, 201-300, 301-500. Exact: the
rounded prediction is the depth; within 1: off by at most one. A second probe reads the
average itself (the depth over the tokens averaged, column + 1), its prediction multiplied back
into a depth: if the stream held the average and only its resolution fell, this one would hold
up inside the range and fail by a growing margin past it.
"""

from __future__ import annotations

import argparse

import torch

import bracketcloser as bc
from bracketcloser.data import GENERAL, GENERAL_VOCAB
from common import write_result
from length import BANDS, band

COLUMNS = ((1, 100), (101, 200), (201, 300), (301, 500))  # where a bracket stands in the stream
RIDGE = 1e-3  # the probe's penalty, relative to the features' mean square


def depths(prefix: str) -> list[int]:
    """The depth after each bracket of ``prefix``."""
    out, d = [], 0
    for ch in prefix:
        d += 1 if ch in GENERAL_VOCAB.closer_of else -1
        out.append(d)
    return out


def streams(model, per_band: int) -> list[dict]:
    """Every prefix's residual stream at its brackets: (layers + 1, L, C) per prefix, with the
    depth after each bracket, and whether the prefix may train the probe (inside the range,
    every other one)."""
    net = model.model
    seen = {}
    hooks = [net.embed.register_forward_hook(lambda m, i, o: seen.__setitem__(0, o))]
    for k, block in enumerate(net.blocks):
        hooks.append(block.register_forward_hook(lambda m, i, o, k=k: seen.__setitem__(k + 1, o)))
    out = []
    try:
        net.eval()
        with torch.no_grad():
            for lo, hi in BANDS:
                if lo + 3 > net.max_len:  # no prefix of the band fits the model
                    continue
                for j, ex in enumerate(band(model, lo, hi, per_band)):
                    ids = torch.tensor(GENERAL_VOCAB.prompt_ids(ex.prefix))[None]  # input <prefix> ,output
                    net(ids)
                    x = torch.stack([seen[k][0, 1 : 1 + len(ex.prefix)] for k in range(len(net.blocks) + 1)])
                    out.append({"x": x, "depth": torch.tensor(depths(ex.prefix), dtype=torch.float),
                                "train": hi <= GENERAL.length and j % 2 == 0})
    finally:
        for h in hooks:
            h.remove()
    return out


def fit(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Ridge regression of y (N,) on x (N, C) with a bias: the weights (C + 1,)."""
    x = torch.cat([x, torch.ones(len(x), 1)], 1).double()
    penalty = RIDGE * x.pow(2).mean() * len(x)
    return torch.linalg.solve(x.T @ x + penalty * torch.eye(x.size(1), dtype=x.dtype), x.T @ y.double()).float()


TARGETS = ("depth", "average")  # the depth itself, or the depth over the tokens averaged (column + 1)


def target(r: dict, kind: str) -> torch.Tensor:
    return r["depth"] if kind == "depth" else r["depth"] / (torch.arange(len(r["depth"])) + 2)


def probe(model, per_band: int) -> dict:
    rows = streams(model, per_band)
    layers = ["embed"] + [f"block{k}" for k in range(len(model.model.blocks))]
    return {kind: {name: probe_layer(rows, k, kind) for k, name in enumerate(layers)} for kind in TARGETS}


def probe_layer(rows: list[dict], k: int, kind: str) -> dict:
    """Fit a probe for ``kind`` on layer ``k``'s training rows; score it on the rest, by column."""
    train = [r for r in rows if r["train"]]
    w = fit(torch.cat([r["x"][k] for r in train]), torch.cat([target(r, kind) for r in train]))
    scored = {}
    for lo, hi in COLUMNS:
        xs, ys, cs = [], [], []
        for r in rows:
            if r["train"]:
                continue
            cols = torch.arange(1, len(r["depth"]) + 1)
            keep = (cols >= lo) & (cols <= hi)
            xs.append(r["x"][k][keep])
            ys.append(r["depth"][keep])
            cs.append(cols[keep] + 1)
        x, y = torch.cat(xs), torch.cat(ys)
        if not len(y):
            continue
        pred = torch.cat([x, torch.ones(len(x), 1)], 1) @ w
        if kind == "average":  # back to a depth: times the tokens averaged
            pred = pred * torch.cat(cs)
        err = (pred.round() - y).abs()
        scored[f"{lo}-{hi}"] = {"n": len(y), "exact": (err == 0).float().mean().item(),
                                "within_1": (err <= 1).float().mean().item(),
                                "mean_abs_error": (pred - y).abs().mean().item()}
    print(f"  {kind} {k}: " + "  ".join(f"{c} exact {s['exact']:.1%} (±1 {s['within_1']:.1%})" for c, s in scored.items()),
          flush=True)
    return scored


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", nargs="+", required=True, help="GPT run folders or shipped names")
    p.add_argument("--per-band", type=int, default=100, help="prefixes per band of length (default 100)")
    p.add_argument("--out", default="bench/results/ab/length_depth_probe.json")
    args = p.parse_args()
    torch.set_num_threads(1)
    runs = {}
    for name in args.runs:
        model = bc.load(name)
        if model.config["train"]["arch"] != "gpt":
            raise SystemExit(f"error: {name} is not a GPT")
        label = model.folder.name if model.folder is not None else name
        print(label, flush=True)
        runs[label] = {"model": model.config["model"], "seed": model.config["train"]["seed"],
                       "layers": probe(model, args.per_band)}
    write_result(args.out, {"per_band": args.per_band, "columns": [f"{lo}-{hi}" for lo, hi in COLUMNS], "runs": runs},
                 models=dict(zip(runs, args.runs, strict=True)))


if __name__ == "__main__":
    main()
