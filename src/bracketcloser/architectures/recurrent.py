"""GRU and LSTM: recurrent language models (Cho et al. 2014; Hochreiter & Schmidhuber 1997).

The model reads the stream ``input ( [ ,output ] )`` one token at a time, folding all it has
seen into a fixed-size hidden state (the LSTM also keeps a cell state), and predicts the
next token from that state. Answering is continuing the stream until the end token ``,``.

Why it can solve the task: closing brackets needs a stack. A recurrent state of a few
hundred numbers can encode a stack of bracket kinds up to some depth, and gating (GRU's
update gate, LSTM's forget gate) lets it keep the outer brackets untouched while inner ones
open and close. It has no position table, so length is no obstacle in principle; depth is,
because the state must hold every open bracket at once.

Decoding carries the hidden state from token to token: reading the prompt once and then
one step per answer token, a whole batch at a time (``pack_padded_sequence`` makes sure
each row's state stops at its own last token). Size at the default config (2 layers, 64 hidden
units): GRU 44,746, LSTM 59,338 parameters.

What was tried and measured: bench/results/RECORD.md (GRU, LSTM).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence

from ..settings import check_sizes, check_types, searched
from .base import BracketModel, Recording, answer_loss

CELLS = {"gru": nn.GRU, "lstm": nn.LSTM}


@dataclass
class RecurrentConfig:
    vocab_size: int = 10
    cell: str = "gru"  # "gru" or "lstm"
    # searched by `bracketcloser tune` within these ranges
    n_embd: int = searched(32, choices=[16, 32, 64])
    n_hidden: int = searched(64, choices=[32, 64, 128, 256])
    n_layer: int = searched(2, choices=[1, 2, 3])
    dropout: float = 0.0
    max_len: int = 2048  # longest stream it reads: no position table, but time and memory grow with length

    def __post_init__(self):
        check_types(self)
        check_sizes(self, ("n_embd", "n_hidden", "n_layer", "max_len"))
        if self.cell not in CELLS:
            raise ValueError(f"unknown cell {self.cell!r} (choose from {', '.join(CELLS)})")


class RecurrentLM(Recording, BracketModel):
    track_names = ("hidden state",)  # what ``explain`` shows: the last layer's state after each token
    track_axis = {"hidden state": "units"}

    def __init__(self, cfg: RecurrentConfig):
        super().__init__()
        self.cfg, self.max_len = cfg, cfg.max_len
        self.embed = nn.Embedding(cfg.vocab_size, cfg.n_embd)
        self.rnn = CELLS[cfg.cell](cfg.n_embd, cfg.n_hidden, cfg.n_layer, batch_first=True,
                                   dropout=cfg.dropout if cfg.n_layer > 1 else 0.0)
        self.head = nn.Linear(cfg.n_hidden, cfg.vocab_size)

    def forward(self, idx, targets=None):
        h, _ = self.rnn(self.embed(idx))  # (B, T, H); right padding never reaches earlier steps
        logits = self.head(h)  # (B, T, V)
        return logits, answer_loss(logits, targets)

    def prefill(self, idx, lengths):
        if self.record:  # one prompt, no padding: read it unpacked to keep the state at every token
            h, state = self.rnn(self.embed(idx))
            self.keep((h[0].detach(),))
            return self.head(h[:, -1]), state
        packed = pack_padded_sequence(self.embed(idx), lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, state = self.rnn(packed)  # state at each row's own last token
        top = (state[0] if isinstance(state, tuple) else state)[-1]  # (B, H): last layer
        return self.head(top), state

    def select(self, state, rows):
        # hidden (and cell) state: (layers, B, H), the batch second
        return tuple(s[:, rows] for s in state) if isinstance(state, tuple) else state[:, rows]

    def step(self, state, token):
        h, state = self.rnn(self.embed(token[:, None]), state)  # (B, 1, H)
        self.keep((h[0].detach(),))
        return self.head(h[:, -1]), state
