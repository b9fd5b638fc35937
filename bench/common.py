"""Helpers shared by the benchmarks: which models to measure, and the machine they ran on."""

from __future__ import annotations

import os
import platform
import shlex
import sys
import tempfile
from pathlib import Path

import torch

import bracketcloser as bc
from bracketcloser.architectures import ARCHS
from bracketcloser.inference import PRETRAINED
from bracketcloser.train import TrainConfig, train


def machine() -> dict:
    return {"python": platform.python_version(), "torch": torch.__version__, "cpus": os.cpu_count(),
            "threads": torch.get_num_threads(), "processor": platform.processor() or platform.machine()}


def command() -> str:
    return shlex.join(["python", *sys.argv])


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
