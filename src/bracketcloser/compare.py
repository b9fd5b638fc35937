"""Train several architectures at one budget, evaluate each on every suite, and compare.

    bracketcloser compare --time 1min --dist seed

The result is a leaderboard (printed, and saved as JSON) and one PNG: exact match per suite
per architecture, and the validation learning curves overlaid against wall-clock time.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from .data import DISTS, SUITES, SWEEP, suite
from .evaluate import evaluate
from .files import atomic_write_bytes, atomic_write_json, read_json
from .inference import load
from .plots import error_axis, error_rate, generalisation_png, png_bytes, sweep
from .run_folder import read_history
from .train import TrainConfig, train

# every suite but the far ones (1,000 brackets, depth 100): slow to read, and past the
# positions of a model trained for a minute; SWEEP's are pooled for the length/depth figure
SUITE_NAMES = tuple(name for name, s in SUITES.items() if s.reach != "far")


def compare(archs: list[str], time: str = "1min", dist: str = "seed", samples: int = 1000, seed: int = 0,
            steps: int | None = None, models_dir: str | Path = "models", out: str | Path | None = None,
            progress: bool = True, argv: list[str] | None = None) -> dict:
    suites = {name: suite(name, samples, seed=0) for name in SUITE_NAMES}
    rows, records = [], {}
    for arch in archs:
        run = train(TrainConfig(arch=arch, time=time, steps=steps, dist=dist, seed=seed), models_dir=models_dir,
                    progress=progress, argv=argv)
        model, info = load(run), read_json(run / "training_info.json")
        row = {"arch": arch, "run": str(run), "params": model.model.num_params(), "steps": info["steps"],
               "train_time_s": info["train_time_s"]}
        for name, examples in suites.items():
            report = evaluate(model, examples)
            row[name] = report["exact_match"]
            if name in SWEEP:
                records.setdefault(arch, []).extend(report["records"])
        rows.append(row)
    result = {"command": " ".join(argv) if argv else None, "time": None if steps else time, "steps": steps,
              "dist": dist, "seed": seed,
              "samples_per_suite": {k: len(v) for k, v in suites.items()}, "leaderboard": rows}
    budget = f"{steps}steps" if steps else time
    folder = Path(out) if out else Path(models_dir) / f"compare_{datetime.now():%Y%m%d_%H%M%S}_{budget}_{dist}"
    atomic_write_json(folder / "leaderboard.json", result)
    atomic_write_bytes(folder / "leaderboard.png", _plot(rows, f"{budget} on '{dist}'", min(len(v) for v in suites.values())))
    sweeps = {arch: sweep(recs) for arch, recs in records.items()}
    atomic_write_bytes(folder / "generalisation.png", generalisation_png(sweeps, DISTS[dist].range, f"{budget} on '{dist}'"))
    result["folder"] = str(folder)
    return result


def leaderboard_text(result: dict) -> str:
    head = f"{'arch':<12} {'params':>8} {'steps':>6} " + " ".join(f"{s:>7}" for s in SUITE_NAMES) + "   time"
    lines = [head]
    ranked_by = {"seed": "seed", "dyck": "dyck"}.get(result["dist"], "walks")  # the suite of its own range
    for r in sorted(result["leaderboard"], key=lambda r: -r[ranked_by]):
        cells = " ".join(f"{r[s]:>7.2%}" for s in SUITE_NAMES)
        lines.append(f"{r['arch']:<12} {r['params']:>8,} {r['steps']:>6} {cells} {r['train_time_s']:>5.0f}s")
    return "\n".join(lines)


def _plot(rows: list[dict], title: str, samples: int) -> bytes:
    """Error rate per suite (bars) and each run's validation error rate over time, on log axes."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 4.5))
    bars, curves = fig.subplots(1, 2)
    width = 0.8 / max(len(rows), 1)
    for i, r in enumerate(rows):
        xs = [j + i * width for j in range(len(SUITE_NAMES))]
        bars.bar(xs, [error_rate(r[s], samples) for s in SUITE_NAMES], width, label=r["arch"])
        history, val_samples = read_history(r["run"]), read_json(Path(r["run"]) / "training_info.json")["val_samples"]
        curves.plot([h["elapsed_s"] for h in history], [error_rate(h["val_exact_match"], val_samples) for h in history],
                    marker=".", label=r["arch"])
    bars.set_xticks([j + 0.4 - width / 2 for j in range(len(SUITE_NAMES))], SUITE_NAMES)
    error_axis(bars, "error rate (1 - exact match)", samples)
    bars.set(title=f"error rate per suite ({title}; none wrong: drawn at half an example)")
    bars.legend(fontsize=8)
    error_axis(curves, "validation error rate", max(samples, val_samples))
    curves.set(xlabel="training time (s)", title="learning curves")
    curves.grid(alpha=0.3)
    curves.legend(fontsize=8)
    fig.tight_layout()
    return png_bytes(fig)
