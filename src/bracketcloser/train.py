"""One training loop for every architecture. Nothing in it is specific to any of them.

    run_dir = train(TrainConfig(arch="gpt", time="1min"))

It draws batches from a seeded stream (or a fixed set), optimises with AdamW under warm-up
and cosine decay, clips gradients, validates every ``eval_every`` steps on held-out
prefixes, keeps the best weights by validation exact match plus a full checkpoint of the
latest state, and logs to CSV, TensorBoard and a PNG plot.

Resuming is exact because nothing the loop needs lives only in memory: batch ``i`` is drawn
from its own RNG seeded by ``(seed, i)``, the learning rate is a function of progress, and
the checkpoint holds weights, optimizer, torch's RNG, the step, the elapsed time and the
history. Ctrl-C finishes the current step, saves, and raises ``Interrupted``.
"""

from __future__ import annotations

import functools
import itertools
import math
import random
import re
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import torch

from .architectures import DEFAULT_ARCH, IGNORE, TRAIN_DEFAULTS, build, model_config, training_overrides
from .batch import LOSS_ON, stream_batch
from .data import CURRICULUM, DISTS, SAMPLERS, TRAIN_DISTS, Example, generate, in_split
from .inference import Completer, pick_device
from .run_folder import RunFolder
from .settings import check_types, machine_memory, search_space, searched
from .tokens import Vocab

BUDGETS = {"1min": 60, "10min": 600, "1hour": 3600, "6hours": 6 * 3600, "12hours": 12 * 3600,
           "24hours": 24 * 3600, "2days": 48 * 3600}  # the original's names
_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "hours": 3600, "d": 86400, "day": 86400,
          "days": 86400}


def budget_seconds(budget: str) -> int:
    """A wall-clock budget in seconds: one of the original's names (``1min``, ``6hours``, ...)
    or any duration written as numbers with units, ``30s``, ``5min``, ``1h30m``."""
    if budget in BUDGETS:
        return BUDGETS[budget]
    parts = re.fullmatch(r"(?:\d+(?:s|sec|m|min|h|hours?|d|days?))+", str(budget).strip())
    seconds = sum(int(n) * _UNITS[unit] for n, unit in re.findall(r"(\d+)([a-z]+)", str(budget))) if parts else 0
    if seconds < 1:
        raise ValueError(f"unknown time budget {budget!r}: a duration such as 30s, 5min or 1h30m, or one of "
                         f"{', '.join(BUDGETS)}")
    return seconds


VALID_CHUNK = 128  # examples per validation forward pass

# the training settings every architecture shares unless it has its own: both live in the
# registry (``architectures.TRAIN_DEFAULTS`` and ``TRAINING``); TrainConfig's fields for them
# default to None, "not chosen"


def training_defaults(arch: str, dist: str | None = None) -> dict:
    """The training settings ``arch`` gets when none are given: the common ones with the
    registry's overrides for it (a curriculum only on a distribution with lengths to grow)."""
    out = {**TRAIN_DEFAULTS, **training_overrides(arch)}
    if dist is not None and dist not in CURRICULUM:
        out["curriculum"] = 0.0
    return out


class Interrupted(Exception):
    """Training stopped by Ctrl-C (or a callback) after saving; ``run_dir`` resumes it."""

    def __init__(self, run_dir: Path, step: int):
        super().__init__(f"interrupted at step {step}")
        self.run_dir, self.step = run_dir, step


