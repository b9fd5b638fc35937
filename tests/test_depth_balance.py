"""Depth balance: a share of the general mixture with long answers (``deep``, ``deep_from``)."""

import random

import pytest

from bracketcloser.data import GENERAL, GENERAL_VOCAB, sample_deep_answer, sample_general
from bracketcloser.solver import max_depth, solve
from bracketcloser.train import TrainConfig, batch_examples


@pytest.mark.parametrize("max_length", [15, 20, 40, 100])
def test_deep_answers_stay_in_the_range_and_are_long(max_length):
    rng = random.Random(0)
    for _ in range(400):
        ex = sample_deep_answer(rng, GENERAL_VOCAB, max_length=max_length, shortest=15)
        assert len(ex.prefix) <= max_length and max_depth(ex.prefix, GENERAL_VOCAB) <= GENERAL.depth
        assert ex.answer == solve(ex.prefix, GENERAL_VOCAB)
        assert min(15, max_length) <= len(ex.answer) <= GENERAL.answer


def test_a_curriculum_s_short_prefixes_get_as_long_an_answer_as_they_allow():
    rng = random.Random(1)
    answers = [len(sample_deep_answer(rng, GENERAL_VOCAB, max_length=10).answer) for _ in range(200)]
    assert set(answers) == {10}  # 10 brackets, all open: the longest answer such a prefix has


def test_no_deep_share_draws_exactly_the_mixture_as_before():
    a, b = random.Random(7), random.Random(7)
    assert [sample_general(a, GENERAL_VOCAB, runs=0.2) for _ in range(300)] == \
           [sample_general(b, GENERAL_VOCAB, runs=0.2, deep=0.0) for _ in range(300)]


def test_deep_takes_its_share_of_a_training_batch():
    def long_answers(cfg):
        batch = batch_examples(cfg, 0, GENERAL_VOCAB, None, progress=1.0)
        return sum(len(ex.answer) >= 15 for ex in batch) / len(batch)

    plain = long_answers(TrainConfig(dist="general", steps=100, batch_size=512))
    balanced = long_answers(TrainConfig(dist="general", steps=100, batch_size=512, deep=0.3))
    assert balanced > plain + 0.2  # 30% drawn with 15-30 closers, on top of the mixture's own


@pytest.mark.parametrize("settings, word", [({"deep": 0.3}, "deep"), ({"dist": "general", "deep": 1.0}, "deep"),
                                             ({"dist": "general", "deep": 0.5, "runs": 0.5}, "deep"),
                                             ({"dist": "general", "deep": 0.3, "deep_from": 31}, "deep_from")])
def test_deep_is_checked(settings, word):
    with pytest.raises(ValueError, match=word):
        TrainConfig(**settings)
