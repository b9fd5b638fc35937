"""One minute of training per architecture, three seeds: the lowest score is what counts.

    python bench/one_minute.py [--archs gru ...] [--seeds 0 1 2] [--dist seed] [--time 1min]
                               [--samples 10000] [--out bench/results/one_minute_seed.json]

Each run is what a learner types, `bracketcloser train --arch X --time 1min --seed S`
(every setting at the architecture's default, which trains on one thread; the same
TrainConfig the command builds), two at a time on the two cores (``--jobs``), each with a
core to itself; then the best weights are scored on ``--samples`` held-out examples of the
distribution (the `test` split, the same examples for every run). Reported per run: steps,
examples seen, exact match with its 95% interval, and when validation first reached 99.9%;
per architecture the lowest and the mean of the seeds.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import torch

import bracketcloser as bc
from bracketcloser.architectures import ARCHS
from bracketcloser.data import TRAIN_DISTS, suite
from bracketcloser.evaluate import evaluate
from bracketcloser.run_folder import read_history
from bracketcloser.train import TrainConfig, train
from common import command, write_result


def first_at(run: Path, target: float) -> dict | None:
    """The first validation at or above ``target``: its step and seconds."""
    for row in read_history(run):
        if row["val_exact_match"] >= target:
            return {"step": row["step"], "seconds": row["elapsed_s"]}
    return None


def one_run(arch: str, seed: int, args) -> dict:
    """Train ``arch`` for the budget with every default, then score it on the held-out suite."""
    torch.set_num_threads(1)  # scoring on one thread too: two runs share the two cores
    folder = Path(args.models_dir) / f"{args.dist}_seed{seed}"
    argv = ["bracketcloser", "train", "--arch", arch, "--time", args.time, "--dist", args.dist, "--seed", str(seed),
            "--models-dir", str(folder), "--quiet"]
    overrides = dict(kv.split("=", 1) for kv in args.set)
    argv += [x for kv in args.set for x in ("--set", kv)]
    cfg = TrainConfig.from_dict({"arch": arch, "time": args.time, "dist": args.dist, "seed": seed,
                                 **{k: json.loads(v) if v[:1].isdigit() or v[:1] in "-[" else v for k, v in overrides.items()}})
    run = train(cfg, models_dir=folder, progress=False, argv=argv)
    r = evaluate(bc.load(run), suite(args.dist, args.samples, seed=0))
    info = json.loads((run / "training_info.json").read_text())
    row = {"arch": arch, "seed": seed, "command": " ".join(argv), "threads": torch.get_num_threads(), "steps": info["steps"],
           "examples_seen": info["examples_seen"], "exact_match": r["exact_match"], "ci95": r["ci95"], "n": r["n"],
           "validation_first_at_999": first_at(run, 0.999)}
    print(f"seed {seed} {arch:<12} steps {row['steps']:>6}  exact match {row['exact_match']:.4%}", flush=True)
    return row


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--archs", nargs="+", default=list(ARCHS), choices=ARCHS)
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    p.add_argument("--dist", default="seed", choices=TRAIN_DISTS)
    p.add_argument("--time", default="1min")
    p.add_argument("--samples", type=int, default=10_000)
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="a setting other than the default (to compare candidates; the table itself uses none)")
    p.add_argument("--update", action="store_true", help="replace only these architectures' runs in --out")
    p.add_argument("--jobs", type=int, default=2, help="runs at once, one core each (training uses one thread)")
    p.add_argument("--models-dir", default="bench/models/one_minute")
    p.add_argument("--out", default="bench/results/one_minute_seed.json")
    args = p.parse_args()
    tasks = [(arch, seed) for seed in args.seeds for arch in args.archs]
    with ProcessPoolExecutor(args.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        runs = list(pool.map(one_run, *zip(*tasks, strict=True), [args] * len(tasks)))
    commands = [command()]
    if args.update and Path(args.out).is_file():  # keep the other architectures' runs
        before = json.loads(Path(args.out).read_text())
        runs = [r for r in before["runs"] if r["arch"] not in args.archs] + runs
        commands = before["provenance"]["commands"] + commands
    # seed by seed, architectures in the registry's order: the same place for each run however the
    # file was made (the pages quote runs by position)
    runs.sort(key=lambda r: (r["seed"], ARCHS.index(r["arch"])))
    summary = {}
    for arch in dict.fromkeys(r["arch"] for r in runs):
        scores = [r["exact_match"] for r in runs if r["arch"] == arch]
        summary[arch] = {"lowest": min(scores), "mean": sum(scores) / len(scores), "runs": len(scores)}
    out = {"dist": args.dist, "samples": args.samples, "jobs": args.jobs, "summary": summary, "runs": runs}
    write_result(args.out, out, commands=commands)
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
