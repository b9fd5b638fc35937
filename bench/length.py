"""The length benchmark: models trained on the general range (at most 100 brackets, depth 30),
scored inside it and past it, and where a GPT's finders look as the prefix grows.

    python bench/length.py --runs RUN [RUN ...] [--samples 2000] [--update] [--out FILE]

Each run (a run folder, or a shipped model's name) is scored on held-out prefixes (seed 0, the
test split, the same for every run) of ``strings``, ``shapes``, ``walks`` and ``runs`` (inside
the range), ``long`` (101-200 brackets: up to twice the length), ``longer`` (201-500: up to five
times) and ``deep`` (depth 31-60: up to twice the depth), each with its 95% interval. Per suite,
the lowest and the mean over the runs: give it the seeds of one recipe, and the lowest is what
counts (one seed can say anything about length: Zhou et al. 2024).

For a GPT, also every head at the first answer step, where the query stands at ``,output``, on
prefixes in bands of length from inside the range to five times it (``data.sample_far`` at a
fixed length, depth at most 30, something to close): its mean weight on the innermost open
bracket and the entropy of its attention (nats), both of its weights as shares of their sum
(sigmoid attention's do not sum to 1; that sum is kept as ``total_weight``), the model's exact
match on the band, and which head is the finder (course chapter 5: the head that looks at the
bracket to close; chapter 7 follows the shipped GPT's as the prefix grows).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import torch

import bracketcloser as bc
from bracketcloser.data import GENERAL, GENERAL_VOCAB, sample_far, split_of, suite
from bracketcloser.evaluate import evaluate
from common import command, write_result

SUITES = ("strings", "shapes", "walks", "runs", "long", "longer", "deep")
BANDS = ((20, 40), (60, 80), (90, 100), (120, 140), (160, 180), (200, 230), (300, 350), (450, 500))


def innermost_column(prefix: str) -> int:
    """Stream column of the innermost open bracket (column 0 is ``input``)."""
    stack = []
    for i, ch in enumerate(prefix):
        if ch in GENERAL_VOCAB.closer_of:
            stack.append(1 + i)
        else:
            stack.pop()
    return stack[-1]


def band(model, lo: int, hi: int, n: int) -> list:
    """``n`` held-out prefixes of lo..hi brackets, depth at most 30, something to close, that the
    model reads with its answer (drawn the same way for every model)."""
    rng, out = random.Random(f"band/{lo}-{hi}"), []
    while len(out) < n:
        ex = sample_far(rng, GENERAL_VOCAB, length=rng.randint(lo, hi), depth=GENERAL.depth)
        if ex.answer and split_of(ex.prefix) == "test" and model.can_read(ex.prefix):
            out.append(ex)
    return out


def finders(model, n: int) -> dict:
    """Every head at the first answer step, band by band: its mean weight on the innermost open
    bracket and the entropy of its attention; and which head is the finder, the one with the
    most weight on that bracket inside the trained range (in the shipped GPT, one of its last
    layer's heads; another model may keep it elsewhere)."""
    net = model.model
    heads = [(layer, head) for layer in range(net.cfg.n_layer) for head in range(net.cfg.n_head)]
    name = {h: f"L{h[0]}H{h[1]}" for h in heads}
    bands = {}
    for lo, hi in BANDS:
        if lo + 3 > net.max_len:  # no prefix of the band fits the model (a learned table of 256)
            continue
        examples = band(model, lo, hi, n)
        weight, entropy, total = {h: [] for h in heads}, {h: [] for h in heads}, {h: [] for h in heads}
        for ex in examples:
            ids = torch.tensor(GENERAL_VOCAB.prompt_ids(ex.prefix))  # input <prefix> ,output
            seen = net.explain(ids, 1).attention  # one answer step: the query at ,output
            col = innermost_column(ex.prefix)
            for layer, head in heads:
                att = seen[f"blocks.{layer}.attn"][0, head, : len(ids)]  # (keys,)
                # each key's share (softmax and sparsemax rows already sum to 1; sigmoid's do not,
                # and their sum, kept apart, grows with the keys)
                total[layer, head].append(att.sum().item())
                att = att / att.sum().clamp_min(1e-12)
                weight[layer, head].append(att[col].item())
                entropy[layer, head].append(-(att * att.clamp_min(1e-12).log()).sum().item())
        bands[f"{lo}-{hi}"] = {"n": len(examples), "exact_match": evaluate(model, examples)["exact_match"],
                               "weight_on_innermost": {name[h]: sum(w) / len(w) for h, w in weight.items()},
                               "entropy": {name[h]: sum(e) / len(e) for h, e in entropy.items()},
                               "total_weight": {name[h]: sum(t) / len(t) for h, t in total.items()}}
    inside = [f"{lo}-{hi}" for lo, hi in BANDS if hi <= GENERAL.length]
    finder = max(name.values(), key=lambda h: sum(bands[b]["weight_on_innermost"][h] for b in inside))
    for key, row in bands.items():
        print(f"  {finder} {key}: weight {row['weight_on_innermost'][finder]:.2f}, entropy {row['entropy'][finder]:.2f}, "
              f"exact {row['exact_match']:.1%}", flush=True)
    return {"finder": finder, "bands": bands}


def measure(name: str, samples: int, band_n: int) -> dict:
    model = bc.load(name)
    folder = model.folder or Path(bc.__file__).parent / "pretrained" / name  # a run folder, or a shipped model's
    config = json.loads((folder / "config.json").read_text())
    info = json.loads(p.read_text()) if (p := folder / "training_info.json").is_file() else {}
    row = {"arch": config["train"]["arch"], "model": config["model"],
           "seed": config["train"]["seed"], "steps": info.get("steps"), "train_time_s": info.get("train_time_s"),
           "trained_by": info.get("command_lines", []), "suites": {}}
    for s in SUITES:
        r = evaluate(model, suite(s, samples, seed=0))
        row["suites"][s] = {k: r[k] for k in ("exact_match", "correct", "n", "ci95", "unsupported")}
        print(f"{name} {s}: {r['exact_match']:.2%} ({r['unsupported']} unsupported)", flush=True)
    if row["arch"] == "gpt":
        row["finders"] = finders(model, band_n)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", nargs="+", required=True, help="run folders or shipped names")
    parser.add_argument("--samples", type=int, default=2000, help="held-out prefixes per suite")
    parser.add_argument("--band", type=int, default=100, help="prefixes per band of length (GPT finders)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--update", action="store_true", help="keep the runs already in --out and add these")
    parser.add_argument("--out", default="bench/results/ab/length.json")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    runs, models, commands = {}, {}, []
    if args.update and Path(args.out).is_file():  # runs measured earlier (the seeds need not finish together)
        before = json.loads(Path(args.out).read_text())
        if before["samples"] != args.samples:
            raise SystemExit(f"{args.out} measured {before['samples']} prefixes per suite, not {args.samples}")
        runs, models, commands = before["runs"], before["provenance"]["models"], before["provenance"]["commands"]
    for name in args.runs:
        runs[Path(name).name] = row = measure(name, args.samples, args.band)
        models[Path(name).name] = name
        commands += row["trained_by"]
    summary = {s: {"lowest": min(r["suites"][s]["exact_match"] for r in runs.values()),
                   "mean": sum(r["suites"][s]["exact_match"] for r in runs.values()) / len(runs)} for s in SUITES}
    write_result(args.out, {"samples": args.samples, "suites": list(SUITES), "bands": [f"{lo}-{hi}" for lo, hi in BANDS],
                            "runs": runs, "summary": summary},
                 models=models, commands=[*commands, command()])
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
