import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import bracketcloser as bc
from bracketcloser.solver import is_balanced, max_depth, open_stack

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
