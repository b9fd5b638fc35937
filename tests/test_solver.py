import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import bracketcloser as bc
from bracketcloser.solver import is_balanced, max_depth, open_stack, read_prefix, read_prefix_plain
from bracketcloser.tokens import DEFAULT_VOCAB, Vocab

PAIRS = ["()", "[]", "{}"]


@st.composite
def valid_prefixes(draw):
    """A random valid prefix: a walk of opens and correct closes."""
    out, stack = [], []
    for move in draw(st.lists(st.booleans(), max_size=60)):
        if move or not stack:
            stack.append(draw(st.sampled_from(PAIRS)))
            out.append(stack[-1][0])
        else:
            out.append(stack.pop()[1])
    return "".join(out)


def test_examples():
    assert bc.solve("{[(") == ")]}"
    assert bc.solve("()") == ""
    assert bc.solve("") == ""
    assert bc.solve("( 【 {") == "}])"


@given(valid_prefixes())
def test_answer_closes_and_is_shortest(prefix):
    answer = bc.solve(prefix)
    assert is_balanced(prefix + answer)
    assert all(not is_balanced(prefix + answer[:k]) for k in range(len(answer)))
    assert len(answer) == len(open_stack(prefix))


@given(valid_prefixes())
def test_depth_bounds_answer(prefix):
    assert max_depth(prefix) >= len(bc.solve(prefix))


@pytest.mark.parametrize(
    "text, char, pos",
    [("())", ")", 2), ("(]", "]", 1), ("(a", "a", 1), ("( ]", "]", 2), ("{[}", "}", 2), ("<", "<", 0)],
)
def test_bad_input_names_char_and_position(text, char, pos):
    with pytest.raises(ValueError, match=re.escape(f"{char!r} at position {pos} ")):
        bc.solve(text)


@given(valid_prefixes(), st.integers(0, 60), st.sampled_from(list("x)]}<")))
def test_invalid_character_position(prefix, at, bad):
    at = min(at, len(prefix))
    text = prefix[:at] + bad + prefix[at:]
    assume(not bc.solve(prefix[:at]).startswith(bad))  # that closer would be valid there
    with pytest.raises(ValueError, match=rf"at position {at}\b"):
        bc.solve(text)


def _read(read, text, vocab):
    """What ``read`` gives for ``text``: its result, or the kind and words of its error."""
    try:
        return read(text, vocab)
    except (ValueError, TypeError) as e:
        return type(e).__name__, str(e)


# mostly brackets (so that many strings are valid), with full-width ones, spaces, and strangers
NOISY = st.lists(st.sampled_from(list("()[]{}<>") * 4 + ["【", "】", " ", "\t", "\u2003", "\u3000", "x", ","]), max_size=40)


@given(valid_prefixes(), st.sampled_from([DEFAULT_VOCAB, Vocab(("<>",))]))
def test_fast_read_equals_the_plain_one_on_valid_prefixes(prefix, vocab):
    assert read_prefix(prefix, vocab) == read_prefix_plain(prefix, vocab)


@given(NOISY.map("".join), st.sampled_from([DEFAULT_VOCAB, Vocab(("<>",))]))
def test_fast_read_equals_the_plain_one_on_any_string(text, vocab):
    """The same answer, or the same error naming the same character and position."""
    assert _read(read_prefix, text, vocab) == _read(read_prefix_plain, text, vocab)


def test_both_reads_refuse_what_is_not_a_string():
    assert _read(read_prefix, None, DEFAULT_VOCAB) == _read(read_prefix_plain, None, DEFAULT_VOCAB)
    assert _read(read_prefix, None, DEFAULT_VOCAB)[0] == "TypeError"
