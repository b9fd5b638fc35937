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
    "transformer": (EncoderDecoder, TransformerConfig, {"n_layer": 1, "n_embd": 32, "n_head": 2}),
    # rotary positions (offsets between tokens, not places in a table): 99.98% on 10,000 `seed`
    # examples after 2,400 steps against 99.61% with learned ones (bench/results/tuning/)
    "bert": (BERT, TransformerConfig, {"n_embd": 32, "n_head": 2, "align": "end", "pos": "rotary"}),
    "gpt": (GPT, TransformerConfig, {"n_embd": 32, "n_head": 2}),
    "stack": (StackRNN, StackConfig, {}),
}
ARCHS = tuple(REGISTRY)
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


def build(arch: str, **overrides) -> BracketModel:
    model_class = _entry(arch)[0]
    return model_class(model_config(arch, **overrides))


__all__ = ["ARCHS", "DEFAULT_ARCH", "REGISTRY", "POSITIONAL", "IGNORE", "BracketModel", "build", "model_config"]
