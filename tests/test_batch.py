import torch
from hypothesis import given
from hypothesis import strategies as st

from bracketcloser.batch import answer_texts, prompt_batch, prompt_batch_plain
from bracketcloser.tokens import DEFAULT_VOCAB, Vocab

FOUR_KINDS = Vocab(("<>",))


def test_prompt_batch_matches_prompt_ids():
    prefixes = ["{[(", "", "()[]{}((", "]"[:0] + "("]
    idx, lengths = prompt_batch(prefixes, DEFAULT_VOCAB)
    assert lengths.tolist() == [len(p) + 2 for p in prefixes]
    for row, p in zip(idx.tolist(), prefixes, strict=True):
        ids = DEFAULT_VOCAB.prompt_ids(p)
        assert row[: len(ids)] == ids and set(row[len(ids) :]) <= {0}


def test_prompt_batch_with_extra_pairs():
    vocab = Vocab(("<>",))
    idx, _ = prompt_batch(["<(", "<"], vocab)
    assert idx[0].tolist() == [7, 10, 1, 8] and idx[1].tolist() == [7, 10, 8, 0]


@given(st.sampled_from([DEFAULT_VOCAB, FOUR_KINDS]).flatmap(
    lambda vocab: st.tuples(st.just(vocab), st.lists(st.text("".join(vocab.pairs), max_size=30), max_size=12))))
def test_fast_prompt_batch_equals_the_plain_one(case):
    vocab, prefixes = case  # any clean bracket strings, balanced or not, empty ones and none at all
    fast, plain = prompt_batch(prefixes, vocab), prompt_batch_plain(prefixes, vocab)
    for a, b in zip(fast, plain, strict=True):
        assert a.dtype == b.dtype and torch.equal(a, b)


def test_answer_texts_cut_at_end_or_bound():
    out = torch.tensor([[2, 4, 9, 6], [6, 6, 6, 6], [9, 2, 2, 2], [2, 7, 9, 0]])
    assert answer_texts(out, [4, 2, 4, 4], DEFAULT_VOCAB) == [")]", "}}", "", ")input"]


def test_stream_batch_scores_what_loss_on_names():
    from bracketcloser.architectures import IGNORE
    from bracketcloser.batch import stream_batch
    from bracketcloser.data import Example

    ex = [Example("([)]{", "}"), Example("(", ")")]  # the first is not valid, only its tokens matter here
    tok = DEFAULT_VOCAB.tokens
    for loss_on, scored in [("answer", [",", "}"]), ("closers", [")", "]", ",", "}"]),
                            ("all", ["(", "[", ")", "]", "{", ",output", "}", ","])]:
        idx, targets = stream_batch(ex, DEFAULT_VOCAB, loss_on)
        assert idx.shape == targets.shape == (2, 8)
        row = [tok[t] for t in targets[0].tolist() if t != IGNORE]
        assert sorted(row) == sorted(scored), loss_on
        assert targets[1, 4:].eq(IGNORE).all() and idx[1, 4:].eq(0).all()  # padding is never scored
