"""Hyperparameter search with Optuna: a thin layer over Optuna and the one training function.

    bracketcloser tune --arch transformer --dist seed --time 1min --trials 40

Each trial draws settings from the search space declared beside the config fields
(``searched(...)`` in ``TrainConfig`` and the architecture's config; ``--space FILE`` narrows
or widens it), trains through ``train()`` in this process with the given budget, and reports
validation exact match at every validation, so that the pruner can stop a hopeless trial.
The score is measured on validation prefixes only; the best settings are then trained once
more and measured on the held-out ``test`` suite, and that is the number reported.

Pruner: Optuna's median rule (``MedianPruner``): after a few trials have finished, a trial
whose validation score at some step is worse than the median of earlier trials at that step
stops there. It needs no tuning of its own and suits budgets of a few validations per trial;
Hyperband would want many more reports per trial than a one-minute run makes.

Storage is any database URL Optuna accepts (SQLite file by default): several processes, or
several machines pointing at one PostgreSQL server, join a study by its name. A study ends
when it holds ``--trials`` finished (complete or pruned) trials; re-running the command
continues it. A trial stopped by Ctrl-C, or whose process was killed (its heartbeat stops),
is queued again with the same settings, so none is lost and none is counted twice.
"""

from __future__ import annotations

import csv
import io
import multiprocessing
import os
import shutil
from dataclasses import asdict, fields
from pathlib import Path
from time import perf_counter

from .architectures import ARCHS, model_config
from .data import suite
from .evaluate import evaluate
from .files import atomic_write_bytes, atomic_write_json, atomic_write_text, read_json
from .inference import load
from .plots import png_bytes
from .run_folder import read_history
from .train import Interrupted, TrainConfig, budget_seconds, train, tunable

METRICS = {"exact_match": "maximize", "time_to_target": "minimize"}
TARGET = 0.999  # the validation exact match `time_to_target` times


def search_space(arch: str, dist: str, space_file: str | Path | None = None) -> dict[str, dict]:
    """The declared space, with ``space_file``'s entries on top: ``{"lr": {"low": 1e-3,
    "high": 1e-2, "log": true}, "n_layer": {"choices": [1, 2]}, "pos": null}`` (null drops a
    setting from the search; any training or model setting may be added)."""
    space = tunable(arch, dist)
    if space_file is None:
        return space
    changes = read_json(space_file)
    if not isinstance(changes, dict):
        raise ValueError(f"{space_file}: expected a JSON object of settings and their ranges")
    known = {f.name for f in fields(TrainConfig)} - {"arch", "model"}
    known |= {f.name for f in fields(type(model_config(arch)))} - {"vocab_size"}
    for name, spec in changes.items():
        if name not in known:
            raise ValueError(f"{space_file}: unknown parameter {name!r} for {arch} (known: {', '.join(sorted(known))})")
        if spec is None:
            space.pop(name, None)
        elif isinstance(spec, dict) and (isinstance(spec.get("choices"), list) and spec["choices"]
                                         or {"low", "high"} <= set(spec)):
            space[name] = spec
        else:
            raise ValueError(f"{space_file}: {name}: expected null, {{\"choices\": [...]}} or {{\"low\": .., \"high\": ..}}")
    return space


def defaults_in(arch: str, space: dict[str, dict]) -> dict:
    """The default settings of what ``space`` searches, where they lie inside it."""
    config = {**asdict(TrainConfig(arch=arch)), **asdict(model_config(arch))}  # its own training defaults
    out = {}
    for name, spec in space.items():
        value = config.get(name)
        inside = value in spec["choices"] if "choices" in spec else (
            isinstance(value, (int, float)) and spec["low"] <= value <= spec["high"])
        if inside:
            out[name] = value
    return out


def suggest(trial, space: dict[str, dict]) -> dict:
    """One trial's settings: a choice from a list, an int between two ints, else a float."""
    out = {}
    for name, spec in space.items():
        if "choices" in spec:
            out[name] = trial.suggest_categorical(name, spec["choices"])
        elif all(isinstance(spec[k], int) and not isinstance(spec[k], bool) for k in ("low", "high")):
            out[name] = trial.suggest_int(name, spec["low"], spec["high"], log=bool(spec.get("log")))
        else:
            out[name] = trial.suggest_float(name, spec["low"], spec["high"], log=bool(spec.get("log")))
    return out


