import pytest
from hypothesis import given
from hypothesis import strategies as st

from bracketcloser.tokens import DEFAULT_VOCAB, END, INPUT, OUTPUT, PAD, Vocab, format_example, pad_ids, parse_example

brackets = st.text(alphabet="()[]{}", max_size=40)


def test_original_nine_tokens_in_order():
    assert DEFAULT_VOCAB.tokens == ["<pad>", "(", ")", "[", "]", "{", "}", "input", ",output", ","]
    assert (PAD, INPUT, OUTPUT, END) == (0, 7, 8, 9)


def test_example_stream():
    ids = DEFAULT_VOCAB.encode(DEFAULT_VOCAB.example_tokens("{[(", ")]}"))
    assert ids == [7, 5, 3, 1, 8, 2, 4, 6, 9]


@given(brackets, brackets)
def test_text_round_trip(prefix, answer):
    assert parse_example(format_example(prefix, answer)) == (prefix, answer)
    tokens = DEFAULT_VOCAB.example_tokens(prefix, answer)
    assert DEFAULT_VOCAB.decode(DEFAULT_VOCAB.encode(tokens)) == tokens
    prompt = DEFAULT_VOCAB.prompt_ids(prefix)
    assert "".join(DEFAULT_VOCAB.decode(prompt[1:-1])) == prefix


def test_full_width_and_whitespace():
    assert parse_example("input:【 { 】,output: 】") == ("[{]", "]")
    assert DEFAULT_VOCAB.clean(" ( 【\t{ ") == "([{"


def test_answer_text_stops_at_end():
    assert DEFAULT_VOCAB.answer_text([2, 4, 9, 6, 0]) == ")]"


def test_extra_pairs_get_ids_after_nine():
    v = Vocab(("<>",))
    assert v.tokens[10:] == ["<", ">"] and v.size == 12
    assert v.encode(v.example_tokens("<(", ")>")) == [7, 10, 1, 8, 2, 11, 9]
    assert Vocab.from_dict(v.to_dict()) == v
    with pytest.raises(ValueError, match="bad extra bracket pair"):
        Vocab(("((",))


@pytest.mark.parametrize("text", ["input:(,answer:)", "(()", "input:(x,output:)"])
def test_malformed_examples(text):
    with pytest.raises(ValueError):
        parse_example(text)


def test_pad_ids():
    assert pad_ids([[1], [1, 2, 3]]) == [[1, 0, 0], [1, 2, 3]]
    with pytest.raises(ValueError):
        pad_ids([[1, 2]], length=1)
