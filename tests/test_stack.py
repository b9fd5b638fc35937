"""The stack model's two forms: the soft stack it trains with, the real stack it answers with."""

import json
import random
import shutil
from contextlib import contextmanager

import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves

import bracketcloser as bc
from bracketcloser.architectures import build
from bracketcloser.architectures.stack import RealStack, StackConfig
from bracketcloser.batch import answer_texts, prompt_batch, stream_batch
from bracketcloser.data import GENERAL_VOCAB, sample_far, split_of, suite
from bracketcloser.inference import PRETRAINED, RangeWarning
from bracketcloser.solver import max_depth, solve
from bracketcloser.tokens import DEFAULT_VOCAB


@pytest.fixture(scope="module")
def shipped():
    return bc.load("stack")



@contextmanager
def answering_with(completer, form: str):
    model = completer.model
    before, model.cfg.answer_with = model.cfg.answer_with, form
    try:
        yield
    finally:
        model.cfg.answer_with = before


def answers(completer, prefixes: list[str], form: str) -> list[str]:
    """Greedy answers in one batch (``complete`` reads long prompts a row or two at a time,
    which its memory budget sets for attention maps)."""
    with answering_with(completer, form), torch.inference_mode():
        idx, lengths = prompt_batch(prefixes, completer.vocab)
        bounds = [len(solve(p, completer.vocab)) + 1 for p in prefixes]
        return answer_texts(completer.model.generate(idx, lengths, bounds), bounds, completer.vocab)


def far(n: int, length: int, depth: int) -> list[str]:
    """``n`` held-out prefixes of exactly ``length`` brackets, depth up to ``depth``."""
    rng, out = random.Random(f"test_stack/{length}/{depth}"), []
    while len(out) < n:
        prefix = sample_far(rng, GENERAL_VOCAB, length, depth).prefix
        if split_of(prefix) == "test":
            out.append(prefix)
    return out


def assert_same_where_soft_is_right(completer, prefixes: list[str]) -> int:
    soft, discrete = answers(completer, prefixes, "soft"), answers(completer, prefixes, "discrete")
    right = [i for i, p in enumerate(prefixes) if soft[i] == solve(p, GENERAL_VOCAB)]
    assert [discrete[i] for i in right] == [soft[i] for i in right]
    return len(right)


# ---- the switch ------------------------------------------------------------------------------

def test_a_config_written_before_the_switch_answers_discretely(tmp_path, shipped):
    folder = tmp_path / "stack"
    shutil.copytree(PRETRAINED / "stack", folder)
    config = json.loads((folder / "config.json").read_text())
    del config["model"]["answer_with"]
    config["model"]["max_len"] = 65536  # as it was shipped before
    (folder / "config.json").write_text(json.dumps(config))
    old = bc.load(str(folder))
    assert old.model.cfg.answer_with == shipped.model.cfg.answer_with == "discrete"
    _, state = old.model.prefill(*prompt_batch(["{[(<"], old.vocab))
    assert isinstance(state[1], RealStack)
    assert old.complete(["{[(<"]) == [">)]}"]


def test_the_switch_takes_only_its_two_forms():
    assert StackConfig(answer_with="soft").answer_with == "soft"
    with pytest.raises(ValueError, match="answer_with 'hard'"):
        StackConfig(answer_with="hard")


def test_training_reads_softly_and_answering_discretely(shipped):
    """A loss is the soft form's (its actions have gradients); reading without one in eval mode
    is the discrete form's, so teacher forcing agrees with decoding token by token."""
    model = shipped.model
    idx, targets = stream_batch(suite("shapes", 16, seed=3), shipped.vocab)
    with torch.no_grad(), answering_with(shipped, "soft"):
        soft = model(idx)[0]
    with torch.no_grad():
        with_loss, discrete = model(idx, targets)[0], model(idx)[0]
    torch.testing.assert_close(with_loss, soft)
    assert not torch.equal(discrete, soft)  # not the same numbers (no mixing), yet the same choices:
    scored = targets != -100
    assert torch.equal(discrete.argmax(-1)[scored], soft.argmax(-1)[scored])


# ---- the same model ----------------------------------------------------------------------------

def test_soft_and_discrete_agree_in_the_trained_range(shipped):
    prefixes = [ex.prefix for name in ("shapes", "walks", "strings") for ex in suite(name, 100, seed=7)]
    assert assert_same_where_soft_is_right(shipped, prefixes) == len(prefixes)  # soft is right on all of them


def test_soft_and_discrete_agree_far_beyond(shipped):
    prefixes = [ex.prefix for ex in suite("len1000", 8, seed=7) + suite("depth100", 24, seed=7)]
    assert assert_same_where_soft_is_right(shipped, prefixes) == len(prefixes)


