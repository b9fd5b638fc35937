"""The registry: the one place where architecture names appear.

    model = build("gpt", vocab_size=10, n_layer=3)   # any config field can be overridden
"""

from __future__ import annotations

import dataclasses

from .base import IGNORE, BracketModel
from .bert import BERT
from .gpt import GPT
from .layers import POSITIONAL, TransformerConfig
from .recurrent import RecurrentConfig, RecurrentLM
from .stack import StackConfig, StackRNN
from .transformer import EncoderDecoder

# name -> (model class, config class, defaults that differ from the config class's own)
REGISTRY = {
    "gru": (RecurrentLM, RecurrentConfig, {"cell": "gru"}),
    "lstm": (RecurrentLM, RecurrentConfig, {"cell": "lstm"}),
    # positions counted back from the last bracket: the brackets an answer depends on most
    # always sit at the same rows (with lr 2e-3, below: bench/results/ab/one_minute_align_end_lr2e-3_rerun.json)
    "transformer": (EncoderDecoder, TransformerConfig, {"n_layer": 1, "align": "end"}),
    # rotary positions (offsets between tokens, not places in a table): what an equal-step A/B
    # on `seed` chose (bench/results/ab/ab_bert.json)
    "bert": (BERT, TransformerConfig, {"align": "end", "pos": "rotary"}),
    "gpt": (GPT, TransformerConfig, {}),
    "stack": (StackRNN, StackConfig, {}),
}
ARCHS = tuple(REGISTRY)

# The training settings every architecture shares (TRAIN_DEFAULTS), and where an architecture
# is best served by other values (TRAINING): with the config classes' own fields, the one place
# a default lives (a recipe file names what differs from them). Each entry of TRAINING is what
# an equal-step or equal-time comparison chose, recorded in bench/results/RECORD.md
# ("Per-architecture training defaults"); every other architecture's tuning study
# (bench/results/history/tuning/*/best_params.json) kept the common values.
TRAIN_DEFAULTS = {"batch_size": 64, "lr": 3e-3, "warmup_steps": 50, "weight_decay": 0.01, "curriculum": 0.0,
                  "bucket": 50}
TRAINING = {
    # the encoder-decoder: batch 128 did better on seed in a minute than the common settings
    # (equal time; RECORD.md, "Per-architecture training defaults"); lr 2e-3 with positions
    # counted from the end (align="end") put all three seeds of a minute at 99.9% or more, where
    # lr 5e-3 counted from the start left them at 99.67-99.87% (RECORD.md, "One minute: the
    # encoder-decoder counted from the end")
    "transformer": {"batch_size": 128, "lr": 2e-3},
}
DEFAULT_ARCH = "gpt"  # what `train` and `demo` use when none is named


def _entry(arch: str):
    if arch not in REGISTRY:
        raise ValueError(f"unknown architecture {arch!r} (choose from {', '.join(ARCHS)})")
    return REGISTRY[arch]


def model_config(arch: str, **overrides):
    """The config dataclass for ``arch`` with its defaults and ``overrides``."""
    _, config_class, defaults = _entry(arch)
    fields = {f.name for f in dataclasses.fields(config_class)}
    unknown = sorted(set(overrides) - fields)
    if unknown:
        raise ValueError(f"unknown setting(s) {', '.join(unknown)} for {arch} (known: {', '.join(sorted(fields))})")
    return config_class(**{**defaults, **overrides})


def training_overrides(arch: str) -> dict:
    """The training settings in which ``arch`` differs from the common defaults."""
    _entry(arch)
    return dict(TRAINING.get(arch, {}))


def build(arch: str, **overrides) -> BracketModel:
    model_class = _entry(arch)[0]
    return model_class(model_config(arch, **overrides))


__all__ = ["ARCHS", "DEFAULT_ARCH", "REGISTRY", "TRAIN_DEFAULTS", "TRAINING", "POSITIONAL", "IGNORE", "BracketModel",
           "build", "model_config", "training_overrides"]