def _storage(url: str):
    import warnings

    import optuna
    from optuna.storages import RDBStorage, RetryHeartbeatStaleTrialCallback

    engine = {"connect_args": {"timeout": 60}} if url.startswith("sqlite") else {}
    try:
        # a heartbeat every 10 s: a trial whose process was killed goes stale after 60 s,
        # is marked failed and queued again with the same settings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return RDBStorage(url, engine_kwargs=engine, heartbeat_interval=10, grace_period=60,
                              heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(max_retry=3))
    except Exception as e:  # a bad URL, a missing driver, a server that does not answer
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ValueError(f"cannot open study storage {url!r}: {reason}") from None
    finally:
        optuna.logging.set_verbosity(optuna.logging.WARNING)


def open_study(name: str, storage_url: str, arch: str, dist: str, budget: str, metric: str, trials: int,
               baseline: dict | None = None):
    """Create the study, or join it: it must have been made for the same task. A new study's
    first trial is ``baseline`` (the defaults), so every study measures what it improves on."""
    import optuna

    study = optuna.create_study(study_name=name, storage=_storage(storage_url), load_if_exists=True,
                                direction=METRICS[metric], pruner=_pruner(trials))
    task = {"arch": arch, "dist": dist, "budget": budget, "metric": metric}
    made_for = study.user_attrs.get("task")
    if made_for is None:
        study.set_user_attr("task", task)
        if baseline:
            study.enqueue_trial(baseline, user_attrs={"defaults": True})
    elif made_for != task:
        raise ValueError(f"study {name!r} in {storage_url} was made for {made_for}, not {task}: "
                         "choose another --study name")
    return study


def _pruner(trials: int):
    """The median rule, active once a few trials have finished (a study's pruner is not
    stored with it: every process that joins makes the same one)."""
    import optuna

    return optuna.pruners.MedianPruner(n_startup_trials=max(2, min(5, trials // 5)), n_warmup_steps=0)


def _finished(study) -> int:
    from optuna.trial import TrialState

    return len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED)))


def objective_value(history: list[dict], metric: str) -> float:
    """``exact_match``: the best validation exact match. ``time_to_target``: seconds until
    validation first reached TARGET; a run that never did scores its whole time, scaled up
    by how far it fell short, so that nearer misses rank better."""
    best = max((h["val_exact_match"] for h in history), default=0.0)
    if metric == "exact_match":
        return best
    reached = [h["elapsed_s"] for h in history if h["val_exact_match"] >= TARGET]
    total = history[-1]["elapsed_s"] if history else 0.0
    return reached[0] if reached else total * (1 + 10 * (TARGET - best))


def run_trials(study_name: str, storage_url: str, base: dict, space: dict, trials: int, metric: str,
               runs_dir: Path, keep_runs: bool, threads: int, report=print) -> None:
    """One worker: train trials until the study holds ``trials`` finished ones."""
    import optuna
    from optuna.study import MaxTrialsCallback
    from optuna.trial import TrialState

    study = optuna.load_study(study_name=study_name, storage=_storage(storage_url), pruner=_pruner(trials))

    def objective(trial):
        settings = {**base, **suggest(trial, space), "threads": threads}
        try:
            cfg = TrainConfig.from_dict(settings)
        except (ValueError, TypeError) as e:  # a combination the config refuses
            trial.set_user_attr("error", str(e))
            raise optuna.TrialPruned(f"invalid settings: {e}") from None
        maximize = METRICS[metric] == "maximize"

        def at_validation(progress) -> None:  # reported in the study's direction
            if progress.validation is not None:
                em = progress.validation["val_exact_match"]
                trial.report(em if maximize else 1 - em, progress.step)
                if trial.should_prune():
                    raise optuna.TrialPruned()

        folder = runs_dir / f"trial_{trial.number:04d}"
        try:
            run = train(cfg, models_dir=folder, observe=at_validation, progress=False)
            history = read_history(run)
        except Interrupted:
            study.enqueue_trial(trial.params, user_attrs={"retry_of": trial.number})  # run again next time
            raise KeyboardInterrupt from None
        finally:
            if not keep_runs:
                shutil.rmtree(folder, ignore_errors=True)
        if keep_runs:
            trial.set_user_attr("run", str(run))
        return objective_value(history, metric)

    def progress(study, frozen) -> None:
        value = "-" if frozen.value is None else f"{frozen.value:.4f}"
        seconds = (frozen.datetime_complete - frozen.datetime_start).total_seconds() if frozen.datetime_complete else 0
        cells = ", ".join(f"{k}={_short(v)}" for k, v in frozen.params.items())
        report(f"trial {frozen.number:>3}  {frozen.state.name.lower():<8} {metric} {value:>9}  {seconds:>5.0f}s  {cells}")

    study.optimize(objective, callbacks=[MaxTrialsCallback(trials, states=(TrialState.COMPLETE, TrialState.PRUNED)),
                                         progress], catch=())