def test_the_discrete_form_is_right_at_2000_brackets_depth_200(shipped):
    """Where the soft form is right on some (its mixing has blurred the stack on the others)."""
    prefixes = far(20, 2000, 200)
    assert max(max_depth(p, GENERAL_VOCAB) for p in prefixes) > 150
    assert answers(shipped, prefixes, "discrete") == [solve(p, GENERAL_VOCAB) for p in prefixes]
    assert 0 < assert_same_where_soft_is_right(shipped, prefixes) < len(prefixes)


def test_the_discrete_form_is_right_at_10000_brackets_depth_1000(shipped):
    prefixes = far(3, 10_000, 1000)
    assert answers(shipped, prefixes, "discrete") == [solve(p, GENERAL_VOCAB) for p in prefixes]


@pytest.mark.slow
def test_a_prefix_of_100000_brackets_is_answered_not_refused(shipped):
    """Through the public ``complete``: read in full (100,000 steps, the slowest test here at
    about ten seconds), warned about as beyond the trained range, and answered exactly."""
    rng = random.Random(0)
    prefix = sample_far(rng, GENERAL_VOCAB, 100_000, 1000).prefix
    truth = solve(prefix, GENERAL_VOCAB)
    assert len(prefix) == 100_000 and len(truth) > 300 and max_depth(prefix, GENERAL_VOCAB) > 500
    with pytest.warns(RangeWarning, match="the prefix lies beyond what stack trained on: length 100000 > 100"):
        assert shipped.complete([prefix]) == [truth]


# ---- linear time -------------------------------------------------------------------------------

class OpLog(TorchDispatchMode):
    """Every tensor op run, with the sizes of the tensors it touches other than ``buffer``."""

    def __init__(self, buffer: torch.Tensor):
        super().__init__()
        self.buffer, self.ops = buffer.untyped_storage().data_ptr(), []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        tensors = [t for t in tree_leaves((args, kwargs, out)) if isinstance(t, torch.Tensor)]
        on_buffer = [t.untyped_storage().data_ptr() == self.buffer for t in tensors]
        self.ops.append((str(func), any(on_buffer), tuple(t.numel() for t, b in zip(tensors, on_buffer, strict=True) if not b)))
        return out


def one_step(model, state, buffer) -> list:
    with torch.no_grad(), OpLog(buffer) as log:
        model.step(state, torch.tensor([1, 2, 3, 4]))  # ( ) [ ]
    return log.ops


def discrete_state(model, length: int):
    """Four rows after ``length`` tokens: stacks of 0, 1, length/2 and length elements."""
    slots = torch.randn(4, length + 2, model.cfg.stack_width)
    stack = RealStack(slots, torch.tensor([0, 1, length // 2, length]), torch.arange(4), length)
    return (torch.zeros(4, model.cfg.n_hidden), stack), slots


def test_a_discrete_step_does_the_same_work_at_any_length():
    """Every op of a step touches tensors of the same sizes after 100 tokens or 100,000; the
    buffer that holds the stacks is touched only by indexing, k slots read and one written a
    row. The soft step, by contrast, rewrites the whole stack."""
    torch.manual_seed(0)
    model = build("stack").eval()
    short, long = (one_step(model, *discrete_state(model, n)) for n in (100, 100_000))
    assert short == long
    assert {op for op, on_buffer, _ in long if on_buffer} == {"aten.index.Tensor", "aten.index_put_.default"}

    touched = [sum(sum(sizes) for *_, sizes in one_step(model, (torch.zeros(4, 32), torch.randn(4, n, 8)), torch.empty(0)))
               for n in (100, 1000)]
    assert touched[1] > 5 * touched[0]  # the soft step: ten times the stack, about ten times the work


def test_the_buffer_grows_with_what_was_read_and_rows_leave_without_copying_it():
    torch.manual_seed(0)
    model = build("stack").eval()
    idx, lengths = prompt_batch(["(((", "("], DEFAULT_VOCAB)
    with torch.no_grad():
        _, state = model.prefill(idx, lengths)
        for _ in range(1000):  # openers, whatever the untrained controller makes of them
            _, state = model.step(state, torch.tensor(DEFAULT_VOCAB.encode(["[", "{"])))
        stack = state[1]
        assert stack.read == 1005 and stack.slots.size(1) <= 2 * (stack.read + 2)  # memory O(length)
        kept = model.select(state, torch.tensor([False, True]))[1]
    assert kept.slots is stack.slots and kept.rows.tolist() == [1]
