"""The contract every architecture keeps, and the one greedy decoder they all share.

A model reads a batch of token streams ``idx`` (B, T), right-padded with 0, where position
t is followed by the token the model should predict there, ``targets[:, t]`` (-100 where
nothing is scored). Training, evaluation and the CLI use only these four methods:

    logits, loss = model(idx, targets)        # teacher forcing: logits (B, T, V)
    logits, state = model.prefill(idx, lengths)  # read prompts, logits for the next token (B, V)
    logits, state = model.step(state, token)     # feed one token per row, logits for the next
    answer = model.generate(idx, lengths, n)     # batched greedy decoding (shared, below)
    seen = model.explain(prompt, n)              # one prompt, with what the model looked at (below)

``prefill``/``step`` are where the architectures differ: recurrent models carry their
hidden state, GPT and the Transformer decoder a key/value cache, BERT the whole sequence
(it re-reads it every step). ``generate`` never needs to know which one it holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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


@dataclass
class Explanation:
    """What a model computed while answering one prompt, for a learner to look at.

    ``stream`` is the prompt and the answer as decoded (ending with the end token when the
    model stopped). ``probs[s]`` is the distribution it chose answer token ``s`` from.
    ``attention[name]`` (steps, heads, len(stream)): where each answer step's query looked,
    placed over the stream's columns (BERT's mask sits in the column of the answer token it
    stands for). ``tracks[name]`` (tokens read, n): numbers along the stream, one row per
    token the model read (recurrent states, a stack's actions), with ``track_labels[name]``
    naming the n columns where they have names.
    """

    stream: list[int]
    answer: list[int]
    probs: torch.Tensor
    attention: dict[str, torch.Tensor] = field(default_factory=dict)
    tracks: dict[str, torch.Tensor] = field(default_factory=dict)
    track_labels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    track_axis: dict[str, str] = field(default_factory=dict)  # what a track's n columns are, where unnamed


class Recording:
    """A part of a model that can keep what it computes for ``explain``: while ``record`` is
    True it appends to ``log`` on every call. Attention keeps, per call, where the last
    query looked (heads, keys); recurrent parts keep a row per token they read."""

    record = False
    keys = "self"  # attention only: its keys are what its own stack read ("self") or the prompt ("prompt")
    track_names: tuple[str, ...] = ()  # recurrent parts: the tracks they log, in order
    track_labels: dict[str, tuple[str, ...]] = {}
    track_axis: dict[str, str] = {}  # for tracks without column labels: what their columns are

    def keep(self, item) -> None:
        if self.record:
            self.log.append(item)


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
    def explain(self, prompt: torch.Tensor, max_new_tokens: int) -> Explanation:
        """Greedy-answer one prompt (1-D ids ``input <prefix> ,output``) while every
        ``Recording`` part of the model keeps what it computes; the same for every
        architecture, since each part knows what it records."""
        parts = [(name or "model", m) for name, m in self.named_modules() if isinstance(m, Recording)]
        for _, m in parts:
            m.record, m.log = True, []
        was_training = self.training
        self.eval()
        try:
            stream, probs, calls = prompt.tolist(), [], []  # calls: which parts logged in each call
            counts = lambda: [len(m.log) for _, m in parts]  # noqa: E731
            before = counts()
            logits, state = self.prefill(prompt[None], prompt.new_tensor([len(prompt)]))
            calls.append([b < a for b, a in zip(before, counts(), strict=True)])
            for _ in range(max_new_tokens):
                probs.append(logits[0].softmax(-1))
                token = int(logits[0].argmax())
                stream.append(token)
                if token == END or len(probs) == max_new_tokens:
                    break
                before = counts()
                logits, state = self.step(state, prompt.new_tensor([token]))
                calls.append([b < a for b, a in zip(before, counts(), strict=True)])
        finally:
            for _, m in parts:
                m.record = False
            self.train(was_training)
        seen = Explanation(stream=stream, answer=stream[len(prompt):], probs=torch.stack(probs))
        for i, (name, m) in enumerate(parts):
            if not m.log:
                continue
            if m.track_names:  # rows per token read, concatenated along the stream
                for j, track in enumerate(m.track_names):
                    rows = [item[j] for item in m.log]  # (tokens, n); n may grow (a stack's slots)
                    n = max(r.size(1) for r in rows)
                    seen.tracks[track] = torch.cat([F.pad(r, (0, n - r.size(1))) for r in rows])
                    if track in m.track_labels:
                        seen.track_labels[track] = m.track_labels[track]
                    if track in m.track_axis:
                        seen.track_axis[track] = m.track_axis[track]
                continue
            seen.attention[name] = self._place(m, [c[i] for c in calls], len(prompt), len(stream))
        for _, m in parts:
            m.log = []
        return seen

    @staticmethod
    def _place(part, ran: list[bool], prompt_len: int, stream_len: int) -> torch.Tensor:
        """One attention part's logged rows as (steps, heads, stream_len) over stream
        columns. Answer step s reads up to column prompt_len - 1 + s. A part that did not run
        at a step (an encoder reads the prompt once) shows what it computed last."""
        steps, last, it = [], None, iter(part.log)
        for s, did in enumerate(ran):
            if did:
                weights = next(it)  # (heads, Tk)
                end = prompt_len + s  # columns read so far: 0 .. end - 1
                row = weights.new_zeros(weights.size(0), stream_len)
                if part.keys == "prompt":  # the prompt from its start
                    row[:, : weights.size(1)] = weights
                else:  # what this stack read, ending at the newest token (and a mask after it)
                    row[:, end + (weights.size(1) > end) - weights.size(1) : end + (weights.size(1) > end)] = weights
                last = row
            steps.append(last)
        return torch.stack(steps)

    @torch.no_grad()
    def generate(self, idx: torch.Tensor, lengths: torch.Tensor, max_new_tokens: int | list[int] | torch.Tensor) -> torch.Tensor:
        """Greedy answers for a batch of prompts ``input <prefix> ,output`` (right-padded).

        ``max_new_tokens`` is one bound for every row or one per row. Returns (B, N) token ids,
        N <= the largest bound: each row is its answer, the end token ``,``, then padding. A row
        that has answered, or written as many tokens as its own bound allows, leaves the batch:
        the steps after it cost only what the unfinished rows need, and a row never reads
        further than its own bound (a long prompt with a short bound beside a short prompt
        with a long one stays within the model's length limit).
        """
        logits, state = self.prefill(idx, lengths)
        bounds = torch.as_tensor(max_new_tokens, device=idx.device).expand(idx.size(0))
        steps = int(bounds.max())
        out = idx.new_full((idx.size(0), steps), PAD)
        alive = torch.arange(idx.size(0), device=idx.device)  # rows still answering
        used = 0
        for i in range(steps):
            token = logits.argmax(-1)  # (b,)
            out[alive, i] = token
            used = i + 1
            going = (token != END) & (bounds[alive] > used)
            if not going.any():
                break
            if not going.all():
                alive, token, state = alive[going], token[going], self.select(state, going)
            logits, state = self.step(state, token)
        return out[:, :used]
