"""Randomized positions (``rand_pos``): drawn in training, spread when answering, as many as the
prompt has tokens (plus room for an answer in GPT and BERT, whose stream holds it): never a
function of the answer itself. GPT and BERT draw the whole stream's, the encoder-decoder its
encoder's."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from bracketcloser.architectures import build
from bracketcloser.architectures.layers import ANSWER_ROOM, drawn_positions, random_positions, spread_positions
from bracketcloser.batch import prompt_batch, stream_batch
from bracketcloser.data import Example
from bracketcloser.tokens import DEFAULT_VOCAB as V
from conftest import assert_decoding_matches_teacher_forcing


@given(st.lists(st.integers(1, 40), min_size=1, max_size=4), st.integers(0, 10), st.integers(0, 60),
       st.integers(0, 2**31 - 1))
def test_random_positions_are_an_ordered_subset_of_the_span_then_go_on_by_one(ns, past, extra, seed):
    span, T = max(ns) + past + extra, max(ns) + past
    torch.manual_seed(seed)
    pos = random_positions(torch.tensor(ns), T, span)
    assert pos.shape == (len(ns), T)
    for row, n in zip(pos, ns, strict=True):
        assert (row[:n][1:] > row[:n][:-1]).all() and row.min() >= 0 and row.max() < span
        assert (row[n:] - row[n - 1 : -1] <= 1).all()  # past its n, one position at a time (or held at the end)


@given(st.lists(st.integers(1, 40), min_size=1, max_size=4), st.integers(0, 60), st.integers(0, 2**31 - 1),
       st.data())
def test_random_positions_stay_within_each_rows_own_window(ns, extra, seed, data):
    span = max(ns) + extra
    widths = [data.draw(st.integers(n, span)) for n in ns]
    starts = [data.draw(st.integers(0, span - w)) for w in widths]
    torch.manual_seed(seed)
    pos = random_positions(torch.tensor(ns), max(ns), span, (torch.tensor(starts), torch.tensor(widths)))
    for row, n, start, w in zip(pos, ns, starts, widths, strict=True):
        assert (row[:n][1:] > row[:n][:-1]).all() and row[:n].min() >= start and row[:n].max() < start + w


def test_rand_span_draws_windows_dense_and_sparse_all_over_the_table():
    """With rand_span a training stream's positions come from a window of its own: their
    spread (last - first) varies from its own length to the whole table, and the table's rows
    are used about as evenly as without it (the ends included, where answering puts a long
    prompt's first and last tokens). Without it they spread over the whole table."""
    torch.manual_seed(0)
    n = torch.full((4000,), 46)
    own, whole = drawn_positions(n, 46, 1200, True, own_span=True), drawn_positions(n, 46, 1200, True)
    reach = lambda pos: (pos.max(1).values - pos.min(1).values).float()  # noqa: E731
    assert reach(whole).quantile(0.05) > 900
    assert reach(own).quantile(0.1) < 200 and reach(own).median() < 700 and reach(own).quantile(0.95) > 1000
    used = torch.bincount(own.flatten(), minlength=1200).float() / torch.bincount(whole.flatten(), minlength=1200).float()
    assert used[:50].mean() > 0.6 and used[-50:].mean() > 0.6 and used[500:700].mean() > 0.8
    dense_at_the_end = (own.min(1).values > 1000) & (reach(own) < 150)
    assert dense_at_the_end.sum() > 20  # narrow windows flush with the end: dense where answers stand
    with pytest.raises(ValueError, match="rand_span"):
        build("gpt", rand_span=True)


@pytest.mark.parametrize("arch", ["gpt", "transformer", "bert"])
def test_every_transformer_draws_windows_with_rand_span_and_answers_as_without(arch, monkeypatch, dyck_examples):
    from bracketcloser.architectures import layers

    windows = []
    real = layers.random_positions

    def spy(n, T, span, window=None):
        windows.append(window is not None)
        return real(n, T, span, window)

    monkeypatch.setattr(layers, "random_positions", spy)
    settings = {"encoder": "prefix", "align": "start"} if arch == "bert" else {}
    model = noisy_gpt("learned", arch, rand_span=True, **settings).train()
    idx, targets = stream_batch(dyck_examples[:4], V)
    model(idx, targets)
    assert windows and all(windows)
    twin = noisy_gpt("learned", arch, **settings).eval()  # the same weights, without rand_span
    model.eval()
    torch.testing.assert_close(model(idx)[0], twin(idx)[0])  # answering reads the same positions


@given(st.lists(st.integers(1, 40), min_size=1, max_size=5), st.integers(0, 200))
def test_spread_positions_rise_within_the_span_and_fill_it(ns, extra):
    span = max(ns) + extra
    pos = spread_positions(torch.tensor(ns), max(ns), span)
    for row, n in zip(pos, ns, strict=True):
        real = row[:n]
        assert (real[1:] > real[:-1]).all() and real.min() >= 0 and real.max() < span
        assert span - 1 - real[-1] <= span / (n + 1) + 1  # the last one lies near the end


def test_spread_positions_are_the_mean_of_the_draws_row_by_row():
    """Rows of different lengths in one batch: each row's draws average to its own spread."""
    torch.manual_seed(0)
    n = torch.tensor([5, 12])
    drawn = torch.stack([random_positions(n, 12, 40) for _ in range(5_000)]).float().mean(0)
    spread = spread_positions(n, 12, 40).float()
    torch.testing.assert_close(spread[0, :5], drawn[0, :5], atol=0.6, rtol=0)
    torch.testing.assert_close(spread[1], drawn[1], atol=0.6, rtol=0)


def test_a_stream_longer_than_the_span_is_refused():
    with pytest.raises(ValueError, match="does not fit 8"):
        random_positions(torch.tensor([9]), 9, 8)
    with pytest.raises(ValueError, match="does not fit 8"):
        spread_positions(torch.tensor([9]), 9, 8)


def noisy_gpt(pos, arch="gpt", **settings):
    """A one-layer model with randomized positions and weights far from their start."""
    torch.manual_seed(0)
    model = build(arch, n_embd=32, n_layer=1, pos=pos, rand_pos=True, max_len=300, **settings).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.3 * torch.randn_like(p))
    return model


