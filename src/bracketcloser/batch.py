"""Examples -> tensors. Nothing here knows which architecture will read them.

``stream_batch`` makes teacher-forcing pairs: ``idx`` is the token stream without its last
token and ``targets`` the stream shifted by one, with every position that should not be
scored set to IGNORE. By default only the answer and the end token are scored (minGPT's
adder does the same): the prefix is random, so predicting it teaches nothing about closing.
``loss_on="closers"`` also scores every closer inside the prefix: which closer comes there is
as determined by the brackets still open as the answer is (Hewitt et al. 2020 score exactly
those), so a model reading left to right gets several times the signal from each stream.
"""

from __future__ import annotations

import numpy as np
import torch

from .architectures import IGNORE
from .data import Example
from .tokens import END, INPUT, OUTPUT, PAD, Vocab, pad_ids

LOSS_ON = ("answer", "closers", "all")


def stream_batch(examples: list[Example], vocab: Vocab, loss_on: str = "answer", device="cpu"):
    """-> idx (B, T), targets (B, T), right-padded (idx with PAD, targets with IGNORE)."""
    if loss_on not in LOSS_ON:
        raise ValueError(f"unknown loss_on {loss_on!r} (choose from {', '.join(LOSS_ON)})")
    idx, targets = [], []
    closers = set(vocab.encode(list(vocab.opener_of)))
    for ex in examples:
        s = vocab.encode(vocab.example_tokens(ex.prefix, ex.answer))  # input p ,output a ,
        first = 0 if loss_on == "all" else s.index(OUTPUT)  # the first position scored in full
        idx.append(s[:-1])
        before = [t if loss_on == "closers" and t in closers else IGNORE for t in s[1 : first + 1]]
        targets.append(before + s[first + 1 :])
    return (torch.tensor(pad_ids(idx), device=device).view(len(idx), -1),
            torch.tensor(pad_ids(targets, value=IGNORE), device=device).view(len(idx), -1))


def prompt_batch_plain(prefixes: list[str], vocab: Vocab, device="cpu"):
    """-> idx (B, P) holding ``input <prefix> ,output`` right-padded, and lengths (B,).

    The plain form, to read: ``prompt_batch`` makes the same tensors faster (tests/test_batch.py).
    """
    rows = [vocab.prompt_ids(p) for p in prefixes]  # input <prefix> ,output
    width = max((len(row) for row in rows), default=2)
    idx = torch.full((len(rows), width), PAD, dtype=torch.long)  # (B, P)
    for b, row in enumerate(rows):
        idx[b, : len(row)] = torch.tensor(row)
    lengths = torch.tensor([len(row) for row in rows], dtype=torch.long)  # (B,)
    return idx.to(device), lengths.to(device)


def prompt_batch(prefixes: list[str], vocab: Vocab, device="cpu"):
    """The fast form of ``prompt_batch_plain`` (the same tensors), which decoding uses.

    ``prefixes`` must be clean (``vocab.clean``). Built with one string translation and numpy
    indexing rather than a Python loop per token: decoding thousands of prompts a second
    should not be held up by making them.
    """
    lengths = np.fromiter((len(p) for p in prefixes), dtype=np.int64, count=len(prefixes))
    flat = np.frombuffer("".join(prefixes).translate(vocab.id_bytes).encode("latin-1"), dtype=np.uint8)
    idx = np.zeros((len(prefixes), int(lengths.max(initial=0)) + 2), dtype=np.int64)
    rows = np.repeat(np.arange(len(prefixes)), lengths)
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    idx[rows, np.arange(len(flat)) - starts + 1] = flat  # brackets after the leading ``input``
    idx[:, 0] = INPUT
    idx[np.arange(len(prefixes)), lengths + 1] = OUTPUT
    return torch.from_numpy(idx).to(device), torch.from_numpy(lengths + 2).to(device)


def answer_texts(out: torch.Tensor, bounds: list[int], vocab: Vocab) -> list[str]:
    """Generated ids (B, N) -> answer strings, each cut at the end token or at its own bound."""
    ids = out.cpu().numpy()
    cols = np.arange(ids.shape[1])
    stop = (ids == END) | (ids == PAD) | (cols >= np.asarray(bounds)[:, None])
    ids = np.where(np.cumsum(stop, 1) > 0, PAD, ids)  # everything from the first stop on
    if not np.isin(ids, vocab.bracket_ids + [PAD]).all():  # a model may emit any token: spell those out
        return [vocab.answer_text(row[:b]) for row, b in zip(out.tolist(), bounds, strict=True)]
    chars = vocab.id_chars[ids]  # (B, N) single characters, "" for padding
    return ["".join(row) for row in chars.tolist()]
