"""Settings side by side at a fixed step budget: default against what tuning found.

    python bench/settings_ab.py --arch bert --steps 2400 --variant "" --variant pos=rotary
    # -> bench/results/tuning/ab_<arch>.json
    python bench/settings_ab.py --arch gru --dist general --examples 96000 --variant bucket=1,batch_size=64 --variant ""
    # equal examples seen: each variant's steps = examples / its batch size
    python bench/settings_ab.py --arch lstm --dist general --on strings --steps 8000 --samples 2000 --variant "" --variant lr=0.01
    # trained on one distribution, measured on another (here the sampler never trained on)

Why fixed steps: a one-minute trial's score depends on how many steps the minute held, and
on a shared CPU that varies by a third from run to run, more than most settings change
the result. At a fixed number of steps (about what a minute holds on this machine) the
comparison is between the settings alone; the time each step takes is reported beside it.
Each variant trains with ``bracketcloser train`` (one thread, seed 0) and is measured on
10,000 held-out examples of its distribution (``--dist``, ``seed`` by default) or of
``--on``; ``first_999_s`` is the training time at which validation exact match first
reached 99.9%.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import bracketcloser as bc
from bracketcloser.data import suite
from bracketcloser.evaluate import evaluate
from bracketcloser.train import TrainConfig
from common import command, machine


def run(arch: str, steps: int | None, variant: str, dist: str, samples: int, examples: int | None = None,
        on: str | None = None) -> dict:
    sets = [s for s in variant.split(",") if s]
    if examples is not None:  # as many examples as the others: steps from this variant's batch size
        settings = dict(s.split("=", 1) for s in sets)
        batch = int(settings.get("batch_size", TrainConfig(arch=arch, dist=dist).batch_size))
        steps = examples // batch
    with tempfile.TemporaryDirectory() as folder:
        argv = [sys.executable, "-m", "bracketcloser", "train", "--arch", arch, "--dist", dist, "--steps", str(steps),
                "--set", "threads=1", *[x for s in sets for x in ("--set", s)], "--models-dir", folder, "--quiet"]
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        run_dir = next(Path(folder).iterdir())
        info = json.loads((run_dir / "training_info.json").read_text())
        with open(run_dir / "history.csv") as f:
            history = list(csv.DictReader(f))
        first = next((float(h["elapsed_s"]) for h in history if float(h["val_exact_match"]) >= 0.999), None)
        measured = evaluate(bc.load(run_dir), suite(on or dist, samples, seed=0))
    return {"settings": sets or ["(defaults)"], "steps": info["steps"], "examples_seen": info["examples_seen"],
            "train_time_s": info["train_time_s"],
            "ms_per_step": round(1000 * info["train_time_s"] / info["steps"], 1), "first_999_s": first,
            "exact_match": measured["exact_match"], "correct": measured["correct"], "n": measured["n"],
            "ci95": measured["ci95"]}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--arch", required=True)
    budget = p.add_mutually_exclusive_group(required=True)
    budget.add_argument("--steps", type=int)
    budget.add_argument("--examples", type=int, help="equal examples seen instead of equal steps")
    p.add_argument("--variant", action="append", required=True,
                   help="comma-separated KEY=VALUE settings; an empty string is the defaults")
    p.add_argument("--dist", default="seed")
    p.add_argument("--samples", type=int, default=10_000)
    p.add_argument("--on", help="the suite to measure on (default: the training distribution), e.g. strings")
    p.add_argument("--out")
    args = p.parse_args()
    rows = []
    for variant in args.variant:
        rows.append(run(args.arch, args.steps, variant, args.dist, args.samples, args.examples, args.on))
        r = rows[-1]
        print(f"{args.arch} {', '.join(r['settings'])}: {r['exact_match']:.2%} ({r['correct']}/{r['n']}) after "
              f"{r['steps']} steps, {r['ms_per_step']} ms/step, 99.9% on validation at {r['first_999_s']} s", flush=True)
    out = Path(args.out or f"bench/results/tuning/ab_{args.arch}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"command": command(), "machine": machine(), "arch": args.arch, "steps": args.steps,
                               "examples": args.examples,
                               "dist": args.dist, "on": args.on or args.dist, "variants": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
