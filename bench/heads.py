"""Which head does a GPT's answer rest on, and which brackets does it select, as prefixes grow?

    python bench/heads.py --runs RUN [RUN ...] [--per-band 200] [--out FILE]

``length.py`` follows the finder, the head with the most weight on the innermost open bracket
at the first answer step (chapter 5). Some models answer without one. This asks the model
itself instead:

- **Ablation.** Each head's output is set to zero (its slice of the input to its layer's output
  projection, at every position), and the model answers the prefixes of a band again; the
  head outside the first layer whose loss costs the most exact match is the one the answers
  rest on (``critical``). The first layer's heads are left out of that choice, not of the
  table: they count the brackets, and each model loses most of its answers without one of them.
- **What it selects.** At the first answer step (the query at ``,output``) a head's weight on
  each bracket, as a share of its row's largest weight (softmax rows sum to one and sigmoid
  rows do not; the share puts both on one scale). ``decided``: the fraction of brackets whose
  share is below 0.1 or above 0.9 (a head that picks a set rather than spreading its weight).
  ``shallower``: the Jaccard overlap between the brackets with a share above 0.5 and the
  brackets standing shallower than the query, the opened brackets still open below the
  innermost one and every pair that was closed at a level above it. A bracket's level is the
  depth its pair stands at (an opener: the depth after it; a closer: the depth before it), so
  both brackets of a closed pair share one; the query stands at the prefix's depth.

- **By the size of that set, and by where the bracket to close stands.** The first closer of
  each answer, right or wrong, grouped by how many brackets stand shallower than the query
  (0-99, 100-199, ...), and apart by the column of the innermost open bracket (its index in the
  prefix, in the same groups of a hundred). The two go together (a set is large when the
  innermost open bracket stands far in), so read them side by side.

Bands are ``length.py``'s (held-out prefixes of a fixed length band, depth at most 30,
something to close): the ablation on three of them (inside the range, twice and five times
its length), the selection on all.
"""

from __future__ import annotations

import argparse

import torch

from bracketcloser.data import GENERAL_VOCAB
from bracketcloser.evaluate import evaluate
from common import measure_gpts, write_result
from length import BANDS, band

ABLATION_BANDS = ((60, 80), (160, 180), (450, 500))


def levels(prefix: str) -> tuple[list[int], int]:
    """Each bracket's level (both brackets of a pair share one) and the depth after the prefix."""
    depth, out = 0, []
    for ch in prefix:
        if ch in GENERAL_VOCAB.closer_of:  # an opener
            depth += 1
            out.append(depth)
        else:
            out.append(depth)
            depth -= 1
    return out, depth


def ablation(model, examples: list) -> dict[str, float]:
    """Exact match on ``examples`` with each head's output zeroed in turn."""
    net = model.model
    width = net.cfg.n_embd // net.cfg.n_head
    out = {}
    for layer in range(net.cfg.n_layer):
        for head in range(net.cfg.n_head):
            def zero(_module, args, head=head):
                y = args[0].clone()
                y[..., head * width : (head + 1) * width] = 0
                return (y,)
            hook = net.blocks[layer].attn.proj.register_forward_pre_hook(zero)
            try:
                out[f"L{layer}H{head}"] = evaluate(model, examples)["exact_match"]
            finally:
                hook.remove()
    return out


def selection(model, examples: list) -> dict[str, dict[str, float]]:
    """Per head at the first answer step: ``decided`` and ``shallower`` (module docstring), averaged."""
    net = model.model
    sums: dict[str, dict[str, float]] = {}
    for ex in examples:
        ids = torch.tensor(GENERAL_VOCAB.prompt_ids(ex.prefix))  # input <prefix> ,output
        seen = net.explain(ids, 1).attention
        level, depth = levels(ex.prefix)
        shallower = {i for i, lv in enumerate(level) if lv < depth}
        for layer in range(net.cfg.n_layer):
            for head in range(net.cfg.n_head):
                att = seen[f"blocks.{layer}.attn"][0, head, 1 : 1 + len(ex.prefix)]  # the brackets' columns
                share = att / att.max().clamp_min(1e-12)
                picked = {i for i in range(len(ex.prefix)) if share[i] > 0.5}
                row = sums.setdefault(f"L{layer}H{head}", {"decided": 0.0, "shallower": 0.0})
                row["decided"] += float(((share < 0.1) | (share > 0.9)).float().mean()) / len(examples)
                row["shallower"] += len(picked & shallower) / max(1, len(picked | shallower)) / len(examples)
    return sums


def first_closer(model, examples: list, width: int = 100) -> dict[str, dict[str, dict]]:
    """The first closer right, grouped by the number of brackets shallower than the query
    (``set_size``) and by the index of the innermost open bracket (``opener_at``)."""
    groups: dict[str, dict[int, list[bool]]] = {"set_size": {}, "opener_at": {}}
    answers = model.complete([ex.prefix for ex in examples], warn=False)
    for ex, answer in zip(examples, answers, strict=True):
        level, depth = levels(ex.prefix)
        right = answer[:1] == ex.answer[:1]
        groups["set_size"].setdefault(sum(lv < depth for lv in level) // width, []).append(right)
        opener = max(i for i, lv in enumerate(level) if lv == depth and ex.prefix[i] in GENERAL_VOCAB.closer_of)
        groups["opener_at"].setdefault(opener // width, []).append(right)
    return {by: {f"{k * width}-{(k + 1) * width - 1}": {"n": len(v), "first_right": sum(v) / len(v)}
                 for k, v in sorted(g.items())} for by, g in groups.items()}


def measure(model, per_band: int) -> dict:
    """Ablation on ``ABLATION_BANDS``; selection and the first closer on every band the model
    reads."""
    net = model.model
    out = {"ablation": {}, "selection": {}, "first_closer": {}}
    for lo, hi in BANDS:
        if lo + 3 > net.max_len:
            continue
        examples = band(model, lo, hi, per_band)
        key = f"{lo}-{hi}"
        out["selection"][key] = selection(model, examples)
        out["first_closer"][key] = first_closer(model, examples)
        if (lo, hi) in ABLATION_BANDS:
            out["ablation"][key] = {"exact_match": evaluate(model, examples)["exact_match"],
                                    "without": ablation(model, examples)}
    without = out["ablation"][f"{ABLATION_BANDS[0][0]}-{ABLATION_BANDS[0][1]}"]["without"]
    out["critical"] = min((h for h in without if not h.startswith("L0")), key=without.get)
    for key, row in out["ablation"].items():
        print(f"  {key}: {row['exact_match']:.1%}, without {out['critical']} "
              f"{row['without'][out['critical']]:.1%}; selects shallower "
              f"{out['selection'][key][out['critical']]['shallower']:.2f}", flush=True)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", nargs="+", required=True, help="GPT run folders or shipped names")
    p.add_argument("--per-band", type=int, default=200, help="prefixes per band of length (default 200)")
    p.add_argument("--out", default="bench/results/ab/length_heads.json")
    args = p.parse_args()
    runs = measure_gpts(args.runs, measure, args.per_band)
    write_result(args.out, {"per_band": args.per_band, "bands": [f"{lo}-{hi}" for lo, hi in BANDS],
                            "ablation_bands": [f"{lo}-{hi}" for lo, hi in ABLATION_BANDS], "runs": runs},
                 models=dict(zip(runs, args.runs, strict=True)))


if __name__ == "__main__":
    main()
