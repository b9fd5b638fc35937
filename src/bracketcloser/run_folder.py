"""A training run's folder: what ``train()`` writes while it runs, and reads back to resume.

    models/<arch>_<YYYYMMDD>_<HHMMSS>_<minutes>m/
        config.json              architecture, model config, vocabulary, data and training settings
        best.safetensors         the weights with the best validation exact match so far
        checkpoint.safetensors   the latest state (weights, optimizer, RNG, step, history)
        training_info.json       command lines, seed, steps, time, best score, versions, the CPU
        history.csv, training_history.png, tensorboard/   what happened during training
        dataset/                 the training set, when it was a fixed one (--samples)

Every file is written atomically, so a run killed at any moment resumes from its last
checkpoint. The training loop holds one ``RunFolder`` and never touches a path itself.
"""

from __future__ import annotations

import csv
import io
import platform
import shlex
import shutil
from datetime import datetime
from pathlib import Path

import torch

from . import __version__
from .checkpoint import BEST, CHECKPOINT, CONFIG, INFO, load_checkpoint, read_config, save_checkpoint, save_weights
from .files import atomic_write_bytes, atomic_write_json, atomic_write_text, read_json, write_dataset
from .plots import error_axis, error_rate, png_bytes

HISTORY = "history.csv"


def read_history(run: str | Path) -> list[dict]:
    """A run's history.csv (``run``: the run folder, or a copy of the file itself) as rows of
    numbers, one per validation: ``step`` a whole number, the rest floats."""
    path = Path(run) if Path(run).is_file() else Path(run) / HISTORY
    with path.open() as f:
        return [{k: float(v) if k != "step" else int(v) for k, v in row.items()} for row in csv.DictReader(f)]



