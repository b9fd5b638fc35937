"""The contract every architecture keeps, and the one greedy decoder they all share.

A model reads a batch of token streams ``idx`` (B, T), right-padded with 0, where position
t is followed by the token the model should predict there, ``targets[:, t]`` (-100 where
nothing is scored). Training, evaluation and the CLI use only these four methods:

    logits, loss = model(idx, targets)        # teacher forcing: logits (B, T, V)
    logits, state = model.prefill(idx, lengths)  # read prompts, logits for the next token (B, V)
    logits, state = model.step(state, token)     # feed one token per row, logits for the next
    answer = model.generate(idx, lengths, n)     # batched greedy decoding (shared, below)

``prefill``/``step`` are where the architectures differ: recurrent models carry their
hidden state, GPT and the Transformer decoder a key/value cache, BERT the whole sequence
(it re-reads it every step). ``generate`` never needs to know which one it holds.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..tokens import END, PAD

IGNORE = -100  # target id that is not scored (torch's cross_entropy default ignore_index)


def answer_loss(logits: torch.Tensor, targets: torch.Tensor | None) -> torch.Tensor | None:
    """Mean cross-entropy over the scored positions (targets != IGNORE)."""
    if targets is None:
        return None
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1), ignore_index=IGNORE)


class BracketModel(nn.Module):
    """Base class: subclasses define ``forward``, ``prefill`` and ``step``."""

    max_len: int | None = None  # longest stream the model reads (``input`` to the end token)

    def can_read(self, prefix_len: int, answer_len: int) -> bool:
        """Whether a prefix of ``prefix_len`` brackets and its answer of ``answer_len`` closers
        fit the model: ``input``, the prefix, ``,output``, the answer and the end token."""
        return self.max_len is None or prefix_len + answer_len + 3 <= self.max_len

    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def select(self, state, rows: torch.Tensor):
        """The decoding state of the rows where ``rows`` (B,) is True. Every tensor in it has
        the batch first (caches, masks, positions); a model whose state is laid out otherwise
        says so by overriding this."""
        if isinstance(state, torch.Tensor):
            return state[rows]
        if isinstance(state, dict):
            return {k: self.select(v, rows) for k, v in state.items()}
        if isinstance(state, (list, tuple)):
            return type(state)(self.select(v, rows) for v in state)
        return state

    @torch.no_grad()
    def generate(self, idx: torch.Tensor, lengths: torch.Tensor, max_new_tokens: int) -> torch.Tensor:
        """Greedy answers for a batch of prompts ``input <prefix> ,output`` (right-padded).

        Returns (B, N) token ids, N <= max_new_tokens: each row is its answer, the end token
        ``,``, then padding. A row that has answered leaves the batch, so the steps after it
        cost only what the unfinished rows need.
        """
        logits, state = self.prefill(idx, lengths)
        out = idx.new_full((idx.size(0), max_new_tokens), PAD)
        alive = torch.arange(idx.size(0), device=idx.device)  # rows still answering
        used = 0
        for i in range(max_new_tokens):
            token = logits.argmax(-1)  # (b,)
            out[alive, i] = token
            used = i + 1
            going = token != END
            if i == max_new_tokens - 1 or not going.any():
                break
            if not going.all():
                alive, token, state = alive[going], token[going], self.select(state, going)
            logits, state = self.step(state, token)
        return out[:, :used]
