"""The vocabulary: the original project's nine tokens, plus optional extra bracket pairs.

A training example is the text ``input:{[(,output:)]}``. Its token stream is

    input  {  [  (  ,output  )  ]  }  ,

where the last ``,`` marks the end of the answer (a model emits it to stop). Ids follow the
original project, with 0 for padding:

    0 pad   1 (   2 )   3 [   4 ]   5 {   6 }   7 input   8 ,output   9 ,

Extra pairs (e.g. ``<>``) get ids from 10 on, opener then closer, and are recorded in every
saved config so a model's vocabulary always travels with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

PAD, INPUT, OUTPUT, END = 0, 7, 8, 9
BASE_PAIRS = ("()", "[]", "{}")
# The original printed square brackets full-width; we read them as ASCII everywhere.
FULL_WIDTH = {"【": "[", "】": "]"}
_COMMON_SPACE = " \t\n\r\v\f\u3000"  # removed by the fast path of Vocab.clean

_EXAMPLE = re.compile(r"^\s*input:(?P<prefix>.*?),output:(?P<answer>.*?)(?P<end>,)?\s*$", re.S)


@dataclass(frozen=True)
class Vocab:
    """Token <-> id mapping. ``extra_pairs`` are two-character strings such as ``"<>"``."""

    extra_pairs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        seen = set("()[]{}")
        for pair in self.extra_pairs:
            if len(pair) != 2 or pair[0] == pair[1] or set(pair) & seen or any(c.isspace() or c in ",:" for c in pair):
                raise ValueError(f"bad extra bracket pair {pair!r}: need two new, distinct characters")
            seen |= set(pair)

    @property
    def pairs(self) -> tuple[str, ...]:
        return BASE_PAIRS + tuple(self.extra_pairs)

    @cached_property
    def tokens(self) -> list[str]:
        base = ["<pad>", "(", ")", "[", "]", "{", "}", "input", ",output", ","]
        return base + [c for pair in self.extra_pairs for c in pair]

    @property
    def size(self) -> int:
        return len(self.tokens)

    @cached_property
    def closer_of(self) -> dict[str, str]:
        return {p[0]: p[1] for p in self.pairs}

    @cached_property
    def opener_of(self) -> dict[str, str]:
        return {p[1]: p[0] for p in self.pairs}

    @cached_property
    def _index(self) -> dict[str, int]:
        return {t: i for i, t in enumerate(self.tokens)}

    @cached_property
    def bracket_ids(self) -> list[int]:
        return [i for i, t in enumerate(self.tokens) if len(t) == 1 and t != ","]

    @cached_property
    def id_bytes(self) -> dict[int, str]:
        """str.translate table from a clean bracket to the character whose code is its id."""
        return {ord(self.tokens[i]): chr(i) for i in self.bracket_ids}

    @cached_property
    def id_chars(self):
        """numpy array: id -> its bracket character ("" for every other token)."""
        import numpy as np

        return np.array([t if i in self.bracket_ids else "" for i, t in enumerate(self.tokens)], dtype=object)

    @cached_property
    def _normalise(self) -> dict[int, str | None]:
        """str.translate table: full-width to ASCII, common whitespace removed."""
        return {**{ord(k): v for k, v in FULL_WIDTH.items()}, **{ord(c): None for c in _COMMON_SPACE}}

    # ---- text <-> tokens <-> ids -------------------------------------------------------

    def brackets(self, text: str) -> list[tuple[int, str]]:
        """Clean bracket text: drop whitespace, read 【】 as [], and return ``(position, char)``
        pairs, positions counted in ``text`` itself. Raises ``ValueError`` on anything else."""
        known = set("".join(self.pairs))
        out = []
        for pos, ch in enumerate(text):
            if ch.isspace():
                continue
            ch = FULL_WIDTH.get(ch, ch)
            if ch not in known:
                raise ValueError(f"{ch!r} at position {pos} is not a bracket (expected one of {''.join(sorted(known))})")
            out.append((pos, ch))
        return out

    def clean(self, text: str) -> str:
        """``text`` as plain ASCII brackets, e.g. ``"( 【 {"`` -> ``"([{"``."""
        fast = text.translate(self._normalise)
        if set(fast) <= set(self.closer_of) | set(self.opener_of):
            return fast
        return "".join(ch for _, ch in self.brackets(text))  # slow path: names the bad character

    def example_tokens(self, prefix: str, answer: str) -> list[str]:
        return ["input", *self.clean(prefix), ",output", *self.clean(answer), ","]

    def encode(self, tokens: list[str]) -> list[int]:
        index = self._index
        try:
            return [index[t] for t in tokens]
        except KeyError as e:
            raise ValueError(f"unknown token {e.args[0]!r}") from None

    def decode(self, ids) -> list[str]:
        tokens = self.tokens
        out = []
        for i in ids:
            i = int(i)
            if not 0 <= i < len(tokens):
                raise ValueError(f"unknown token id {i} (vocabulary has {len(tokens)})")
            out.append(tokens[i])
        return out

    def prompt_ids(self, prefix: str) -> list[int]:
        """Ids of ``input <prefix> ,output``: what a model reads before it answers."""
        return [INPUT, *self.encode(list(self.clean(prefix))), OUTPUT]

    def answer_text(self, ids) -> str:
        """Bracket text of generated ids, stopping at the end token."""
        out = []
        for tok in self.decode(ids):
            if tok in (",", "<pad>"):
                break
            out.append(tok)
        return "".join(out)

    def to_dict(self) -> dict:
        return {"tokens": self.tokens, "extra_pairs": list(self.extra_pairs)}

    @classmethod
    def from_dict(cls, d: dict) -> Vocab:
        vocab = cls(tuple(d.get("extra_pairs", ())))
        if "tokens" in d and d["tokens"] != vocab.tokens:
            raise ValueError(f"vocabulary {d['tokens']} does not match its extra pairs")
        return vocab


DEFAULT_VOCAB = Vocab()


def format_example(prefix: str, answer: str) -> str:
    """The original's dataset text: ``input:{[(,output:)]}``."""
    return f"input:{prefix},output:{answer}"


def parse_example(text: str, vocab: Vocab = DEFAULT_VOCAB) -> tuple[str, str]:
    """``"input:{[(,output:)]}"`` -> ``("{[(", ")]}")``, full-width brackets read as ASCII."""
    if not isinstance(text, str):
        raise ValueError(f"expected a string like 'input:{{[(,output:)]}}', got {type(text).__name__}")
    m = _EXAMPLE.match(text)
    if not m:
        raise ValueError(f"{text!r} is not of the form 'input:<prefix>,output:<answer>'")
    return vocab.clean(m["prefix"]), vocab.clean(m["answer"])


def pad_ids(rows: list[list[int]], length: int | None = None, value: int = PAD) -> list[list[int]]:
    """Right-pad id lists with ``value`` (PAD by default) to a common length."""
    length = max((len(r) for r in rows), default=0) if length is None else length
    if any(len(r) > length for r in rows):
        raise ValueError(f"a row is longer than the pad length {length}")
    return [list(r) + [value] * (length - len(r)) for r in rows]
