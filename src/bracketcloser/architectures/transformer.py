"""Transformer: the encoder-decoder of "Attention Is All You Need" (Vaswani et al. 2017).

The encoder reads the prefix ``input ( [``. The decoder starts from ``,output`` and writes the
answer ``] ) ,`` one token at a time; each decoder position attends causally to the answer so
far and, through cross-attention, to every encoder position. This is the translation set-up:
the prefix is the source sentence, the closers its translation.

Why it can solve the task: the encoder can mark, at every opener, whether it is still open and
how deep it sits; the decoder's k-th step then looks up the k-th innermost open bracket through
cross-attention. Both need nesting to be computed within a fixed number of layers, so depth
beyond training is the hard part, as for GPT.

The encoder's self-attention (``encoder``) is full by default, as Vaswani et al.'s, or
``"causal"``: each bracket sees itself and what came before it, back to ``input``, and a head
that attends evenly over that computes the balance of openers and closers so far, the bracket's
depth as a fraction (Yao et al. 2021; Ebrahimi et al. 2020 on why the start token matters); full
attention has no direction to count in. ``align="end"`` counts the encoder's positions back from
the last bracket (as Sutskever et al. reversed the source); the decoder counts from ``,output``.
With ``rand_pos`` the encoder's places map to an ordered random subset of 0..max_len-1 drawn
per prompt in training, and to the evenly spread subset when answering (as GPT's); the
decoder's stay 0, 1, 2, ...: an answer is at most one closer per open bracket, as long at any
prefix length. With both, ``align`` only says which end the drawn positions count from: the
last bracket no longer stands at one fixed position, which is the point of drawing them.

In ``forward`` the stream is split at ``,output`` row by row: the part before goes to the
encoder, the rest to the decoder, whose logits are put back at their stream positions (those the
encoder read get zero logits; they are never scored). Decoding encodes once, caches the
cross-attention keys/values and the decoder's own, and steps the whole batch together. Size at
the default config (1 + 1 layers, 2 heads, n_embd 32, learned positions counted from the end): 47,178 parameters; the
shipped model (recipes/transformer.toml) has 2 + 2 layers, ``encoder="causal"``, ``align="end"``.

What was tried and measured: bench/results/RECORD.md (encoder-decoder).
"""

from __future__ import annotations

import torch
import torch.nn as nn

from ..tokens import OUTPUT, PAD
from .base import IGNORE, BracketModel, answer_loss
from .layers import (
    Block,
    Embedding,
    TransformerConfig,
    causal_mask,
    drawn_positions,
    init_weights,
    padding_mask,
    position_limit,
)


class EncoderDecoder(BracketModel):
    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        if cfg.encoder not in ("full", "causal"):
            raise ValueError(f"the encoder-decoder's encoder is full or causal, got encoder={cfg.encoder!r}")
        self.cfg, self.max_len = cfg, position_limit(cfg)
        self.src_embed, self.tgt_embed = Embedding(cfg, cfg.vocab_size), Embedding(cfg, cfg.vocab_size)
        self.encoder = nn.ModuleList(Block(cfg, layer=i) for i in range(cfg.n_layer))
        self.decoder = nn.ModuleList(Block(cfg, cross=True, layer=i) for i in range(cfg.n_layer))
        for block in self.encoder:
            block.attn.keys = "prompt"  # the encoder reads the prompt (before ,output) only
        self.ln_enc, self.ln_dec = nn.LayerNorm(cfg.n_embd), nn.LayerNorm(cfg.n_embd)
        self.head = nn.Linear(cfg.n_embd, cfg.vocab_size)
        init_weights(self)

    def encode(self, src):
        """src (B, S), right-padded -> memory (B, S, C) and its (B, 1, 1, S) key mask."""
        valid = src != PAD
        pos = torch.arange(src.size(1), device=src.device)[None]  # (1, S), shared by every row
        if self.cfg.align == "end":  # count back from the last bracket (Sutskever et al. reversed the source)
            pos = (valid.sum(1, keepdim=True) - 1 - pos).clamp(min=0)
        if self.cfg.rand_pos:  # the k-th place takes the k-th of the prompt's drawn (or spread) positions
            n = valid.sum(1)
            drawn = drawn_positions(n, src.size(1), self.cfg.max_len, self.training,
                                    self.cfg.rand_span)
            pos = drawn.gather(1, pos.expand_as(src))
        mask = (causal_mask if self.cfg.encoder == "causal" else padding_mask)(valid, src.size(1))
        x = self.src_embed(src, pos)
        for block in self.encoder:
            x = block(x, mask, pos)
        return self.ln_enc(x), valid[:, None, None, :]

    def decode(self, tgt, pos, valid, memory, memory_mask, caches=None):
        """Decoder stack: tgt (B, T) -> logits (B, T, V); ``valid`` covers cached keys too."""
        x, mask = self.tgt_embed(tgt, pos), causal_mask(valid, tgt.size(1))
        for i, block in enumerate(self.decoder):
            x = block(x, mask, pos, memory, memory_mask, None if caches is None else caches[i])
        return self.head(self.ln_dec(x))

    def forward(self, idx, targets=None):
        B, T = idx.shape
        split = (idx == OUTPUT).int().argmax(1)  # (B,) column of ,output in each row
        length = (idx != PAD).sum(1)
        cols = torch.arange(T, device=idx.device)
        src = torch.where(cols < split[:, None], idx, PAD)[:, : int(split.max())]  # (B, S)
        # decoder row b holds stream columns split_b, split_b + 1, ... (then padding)
        D = int((length - split).max())
        at = split[:, None] + torch.arange(D, device=idx.device)  # (B, D)
        inside = at < length[:, None]
        tgt = torch.where(inside, idx.gather(1, at.clamp(max=T - 1)), PAD)
        memory, memory_mask = self.encode(src)
        pos = torch.arange(D, device=idx.device)[None]
        dec_logits = self.decode(tgt, pos, torch.ones_like(tgt, dtype=torch.bool), memory, memory_mask)
        logits = dec_logits.new_zeros(B, T, dec_logits.size(-1))
        rows = torch.arange(B, device=idx.device)[:, None].expand_as(at)
        logits[rows[inside], at[inside]] = dec_logits[inside]  # back to stream positions
        loss = None
        if targets is not None:
            dec_targets = torch.where(inside, targets.gather(1, at.clamp(max=T - 1)), IGNORE)
            loss = answer_loss(dec_logits, dec_targets)
        return logits, loss

    def prefill(self, idx, lengths):
        # prompts end with ,output at column lengths-1: encode what comes before it
        cols = torch.arange(idx.size(1), device=idx.device)
        memory, memory_mask = self.encode(torch.where(cols < (lengths - 1)[:, None], idx, PAD))
        state = {"memory": memory, "memory_mask": memory_mask, "caches": [{} for _ in self.decoder],
                 "valid": idx.new_zeros(idx.size(0), 0, dtype=torch.bool), "pos": torch.zeros_like(lengths)}
        return self.step(state, torch.full_like(lengths, OUTPUT))

    def step(self, state, token):
        valid = torch.cat([state["valid"], state["valid"].new_ones(token.size(0), 1)], 1)
        logits = self.decode(token[:, None], state["pos"][:, None], valid,
                             state["memory"], state["memory_mask"], state["caches"])[:, -1]
        return logits, {**state, "valid": valid, "pos": state["pos"] + 1}
