"""The exact solver: a stack. Every model is measured against it and every test uses it."""

from __future__ import annotations

from .tokens import DEFAULT_VOCAB, Vocab


def read_prefix(prefix: str, vocab: Vocab = DEFAULT_VOCAB) -> tuple[str, list[str]]:
    """``prefix`` as clean ASCII brackets, and the openers still open after it (outermost
    first).

    Raises ``ValueError`` naming the character and its 0-based position in ``prefix`` for a
    non-bracket, a closer with nothing open, or a closer of the wrong kind.
    """
    if not isinstance(prefix, str):
        raise TypeError(f"expected a string of brackets such as '{{[(', got {type(prefix).__name__}")
    opener_of = vocab.opener_of
    clean = vocab.clean(prefix)
    stack: list[str] = []
    for ch in clean:
        if ch in opener_of:  # a closer
            if not stack or stack[-1] != opener_of[ch]:
                _raise_mismatch(prefix, vocab)
            stack.pop()
        else:
            stack.append(ch)
    return clean, stack


def open_stack(prefix: str, vocab: Vocab = DEFAULT_VOCAB) -> list[str]:
    """The openers still open after reading ``prefix``, outermost first (see ``read_prefix``)."""
    return read_prefix(prefix, vocab)[1]


def _raise_mismatch(prefix: str, vocab: Vocab) -> None:
    """Read ``prefix`` again, keeping positions, to say where it goes wrong."""
    opener_of = vocab.opener_of
    stack: list[str] = []
    for pos, ch in vocab.brackets(prefix):
        if ch in opener_of:
            if not stack:
                raise ValueError(f"{ch!r} at position {pos} closes nothing")
            if stack[-1] != opener_of[ch]:
                raise ValueError(f"{ch!r} at position {pos} does not close {stack[-1]!r}")
            stack.pop()
        else:
            stack.append(ch)
    raise AssertionError("unreachable: the fast read found a mismatch")


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
