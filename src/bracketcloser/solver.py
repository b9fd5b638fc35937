"""The exact solver: a stack. Every model is measured against it and every test uses it."""

from __future__ import annotations

from .tokens import DEFAULT_VOCAB, Vocab


def read_prefix_plain(prefix: str, vocab: Vocab = DEFAULT_VOCAB) -> tuple[str, list[str]]:
    """``prefix`` as clean ASCII brackets, and the openers still open after it (outermost
    first): read one bracket at a time, pushing openers and popping at closers.

    Raises ``ValueError`` naming the character and its 0-based position in ``prefix`` for a
    non-bracket, a closer with nothing open, or a closer of the wrong kind. The plain form, to
    read: ``read_prefix`` gives the same answers and the same errors faster (tests/test_solver.py).
    """
    if not isinstance(prefix, str):
        raise TypeError(f"expected a string of brackets such as '{{[(', got {type(prefix).__name__}")
    opener_of = vocab.opener_of  # closer -> its opener
    brackets = vocab.brackets(prefix)  # (position in prefix, bracket); names a non-bracket
    stack: list[str] = []
    for pos, ch in brackets:
        if ch in opener_of:  # a closer: it must close the innermost open bracket
            if not stack:
                raise ValueError(f"{ch!r} at position {pos} closes nothing")
            if stack[-1] != opener_of[ch]:
                raise ValueError(f"{ch!r} at position {pos} does not close {stack[-1]!r}")
            stack.pop()
        else:
            stack.append(ch)
    return "".join(ch for _, ch in brackets), stack


def read_prefix(prefix: str, vocab: Vocab = DEFAULT_VOCAB) -> tuple[str, list[str]]:
    """The fast form of ``read_prefix_plain`` (the same answers and errors), which every caller
    uses: the whole prefix is cleaned at once (``vocab.clean``) and read without positions; only
    a prefix that goes wrong is read again by ``read_prefix_plain``, to say where."""
    if not isinstance(prefix, str):
        raise TypeError(f"expected a string of brackets such as '{{[(', got {type(prefix).__name__}")
    opener_of = vocab.opener_of
    clean = vocab.clean(prefix)
    stack: list[str] = []
    for ch in clean:
        if ch in opener_of:  # a closer
            if not stack or stack[-1] != opener_of[ch]:
                read_prefix_plain(prefix, vocab)  # raises, naming the character and its position
                raise AssertionError("unreachable: the plain read found no mismatch")
            stack.pop()
        else:
            stack.append(ch)
    return clean, stack


def open_stack(prefix: str, vocab: Vocab = DEFAULT_VOCAB) -> list[str]:
    """The openers still open after reading ``prefix``, outermost first (see ``read_prefix``)."""
    return read_prefix(prefix, vocab)[1]


def solve(prefix: str, vocab: Vocab = DEFAULT_VOCAB) -> str:
    """The closers that complete ``prefix``, innermost first: ``solve("{[(") == ")]}"``."""
    closer_of = vocab.closer_of
    return "".join(closer_of[o] for o in reversed(open_stack(prefix, vocab)))


def is_balanced(text: str, vocab: Vocab = DEFAULT_VOCAB) -> bool:
    try:
        return not open_stack(text, vocab)
    except ValueError:
        return False


def max_depth(text: str, vocab: Vocab = DEFAULT_VOCAB) -> int:
    """Deepest nesting reached while reading ``text`` (which must be a valid prefix)."""
    closers = set(vocab.opener_of)
    depth = deepest = 0
    for ch in vocab.clean(text):
        depth += -1 if ch in closers else 1
        deepest = max(deepest, depth)
    return deepest
