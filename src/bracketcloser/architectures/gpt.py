"""GPT: a decoder-only causal transformer (Radford et al. 2018), in the spirit of nanoGPT.

It reads the whole stream ``input ( [ ,output ] )`` left to right; every position attends
to itself and everything before it, never after (the causal mask), and predicts the next
token. Answering is just continuing the stream until it emits the end token ``,``.

Why it can solve the task: the answer's next closer is the closer of the innermost
still-open bracket. Attention can find it by looking back at the openers and ignoring
those already closed; this needs the model to track nesting, which a few layers can do for
the depths it trained on. Deeper or much longer inputs than it saw are where it can fail,
and the positional encoding (``pos``) decides much of that.

Decoding uses a key/value cache: each new token attends to the cached keys and values of
every earlier token instead of re-reading the stream. Prompts of different lengths are
left-aligned to end together, so the whole batch writes to the cache in lockstep.

Left out: dropout by default (the data is endless and noise-free), weight tying, flash
attention. Size at the default config (2 layers, 2 heads, n_embd 32, a learned position table
of 256): 34,314 parameters; the shipped GPT (recipes/gpt.toml) has three layers.

What was tried and measured: bench/results/RECORD.md (GPT).
"""

from __future__ import annotations

import torch
import torch.nn as nn

from ..tokens import OUTPUT
from .base import BracketModel, answer_loss
from .layers import (
    ANSWER_ROOM,
    Block,
    Embedding,
    TransformerConfig,
    causal_mask,
    drawn_positions,
    init_weights,
    position_limit,
    spread_positions,
)


class GPT(BracketModel):
    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        if cfg.align != "start":
            raise ValueError("gpt reads a growing stream: its positions count from the start (align=start)")
        if cfg.encoder != "full":
            raise ValueError("gpt has no encoder: its self-attention is causal throughout (encoder=full)")
        self.cfg, self.max_len = cfg, position_limit(cfg)
        self.embed = Embedding(cfg, cfg.vocab_size)
        self.blocks = nn.ModuleList(Block(cfg, layer=i) for i in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(cfg.n_embd)
        self.head = nn.Linear(cfg.n_embd, cfg.vocab_size)
        init_weights(self)

    def run(self, idx, pos, valid, caches=None):
        """The transformer stack: idx (B, T) -> logits (B, T, V). ``valid`` (B, Tk) marks
        real keys, including those already in ``caches``."""
        x = self.embed(idx, pos)  # (B, T, C)
        mask = causal_mask(valid, idx.size(1))
        for i, block in enumerate(self.blocks):
            x = block(x, mask, pos, cache=None if caches is None else caches[i])
        return self.head(self.ln_f(x))

    def positions(self, idx):
        """Where each token of a right-padded batch of streams stands: (1, T), shared by every
        row, or with ``rand_pos`` (B, T): drawn in training, spread when answering, as many as
        the prompt (up to ``,output``) has tokens, plus ANSWER_ROOM."""
        B, T = idx.shape
        if not self.cfg.rand_pos:
            return torch.arange(T, device=idx.device)[None]
        # (B,) a prompt within ANSWER_ROOM of max_len spreads over all of them: 0, 1, 2, ...
        n = ((idx == OUTPUT).int().argmax(1) + 1 + ANSWER_ROOM).clamp(max=self.cfg.max_len)
        return drawn_positions(n, T, self.cfg.max_len, self.training, self.cfg.rand_span)

    def forward(self, idx, targets=None):
        pos = self.positions(idx)
        # right padding comes after every real token, so the causal mask already hides it
        logits = self.run(idx, pos, torch.ones_like(idx, dtype=torch.bool))
        return logits, answer_loss(logits, targets)

    def prefill(self, idx, lengths):
        B, T = idx.shape
        # left-align: shift each row right so that all prompts end at column T-1
        shift = T - lengths  # (B,)
        cols = (torch.arange(T, device=idx.device) - shift[:, None])  # source column, <0 for padding
        valid = cols >= 0
        idx = torch.where(valid, idx.gather(1, cols.clamp(min=0)), torch.zeros_like(idx))
        at = cols.clamp(min=0)  # each token's place in its own stream
        # with rand_pos, where the stream's tokens stand: spread over the prompt and ANSWER_ROOM
        room = int(lengths.max()) + ANSWER_ROOM
        n = (lengths + ANSWER_ROOM).clamp(max=self.cfg.max_len)
        spread = spread_positions(n, room, self.cfg.max_len) if self.cfg.rand_pos else None
        pos = at if spread is None else spread.gather(1, at)
        caches = [{} for _ in self.blocks]
        logits = self.run(idx, pos, valid, caches)[:, -1]
        return logits, {"caches": caches, "valid": valid, "at": lengths, "spread": spread}

    def step(self, state, token):
        at, valid = state["at"], torch.cat([state["valid"], state["valid"].new_ones(token.size(0), 1)], 1)
        spread = state["spread"]
        if spread is None:
            pos = at
        else:  # past the room spread for it, a stream goes on one position at a time
            inside = spread.gather(1, at.clamp(max=spread.size(1) - 1)[:, None])[:, 0]
            pos = (inside + (at - spread.size(1) + 1).clamp(min=0)).clamp(max=self.cfg.max_len - 1)
        logits = self.run(token[:, None], pos[:, None], valid, state["caches"])[:, -1]
        return logits, {"caches": state["caches"], "valid": valid, "at": at + 1, "spread": spread}
