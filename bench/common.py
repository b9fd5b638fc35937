"""Helpers shared by the benchmarks: which models to measure, the machine they ran on, and the
one way a result is written (``write_result``): with the provenance that says what made it.

Every results file under ``bench/results/`` carries a ``provenance`` block: the commit and
date, Python, torch and package versions, the machine, the exact command that re-makes *that
file*, and the SHA-256 of the weights of every model it measured. ``tests/test_results.py``
reads it: a current result whose shipped model has since been retrained is stale, and the
test names the file and the command that re-makes it.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

import bracketcloser as bc
from bracketcloser.architectures import ARCHS
from bracketcloser.inference import PRETRAINED
from bracketcloser.run_folder import cpu_identity
from bracketcloser.train import TrainConfig, train


def machine() -> dict:
    """The machine a result was measured on; ``load`` (the 1-minute load average when it was
    written) says whether it was quiet: speeds measured beside a training are slower, though
    ratios measured in one run still compare like with like."""
    return {"python": platform.python_version(), "torch": torch.__version__, "cpus": os.cpu_count(),
            "threads": torch.get_num_threads(), "processor": platform.processor() or platform.machine(),
            "cpu": cpu_identity(), "load": round(os.getloadavg()[0], 2)}


def command() -> str:
    """The command line that ran this script (each script's default output is its results file,
    so the command as run re-makes the file it wrote)."""
    return shlex.join(["python", *sys.argv])


def _git(*args: str) -> str | None:
    """A git command's output in the current checkout, or None where there is no git."""
    try:
        return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def weights_sha256(model: str | Path) -> str:
    """SHA-256 of a model's best weights: a shipped name (``gpt``) or a run folder."""
    folder = PRETRAINED / str(model) if (PRETRAINED / str(model) / "best.safetensors").is_file() else Path(model)
    return hashlib.sha256((folder / "best.safetensors").read_bytes()).hexdigest()


def provenance(models: dict | None = None, commands: list[str] | None = None, remake: str | None = None) -> dict:
    """What made a result: commit (``dirty`` when the tree had uncommitted changes), date,
    versions, machine, the command that re-makes ``out``, and the weights of each model measured
    (label -> shipped name or run folder, recorded as its SHA-256). ``command`` re-makes the file:
    ``remake`` where the commands that wrote it (``commands``, in order) each re-made a part."""
    import bracketcloser

    status = _git("status", "--porcelain", "--untracked-files=no")
    commands = commands or [command()]
    return {"command": remake or commands[-1], "commands": commands, "commit": _git("rev-parse", "HEAD"), "dirty": bool(status),
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "versions": {"python": platform.python_version(), "torch": torch.__version__,
                         "bracketcloser": bracketcloser.__version__},
            "machine": machine(),
            "models": {label: m if isinstance(m, dict) else  # recorded earlier, kept as it was
                       {"source": str(m), "shipped": (PRETRAINED / str(m) / "best.safetensors").is_file(),
                        "sha256": weights_sha256(m)} for label, m in (models or {}).items()}}


def write_result(out: str | Path, payload: dict, models: dict | None = None,
                 commands: list[str] | None = None, remake: str | None = None) -> Path:
    """Write a results file (JSON) with its provenance first; ``models`` maps each measured
    model's label to its shipped name or run folder (or to the record an earlier run kept);
    ``commands``, where one command alone does not re-make the file, the ones that do, in
    order. Written whole or not at all."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"provenance": provenance(models, commands, remake), **payload}, indent=2) + "\n"
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_text(body)
    os.replace(tmp, out)
    return out


def measure_gpts(names: list[str], measure, per_band: int) -> dict:
    """``measure(model, per_band)`` for each GPT run folder or shipped name, by label (the run
    folder's name), with its model config and seed beside what was measured; anything but a
    GPT is refused with a one-line error. One thread: the probes run beside trainings."""
    torch.set_num_threads(1)
    runs = {}
    for name in names:
        model = bc.load(name)
        if model.config["train"]["arch"] != "gpt":
            raise SystemExit(f"error: {name} is not a GPT")
        label = model.folder.name if model.folder is not None else name
        print(label, flush=True)
        runs[label] = {"model": model.config["model"], "seed": model.config["train"]["seed"],
                       **measure(model, per_band)}
    return runs


def models(names: list[str] | None, train_steps: int) -> dict:
    """Completers by label: run folders or shipped names as given; with none given, the shipped
    models, or (where none is shipped) each architecture trained for ``train_steps`` steps."""
    if names:
        return {Path(n).name: bc.load(n) for n in names}
    out = {}
    for arch in ARCHS:
        if (PRETRAINED / arch / "config.json").is_file():
            out[arch] = bc.load(arch)
        else:
            folder = Path(tempfile.mkdtemp(prefix="bench_"))
            run = train(TrainConfig(arch=arch, steps=train_steps), models_dir=folder, progress=False)
            out[arch] = bc.load(run)
    return out
