"""Does a GPT still know how deep each bracket stands past the length it trained on?

    python bench/depth_probe.py --runs RUN [RUN ...] [--per-band 100] [--out FILE]

A GPT has no counter: the depth at a bracket is something its layers compute from the
brackets before it. Its finder (chapter 5) then looks for the open bracket whose depth
matches the query's. If the depth blurs as prefixes grow, the finder has nothing sharp to
match.

This reads the depth straight off the residual stream that enters the finder's layer (the
finder found as ``length.py`` finds it: the head with the most weight on the innermost open
bracket inside the range), at every bracket of prefixes in ``length.py``'s bands of length
(depth at most 30, something to close). Half the prefixes of each band fit probes, the other
half score them. A linear probe (ridge regression onto the depth after each bracket) fitted on
the prefixes inside the range (at most 100 brackets) is scored

- on the prefixes inside the range, at their columns 1-100;
- on the longest band the model reads, by the column a bracket stands at: 1-100, 101-200,
  201-300, 301-500.

The two compare like with like. Columns 1-100 of a long prefix have read exactly as many tokens
as columns 1-100 of a short one; what differs is where the model puts them: counted positions
are the same, while drawn positions (``rand_pos``) spread a long prompt's tokens more densely
over the table than any stream in training. Within the long band, later columns have the same
spacing and more tokens behind them. A second probe, refitted on the long band's own fitting
half, says whether the depth is still there in another direction (refit reads it) or gone (it
does not either); the same refitted on the embedding's output (tokens and positions, before
any attention) is the control: what the long prefixes' shapes give away without any counting.
Exact: the rounded prediction is the depth; within 1: off by at most one.
"""

from __future__ import annotations

import argparse
import re

import torch

from bracketcloser.data import GENERAL, GENERAL_VOCAB
from common import measure_gpts, write_result
from length import BANDS, band, finders

COLUMNS = ((1, 100), (101, 200), (201, 300), (301, 500))  # where a bracket stands in the stream
RIDGE = 1e-2  # the probe's penalty, per example, on standardised features


def depths(prefix: str) -> list[int]:
    """The depth after each bracket of ``prefix``."""
    out, d = [], 0
    for ch in prefix:
        d += 1 if ch in GENERAL_VOCAB.closer_of else -1
        out.append(d)
    return out


def finder_input(model, per_band: int) -> tuple[str, int]:
    """The finder head's name and which residual stream enters its layer (0: the embedding's
    output, k: block k-1's)."""
    name = finders(model, per_band)["finder"]  # "L<layer>H<head>"
    return name, int(re.fullmatch(r"L(\d+)H\d+", name).group(1))


def streams(model, layer: int, per_band: int) -> dict:
    """Per band: each prefix's residual stream at its brackets, (L, C), entering ``layer``,
    the embedding's output there (tokens and positions only: the control), and the depth after
    each bracket."""
    net = model.model
    seen = {}
    source = net.embed if layer == 0 else net.blocks[layer - 1]
    hooks = [source.register_forward_hook(lambda m, i, o: seen.__setitem__("x", o)),
             net.embed.register_forward_hook(lambda m, i, o: seen.__setitem__("embed", o))]
    out = {}
    try:
        net.eval()
        with torch.no_grad():
            for lo, hi in BANDS:
                if lo + 3 > net.max_len:  # no prefix of the band fits the model
                    continue
                out[lo, hi] = []
                for ex in band(model, lo, hi, per_band):
                    ids = torch.tensor(GENERAL_VOCAB.prompt_ids(ex.prefix))[None]  # input <prefix> ,output
                    net(ids)
                    cols = slice(1, 1 + len(ex.prefix))
                    out[lo, hi].append((seen["x"][0, cols], seen["embed"][0, cols],
                                        torch.tensor(depths(ex.prefix), dtype=torch.float)))
    finally:
        for h in hooks:
            h.remove()
    return out


