"""A trained model, ready to answer: ``Completer.complete(["{[(", "(()"]) -> [")]}", ")"]``."""

from __future__ import annotations

import torch

from .batch import prompt_batch
from .models import BracketModel
from .solver import open_stack
from .tokens import DEFAULT_VOCAB, Vocab


class Completer:
    """Wraps any architecture behind one method; batched greedy decoding underneath."""

    def __init__(self, model: BracketModel, vocab: Vocab = DEFAULT_VOCAB, name: str = "", batch_size: int = 1024):
        self.model, self.vocab, self.name, self.batch_size = model.eval(), vocab, name, batch_size
        self.device = next(model.parameters()).device

    @property
    def max_prefix_len(self) -> int | None:
        """Longest prefix the model can answer in full: its stream limit, less ``input``,
        ``,output``, an answer as long as the prefix could need, and the end token."""
        limit = self.model.max_len
        return None if limit is None else (limit - 3) // 2

    def check(self, prefixes: list[str]) -> list[str]:
        """Clean and validate; ``ValueError`` names the prefix index, character and position."""
        if isinstance(prefixes, str):
            raise ValueError("complete() takes a list of prefixes, e.g. complete(['{[('])")
        out = []
        for i, p in enumerate(prefixes):
            try:
                if not isinstance(p, str):
                    raise ValueError(f"expected a string, got {type(p).__name__}")
                open_stack(p, self.vocab)
                clean = self.vocab.clean(p)
            except ValueError as e:
                raise ValueError(f"prefix {i}: {e}") from None
            if self.max_prefix_len is not None and len(clean) > self.max_prefix_len:
                raise ValueError(f"prefix {i}: {len(clean)} brackets, longer than this model's limit of {self.max_prefix_len}")
            out.append(clean)
        return out

    @torch.no_grad()
    def complete(self, prefixes: list[str]) -> list[str]:
        prefixes = self.check(prefixes)
        answers: list[str] = []
        for start in range(0, len(prefixes), self.batch_size):
            chunk = prefixes[start : start + self.batch_size]
            idx, lengths = prompt_batch(chunk, self.vocab, self.device)
            # an answer is never longer than its prefix; +1 for the end token
            out = self.model.generate(idx, lengths, max(len(p) for p in chunk) + 1)
            answers += [self.vocab.answer_text(row) for row in out.tolist()]
        return answers

    def __repr__(self) -> str:
        return f"Completer({self.name or type(self.model).__name__}, {self.model.num_params():,} parameters)"