def cpu_identity() -> dict:
    """The CPU a run computed on: its model and the instruction set torch's kernels use there.
    Training is deterministic on one kind of CPU (the resume test holds it bit-identical); on
    another, the same sums are added in another order, and training grows the last bits of
    difference into another model of the same recipe (RECORD.md, "A recipe on another CPU")."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:  # not Linux: the platform's own name
        pass
    return {"model": model, "capability": torch.backends.cpu.get_cpu_capability()}


class RunFolder:
    def __init__(self, path: Path, argv: list[str] | None, device):
        self.path, self.argv, self.device = Path(path), argv, device
        self._tensorboard = None

    @classmethod
    def create(cls, models_dir: str | Path, name: str, config: dict, argv, device) -> RunFolder:
        """A new folder ``<models_dir>/<name>`` (``_2``, ``_3``... if taken) with its config."""
        path = Path(models_dir) / name
        n = 1
        while path.exists():  # two runs in the same second
            n += 1
            path = Path(models_dir) / f"{name}_{n}"
        try:
            path.mkdir(parents=True)
        except OSError as e:
            raise ValueError(f"cannot create run folder {path}: {e.strerror}") from None
        folder = cls(path, argv, device)
        try:
            atomic_write_json(path / CONFIG, {**config, "created": datetime.now().isoformat(timespec="seconds")})
        except BaseException:
            folder.remove()
            raise
        return folder

    @staticmethod
    def stamp() -> str:
        return datetime.now().strftime("%Y%m%d_%H%M%S")

    @classmethod
    def reopen(cls, path: str | Path, argv, device=None) -> tuple[RunFolder, dict]:
        """An existing run to resume, and its config."""
        path = Path(path)
        config = read_config(path)
        if not (path / CHECKPOINT).is_file():
            raise ValueError(f"{path / CHECKPOINT}: missing, cannot resume")
        return cls(path, argv, device), config

    def remove(self) -> None:
        """A failed start leaves nothing behind."""
        self.close()
        shutil.rmtree(self.path, ignore_errors=True)

    def write_dataset(self, examples, vocab) -> None:
        write_dataset(self.path / "dataset", examples, vocab, name="train")

    # ---- state -------------------------------------------------------------------------

    def save(self, model, optimizer, state: dict, cfg, finished: bool = False) -> None:
        """The checkpoint, the history and training_info.json, as of ``state``."""
        save_checkpoint(self.path / CHECKPOINT, model, optimizer, state)
        if state["history"]:
            self._write_history(state["history"])
        self.write_info(cfg, state, finished)

    def load(self, model, optimizer) -> dict:
        state = load_checkpoint(self.path / CHECKPOINT, model, optimizer)
        state.setdefault("best_loss", float("inf"))  # checkpoints written before it was kept
        return state

    def save_best(self, model) -> None:
        save_weights(self.path / BEST, model)

    def open_log(self, step: int) -> None:
        """TensorBoard from ``step`` on (anything a killed run logged after it is dropped)."""
        from torch.utils.tensorboard import SummaryWriter

        self._tensorboard = SummaryWriter(str(self.path / "tensorboard"), purge_step=step or None)

    def log(self, row: dict) -> None:
        """One validation's numbers to TensorBoard (which shows them while the run goes on)."""
        for key in ("train_loss", "val_loss", "val_exact_match", "lr"):
            self._tensorboard.add_scalar(key, row[key], row["step"])
        self._tensorboard.flush()

    def close(self) -> None:
        if self._tensorboard is not None:
            self._tensorboard.close()
            self._tensorboard = None

    def _write_history(self, history: list[dict]) -> None:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(history[0]))
        writer.writeheader()
        writer.writerows(history)
        atomic_write_text(self.path / HISTORY, buf.getvalue())

    def write_info(self, cfg, state: dict, finished: bool) -> None:
        previous = read_json(self.path / INFO) if (self.path / INFO).is_file() else {}
        commands = previous.get("command_lines", [])
        command = shlex.join(self.argv) if self.argv is not None else "bracketcloser.train.train()"
        if not commands or commands[-1] != command:
            commands.append(command)
        history = state["history"]
        atomic_write_json(self.path / INFO, {
            "command_lines": commands, "seed": cfg.seed, "steps": state["step"],
            "train_time_s": round(state["elapsed"], 2), "examples_seen": state["step"] * cfg.batch_size,
            "best_val_exact_match": state["best"], "best_step": state["best_step"],
            "final_val_exact_match": history[-1]["val_exact_match"] if history else None,
            "val_samples": cfg.val_samples, "finished": finished, "device": str(self.device), "cpu": cpu_identity(),
            "versions": {"bracketcloser": __version__, "torch": torch.__version__, "python": platform.python_version()},
        })

    def plot(self, history: list[dict], arch: str, val_samples: int) -> None:
        """training_history.png, drawn once when the run stops: drawing it at every validation
        took about half a second each, time a 1-minute budget would lose to plotting."""
        if history:
            atomic_write_bytes(self.path / "training_history.png", history_png(history, arch, val_samples))


def history_png(history: list[dict], arch: str, val_samples: int) -> bytes:
    """Loss (train and validation) and the validation error rate (log: 1% and 0.1% apart)
    against the step."""
    from matplotlib.figure import Figure  # no pyplot: nothing global changes

    steps = [h["step"] for h in history]
    fig = Figure(figsize=(10, 4))
    ax1, ax2 = fig.subplots(1, 2)
    ax1.plot(steps, [h["train_loss"] for h in history], label="train")
    ax1.plot(steps, [h["val_loss"] for h in history], label="validation")
    ax1.set(xlabel="step", ylabel="loss (answer tokens)", yscale="log", title=f"{arch}: loss")
    ax1.legend()
    ax2.plot(steps, [error_rate(h["val_exact_match"], val_samples) for h in history], color="tab:green")
    error_axis(ax2, "validation error rate (1 - exact match)", val_samples)
    ax2.set(xlabel="step", title=f"{arch}: validation error rate")
    ax2.grid(alpha=0.3)
    fig.tight_layout()
    return png_bytes(fig)
