"""Randomized positions (GPT, ``rand_pos``): drawn in training, spread when answering."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from bracketcloser.architectures import build
from bracketcloser.architectures.layers import random_positions, spread_positions
from bracketcloser.batch import prompt_batch, stream_batch
from bracketcloser.tokens import DEFAULT_VOCAB as V
from bracketcloser.tokens import PAD


@given(st.integers(1, 40), st.integers(0, 60), st.integers(0, 2**31 - 1))
def test_random_positions_are_an_ordered_subset_of_the_span(n, extra, seed):
    span = n + extra
    torch.manual_seed(seed)
    pos = random_positions(3, n, span)
    assert pos.shape == (3, n)
    assert (pos[:, 1:] > pos[:, :-1]).all() and pos.min() >= 0 and pos.max() < span


@given(st.lists(st.integers(1, 40), min_size=1, max_size=5), st.integers(0, 200))
def test_spread_positions_rise_within_the_span_and_fill_it(lengths, extra):
    span = max(lengths) + extra
    pos = spread_positions(torch.tensor(lengths), max(lengths), span)
    for row, n in zip(pos, lengths, strict=True):
        real = row[:n]
        assert (real[1:] > real[:-1]).all() and real.min() >= 0 and real.max() < span
        assert span - 1 - real[-1] <= span / (n + 1) + 1  # the last token lies near the end


def test_spread_positions_are_the_mean_of_the_draws():
    torch.manual_seed(0)
    drawn = random_positions(20_000, 5, 40).float().mean(0)
    torch.testing.assert_close(spread_positions(torch.tensor([5]), 5, 40)[0].float(), drawn, atol=0.6, rtol=0)


def test_a_stream_longer_than_the_span_is_refused():
    with pytest.raises(ValueError, match="does not fit 8 positions"):
        random_positions(1, 9, 8)
    with pytest.raises(ValueError, match="does not fit 8 positions"):
        spread_positions(torch.tensor([9]), 9, 8)


@pytest.mark.parametrize("pos", ["learned", "sinusoidal", "rotary", "alibi"])
def test_gpt_with_random_positions_decodes_as_it_reads_the_answered_stream(pos, dyck_examples):
    """Answering spreads the positions over the stream as it will be once answered; reading the
    whole answered stream spreads them the same way, so the two agree step by step."""
    torch.manual_seed(0)
    model = build("gpt", n_embd=32, n_layer=1, pos=pos, rand_pos=True, max_len=300).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.3 * torch.randn_like(p))
    examples = [e for e in dyck_examples if len(e.answer) >= 2][:6]
    idx, _ = stream_batch(examples, V)
    full = model(idx)[0]
    prompts, lengths = prompt_batch([e.prefix for e in examples], V)
    total = (idx != PAD).sum(1) + 1
    logits, state = model.prefill(prompts, lengths, total)
    rows = torch.arange(len(examples))
    for k in range(2):
        torch.testing.assert_close(logits, full[rows, lengths - 1 + k], atol=1e-4, rtol=1e-4)
        logits, state = model.step(state, idx[rows, lengths + k])


def test_training_draws_new_positions_each_step_and_answering_does_not(dyck_examples):
    torch.manual_seed(0)
    model = build("gpt", n_embd=32, n_layer=1, rand_pos=True, max_len=300)
    idx, targets = stream_batch(dyck_examples[:8], V)
    model.train()
    assert model(idx, targets)[1].item() != model(idx, targets)[1].item()
    model.eval()
    assert model(idx, targets)[1].item() == model(idx, targets)[1].item()
    prompts, lengths = prompt_batch([e.prefix for e in dyck_examples[:8]], V)
    assert torch.equal(model.generate(prompts, lengths, 6), model.generate(prompts, lengths, 6))


@pytest.mark.parametrize("arch", ["transformer", "bert"])
def test_random_positions_are_refused_where_they_are_not_built(arch):
    with pytest.raises(ValueError, match="rand_pos"):
        build(arch, rand_pos=True)