@pytest.mark.parametrize("pos", ["learned", "sinusoidal", "rotary", "relative", "alibi"])
def test_gpt_with_random_positions_decodes_as_it_reads_the_whole_stream(pos, dyck_examples):
    assert_decoding_matches_teacher_forcing(noisy_gpt(pos), dyck_examples)


ENCODERS = [
    ("transformer", {"pos": "learned", "align": "start"}),
    ("transformer", {"pos": "learned", "align": "end", "encoder": "causal"}),
    ("transformer", {"pos": "rotary"}),
    ("bert", {"pos": "learned", "align": "start", "encoder": "prefix"}),
    ("bert", {"pos": "learned", "align": "start", "encoder": "full"}),
    ("bert", {"pos": "relative", "encoder": "prefix", "backward_heads": 1}),
    ("bert", {"pos": "rotary", "encoder": "full"}),
]


@pytest.mark.parametrize("arch,settings", ENCODERS, ids=lambda x: x if isinstance(x, str) else "-".join(map(str, x.values())))
def test_encoders_with_random_positions_decode_as_they_read_the_whole_stream(arch, settings, dyck_examples):
    model = noisy_gpt(settings["pos"], arch, **{k: v for k, v in settings.items() if k != "pos"})
    assert_decoding_matches_teacher_forcing(model, dyck_examples)


def test_a_prompt_near_the_end_of_the_span_is_answered_not_refused():
    """A prompt within ANSWER_ROOM of max_len spreads over every position, 0, 1, 2, ..."""
    for arch in ("gpt", "bert"):
        model = noisy_gpt("learned", arch, **({"align": "start", "encoder": "prefix"} if arch == "bert" else {}))
        prompts, lengths = prompt_batch(["(" * 280], V)
        logits, _ = model.prefill(prompts, lengths)
        assert torch.isfinite(logits).all()


def test_an_answer_longer_than_the_room_decodes_as_it_reads():
    """Past ANSWER_ROOM the stream goes on one position at a time, the same way in both."""
    model = noisy_gpt("learned")
    ex = Example("(" * (ANSWER_ROOM + 3), ")" * (ANSWER_ROOM + 3))
    idx, _ = stream_batch([ex], V)
    full = model(idx)[0]
    prompts, lengths = prompt_batch([ex.prefix], V)
    logits, state = model.prefill(prompts, lengths)
    for k in range(ANSWER_ROOM + 3):
        torch.testing.assert_close(logits, full[:, lengths[0] - 1 + k], atol=1e-4, rtol=1e-4)
        logits, state = model.step(state, idx[:, lengths[0] + k])


