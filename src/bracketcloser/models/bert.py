"""BERT: a bidirectional transformer encoder trained with a masked objective (Devlin et al. 2019).

BERT has no causal mask: every position sees every other. It cannot "continue" a stream
the way GPT does, so it answers by filling a blank. To predict the next answer token it
reads ``input ( [ ,output ] [MASK]`` — everything known so far, then a mask token at the
next slot — and predicts what stands under the mask. Decoding writes that prediction in,
puts a new mask after it and re-reads the whole sequence: one full encoder pass per answer
token, the price of bidirectional attention (nothing can be cached, since a new token may
change how every earlier position is read).

Why exactly one mask, at the next slot, rather than the classic 15% of random positions:
the answer is fully determined by the prefix, so random masking inside the prefix only
makes the model guess brackets that carry no answer. Masking answer slots one at a time
trains exactly the skill decoding uses, and the model never sees a later answer token while
predicting an earlier one (that would leak the answer). Training builds, for every scored
position t of a stream, the copy ``stream[:t+1] + [MASK]``, so each answer token and the
end token are each predicted once, as in the other models.

The mask token is the model's own: id ``vocab_size`` in its embedding table, never in a
dataset. Size at the default config: 101,898 parameters.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from ..tokens import PAD
from .base import IGNORE, BracketModel, answer_loss
from .layers import Block, Embedding, TransformerConfig, init_weights, padding_mask


class BERT(BracketModel):
    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        self.cfg, self.max_len = cfg, cfg.max_len
        self.mask_id = cfg.vocab_size
        self.embed = Embedding(cfg, cfg.vocab_size + 1)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(cfg.n_embd)
        self.head = nn.Linear(cfg.n_embd, cfg.vocab_size)
        init_weights(self)

    def fill(self, seq, at):
        """seq (N, L) with a mask token at column ``at`` (N,) -> logits (N, V) there."""
        valid = seq != PAD
        pos = torch.arange(seq.size(1), device=seq.device).expand_as(seq)
        x, mask = self.embed(seq, pos), padding_mask(valid, seq.size(1))
        for block in self.blocks:
            x = block(x, mask, pos)
        x = x[torch.arange(seq.size(0), device=seq.device), at]  # (N, C)
        return self.head(self.ln_f(x))

    def forward(self, idx, targets=None):
        B, T = idx.shape
        # every scored position (b, t), or every real position when there are no targets
        chosen = (targets != IGNORE) if targets is not None else (idx != PAD)
        b, t = chosen.nonzero(as_tuple=True)  # (N,), (N,)
        cols = torch.arange(T + 1, device=idx.device)
        seq = torch.where(cols <= t[:, None], torch.cat([idx, idx.new_zeros(B, 1)], 1)[b], PAD)
        seq[torch.arange(len(t)), t + 1] = self.mask_id  # (N, T+1): stream[:t+1] + [MASK]
        out = self.fill(seq, t + 1)  # (N, V)
        logits = out.new_zeros(B, T, out.size(-1))
        logits[b, t] = out
        return logits, answer_loss(out, None if targets is None else targets[b, t])

    def prefill(self, idx, lengths):
        seq = torch.cat([idx, idx.new_zeros(idx.size(0), 1)], 1)
        seq[torch.arange(idx.size(0)), lengths] = self.mask_id
        return self.fill(seq, lengths), {"seq": seq, "at": lengths}

    def step(self, state, token):
        rows, at = torch.arange(token.size(0), device=token.device), state["at"]
        seq = torch.cat([state["seq"], token.new_zeros(token.size(0), 1)], 1)
        seq[rows, at] = token
        seq[rows, at + 1] = self.mask_id
        return self.fill(seq, at + 1), {"seq": seq, "at": at + 1}
