"""Train the shipped models, copy them into the package, and measure them.

    python bench/pretrain.py train [--archs gru lstm ...]     # train each with its recipe file, ship the best weights
    python bench/pretrain.py train --archs gpt --resume RUN   # continue a recipe's run from its checkpoint
    python bench/pretrain.py evaluate [--samples 10000]       # every shipped model on every suite
    python bench/pretrain.py figure                           # redraw the figure from pretrained.json

``train`` runs ``bracketcloser train --recipe ARCH`` once per architecture (the recipes are
``src/bracketcloser/recipes/ARCH.toml``; the exact command is kept in the shipped
``training_info.json``), then copies the run's
``config.json``, ``best.safetensors`` and ``training_info.json`` to
``src/bracketcloser/pretrained/<arch>/`` and records the weights' SHA-256 in
``pretrained/SHA256SUMS`` (a test checks them). ``evaluate`` writes
``bench/results/pretrained.json``: per model the training command, seed, wall time and
steps, exact match on every suite, and how many of the original README's 21 examples it
gets right (``readme``; the tests hold each shipped model to these numbers).

Every recipe trains on the general range (four kinds, 1-100 brackets, depth <= 30) with a
step budget (never a time budget: the steps a minute holds depend on the machine's load),
one CPU thread per run, so that two train side by side on a 2-core machine.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import torch

import bracketcloser as bc
from bracketcloser import data
from bracketcloser.architectures import ARCHS
from bracketcloser.checkpoint import BEST, CONFIG, INFO
from bracketcloser.compare import SWEEP
from bracketcloser.data import DISTS, suite
from bracketcloser.evaluate import evaluate
from bracketcloser.examples import README_EXAMPLES
from bracketcloser.inference import PRETRAINED
from bracketcloser.plots import generalisation_png, sweep
from bracketcloser.run_folder import read_history
from common import command, write_result

SUITES = tuple(data.SUITES)
RUNS = Path("bench/models/pretrained")


def recipe(arch: str) -> list[str]:
    """The command that trains ``arch`` as shipped: its recipe file (src/bracketcloser/recipes/)."""
    return ["bracketcloser", "train", "--recipe", arch, "--models-dir", str(RUNS), "--quiet"]


def train(archs: list[str], resume: str | None = None) -> None:
    for arch in archs:
        argv = recipe(arch) if resume is None else ["bracketcloser", "train", "--resume", resume, "--quiet"]
        print("$", " ".join(argv), flush=True)
        started = time.time()
        subprocess.run([sys.executable, "-m", *argv], check=True)
        run = Path(resume) if resume else max(RUNS.glob(f"{arch}_*"), key=lambda p: p.stat().st_mtime)
        ship(arch, run)
        print(f"shipped {run} -> {PRETRAINED / arch} ({time.time() - started:.0f} s)", flush=True)


CURVES = Path("bench/results/curves")  # each shipped model's validation history, as its run wrote it


def ship(arch: str, run: Path) -> None:
    """Copy a run's config, best weights and info into the package; record the weights' hash
    and keep the run's validation curve (history.csv) under bench/results/curves/."""
    target = PRETRAINED / arch
    target.mkdir(parents=True, exist_ok=True)
    for name in (CONFIG, BEST, INFO):
        shutil.copyfile(run / name, target / name)
    CURVES.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(run / "history.csv", CURVES / f"{arch}.csv")
    write_checksums()


def learning(arch: str, config: dict) -> dict | None:
    """Steps and minutes (one core) until validation exact match first reached 99% and 99.9%,
    from the shipped run's curve; None where the model was shipped without one."""
    curve = CURVES / f"{arch}.csv"
    if not curve.is_file():
        return None
    rows = read_history(curve)
    out = {"validated_on": config["train"].get("val_dist") or config["train"]["dist"],
           "val_samples": config["train"]["val_samples"], "every": config["train"]["eval_every"],
           "final": rows[-1]["val_exact_match"]}
    for name, level in (("to_99", 0.99), ("to_999", 0.999)):
        first = next((r for r in rows if r["val_exact_match"] >= level), None)
        out[name] = None if first is None else {"step": first["step"], "minutes": round(first["elapsed_s"] / 60, 1)}
    return out