def fit(x: torch.Tensor, y: torch.Tensor):
    """Ridge regression of y (N,) on x (N, C): features standardised, the intercept not
    penalised. Returns the probe, a function of x."""
    x, y = x.double(), y.double()
    mean, scale = x.mean(0), x.std(0).clamp_min(1e-6)
    z = (x - mean) / scale
    w = torch.linalg.solve(z.T @ z + RIDGE * len(z) * torch.eye(z.size(1), dtype=z.dtype), z.T @ (y - y.mean()))
    return lambda new: (((new.double() - mean) / scale) @ w + y.mean()).float()


def score(probe, rows: list, lo: int, hi: int) -> dict | None:
    """The probe on the brackets of ``rows`` standing at columns lo..hi."""
    xs, ys = [], []
    for x, y in rows:  # (stream, depth) pairs
        keep = slice(lo - 1, min(hi, len(y)))
        xs.append(x[keep])
        ys.append(y[keep])
    x, y = torch.cat(xs), torch.cat(ys)
    if not len(y):
        return None
    pred = probe(x)
    err = (pred.round() - y).abs()
    return {"n": len(y), "exact": (err == 0).float().mean().item(), "within_1": (err <= 1).float().mean().item(),
            "mean_abs_error": (pred - y).abs().mean().item()}


def measure(model, per_band: int) -> dict:
    finder, layer = finder_input(model, per_band)
    by_band = streams(model, layer, per_band)
    fitting = {b: rows[0::2] for b, rows in by_band.items()}  # every other prefix fits, the rest score
    scoring = {b: rows[1::2] for b, rows in by_band.items()}
    inside = [b for b in by_band if b[1] <= GENERAL.length]
    longest = max(by_band)

    def rows(rows_by_band, bands, which=0):  # which: 0 the finder's input, 1 the embedding's output
        return [(r[which], r[2]) for b in bands for r in rows_by_band[b]]

    def fitted(pairs):
        return fit(torch.cat([x for x, _ in pairs]), torch.cat([y for _, y in pairs]))

    probe, refit = fitted(rows(fitting, inside)), fitted(rows(fitting, [longest]))
    control = fitted(rows(fitting, [longest], which=1))  # what tokens and positions alone give away
    long_rows = rows(scoring, [longest])
    out = {"finder": finder, "stream": "embedding" if layer == 0 else f"block{layer - 1}",
           "longest": f"{longest[0]}-{longest[1]}",
           "inside": score(probe, rows(scoring, inside), 1, 100),
           "long": {f"{lo}-{hi}": s for lo, hi in COLUMNS if (s := score(probe, long_rows, lo, hi))},
           "long_refit": {f"{lo}-{hi}": s for lo, hi in COLUMNS if (s := score(refit, long_rows, lo, hi))},
           "long_refit_embedding": {f"{lo}-{hi}": s for lo, hi in COLUMNS
                                    if (s := score(control, rows(scoring, [longest], which=1), lo, hi))}}
    print(f"  {finder}, input {out['stream']}: inside 1-100 within 1 {out['inside']['within_1']:.1%}; "
          f"{out['longest']} brackets: " + "  ".join(
              f"{c} {s['within_1']:.1%} (refit {out['long_refit'][c]['within_1']:.1%}, "
              f"embedding {out['long_refit_embedding'][c]['within_1']:.1%})" for c, s in out["long"].items()),
          flush=True)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", nargs="+", required=True, help="GPT run folders or shipped names")
    p.add_argument("--per-band", type=int, default=100, help="prefixes per band of length (default 100)")
    p.add_argument("--out", default="bench/results/ab/length_depth_probe.json")
    args = p.parse_args()
    runs = measure_gpts(args.runs, measure, args.per_band)
    write_result(args.out, {"per_band": args.per_band, "columns": [f"{lo}-{hi}" for lo, hi in COLUMNS], "runs": runs},
                 models=dict(zip(runs, args.runs, strict=True)))


if __name__ == "__main__":
    main()
