"""BERT: a bidirectional transformer encoder trained with a masked objective (Devlin et al. 2019).

BERT cannot "continue" a stream the way GPT does, so it answers by filling in a blank. It
reads the prompt, the answer so far, and one mask token where the next answer token goes,

    input ( [ { ,output }  [MASK]        ->   ]

predicts what stands under the mask, writes it there, and reads the whole sequence again
with a new mask after it, until it predicts the end token ``,``.

Who sees whom (``encoder``). With ``"full"`` (the default) every token sees every other,
as in BERT: the prompt sees the answer written so far, so each answer position needs a
row of its own in training, cut after it, with a mask there: 4 random cuts per row
(``CUTS``), 4 encoder rows for 4 scored tokens. With ``"prefix"`` the prompt is read
bidirectionally (every prompt token sees the whole prompt), an answer token sees the prompt
and the answer up to itself, and the mask sees everything before it: UniLM's
sequence-to-sequence mask (Dong et al. 2019). Nothing an answer position predicts is ever
visible to it in either.

What the prefix mask buys: one pass scores every answer position. In training a mask for
every answer position is appended after the stream, each at the place of the token it
stands for, seeing what stands before that place and itself; no token sees a mask but the
mask itself (XLNet's query stream, Yang et al. 2019; masks kept out of each other's keys as
Wen et al. 2023 do). Mask k then computes exactly what decoding computes at step k (a test
checks it), and a row with a 20-closer answer gives 21 scored tokens for one encoder pass;
decoding keeps keys and values as GPT does. What it costs: the question each step asks is
harder. With full attention the written closers are in the sequence every token reads, so
every step asks the same question, which bracket of the whole sequence is the innermost one
still open; with the prefix mask the prompt never sees them, and step k must find the k-th
innermost open bracket of the prompt, as GPT does, but from a prompt read without a
direction to count depth in. Measured (bench/results/ab_bert_*.json): at 800 steps on the
general range the two are level (44.2% and 44.4% of 2,000 held-out prefixes, 46.4% with
learned positions, 45.7% with relative ones), the prefix mask at two thirds of the time per
step; in one minute on ``seed`` the prefix mask reaches 95.9-97.3% (three seeds) where full
attention reaches 99.8-99.9%, so ``"full"`` stays the default. Over longer runs the two
learn the same per step: 15.5% of held-out ``strings`` prefixes at 7,000 steps either way,
both stalled near 15-19% (bench/results/RECORD.md).

What holds BERT back is not the number of scored tokens but counting. A bracket's depth is
the balance of openers and closers before it, and attention that looks both ways has no
"before" to average over (a causal mask gives one: the encoder-decoder's encoder took it).
``backward_heads`` (with ``pos="relative"``) keeps the encoder bidirectional but starts some
heads looking back only: their relative-position bias for keys after the query begins at
-8 instead of 0, and training may change it. One such head per layer, with the prefix mask:
61.95% of ``general`` after 2,000 steps against 45.15% without (ab_bert_backward*.json).
The shipped general-range BERT is that model (``encoder="prefix"``, ``pos="relative"``,
``backward_heads=1``), trained 24,000 steps (49 minutes on one core) with a fifth of its
examples made of runs of one kind (``--set runs=0.2``: twelve ``{`` then twelve ``<`` must be
counted by position, and the other samplers almost never ask it): 99.96% / 99.73% / 99.88% /
99.80% on ``shapes`` / ``walks`` / ``strings`` / ``runs``, where 12,000 steps with full
attention reached 47.6% / 63.9% / 12.0% and the same 24,000 steps without runs 89.6% of
``runs`` (bench/results/pretrained.json, ab_bert_runs.json, RECORD.md). The one-minute
``seed`` default stays as it was measured (full attention, rotary positions).

Before either, the very first BERT masked every answer slot at once and predicted them in
parallel (CMLM, Ghazvininejad et al. 2019): slot k must then find the k-th innermost
bracket still open, for every k at once, and a bidirectional encoder has no built-in
direction to count nesting with. It was right on 100% of one- and two-closer answers but
near 30% of eight- to ten-closer ones. With the closers so far written in, every step asks
the same, easiest question: which bracket is the innermost one still open?

Positions: rotary by default (``pos="rotary"``): attention sees how far apart two tokens are,
not where they stand, which is what finding the innermost open bracket needs. With a
learned table, ``align="end"`` puts ``,output`` at the middle of it, the prompt counting back
from it and the answer forward, so the last bracket and the first answer token always sit at
the same two positions whatever the prefix's length.

The mask token is the model's own: id ``vocab_size`` in its embedding table, never in a
dataset. Size at the default config (2 layers, 2 heads, n_embd 32, rotary): 26,154 parameters.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from ..tokens import OUTPUT, PAD
from .base import IGNORE, BracketModel, answer_loss
from .layers import ABSOLUTE, Block, Embedding, TransformerConfig, causal_mask, init_weights, padding_mask, position_limit

CUTS = 4  # answer positions masked and scored per example in one training step


class BERT(BracketModel):
    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        if cfg.encoder not in ("full", "prefix"):
            raise ValueError(f"BERT's self-attention is full or prefix, got encoder={cfg.encoder!r}")
        self.cfg, self.max_len = cfg, position_limit(cfg)
        self.mask_id = cfg.vocab_size
        self.embed = Embedding(cfg, cfg.vocab_size + 1)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(cfg.n_embd)
        self.head = nn.Linear(cfg.n_embd, cfg.vocab_size)
        init_weights(self)

    def can_read(self, prefix_len: int, answer_len: int) -> bool:
        if self.cfg.align == "end" and self.cfg.pos in ABSOLUTE:  # the table is split at ,output
            return prefix_len + 2 <= self.cfg.max_len // 2 and answer_len + 1 < self.cfg.max_len - self.cfg.max_len // 2
        return super().can_read(prefix_len, answer_len)

    def encode(self, seq, at_output, pos=None):
        """seq (B, L): ``input <prefix> ,output <answer so far> [MASK]``, right-padded, with
        ``,output`` at column ``at_output`` (B,) -> logits (B, L, V) at every column.
        ``pos`` (B, L): each token's place in the stream (default: its column); in training
        the masks are appended after the stream, each at the place of the token it stands for."""
        if pos is None:
            pos = torch.arange(seq.size(1), device=seq.device)[None].expand_as(seq)
        if self.cfg.encoder == "prefix":
            # a key is visible if it is a real token (not padding, not another mask) standing at
            # or before the query's reach: the prompt's end for the prompt, itself for an answer
            # token, just before itself for a mask; and every query sees itself
            is_mask = seq == self.mask_id
            reach = torch.where(is_mask, pos - 1, torch.maximum(pos, at_output[:, None]))  # (B, L)
            key = (seq != PAD) & ~is_mask
            mask = (key[:, None, :] & (pos[:, None, :] <= reach[:, :, None])) | torch.eye(
                seq.size(1), dtype=torch.bool, device=seq.device)
            mask = mask[:, None]  # (B, 1, L, L)
        else:
            mask = padding_mask(seq != PAD, seq.size(1))
        pos = self.table_positions(torch.where(seq == PAD, at_output[:, None], pos), at_output)
        x = self.embed(seq, pos)
        for block in self.blocks:
            x = block(x, mask, pos)
        return self.head(self.ln_f(x))

    def table_positions(self, pos, at_output):
        """Stream places (B, L) -> what the embedding reads. With a learned or sinusoidal table
        and ``align="end"``, ``,output`` sits at the middle of the table, the prompt before it,
        the answer after (rotary and relative positions see only offsets between tokens, the
        same wherever 0 is)."""
        if self.cfg.align == "end" and self.cfg.pos in ABSOLUTE:
            return pos - at_output[:, None] + self.cfg.max_len // 2
        return pos

    def forward(self, idx, targets=None):
        """The masked objective. idx (B, T) is the stream without its final ``,``; position t
        predicts ``targets[:, t]``, and only answer positions are scored (from ``,output`` on).
        Logits (B, T, V) at each answer position are what decoding computes there."""
        at = (idx == OUTPUT).int().argmax(1)  # (B,) column of ,output
        length = (idx != PAD).sum(1)  # (B,) the answer's positions are at .. length-1
        cols = torch.arange(idx.size(1), device=idx.device)
        answer = (cols >= at[:, None]) & (cols < length[:, None])  # (B, T) positions to predict from
        run = self.every_mask if self.cfg.encoder == "prefix" else self.cuts
        logits, scored = run(idx, at, length, answer)
        if targets is not None:
            targets = targets.masked_fill(~scored, IGNORE)
        return logits, answer_loss(logits, targets)

    def every_mask(self, idx, at, length, answer):
        """With the prefix mask: one pass scores every answer position. A mask per position t
        is appended after the stream, at place t + 1; it sees the stream up to t and itself,
        and nothing sees it (XLNet's query stream, Yang et al. 2019)."""
        B, T = idx.shape
        A = int((length - at).max())  # the longest answer, with its end token
        cut = at[:, None] + torch.arange(A, device=idx.device)  # (B, A) where each mask predicts from
        real = cut < length[:, None]
        seq = torch.cat([idx, torch.where(real, self.mask_id, PAD)], 1)  # (B, T + A)
        pos = torch.cat([torch.arange(T, device=idx.device)[None].expand(B, T), cut + 1], 1)
        out = self.encode(seq, at, pos)[:, T:]  # (B, A, V): the masks' predictions
        logits = out.new_zeros(B, T, out.size(-1))
        rows = torch.arange(B, device=idx.device)[:, None].expand(B, A)
        logits[rows[real], cut[real]] = out[real]
        return logits, answer

    def cuts(self, idx, at, length, answer):
        """With full attention every answer position needs a row of its own: the row is cut
        after the position, a mask put there, and nothing after it shown. In training up to
        CUTS random positions per row are taken, in eval mode every one, in order."""
        B, T = idx.shape
        cols = torch.arange(T, device=idx.device)
        if self.training:  # up to CUTS random answer positions per row (torch's RNG: seeded, resumable)
            S, keys = min(CUTS, T), torch.rand(B, T, device=idx.device)
        else:  # all of them, in order
            S, keys = int((length - at).max()), cols[None].float().expand(B, T) / T
        keys = keys.masked_fill(~answer, 2.0)
        cut = keys.argsort(1)[:, :S]  # (B, S) stream positions; invalid ones sort last
        chosen = answer.gather(1, cut)  # (B, S) whether each is a real answer position
        rows = torch.arange(B, device=idx.device)[:, None].expand(B, S)[chosen]  # (N,) one per real cut
        cut_at = cut[chosen]  # (N,)
        # row n: idx[rows[n], :cut+1], then [MASK] at column cut+1, then padding: one (N, T+1) batch
        c = torch.arange(T + 1, device=idx.device)
        wide = torch.cat([idx, idx.new_zeros(B, 1)], 1)[rows]  # (N, T+1)
        seq = torch.where(c <= cut_at[:, None], wide, torch.where(c == cut_at[:, None] + 1, self.mask_id, PAD))
        seq = seq[:, : int(cut_at.max()) + 2]  # no column beyond the longest row's mask
        out = self.encode(seq, at[rows])  # (N, L, V)
        logits = out.new_zeros(B, T, out.size(-1))
        logits[rows, cut_at] = out[torch.arange(len(rows), device=idx.device), cut_at + 1]
        scored = torch.zeros_like(answer)
        scored[rows, cut_at] = True
        return logits, scored

    def prefill(self, idx, lengths):
        """Prompts (B, P), ``,output`` last -> logits for the first answer token (B, V)."""
        if self.cfg.encoder == "prefix":
            return self.prefill_cached(idx, lengths)
        seq = torch.cat([idx, idx.new_zeros(idx.size(0), 1)], 1)
        seq[torch.arange(idx.size(0), device=idx.device), lengths] = self.mask_id  # the mask after ,output
        state = {"seq": seq, "mask_at": lengths, "at_output": lengths - 1}
        return self.read(state), state

    def read(self, state):
        rows = torch.arange(state["seq"].size(0), device=state["seq"].device)
        return self.encode(state["seq"], state["at_output"])[rows, state["mask_at"]]  # (B, V)

    def step(self, state, token):
        """Write ``token`` (B,) where the mask was, put a new mask after it, read again."""
        if self.cfg.encoder == "prefix":
            return self.step_cached(state, token)
        seq = torch.cat([state["seq"], state["seq"].new_zeros(token.size(0), 1)], 1)  # one more column
        rows, at = torch.arange(seq.size(0), device=seq.device), state["mask_at"]
        seq[rows, at] = token
        seq[rows, at + 1] = self.mask_id
        state = {**state, "seq": seq, "mask_at": at + 1}
        return self.read(state), state

    # With the prefix mask nothing already read ever sees what comes after it, so decoding
    # can keep each layer's keys and values (as GPT does) instead of re-reading the sequence:
    # each step reads the token written where the mask was and a new mask after it, and
    # keeps the token's keys and values, never the mask's. Prompts are left-aligned to end
    # together, so the whole batch writes to the cache in lockstep.

    def run_cached(self, seq, pos, mask, caches, at_output):
        pos = self.table_positions(pos, at_output)
        x = self.embed(seq, pos)
        for block, cache in zip(self.blocks, caches, strict=True):
            x = block(x, mask, pos, cache=cache)
            kept = cache["self"]  # drop the mask's keys and values: nothing will look at it again
            kept["k"], kept["v"], kept["pos"] = kept["k"][:, :, :-1], kept["v"][:, :, :-1], kept["pos"][:, :-1]
        return self.head(self.ln_f(x[:, -1]))

    def prefill_cached(self, idx, lengths):
        B, P = idx.shape
        cols = torch.arange(P, device=idx.device) - (P - lengths)[:, None]  # stream column, < 0 for padding
        valid = cols >= 0
        seq = torch.cat([torch.where(valid, idx.gather(1, cols.clamp(min=0)), PAD), idx.new_full((B, 1), self.mask_id)], 1)
        pos = torch.cat([cols.clamp(min=0), lengths[:, None]], 1)  # (B, P + 1)
        keys = torch.cat([valid, valid.new_ones(B, 1)], 1)
        # the prompt sees the prompt, the mask everything; every query itself (padding too)
        mask = (keys[:, None, None, :] & (torch.arange(P + 1, device=idx.device) < P)).expand(B, 1, P + 1, P + 1).clone()
        mask[:, :, -1] = keys[:, None, :]
        mask = mask | torch.eye(P + 1, dtype=torch.bool, device=idx.device)
        caches = [{} for _ in self.blocks]
        logits = self.run_cached(seq, pos, mask, caches, lengths - 1)
        return logits, {"caches": caches, "valid": valid, "pos": lengths, "at_output": lengths - 1}

    def step_cached(self, state, token):
        pos, B = state["pos"], token.size(0)
        valid = torch.cat([state["valid"], state["valid"].new_ones(B, 2)], 1)  # the token, then the mask
        seq = torch.stack([token, torch.full_like(token, self.mask_id)], 1)
        logits = self.run_cached(seq, torch.stack([pos, pos + 1], 1), causal_mask(valid, 2), state["caches"],
                                 state["at_output"])
        return logits, {**state, "valid": valid[:, :-1], "pos": pos + 1}