def write_checksums() -> None:
    """pretrained/SHA256SUMS, in the format ``sha256sum -c`` reads (run inside pretrained/)."""
    lines = [f"{hashlib.sha256(f.read_bytes()).hexdigest()}  {f.parent.name}/{f.name}"
             for f in sorted(PRETRAINED.glob(f"*/{BEST}"))]
    (PRETRAINED / "SHA256SUMS").write_text("\n".join(lines) + "\n")


# beyond the range: 2,000 each is plenty; far beyond (1,000 brackets, depth 100), fewer: a
# model whose positions stop at 256 cannot read them at all (scored wrong, counted unsupported)
SIZES = {"long": 2000, "longer": 2000, "deep": 2000, "len1000": 500, "depth100": 1000}


def evaluate_shipped(samples: int, archs: list[str], suites: list[str]) -> None:
    """Measure ``archs`` on ``suites``; every other number already in the file is kept."""
    torch.set_num_threads(1)  # one thread: a second one that waits for a busy core slows everything
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
        # the command that started the run, then any --resume that continued it
        row = {**kept, "command": info["command_lines"][0], "resumed_with": info["command_lines"][1:],
               "training_seed": info["seed"], "train_time_s": info["train_time_s"],
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
        answers = model.complete([prefix for prefix, _ in README_EXAMPLES], warn=False)
        right = sum(a == model.vocab.clean(e) for a, (_, e) in zip(answers, README_EXAMPLES, strict=True))
        row["readme"] = {"correct": right, "n": len(README_EXAMPLES)}  # the original README's 21
        row["learning"] = learning(arch, model.config)
        if records is not None:
            row["sweep"] = sweep(records)  # exact match by length and by depth, for the figure
        results[arch] = row
        print(f"{arch:<12} " + "  ".join(f"{s} {row[s]['exact_match']:.4f}" for s in suites), flush=True)
    before = json.loads(out_file.read_text()) if out_file.is_file() else {}
    # a row kept from an earlier run keeps the weights it measured; a row measured now, today's
    earlier = before.get("provenance", {}).get("models", {})
    weights = {arch: earlier[arch] if arch not in archs and arch in earlier else arch for arch in results}
    commands = [*before.get("provenance", {}).get("commands", []), command()]
    if set(archs) >= set(results) and set(suites) == set(SUITES):
        commands = [command()]  # measured whole
    out = {"samples": {**before.get("samples", {}), **{k: len(v) for k, v in data.items()}}, "suite_seed": 0,
           "models": results}
    write_result(out_file, out, models=weights, commands=commands, remake="python bench/pretrain.py evaluate")
    draw_figure()


def draw_figure() -> None:
    """bench/results/generalisation_shipped.png, from the sweeps pretrained.json holds."""
    results = json.loads(Path("bench/results/pretrained.json").read_text())["models"]
    sweeps = {arch: row["sweep"] for arch, row in results.items() if "sweep" in row}
    if sweeps:
        png = generalisation_png(sweeps, DISTS["general"].range, "shipped models")
        Path("bench/results/generalisation_shipped.png").write_bytes(png)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="what", required=True)
    t = sub.add_parser("train")
    t.add_argument("--archs", nargs="*", default=list(ARCHS), choices=ARCHS)
    t.add_argument("--resume", metavar="RUN", help="continue this run of the (one) architecture's recipe, then ship it")
    e = sub.add_parser("evaluate")
    e.add_argument("--samples", type=int, default=10_000)
    e.add_argument("--archs", nargs="*", default=list(ARCHS), choices=ARCHS)
    e.add_argument("--suites", nargs="*", default=list(SUITES), choices=SUITES,
                   help="only these (the file keeps the other numbers)")
    sub.add_parser("figure", help="redraw generalisation_shipped.png from pretrained.json (no measuring)")
    args = p.parse_args()
    if args.what == "train":
        if args.resume and len(args.archs) != 1:
            p.error("--resume continues one run: name its architecture with --archs")
        train(args.archs, args.resume)
    elif args.what == "figure":
        draw_figure()
    else:
        evaluate_shipped(args.samples, args.archs, args.suites)


if __name__ == "__main__":
    main()
