"""When each run's validation exact match first reached a target, from its history.csv.

    python bench/time_to_target.py --models RUN ... [--target 0.999] [--out FILE]

Training seconds (validation not counted) and steps at the first validation at or above the
target, or null where it never got there; with the run's budget, steps and best score.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bracketcloser.run_folder import read_history
from common import write_result


def first_reach(run: Path, target: float) -> dict:
    history = read_history(run)
    info = json.loads((run / "training_info.json").read_text())
    hit = next((h for h in history if h["val_exact_match"] >= target), None)
    return {"run": run.name, "steps": info["steps"], "train_time_s": info["train_time_s"],
            "val_samples": info["val_samples"], "best_val_exact_match": info["best_val_exact_match"],
            "reached_s": hit["elapsed_s"] if hit else None, "reached_step": int(hit["step"]) if hit else None}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", nargs="+", required=True)
    p.add_argument("--target", type=float, default=0.999)
    p.add_argument("--out")
    args = p.parse_args()
    rows = {json.loads((Path(m) / "config.json").read_text())["arch"]: first_reach(Path(m), args.target)
            for m in args.models}
    for arch, r in rows.items():
        print(f"{arch:<12} reached {args.target:.1%} at {r['reached_s']} s (step {r['reached_step']}) of "
              f"{r['train_time_s']} s, {r['steps']} steps")
    if args.out:
        write_result(args.out, {"target": args.target, "runs": rows}, models=dict(zip(rows, args.models, strict=True)))


if __name__ == "__main__":
    main()