def _short(v) -> str:
    return f"{v:.3g}" if isinstance(v, float) else str(v)


def _worker(kwargs: dict) -> None:
    """A worker process (``--workers N``): quiet apart from its one line per trial."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    run_trials(**kwargs)


def tune(arch: str, dist: str = "seed", time: str | None = "1min", steps: int | None = None, trials: int = 20,
         study: str | None = None, storage: str | None = None, workers: int = 1, metric: str = "exact_match",
         out: str | Path | None = None, space_file: str | Path | None = None, keep_runs: bool = False,
         final_samples: int = 10_000, seed: int = 0, fixed: dict | None = None, report=print) -> dict:
    """Run (or continue) a study, retrain the best settings, measure them on held-out data,
    and write ``best_params.json``, ``trials.csv``, ``result.json`` and plots to ``out``.
    ``fixed``: settings every trial shares (``--set``), e.g. ``{"eval_every": 50}``."""
    if arch not in ARCHS:
        raise ValueError(f"unknown architecture {arch!r} (choose from {', '.join(ARCHS)})")
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r} (choose from {', '.join(METRICS)})")
    for name, value in (("trials", trials), ("workers", workers), ("final samples", final_samples)):
        if value < 1:
            raise ValueError(f"{name} must be at least 1, got {value}")
    budget = f"{steps}steps" if steps else time
    if steps is None:
        budget_seconds(time)  # a clear error for a budget that is no duration
    space = search_space(arch, dist, space_file)
    base = {**(fixed or {}), "arch": arch, "dist": dist, "time": time, "steps": steps, "seed": seed}
    space = {k: v for k, v in space.items() if k not in (fixed or {})}  # what is fixed is not searched
    TrainConfig.from_dict(base)  # the task itself must be valid before anything is stored
    name = study or f"{arch}_{dist}_{budget}"
    storage = storage or "sqlite:///tuning.db"
    out = Path(out or Path("tuning") / name)
    the_study = open_study(name, storage, arch, dist, budget, metric, trials, baseline=defaults_in(arch, space))
    threads = (fixed or {}).get("threads") or max(1, (os.cpu_count() or 1) // workers)  # --set threads=N wins
    kwargs = {"study_name": name, "storage_url": storage, "base": base, "space": space, "trials": trials,
              "metric": metric, "runs_dir": out / "runs", "keep_runs": keep_runs, "threads": threads}
    started = perf_counter()
    report(f"study {name!r} ({storage}): {_finished(the_study)} of {trials} trials finished; "
           f"{workers} worker(s), {threads} thread(s) each; searching {', '.join(space)}")
    helpers = [multiprocessing.get_context("spawn").Process(target=_worker, args=(kwargs,)) for _ in range(workers - 1)]
    try:
        for p in helpers:
            p.start()
        run_trials(**kwargs, report=report)
        for p in helpers:
            p.join()
    except KeyboardInterrupt:
        for p in helpers:
            p.terminate()
        raise
    if any(p.exitcode for p in helpers):
        raise ValueError(f"a tuning worker failed (exit codes {[p.exitcode for p in helpers]})")
    return finish(the_study, base, metric, out, final_samples, started, report)


def finish(study, base: dict, metric: str, out: Path, final_samples: int, started: float, report=print) -> dict:
    """Train the best settings once more, measure them on held-out ``test`` prefixes, write files."""
    from optuna.trial import TrialState

    done = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if not done:
        raise ValueError(f"study {study.study_name!r} has no complete trial yet (all pruned or failed)")
    best = study.best_trial
    settings = {k: v for k, v in {**base, **best.params}.items() if v is not None}
    atomic_write_json(out / "best_params.json", settings)
    _write_trials_csv(study, out / "trials.csv")
    report(f"best: trial {best.number}, {metric} {best.value:.4f} on validation; training it once more to measure "
           f"it on {final_samples:,} held-out '{base['dist']}' examples")
    run = train(TrainConfig.from_dict(settings), models_dir=out / "best_run", progress=False)
    measured = evaluate(load(run), suite(base["dist"], final_samples, seed=0))
    result = {"study": study.study_name, "metric": metric, "best_trial": best.number, "validation_score": best.value,
              "params": settings, "test_exact_match": measured["exact_match"], "test_n": measured["n"],
              "test_ci95": measured["ci95"], "best_run": str(run), "trials": len(study.trials),
              "complete": len(done), "pruned": len(study.get_trials(deepcopy=False, states=(TrialState.PRUNED,))),
              "seconds": round(perf_counter() - started, 1)}
    atomic_write_json(out / "result.json", result)
    for file_name, png in _plots(study).items():
        atomic_write_bytes(out / file_name, png)
    report(f"done: {result['complete']} complete, {result['pruned']} pruned of {result['trials']} trials; best settings "
           f"{_settings_text(best.params)}: held-out exact match {measured['exact_match']:.2%} "
           f"({measured['correct']}/{measured['n']}). Files in {out}/")
    return result


def _settings_text(params: dict) -> str:
    return ", ".join(f"{k}={_short(v)}" for k, v in params.items())


def _write_trials_csv(study, path: Path) -> None:
    names = sorted({k for t in study.trials for k in t.params})
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["number", "state", "value", "seconds", *names])
    for t in study.trials:
        seconds = (t.datetime_complete - t.datetime_start).total_seconds() if t.datetime_complete and t.datetime_start else ""
        writer.writerow([t.number, t.state.name, "" if t.value is None else t.value, seconds,
                         *[t.params.get(n, "") for n in names]])
    atomic_write_text(path, buf.getvalue())


def _plots(study) -> dict[str, bytes]:
    """Optimisation history, parameter importances, and the score over the two most important
    parameters (each drawn only when the study has enough trials for it)."""
    import warnings

    import matplotlib

    matplotlib.use("Agg")  # Optuna draws through pyplot: never a window, whatever the machine has
    from optuna import importance
    from optuna.visualization import matplotlib as vis

    def png(ax) -> bytes:
        fig = ax.figure if hasattr(ax, "figure") else ax.flat[0].figure
        fig.set_size_inches(8, 5)
        fig.tight_layout()
        return png_bytes(fig)

    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Optuna marks its matplotlib plots experimental
        out["optimization_history.png"] = png(vis.plot_optimization_history(study))
        try:
            ranked = list(importance.get_param_importances(study))
            out["param_importances.png"] = png(vis.plot_param_importances(study))
            if len(ranked) >= 2:
                out["top2_params.png"] = png(_scatter_top2(study, ranked[:2]))
        except (RuntimeError, ValueError, ZeroDivisionError):
            pass  # too few complete trials, or none of the settings varied
    return out


def _scatter_top2(study, names: list[str]):
    """Each complete trial at its values of the two most important settings, coloured by
    score (a scatter rather than Optuna's contour, which would need SciPy)."""
    from matplotlib.figure import Figure
    from optuna.trial import TrialState

    trials = [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)) if set(names) <= set(t.params)]
    fig = Figure()
    ax = fig.subplots()
    axes = []
    for name in names:
        values = [t.params[name] for t in trials]
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            axes.append(values)
        else:  # categories: one column each, in the order they were declared
            labels = sorted({str(v) for v in values})
            axes.append([labels.index(str(v)) for v in values])
            (ax.set_xticks if not axes[:-1] else ax.set_yticks)(range(len(labels)), labels)
    points = ax.scatter(axes[0], axes[1], c=[t.value for t in trials], cmap="viridis", s=60, edgecolors="k")
    fig.colorbar(points, ax=ax, label=study.direction.name.lower() + " " + "score")
    ax.set(xlabel=names[0], ylabel=names[1], title="score over the two most important settings")
    if names[0] == "lr":
        ax.set_xscale("log")
    return ax
