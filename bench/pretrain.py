"""Train the shipped models, copy them into the package, and measure them.

    python bench/pretrain.py train [--archs gru lstm ...]     # train with RECIPES, ship the best weights
    python bench/pretrain.py evaluate [--samples 10000]       # every shipped model on every suite

``train`` runs ``bracketcloser train`` once per architecture with the recipe below (the
exact command is kept in the shipped ``training_info.json``), then copies the run's
``config.json``, ``best.safetensors`` and ``training_info.json`` to
``src/bracketcloser/pretrained/<arch>/``. ``evaluate`` writes ``bench/results/pretrained.json``:
per model the training command, seed, wall time and steps, and exact match on every suite.

The recipes train on ``dyck`` (general completion, length <= 40, depth <= 10), which covers
the original's ``seed`` distribution too, for the 10-minute budget, one CPU thread each so
that two can train side by side on a 2-core machine without slowing each other.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import torch

import bracketcloser as bc
from bracketcloser.architectures import ARCHS
from bracketcloser.checkpoint import BEST, CONFIG, INFO
from bracketcloser.compare import SWEEP
from bracketcloser.data import DISTS, suite
from bracketcloser.evaluate import evaluate
from bracketcloser.inference import PRETRAINED
from bracketcloser.plots import generalisation_png, sweep
from common import command, machine

SUITES = ("seed", "dyck", "shapes", "walks", "strings", "long", "deep", "len1000", "depth100", "bbh")
# the general range (four kinds, 1-100 brackets, depth <= 30), one CPU thread per run so two
# train side by side; validation on 2,000 held-out prefixes every 500 steps picks the best
COMMON = ["--dist", "general", "--seed", "0", "--set", "threads=1", "--set", "val_samples=2000", "--set", "eval_every=500"]
RECIPES = {  # budget and what differs from the registry's defaults; see bench/results/RECORD.md for why
    # a recurrent state must hold up to 30 open brackets of 4 kinds: twice the default width
    "gru": ["--time", "1hour", "--set", "n_hidden=128"],
    # (the LSTM starts on short prefixes: 20 -> 100 brackets over the first 30%)
    "lstm": ["--time", "1hour", "--set", "n_hidden=128", "--set", "curriculum=0.3"],
    # the encoder-decoder learns long prefixes only after short ones (20 -> 100 brackets over 30%)
    "transformer": ["--steps", "15000", "--set", "curriculum=0.3"],
    # BERT reads one row per answer token it is trained on: 32 examples x 4 masked cuts per step
    # (its validation decodes with one encoder pass per answer token: 1,000 prefixes, not 2,000)
    # (learned positions, counted from ,output: on the general range rotary ones learned more
    # slowly, 0.42 against 0.49 validation at 1,500 steps, though they are BERT's default for `seed`)
    "bert": ["--steps", "4000", "--set", "n_head=4", "--set", "batch_size=32", "--set", "val_samples=1000",
             "--set", "pos=learned"],
    "gpt": ["--steps", "12000"],
    # the stack model learns the rule within a few hundred steps (validation 100% at step 300
    # in a trial run); 4,000 steps with the same curriculum leave it a wide margin
    "stack": ["--steps", "4000", "--set", "curriculum=0.3"],
}
RUNS = Path("bench/models/pretrained")


def train(archs: list[str]) -> None:
    for arch in archs:
        argv = ["bracketcloser", "train", "--arch", arch, *COMMON, *RECIPES.get(arch, []), "--models-dir", str(RUNS), "--quiet"]
        print("$", " ".join(argv), flush=True)
        started = time.time()
        subprocess.run([sys.executable, "-m", *argv], check=True)
        run = max(RUNS.glob(f"{arch}_*"), key=lambda p: p.stat().st_mtime)
        target = PRETRAINED / arch
        target.mkdir(parents=True, exist_ok=True)
        for name in (CONFIG, BEST, INFO):
            shutil.copyfile(run / name, target / name)
        print(f"shipped {run} -> {target} ({time.time() - started:.0f} s)", flush=True)


# beyond the range: 2,000 each is plenty; far beyond (1,000 brackets, depth 100), fewer: a
# model whose positions stop at 256 cannot read them at all (scored wrong, counted unsupported)
SIZES = {"long": 2000, "deep": 2000, "len1000": 500, "depth100": 1000}


def evaluate_shipped(samples: int, archs: list[str], suites: list[str]) -> None:
    """Measure ``archs`` on ``suites``; every other number already in the file is kept."""
    torch.set_num_threads(2)
    data = {name: suite(name, min(samples, SIZES.get(name, samples)), seed=0) for name in suites}
    out_file = Path("bench/results/pretrained.json")
    previous = json.loads(out_file.read_text())["models"] if out_file.is_file() else {}
    results = {}
    for arch in ARCHS:
        if arch not in archs:  # keep what an earlier run measured
            if arch in previous:
                results[arch] = previous[arch]
            continue
        if not (PRETRAINED / arch / CONFIG).is_file():
            print(f"{arch}: not shipped, skipped")
            continue
        model = bc.load(arch)
        info = json.loads((PRETRAINED / arch / INFO).read_text())
        kept = previous.get(arch, {}) if set(suites) != set(SUITES) else {}  # a partial run adds to what was measured
        row = {**kept, "command": info["command_lines"][-1], "training_seed": info["seed"], "train_time_s": info["train_time_s"],
               "steps": info["steps"], "best_step": info["best_step"], "params": model.model.num_params(),
               "bytes": (PRETRAINED / arch / BEST).stat().st_size, "trained_on": model.config["data"]["dist"]}
        records = [] if not kept else None
        for name, examples in data.items():
            started = time.perf_counter()
            r = evaluate(model, examples)
            row[name] = {k: r[k] for k in ("exact_match", "n", "correct", "ci95", "unsupported")}
            row[name]["by_answer_length"] = r["by_answer_length"]
            row[name]["seconds"] = round(time.perf_counter() - started, 1)
            if name in SWEEP and records is not None:
                records.extend(r["records"])
        if records is not None:
            row["sweep"] = sweep(records)  # exact match by length and by depth, for the figure
        results[arch] = row
        print(f"{arch:<12} " + "  ".join(f"{s} {row[s]['exact_match']:.4f}" for s in suites), flush=True)
    before = json.loads(out_file.read_text()) if out_file.is_file() else {}
    commands = [c for c in before.get("commands", [before.get("command")]) if c] + [command()]
    out = {"commands": commands, "machine": machine(),
           "samples": {**before.get("samples", {}), **{k: len(v) for k, v in data.items()}}, "suite_seed": 0,
           "models": results}
    out_file.write_text(json.dumps(out, indent=2) + "\n")
    sweeps = {arch: row["sweep"] for arch, row in results.items() if "sweep" in row}
    if sweeps:
        png = generalisation_png(sweeps, DISTS["general"].range, "shipped models")
        Path("bench/results/generalisation_shipped.png").write_bytes(png)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="what", required=True)
    t = sub.add_parser("train")
    t.add_argument("--archs", nargs="*", default=list(ARCHS), choices=ARCHS)
    e = sub.add_parser("evaluate")
    e.add_argument("--samples", type=int, default=10_000)
    e.add_argument("--archs", nargs="*", default=list(ARCHS), choices=ARCHS)
    e.add_argument("--suites", nargs="*", default=list(SUITES), choices=SUITES,
                   help="only these (the file keeps the other numbers)")
    args = p.parse_args()
    if args.what == "train":
        train(args.archs)
    else:
        evaluate_shipped(args.samples, args.archs, args.suites)


if __name__ == "__main__":
    main()
