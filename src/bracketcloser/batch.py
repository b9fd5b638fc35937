"""Examples -> tensors. Nothing here knows which architecture will read them.

``stream_batch`` makes teacher-forcing pairs: ``idx`` is the token stream without its last
token and ``targets`` the stream shifted by one, with every position that should not be
scored set to IGNORE. By default only the answer and the end token are scored (minGPT's
adder does the same): the prefix is random, so predicting it teaches nothing about closing.
"""

from __future__ import annotations

import torch

from .data import Example
from .models import IGNORE
from .tokens import OUTPUT, Vocab, pad_ids

LOSS_ON = ("answer", "all")


def stream_batch(examples: list[Example], vocab: Vocab, loss_on: str = "answer", device="cpu"):
    """-> idx (B, T), targets (B, T), right-padded (idx with PAD, targets with IGNORE)."""
    if loss_on not in LOSS_ON:
        raise ValueError(f"unknown loss_on {loss_on!r} (choose from {', '.join(LOSS_ON)})")
    idx, targets = [], []
    for ex in examples:
        s = vocab.encode(vocab.example_tokens(ex.prefix, ex.answer))  # input p ,output a ,
        first = 0 if loss_on == "all" else s.index(OUTPUT)  # the first position that is scored
        idx.append(s[:-1])
        targets.append([IGNORE] * first + s[first + 1 :])
    return (torch.tensor(pad_ids(idx), device=device).view(len(idx), -1),
            torch.tensor(pad_ids(targets, value=IGNORE), device=device).view(len(idx), -1))


def prompt_batch(prefixes: list[str], vocab: Vocab, device="cpu"):
    """-> idx (B, P) holding ``input <prefix> ,output`` right-padded, and lengths (B,)."""
    prompts = [vocab.prompt_ids(p) for p in prefixes]
    idx = torch.tensor(pad_ids(prompts), device=device).view(len(prompts), -1)
    return idx, torch.tensor([len(p) for p in prompts], device=device, dtype=torch.long)
