"""bench/heads.py, the measurement behind chapter 7's "Which head the answers rest on": levels
of brackets, and ablation that removes one head and puts it back."""

import sys
from pathlib import Path

import pytest
import torch

import bracketcloser as bc
from bracketcloser.data import GENERAL_VOCAB, Example

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture(scope="module")
def heads():
    sys.path.insert(0, str(BENCH))
    try:
        import heads as module
    finally:
        sys.path.remove(str(BENCH))
    return module


def test_both_brackets_of_a_pair_share_a_level(heads):
    level, depth = heads.levels("([]){<")
    assert level == [1, 2, 2, 1, 1, 2] and depth == 2
    # brackets shallower than the query at depth 2: the closed pairs at level 1 and the open "{"
    assert {i for i, lv in enumerate(level) if lv < depth} == {0, 3, 4}


def test_ablation_removes_one_head_at_a_time_and_puts_it_back(heads):
    gpt = bc.load("gpt")
    examples = [Example(p, bc.solve(p, GENERAL_VOCAB)) for p in ("([{", "<[]((", "{}{<>[")]
    ids = torch.tensor([GENERAL_VOCAB.prompt_ids("([{")])
    before = gpt.model(ids)[0]
    out = heads.ablation(gpt, examples)
    cfg = gpt.model.cfg
    assert list(out) == [f"L{layer}H{head}" for layer in range(cfg.n_layer) for head in range(cfg.n_head)]
    assert all(0 <= v <= 1 for v in out.values())
    assert min(out.values()) < 1  # some head matters to these answers
    assert torch.equal(gpt.model(ids)[0], before)  # every hook removed
