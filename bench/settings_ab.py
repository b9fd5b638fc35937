"""Settings side by side at a fixed step budget: default against what tuning found.

    python bench/settings_ab.py --arch bert --steps 2400 --variant "" --variant pos=rotary
    # -> bench/results/ab/ab_<arch>.json
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
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import bracketcloser as bc
from bracketcloser.data import suite
from bracketcloser.evaluate import evaluate
from bracketcloser.run_folder import read_history
from bracketcloser.train import TrainConfig
from common import write_result

SHORT = 15  # answers shorter than this many closers: what the recurrent models already get right


def measure(run_dir: Path, name: str, samples: int) -> dict:
    """Exact match on ``samples`` examples of suite ``name``, with its interval, and apart on
    the answers shorter than SHORT closers (a lever for long answers must keep those exact)."""
    r = evaluate(bc.load(run_dir), suite(name, samples, seed=0))
    short = [x["correct"] for x in r["records"] if x["answer_length"] < SHORT]
    by_answer = {}
    for lo, hi in ((0, 14), (15, 19), (20, 24), (25, 30)):
        cells = [v for k, v in r["by_answer_length"].items() if lo <= int(k) <= hi]
        n = sum(c["n"] for c in cells)
        by_answer[f"{lo}-{hi}"] = {"n": n, "exact_match": sum(c["n"] * c["exact_match"] for c in cells) / n if n else None}
    return {"exact_match": r["exact_match"], "correct": r["correct"], "n": r["n"], "ci95": r["ci95"],
            "short_answers": {"n": len(short), "wrong": len(short) - sum(short)}, "by_answer_length": by_answer}


def run(arch: str, steps: int | None, variant: str, dist: str, samples: int, examples: int | None = None,
        on: list[str] | None = None, keep: str | None = None) -> dict:
    sets = [s for s in variant.split(",") if s]
    if examples is not None:  # as many examples as the others: steps from this variant's batch size
        settings = dict(s.split("=", 1) for s in sets)
        batch = int(settings.get("batch_size", TrainConfig(arch=arch, dist=dist).batch_size))
        steps = examples // batch
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        # a folder of its own for this variant's run: two A/Bs keeping runs side by side must
        # never take each other's run for their own
        folder = tempfile.mkdtemp(prefix=f"{arch}_", dir=keep) if keep else scratch
        argv = [sys.executable, "-m", "bracketcloser", "train", "--arch", arch, "--dist", dist, "--steps", str(steps),
                "--set", "threads=1", *[x for s in sets for x in ("--set", s)], "--models-dir", folder, "--quiet"]
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        (run_dir,) = Path(folder).iterdir()
        return {"settings": sets or ["(defaults)"], **measure_run(run_dir, on or [dist], samples, keep is not None)}


def measure_run(run_dir: Path, suites: list[str], samples: int, keep: bool = True) -> dict:
    """A finished run: its training (steps, time, when validation first reached 99.9%) and
    exact match on each of ``suites``."""
    info = json.loads((run_dir / "training_info.json").read_text())
    history = read_history(run_dir)
    first = next((h["elapsed_s"] for h in history if h["val_exact_match"] >= 0.999), None)
    measured = {name: measure(run_dir, name, samples) for name in suites}
    main = measured[suites[0]]
    return {"steps": info["steps"], "examples_seen": info["examples_seen"],
            "train_time_s": info["train_time_s"],
            "ms_per_step": round(1000 * info["train_time_s"] / info["steps"], 1), "first_999_s": first,
            "final_val_exact_match": info["final_val_exact_match"],
            "exact_match": main["exact_match"], "correct": main["correct"], "n": main["n"], "ci95": main["ci95"],
            "on": measured, **({"run": str(run_dir)} if keep else {})}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--arch", required=True)
    budget = p.add_mutually_exclusive_group()  # one of them to train; neither with --measure
    budget.add_argument("--steps", type=int)
    budget.add_argument("--examples", type=int, help="equal examples seen instead of equal steps")
    p.add_argument("--variant", action="append", default=[],
                   help="comma-separated KEY=VALUE settings; an empty string is the defaults")
    p.add_argument("--measure", nargs="+", metavar="RUN",
                   help="instead of training: measure these finished runs (kept with --keep) the same way")
    p.add_argument("--dist", default="seed")
    p.add_argument("--samples", type=int, default=10_000)
    p.add_argument("--on", action="append",
                   help="a suite to measure on (default: the training distribution), e.g. strings; repeat for more")
    p.add_argument("--keep", help="keep each variant's run folder under this folder (default: discarded)")
    p.add_argument("--out")
    args = p.parse_args()
    rows = []
    out = Path(args.out or f"bench/results/ab/ab_{args.arch}.json")
    if not args.variant and not args.measure:
        p.error("give --variant (train and measure) or --measure RUN (measure kept runs)")
    if args.variant and args.steps is None and args.examples is None:
        p.error("--variant trains: give --steps or --examples")
    todo = [("run", r) for r in args.measure or []] + [("variant", v) for v in args.variant]
    for kind, what in todo:
        if kind == "run":
            settings = json.loads((Path(what) / "training_info.json").read_text())["command_lines"][0]
            rows.append({"settings": [settings], **measure_run(Path(what), args.on or [args.dist], args.samples)})
        else:
            rows.append(run(args.arch, args.steps, what, args.dist, args.samples, args.examples, args.on, args.keep))
        r = rows[-1]
        print(f"{args.arch} {', '.join(r['settings'])}: {r['exact_match']:.2%} ({r['correct']}/{r['n']}) after "
              f"{r['steps']} steps, {r['ms_per_step']} ms/step, 99.9% on validation at {r['first_999_s']} s", flush=True)
        # written after every variant: a long A/B stopped part-way keeps what it measured
        write_result(out, {"arch": args.arch, "steps": args.steps, "examples": args.examples, "dist": args.dist,
                           "on": args.on or [args.dist], "variants": rows})


if __name__ == "__main__":
    main()
