"""What the playground computes, without a browser: the models it has loaded, each model's
answer and pictures for a prefix, the samplers' data, the results to compare, and the one
training that may be running. The page (page.py) only lays these out; tests call them directly.
"""

from __future__ import annotations

import json
import random
import threading
import warnings
from pathlib import Path

from ..architectures import ARCHS
from ..checkpoint import list_runs
from ..data import BOARD, DISTS, sample_seed_original, seed_label_error_rate
from ..inference import PRETRAINED, Completer, RangeWarning, load
from ..solver import solve
from ..text import say
from ..train import Interrupted, TrainConfig, train
from .figures import inside_figure, probs_figure

FOUR_KINDS = DISTS["general"].vocab  # the solver reads every kind a shipped model reads
APP_BUDGETS = ("steps", "1min", "10min")  # the longest training the page starts is 10 minutes


class Lab:
    """The page's state: where runs and results live, the models loaded once, and the one
    training that may be running. ``lang`` arguments take ``en``/``ja`` or the switch's label."""

    def __init__(self, models_dir: str | Path = "models", results_dir: str | Path | None = None):
        self.models_dir = Path(models_dir)
        self.results_dir = Path(results_dir) if results_dir else None  # committed results (a clone's bench/results)
        self._loaded: dict[str, Completer] = {}
        self._lock = threading.Lock()
        self.job: TrainingJob | None = None

    # ---- models
    def shipped(self) -> list[str]:
        return [a for a in ARCHS if (PRETRAINED / a / "config.json").is_file()]

    def choices(self) -> list[str]:
        """Shipped models by name, then the user's runs that can answer, newest first."""
        runs = [r["path"] for r in list_runs(self.models_dir) if r["answers"]] if self.models_dir.is_dir() else []
        return self.shipped() + runs

    def model(self, name: str) -> Completer:
        with self._lock:
            if name not in self._loaded:
                self._loaded[name] = load(name, models_dir=self.models_dir)
            return self._loaded[name]

    # ---- Complete
    def answers(self, prefix: str, names: list[str], lang: str = "en") -> tuple[list[list[str]], str]:
        """Rows (model, answer, right?) for the solver and each model, and an error line
        (empty when the prefix is fine). A bad prefix gives the CLI's one-line error."""
        try:
            truth = solve(prefix, FOUR_KINDS)
        except (ValueError, TypeError) as e:
            return [], f"error: {e}"
        yes, no = say("yes", lang), say("no", lang)
        rows = [[say("solver", lang), truth, yes]]
        for name in names:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RangeWarning)  # shown beside the inspected model
                    (answer,) = self.model(name).complete([prefix])
                rows.append([Path(name).name, answer, yes if answer == truth else no])
            except (ValueError, TypeError) as e:  # e.g. a kind of bracket this model never read
                rows.append([Path(name).name, f"({e})", no])
        return rows, ""

    def inspect(self, prefix: str, name: str, lang: str = "en"):
        """(probabilities figure, inside figure, warning line) for one model and prefix; the
        warning is the CLI's own, word for word."""
        if not prefix.strip() or not name:
            return None, None, ""
        try:
            completer = self.model(name)
            seen = completer.inspect(prefix)
            clean = completer.check([prefix])[0]
        except (ValueError, TypeError) as e:
            return None, None, f"error: {e}"
        why = completer.beyond_range(clean)
        warning = f"warning: {completer.range_message(why)}" if why else ""
        tokens = completer.vocab.tokens
        return probs_figure(seen, tokens, lang), inside_figure(seen, tokens, lang), warning

    # ---- Data
    @staticmethod
    def draw(dist: str, n: int, seed: int) -> list[list[str]]:
        spec = DISTS[dist]
        rng = random.Random(f"app/{dist}/{seed}")
        return [[ex.prefix, ex.answer] for ex in (spec.sample(rng, spec.vocab) for _ in range(max(1, min(int(n), 200))))]

    @staticmethod
    def original(n: int = 12, seed: int = 0) -> tuple[list[list[str]], float]:
        """Examples the original's generator labels wrongly, beside the truth, and how often."""
        rng, wrong = random.Random(seed), []
        for _ in range(100_000):
            prefix, label = sample_seed_original(rng)
            if label != (truth := solve(prefix)):
                wrong.append([prefix, label, truth])
                if len(wrong) == n:
                    break
        return wrong, seed_label_error_rate(20_000, seed)

    # ---- Compare
    def leaderboard(self) -> list[list]:
        """The committed leaderboard (``pretrained.json`` in the results folder): model, params,
        then exact match in percent on each suite of ``data.BOARD``."""
        path = self.results_dir / "pretrained.json" if self.results_dir else None
        if path is None or not path.is_file():
            return []
        pct = lambda v: "" if v is None else f"{100 * (v['exact_match'] if isinstance(v, dict) else v):.2f}"  # noqa: E731
        return [[arch, r.get("params"), *[pct(r.get(s)) for s in BOARD]]
                for arch, r in json.loads(path.read_text()).get("models", {}).items()]

    def result_figures(self) -> list[str]:
        return [str(p) for p in sorted(self.results_dir.glob("*.png"))] if self.results_dir and self.results_dir.is_dir() else []

    def comparisons(self) -> tuple[str, list[str]]:
        """The user's last three ``compare`` runs: their leaderboards as text, and their figures."""
        boards = sorted(self.models_dir.glob("compare_*/leaderboard.json"), reverse=True)[:3]
        if not boards:
            return "", []
        from ..compare import leaderboard_text

        text = "\n\n".join(f"{b.parent.name}\n{leaderboard_text(json.loads(b.read_text()))}" for b in boards)
        return text, [str(p) for b in boards for p in sorted(b.parent.glob("*.png"))]

    # ---- Train
    def start_training(self, arch: str, dist: str, budget: str, steps, lang: str = "en") -> str:
        """Start a training in the background; the status line (or why it did not start)."""
        if self.job is not None and self.job.running:
            return say("busy", lang)
        try:
            if budget not in APP_BUDGETS:
                raise ValueError(say("bad_budget", lang, choices=", ".join(APP_BUDGETS)))
            by_steps, n = budget == "steps", int(steps or 0)
            if by_steps and not 1 <= n <= 100_000:
                raise ValueError(say("bad_steps", lang, steps=steps))
            # one thread: the page (and the models answering on it) keep the other core
            cfg = TrainConfig(arch=arch, dist=dist, steps=n if by_steps else None, time=None if by_steps else budget,
                              eval_every=max(1, min(200, n // 4)) if by_steps else 100, threads=1)
        except (ValueError, TypeError) as e:
            return say("failed", lang, error=e)
        self.job = TrainingJob(cfg, self.models_dir).start()
        return say("running", lang, arch=arch, dist=dist, step=0, loss="-")

    def stop_training(self) -> None:
        if self.job is not None:
            self.job.stop()

    def training_status(self, lang: str = "en") -> str:
        job = self.job
        if job is None:
            return say("idle", lang)
        if job.running:
            loss = f"{job.losses[-1]:.4f}" if job.losses else "-"
            return say("running", lang, arch=job.cfg.arch, dist=job.cfg.dist, step=job.steps[-1] if job.steps else 0,
                       loss=loss)
        if job.error:
            return say("failed", lang, error=job.error)
        return say("stopped" if job.stopped else "finished", lang, run=job.run)

    def newly_finished(self) -> Path | None:
        """The run of a training that ended since the last call, once: the page adds it to its model lists."""
        job = self.job
        if job is None or job.running or job.run is None or job.listed:
            return None
        job.listed = True
        return job.run


class TrainingJob:
    """A training run in a background thread, with what the page draws: every step's loss and
    every validation. ``stop()`` saves it as Ctrl-C does. Torch's thread count (which the
    training sets for itself) is put back as the job found it."""

    def __init__(self, cfg: TrainConfig, models_dir: Path):
        self.cfg, self.models_dir = cfg, models_dir
        self.steps: list[int] = []
        self.losses: list[float] = []
        self.validations: list[tuple[int, float]] = []
        self.run: Path | None = None
        self.error: str | None = None
        self.stopped = False
        self.listed = False  # whether the page has added the finished run to its model lists
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._work, daemon=True)

    def start(self) -> TrainingJob:
        self.thread.start()
        return self

    def _work(self) -> None:
        def observe(progress) -> bool:  # after every step; True stops the run (the Stop button)
            self.steps.append(progress.step)
            self.losses.append(progress.loss)
            if progress.validation is not None:
                self.validations.append((progress.step, progress.validation["val_exact_match"]))
            return self._stop.is_set()

        try:
            self.run = train(self.cfg, models_dir=self.models_dir, progress=False, observe=observe)
        except Interrupted as e:
            self.run, self.stopped = e.run_dir, True
        except Exception as e:  # shown on the page; the page keeps working
            self.error = str(e)

    def stop(self) -> None:
        self._stop.set()

    @property
    def running(self) -> bool:
        return self.thread.is_alive()
