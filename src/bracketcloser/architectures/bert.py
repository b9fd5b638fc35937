"""BERT: a bidirectional transformer encoder trained with a masked objective (Devlin et al. 2019).

It cannot continue a stream as GPT does, so it answers by filling in a blank: it reads the
prompt, the answer so far and one mask token (its own, id ``vocab_size``) where the next answer
token goes, predicts what stands there, writes it, puts a new mask after it and reads again,
until it predicts the end token ``,``:

    input ( [ { ,output }  [MASK]        ->   ]

Who sees whom (``encoder``). ``"full"`` (the default, as in BERT): every token sees every other,
so each answer position needs an encoder row of its own, cut after it with the mask there
(``CUTS`` random ones per row in training); decoding re-reads the whole sequence every step.
``"prefix"`` (UniLM's sequence-to-sequence mask, Dong et al. 2019): the prompt sees the whole
prompt, an answer token the prompt and the answer up to itself, a mask what stands before it.
Training appends a mask for every answer position, at that position's place and seen by no
other token (XLNet's query stream, Yang et al. 2019), so one pass scores the whole answer;
decoding keeps keys and values as GPT does.

The next closer is the innermost open bracket's, found by counting depth (openers minus closers
before a bracket), and attention that looks both ways has no "before" to count in.
``backward_heads`` (with ``pos="relative"``) gives it one, the encoder staying bidirectional: that
many heads per layer start with a trainable bias of ``BACKWARD_START`` on keys after the query.
Positions (``pos``) are rotary by default: attention sees how far apart tokens are, not where they
stand; with a learned or sinusoidal table, ``align="end"`` (the default) puts ``,output`` at its
middle; ``rand_pos`` draws them, as GPT's. Left out: next-sentence prediction, random replacement of masked tokens. Size at the
default config (2 layers, 2 heads, n_embd 32, rotary): 26,154 parameters; the shipped BERT
(recipes/bert.toml) has ``encoder="prefix"``, ``pos="relative"``, ``backward_heads=1``.

What was tried and measured: bench/results/RECORD.md (BERT).
"""

from __future__ import annotations

import torch
import torch.nn as nn

from ..tokens import OUTPUT, PAD
from .base import IGNORE, BracketModel, answer_loss
from .layers import (
    ABSOLUTE,
    ANSWER_ROOM,
    Block,
    Embedding,
    TransformerConfig,
    causal_mask,
    drawn_positions,
    init_weights,
    padding_mask,
    position_limit,
)

CUTS = 4  # answer positions masked and scored per example in one training step


class BERT(BracketModel):
    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        if cfg.encoder not in ("full", "prefix"):
            raise ValueError(f"BERT's self-attention is full or prefix, got encoder={cfg.encoder!r}")
        if cfg.rand_pos and cfg.align == "end" and cfg.pos in ABSOLUTE:
            raise ValueError("rand_pos draws BERT's positions from the start of the stream: use align=start "
                             "(or rotary/relative positions, which align does not move)")
        self.cfg, self.max_len = cfg, position_limit(cfg)
        self.mask_id = cfg.vocab_size
        self.embed = Embedding(cfg, cfg.vocab_size + 1)
        self.blocks = nn.ModuleList(Block(cfg, layer=i) for i in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(cfg.n_embd)
        self.head = nn.Linear(cfg.n_embd, cfg.vocab_size)
        init_weights(self)
        # the one place the two attention modes part: the self-attention mask, how training
        # scores answer positions, and how decoding reads (re-reading the sequence at every
        # step with full attention; keeping keys and values, as GPT does, with the prefix mask)
        prefix = cfg.encoder == "prefix"
        self.attention_mask = self.prefix_mask if prefix else self.full_mask
        self.score = self.every_mask if prefix else self.cuts
        self.prefill = self.prefill_cached if prefix else self.prefill_full
        self.step = self.step_cached if prefix else self.step_full

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
        mask = self.attention_mask(seq, at_output, pos)
        pos = self.table_positions(torch.where(seq == PAD, at_output[:, None], pos), at_output)
        x = self.embed(seq, pos)
        for block in self.blocks:
            x = block(x, mask, pos)
        return self.head(self.ln_f(x))

    def full_mask(self, seq, at_output, pos):
        """Full attention: every real token sees every other (padding is hidden)."""
        return padding_mask(seq != PAD, seq.size(1))

    def prefix_mask(self, seq, at_output, pos):
        """UniLM's prefix mask (B, 1, L, L): a key is visible if it is a real token (not padding,
        not another mask) standing at or before the query's reach: the prompt's end for the
        prompt, itself for an answer token, just before itself for a mask; every query sees itself."""
        is_mask = seq == self.mask_id
        reach = torch.where(is_mask, pos - 1, torch.maximum(pos, at_output[:, None]))  # (B, L)
        key = (seq != PAD) & ~is_mask
        mask = (key[:, None, :] & (pos[:, None, :] <= reach[:, :, None])) | torch.eye(
            seq.size(1), dtype=torch.bool, device=seq.device)
        return mask[:, None]

    def table_positions(self, pos, at_output):
        """Stream places (B, L) -> what the embedding reads. With a learned or sinusoidal table
        and ``align="end"``, ``,output`` sits at the middle of the table, the prompt before it,
        the answer after (rotary and relative positions see only offsets between tokens, the
        same wherever 0 is). With ``rand_pos`` place k takes the k-th of the row's positions,
        drawn in training, spread when answering, as many as the prompt has tokens plus
        ANSWER_ROOM (as GPT's: the answer's length never shows in them)."""
        if self.cfg.rand_pos:
            n = (at_output + 1 + ANSWER_ROOM).clamp(max=self.cfg.max_len)
            width = int(pos.max()) + 1
            drawn = drawn_positions(n, width, self.cfg.max_len, self.training, self.cfg.rand_span)
            return drawn.gather(1, pos.expand(n.size(0), -1))
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
        logits, scored = self.score(idx, at, length, answer)
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

    def prefill_full(self, idx, lengths):
        """Prompts (B, P), ``,output`` last -> logits for the first answer token (B, V)."""
        seq = torch.cat([idx, idx.new_zeros(idx.size(0), 1)], 1)
        seq[torch.arange(idx.size(0), device=idx.device), lengths] = self.mask_id  # the mask after ,output
        state = {"seq": seq, "mask_at": lengths, "at_output": lengths - 1}
        return self.read(state), state

    def read(self, state):
        rows = torch.arange(state["seq"].size(0), device=state["seq"].device)
        return self.encode(state["seq"], state["at_output"])[rows, state["mask_at"]]  # (B, V)

    def step_full(self, state, token):
        """Write ``token`` (B,) where the mask was, put a new mask after it, read again."""
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