@dataclass
class TrainConfig:
    arch: str = DEFAULT_ARCH
    dist: str = "seed"  # training distribution: seed, dyck or general
    time: str | None = "1min"  # wall-clock budget: a duration (30s, 5min, 1h30m) or one of BUDGETS (unless steps is set)
    steps: int | None = None  # step budget instead of a time budget
    samples: int | None = None  # a fixed training set of this many examples, else a fresh stream
    # searched by `bracketcloser tune` within these ranges
    # None: the architecture's own default (``training_defaults(arch)``, from the registry)
    batch_size: int | None = searched(None, choices=[16, 32, 64, 128])
    lr: float | None = searched(None, low=3e-4, high=1e-2, log=True)
    min_lr: float = 1e-4
    warmup_steps: int | None = searched(None, choices=[0, 50, 200])
    weight_decay: float | None = searched(None, choices=[0.0, 0.01, 0.1])
    beta2: float = 0.999  # AdamW's second-moment decay
    grad_clip: float = 1.0
    loss_on: str = "answer"  # score the answer, also the prefix's closers ("closers"), or the whole stream ("all")
    # dyck and general: the longest prefix grows (10 -> 40 brackets, 20 -> 100) over this
    # fraction of the budget (0: no curriculum, every length from the start)
    curriculum: float | None = searched(None, low=0.0, high=0.8)
    # general: this share of the examples from runs of one kind (``data.sample_runs``), the
    # rest from the mixture as before (0: exactly the mixture the first general models had)
    runs: float = 0.0
    # general: this share of the examples with an answer of ``deep_from``..30 closers
    # (``data.sample_deep_answer``: depth balance), the rest from the mixture as before
    deep: float = 0.0
    deep_from: int = 15
    # length bucketing: draw this many batches at once, sort them by stream length, cut and
    # shuffle, so that a batch holds streams of similar length (1: every batch drawn alone)
    bucket: int | None = None
    seed: int = 0
    eval_every: int = 200  # steps between validations (and checkpoints)
    val_samples: int = 500
    # validate on another sampler of the same range (``--dist general``: shapes, walks or
    # strings), for a curve of how fast a model learns it; None: the training distribution
    val_dist: str | None = None
    device: str = "auto"
    # torch CPU threads. One: the default models' matrices are too small for a second thread to
    # pay (on 2 cores a minute on `seed` held as many steps either way), a second thread that
    # must wait for a busy core makes every step many times slower, and two trainings side by
    # side do more in all than one on two threads. Alone on a quiet machine the recipes' wider
    # models step 1.5-1.7x as fast on two (bench/results/train_threads.json): set 2 there.
    threads: int | None = None
    extra_pairs: tuple[str, ...] = ()  # bracket pairs beyond ()[]{}
    model: dict = field(default_factory=dict)  # overrides of the architecture's config

    def __post_init__(self):
        if isinstance(self.extra_pairs, list):  # from JSON
            self.extra_pairs = tuple(self.extra_pairs)
        for name, value in training_defaults(self.arch, self.dist).items():  # fill what was not set
            if getattr(self, name) is None:
                setattr(self, name, value)
        check_types(self, TRAIN_DEFAULTS)
        own = {f.name for f in fields(self)} - {"model"}
        model_fields = {f.name for f in fields(type(model_config(self.arch)))} - {"vocab_size"}  # set by the data
        unknown = sorted(set(self.model) - model_fields)
        if unknown:
            raise ValueError(f"unknown setting(s) {', '.join(unknown)} (training settings: {', '.join(sorted(own))}; "
                             f"{self.arch} settings: {', '.join(sorted(model_fields))})")
        if self.loss_on not in LOSS_ON:
            raise ValueError(f"unknown loss_on {self.loss_on!r} (choose from {', '.join(LOSS_ON)})")
        if not 0 <= self.curriculum <= 1:
            raise ValueError(f"curriculum must be a fraction of the budget between 0 and 1, got {self.curriculum}")
        if self.curriculum and self.dist not in CURRICULUM:
            raise ValueError(f"curriculum applies to --dist {' or '.join(CURRICULUM)} only")
        if not 0 <= self.runs < 1:
            raise ValueError(f"runs must be a share of the examples, at least 0 and below 1, got {self.runs}")
        if self.runs and self.dist != "general":
            raise ValueError("runs applies to --dist general only")
        if not 0 <= self.deep < 1 or self.runs + self.deep >= 1:
            raise ValueError(f"deep must be a share of the examples, at least 0 and below 1 with runs, got {self.deep}")
        if self.deep and self.dist != "general":
            raise ValueError("deep applies to --dist general only")
        if not isinstance(self.deep_from, int) or not 1 <= self.deep_from <= DISTS["general"].range.answer:
            raise ValueError(f"deep_from must be a whole number of closers from 1 to "
                             f"{DISTS['general'].range.answer}, got {self.deep_from!r}")
        for name in ("lr", "min_lr", "weight_decay", "grad_clip"):
            if getattr(self, name) < 0 or (name == "lr" and self.lr == 0):
                raise ValueError(f"{name} must be {'positive' if name == 'lr' else 'zero or more'}, got {getattr(self, name)}")
        if self.dist not in TRAIN_DISTS:
            raise ValueError(f"unknown distribution {self.dist!r} (choose from {', '.join(TRAIN_DISTS)})")
        same_range = [n for n, d in DISTS.items() if d.range == DISTS[self.dist].range and d.vocab == DISTS[self.dist].vocab]
        if self.val_dist is not None and self.val_dist not in same_range:
            raise ValueError(f"val_dist must sample the training range of {self.dist}: one of {', '.join(same_range)}, "
                             f"got {self.val_dist!r}")
        if self.steps is None:
            budget_seconds(self.time)  # a clear error for a budget that is no duration
        for name in ("steps", "samples", "batch_size", "bucket", "eval_every", "val_samples", "threads"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ValueError(f"{name} must be a positive whole number, got {value!r}")
        self._check_model_fits()

    def _check_model_fits(self) -> None:
        """Build the model on the meta device (no memory): it must read the distribution's
        longest stream, and its training state must fit in half this machine's memory."""
        with torch.device("meta"):
            model = build(self.arch, vocab_size=train_vocab(self).size, **self.model)
        r = DISTS[self.dist].range
        if not model.can_read(r.length, r.answer):
            raise ValueError(f"max_len {model.max_len} is too short for '{self.dist}' (prefixes of up to {r.length} "
                             f"brackets with answers of up to {r.answer}: set max_len to at least {r.length + r.answer + 3})")
        need, have = 16 * model.num_params(), machine_memory()  # float32 weights, gradients, AdamW's two moments
        if need > have // 2:
            raise ValueError(f"{self.arch} at these sizes has {model.num_params():,} parameters, ~{need / 2**30:.1f} GiB to "
                             f"train, more than half of this machine's {have / 2**30:.0f} GiB: choose a smaller n_embd, "
                             "n_hidden or n_layer")

    @classmethod
    def from_dict(cls, d: dict) -> TrainConfig:
        """Flat or nested settings: keys of TrainConfig, plus any model config field."""
        own = {f.name for f in fields(cls)}
        train = {k: v for k, v in d.items() if k in own}
        model = {**train.pop("model", {}), **{k: v for k, v in d.items() if k not in own}}
        return cls(**train, model=model)


def tunable(arch: str, dist: str) -> dict[str, dict]:
    """What ``bracketcloser tune`` searches for ``arch`` on ``dist`` by default: the ranges
    declared on TrainConfig's fields and on the architecture's config (curriculum only where
    the distribution has lengths to grow)."""
    space = {**search_space(TrainConfig), **search_space(type(model_config(arch)))}
    if dist not in CURRICULUM:
        space.pop("curriculum")
    return space


def train_vocab(cfg: TrainConfig) -> Vocab:
    """The distribution's brackets plus any extra pairs asked for (``general`` reads four kinds)."""
    own = DISTS[cfg.dist].vocab.extra_pairs
    return Vocab(own + tuple(p for p in cfg.extra_pairs if p not in own))


def lr_at(cfg: TrainConfig, step: int, progress: float) -> float:
    """Linear warm-up over ``warmup_steps``, then cosine decay to ``min_lr`` as progress -> 1."""
    if step < cfg.warmup_steps:
        return cfg.lr * (step + 1) / cfg.warmup_steps
    return cfg.min_lr + 0.5 * (cfg.lr - cfg.min_lr) * (1 + math.cos(math.pi * min(progress, 1.0)))


def _draw(cfg: TrainConfig, rng: random.Random, n: int, vocab: Vocab, fixed: list[Example] | None,
          progress: float) -> list[Example]:
    """``n`` training examples from ``rng``: from the fixed set, or fresh ``train`` prefixes
    (no longer than the curriculum allows at ``progress``)."""
    if fixed is not None:
        return [fixed[rng.randrange(len(fixed))] for _ in range(n)]
    sample = SAMPLERS[cfg.dist]
    if cfg.runs:
        sample = functools.partial(sample, runs=cfg.runs)
    if cfg.deep:
        sample = functools.partial(sample, deep=cfg.deep, deep_from=cfg.deep_from)
    if cfg.curriculum:  # a distribution with a length range (checked in TrainConfig)
        shortest, longest = CURRICULUM[cfg.dist]
        grown = min(1.0, progress / cfg.curriculum)
        sample = functools.partial(sample, max_length=shortest + round((longest - shortest) * grown))
    return list(itertools.islice(in_split(sample, rng, vocab, "train"), n))


def batch_pool(cfg: TrainConfig, pool: int, vocab: Vocab, fixed: list[Example] | None,
               progress: float = 1.0) -> list[list[Example]]:
    """The ``cfg.bucket`` batches of pool number ``pool`` (steps ``pool * bucket`` onwards),
    a function of (seed, pool) and the progress when the pool was drawn, so that a resumed run
    sees the same data. A pool's examples are sorted by stream length and cut into batches
    whose order is then shuffled: each batch holds streams of similar length, so little of it
    is padding, while the order of lengths over training stays random."""
    if cfg.bucket == 1:  # one batch per draw, in the order drawn (as before bucketing existed)
        return [_draw(cfg, random.Random(f"train/{cfg.dist}/{cfg.seed}/{pool}"), cfg.batch_size, vocab, fixed, progress)]
    rng = random.Random(f"train/{cfg.dist}/{cfg.seed}/pool{cfg.bucket}/{pool}")
    examples = sorted(_draw(cfg, rng, cfg.bucket * cfg.batch_size, vocab, fixed, progress),
                      key=lambda ex: len(ex.prefix) + len(ex.answer))
    batches = [examples[i : i + cfg.batch_size] for i in range(0, len(examples), cfg.batch_size)]
    rng.shuffle(batches)
    return batches


def batch_examples(cfg: TrainConfig, step: int, vocab: Vocab, fixed: list[Example] | None,
                   progress: float = 1.0) -> list[Example]:
    """Batch number ``step``, drawn with its pool (``progress``: how far the run had got when
    the pool's first step began)."""
    return batch_pool(cfg, step // cfg.bucket, vocab, fixed, progress)[step % cfg.bucket]


@torch.no_grad()
def validate(model, examples: list[Example], vocab: Vocab, cfg: TrainConfig, device) -> tuple[float, float]:
    """Validation loss (teacher forcing) and exact match (greedy decoding)."""
    model.eval()
    total = count = 0.0
    by_length = sorted(examples, key=lambda ex: len(ex.prefix) + len(ex.answer))  # little padding per chunk
    for start in range(0, len(by_length), VALID_CHUNK):  # in chunks: BERT reads one row per answer token
        idx, targets = stream_batch(by_length[start : start + VALID_CHUNK], vocab, cfg.loss_on, device)
        _, loss = model(idx, targets)
        scored = int((targets != IGNORE).sum())
        total, count = total + loss.item() * scored, count + scored
    answers = Completer(model, vocab).complete([ex.prefix for ex in examples])
    model.train()
    return total / max(count, 1), sum(a == ex.answer for a, ex in zip(answers, examples, strict=True)) / len(examples)


@dataclass
class Progress:
    """What ``train()`` tells its observer after every step."""

    step: int
    loss: float
    validation: dict | None = None  # the history row, at a step that validated (and saved)


def train(cfg: TrainConfig | None = None, models_dir: str | Path = "models", resume: str | Path | None = None,
          progress: bool = True, argv: list[str] | None = None,
          observe: Callable[[Progress], bool | None] | None = None) -> Path:
    """Train (or resume) a run and return its folder.

    ``observe(p)`` is called after every step with a ``Progress``; returning True stops the
    run as Ctrl-C does: the state is saved and ``Interrupted`` raised (``resume`` continues
    it). The process's torch thread count and random state are left as they were found."""
    threads = torch.get_num_threads()
    try:
        with torch.random.fork_rng(devices=[]):
            return Training(cfg, models_dir, resume, argv).run(progress, observe)
    finally:
        torch.set_num_threads(threads)


class Training:
    """One run under way: model, optimizer, data and the run folder they are saved to."""

    def __init__(self, cfg: TrainConfig | None, models_dir, resume, argv):
        if resume is not None:
            self.folder, saved = RunFolder.reopen(resume, argv)
            cfg = TrainConfig.from_dict(saved["train"])
        self.cfg = cfg = cfg or TrainConfig()
        self.device = pick_device(cfg.device)
        torch.set_num_threads(cfg.threads or 1)
        torch.manual_seed(cfg.seed)
        self.vocab = train_vocab(cfg)
        # a resumed run rebuilds the model it saved
        model_cfg = saved["model"] if resume is not None else {"vocab_size": self.vocab.size, **cfg.model}
        self.model = build(cfg.arch, **model_cfg).to(self.device)
        # fused: one kernel updates every parameter (5-10% faster per step on these small models)
        self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=cfg.lr, betas=(0.9, cfg.beta2),
                                           weight_decay=cfg.weight_decay, fused=self.device.type in ("cpu", "cuda"))
        self.fixed = generate(cfg.dist, cfg.samples, cfg.seed, "train", self.vocab) if cfg.samples else None
        self.valid = generate(cfg.val_dist or cfg.dist, cfg.val_samples, cfg.seed, "valid", self.vocab)
        self.fresh = resume is None
        if self.fresh:
            self.state = {"step": 0, "elapsed": 0.0, "best": -1.0, "best_loss": math.inf, "best_step": 0, "history": []}
            self.folder = self._create(models_dir, argv)
        else:
            self.folder.device = self.device
            self.state = self.folder.load(self.model, self.optimizer)
            if self.state["step"] == 0:
                print(f"{self.folder.path}: stopped before its first checkpoint; training restarts from step 0", file=sys.stderr)
        self.losses: list[float] = []
        self.drawn: dict = {}

    def _create(self, models_dir, argv) -> RunFolder:
        cfg = self.cfg
        minutes = budget_seconds(cfg.time) // 60 if cfg.steps is None else 0
        config = {"arch": cfg.arch, "model": asdict(self.model.cfg), "vocab": self.vocab.to_dict(),
                  "params": self.model.num_params(),
                  "data": {"dist": cfg.dist, "samples": cfg.samples, "seed": cfg.seed,
                           "range": DISTS[cfg.dist].range._asdict(),  # what it trained on, for warnings
                           "fixed_dataset": "dataset" if self.fixed else None},
                  "train": asdict(cfg)}
        folder = RunFolder.create(models_dir, f"{cfg.arch}_{RunFolder.stamp()}_{minutes}m", config, argv, self.device)
        try:
            if self.fixed:
                folder.write_dataset(self.fixed, self.vocab)
            # a checkpoint at step 0, so that a run killed before its first validation resumes
            folder.save(self.model, self.optimizer, self.state, cfg)
        except BaseException:
            folder.remove()
            raise
        return folder

    def progress(self) -> float:
        """How far the run has got, 0..1, by steps or by time."""
        cfg, state = self.cfg, self.state
        return state["step"] / cfg.steps if cfg.steps else state["elapsed"] / budget_seconds(cfg.time)

    def done(self) -> bool:
        return self.progress() >= 1

    def step(self) -> float:
        """One optimisation step on the next batch; returns its loss."""
        cfg, state, prog = self.cfg, self.state, self.progress()
        for group in self.optimizer.param_groups:
            group["lr"] = lr_at(cfg, state["step"], prog)
        pool, offset = divmod(state["step"], cfg.bucket)
        if offset == 0 or pool != self.drawn.get("pool"):  # a new pool (or the first after a resume)
            if offset == 0:
                state["pool_progress"] = prog  # saved, so a resumed run draws the same pool
            self.drawn = {"pool": pool,
                          "batches": batch_pool(cfg, pool, self.vocab, self.fixed, state.get("pool_progress", prog))}
        idx, targets = stream_batch(self.drawn["batches"][offset], self.vocab, cfg.loss_on, self.device)
        _, loss = self.model(idx, targets)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), cfg.grad_clip)
        self.optimizer.step()
        state["step"] += 1
        return loss.item()

    def validate_and_save(self, finished: bool = False) -> dict:
        """Validate, keep the best weights, and save the checkpoint, history and info."""
        state = self.state
        val_loss, val_em = validate(self.model, self.valid, self.vocab, self.cfg, self.device)
        row = {"step": state["step"], "elapsed_s": round(state["elapsed"], 2), "lr": self.optimizer.param_groups[0]["lr"],
               "train_loss": sum(self.losses) / max(len(self.losses), 1), "val_loss": val_loss, "val_exact_match": val_em}
        self.losses.clear()
        state["history"].append(row)
        # best by exact match; between equal scores (often 1.0 late in a run) the lower loss
        if (val_em, -val_loss) > (state["best"], -state["best_loss"]):
            state["best"], state["best_loss"], state["best_step"] = val_em, val_loss, state["step"]
            self.folder.save_best(self.model)
        self.folder.save(self.model, self.optimizer, state, self.cfg, finished)
        self.folder.log(row)
        return row

    def validated_last(self) -> bool:
        return bool(self.state["history"]) and self.state["history"][-1]["step"] == self.state["step"]

    def run(self, progress: bool, observe) -> Path:
        cfg, state = self.cfg, self.state
        self.folder.open_log(state["step"])
        bar = _progress_bar(cfg, state, progress)
        started = time.perf_counter() - state["elapsed"]
        self.model.train()
        try:
            with CtrlC() as ctrl_c:
                while not self.done() and not ctrl_c.pressed:
                    loss = self.step()
                    self.losses.append(loss)
                    now = time.perf_counter() - started
                    bar.update(1 if cfg.steps else int(now) - int(state["elapsed"]))
                    state["elapsed"] = now
                    row = self.validate_and_save() if state["step"] % cfg.eval_every == 0 else None
                    if row:
                        bar.set_postfix(val_loss=f"{row['val_loss']:.4f}", val_em=f"{row['val_exact_match']:.3f}")
                    if observe is not None and observe(Progress(state["step"], loss, row)):
                        ctrl_c.pressed = True
            if ctrl_c.pressed:
                raise KeyboardInterrupt
            if self.validated_last():
                self.folder.write_info(cfg, state, finished=True)
            else:
                self.validate_and_save(finished=True)
            self.folder.plot(state["history"], cfg.arch, cfg.val_samples)
        except KeyboardInterrupt:
            if not self.validated_last():
                self.validate_and_save()
            self.folder.plot(state["history"], cfg.arch, cfg.val_samples)
            raise Interrupted(self.folder.path, state["step"]) from None
        except Exception:
            if self.fresh and not state["history"]:  # failed before anything was worth keeping
                self.folder.remove()
            raise
        finally:
            bar.close()
            self.folder.close()
        return self.folder.path


def _progress_bar(cfg: TrainConfig, state: dict, show: bool):
    from tqdm import tqdm

    unit = "steps" if cfg.steps else "s"  # the bar counts steps, or seconds of a time budget
    return tqdm(total=cfg.steps or budget_seconds(cfg.time), initial=state["step"] if cfg.steps else int(state["elapsed"]),
                disable=not show, desc=cfg.arch, dynamic_ncols=True, mininterval=0.5,
                bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} " + unit + " [{elapsed}<{remaining}{postfix}]")


class CtrlC:
    """Ctrl-C ends the current step instead of the process (in the main thread; elsewhere,
    e.g. the app's training thread, the observer stops a run)."""

    def __enter__(self) -> CtrlC:
        self.pressed, self.previous = False, None
        if sys.platform != "win32" and threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, lambda *_: setattr(self, "pressed", True))
        return self

    def __exit__(self, *exc) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