def test_where_a_prompt_stands_does_not_depend_on_its_answer():
    """Two streams with the same prompt and answers of different lengths: the prompt's tokens
    sit at the same positions (they would betray the answer's length otherwise)."""
    model = noisy_gpt("learned")
    idx, _ = stream_batch([Example("(((", ")))"), Example("(()", ")")], V)
    pos = model.positions(idx)
    prompt = len(prompt_batch(["((("], V)[0][0])
    assert torch.equal(pos[0, :prompt], pos[1, :prompt])


@pytest.mark.parametrize("arch", ["gpt", "transformer", "bert"])
def test_batched_answers_equal_answers_alone(arch, dyck_examples):
    model = noisy_gpt("learned", arch, **({"align": "start", "encoder": "prefix"} if arch == "bert" else {}))
    prefixes = [e.prefix for e in dyck_examples[:10]]
    prompts, lengths = prompt_batch(prefixes, V)
    together = model.generate(prompts, lengths, 8).tolist()
    alone = [model.generate(*prompt_batch([p], V), 8)[0].tolist() for p in prefixes]
    assert [V.answer_text(r) for r in together] == [V.answer_text(r) for r in alone]


@pytest.mark.parametrize("arch", ["gpt", "transformer", "bert"])
def test_training_draws_new_positions_each_step_and_answering_does_not(arch, dyck_examples):
    torch.manual_seed(0)
    # BERT with the prefix mask: its full mask draws which answer positions to score, too
    model = build(arch, n_embd=32, n_layer=1, rand_pos=True, max_len=300, **({"encoder": "prefix"} if arch == "bert" else {}))
    idx, targets = stream_batch(dyck_examples[:8], V)
    model.train()
    assert model(idx, targets)[1].item() != model(idx, targets)[1].item()
    model.eval()
    assert model(idx, targets)[1].item() == model(idx, targets)[1].item()


def test_random_positions_need_an_encoding_and_bert_a_table_from_the_start():
    for arch in ("gpt", "transformer", "bert"):
        with pytest.raises(ValueError, match="needs a positional encoding"):
            build(arch, pos="none", rand_pos=True)
    with pytest.raises(ValueError, match="align=start"):  # BERT's learned table is centred on ,output
        build("bert", pos="learned", align="end", rand_pos=True)


def spy_on_positions(monkeypatch, module):
    """Record each call of random_positions / spread_positions made from ``module``: (which, n)."""
    calls = []
    for name in ("random_positions", "spread_positions"):
        real = getattr(module, name)

        def spy(n, T, span, real=real, name=name):
            calls.append((name, n.tolist(), span))
            return real(n, T, span)

        monkeypatch.setattr(module, name, spy)
    return calls


@pytest.mark.parametrize("arch", ["transformer", "bert"])
@pytest.mark.parametrize("training", [True, False])
def test_encoders_draw_as_many_positions_as_the_prompt_asks_and_no_more(arch, training, monkeypatch):
    """The wiring: drawn in training, spread when answering, over the whole span, as many as the
    prompt has tokens (+ ANSWER_ROOM for BERT, whose stream holds the answer), whatever the answer."""
    from bracketcloser.architectures import layers

    calls = spy_on_positions(monkeypatch, layers)  # both draw through layers.drawn_positions
    model = build(arch, n_embd=32, n_layer=1, rand_pos=True, max_len=300, **({"encoder": "prefix"} if arch == "bert" else {}))
    model.train(training)
    # one prompt, answered two ways (a long and a short answer): the same count must be drawn for both
    idx, targets = stream_batch([Example("(((", ")))"), Example("(((", ")))")], V)
    short, _ = stream_batch([Example("(()", ")")], V)
    model(idx, targets)
    model(short)
    prompt = len(prompt_batch(["((("], V)[0][0])  # input ( ( ( ,output
    expected = prompt - 1 if arch == "transformer" else prompt + ANSWER_ROOM  # the encoder reads up to ,output
    want = "random_positions" if training else "spread_positions"
    assert calls and {c[0] for c in calls} == {want}
    assert all(c[2] == 300 for c in calls)  # drawn from the whole span
    assert all(n == expected for c in calls for n in c[1]), calls


def test_bert_answering_reads_the_spread_positions_not_its_columns():
    model = noisy_gpt("learned", "bert", align="start", encoder="prefix")
    at_output = torch.tensor([4, 9])
    places = torch.arange(12)[None].expand(2, 12)
    spread = spread_positions(at_output + 1 + ANSWER_ROOM, 12, 300)
    assert torch.equal(model.table_positions(places, at_output), spread)
    assert not torch.equal(spread, places)
