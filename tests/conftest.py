import dataclasses
import json
from pathlib import Path

import pytest
import torch

from bracketcloser.architectures import ARCHS, build, model_config
from bracketcloser.data import generate

# What each shipped model measured when it was shipped (bench/pretrain.py evaluate): the tests
# hold it to these numbers, so a regression fails, and an improvement is recorded by
# re-running the evaluation and committing the file.
SHIPPED_RESULTS = json.loads((Path(__file__).parents[1] / "bench/results/pretrained.json").read_text())["models"]

# small enough that every test stays fast (each architecture takes those its config has)
SMALL = {"n_embd": 32, "n_layer": 1}


def small(arch: str, **sizes) -> dict:
    """SMALL (and ``sizes``), less what ``arch``'s config does not have (a stack has no layers)."""
    names = {f.name for f in dataclasses.fields(model_config(arch))}
    return {k: v for k, v in {**SMALL, **sizes}.items() if k in names}


@pytest.fixture(params=ARCHS)
def arch(request):
    return request.param


@pytest.fixture
def small_model(arch):
    torch.manual_seed(0)
    return build(arch, **small(arch)).eval()


@pytest.fixture(scope="session")
def dyck_examples():
    return generate("dyck", 24, seed=5)


@pytest.fixture
def fast_config():
    """A TrainConfig factory for runs of a few steps on small models."""
    from bracketcloser.train import TrainConfig

    def make(arch, **kw):
        settings = {"batch_size": 16, "val_samples": 32, "eval_every": 4, "warmup_steps": 2, **kw}
        return TrainConfig(arch=arch, model=small(arch), **settings)

    return make


@pytest.fixture(autouse=True, scope="session")
def one_thread():
    """Every test on one torch thread: these models are small, and on a busy 2-core machine a
    second thread only waits for a core (one decoding call measured 18 ms on one thread and
    2.6 s on two beside a training)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def assert_decoding_matches_teacher_forcing(model, dyck_examples):
    """Prefill and two decoding steps give the logits that reading the whole stream gives."""
    from bracketcloser.batch import prompt_batch, stream_batch
    from bracketcloser.tokens import DEFAULT_VOCAB as V

    examples = [e for e in dyck_examples if len(e.answer) >= 2][:6]
    idx, _ = stream_batch(examples, V)
    full = model(idx)[0]
    prompts, lengths = prompt_batch([e.prefix for e in examples], V)
    logits, state = model.prefill(prompts, lengths)
    rows = torch.arange(len(examples))
    for k in range(2):
        torch.testing.assert_close(logits, full[rows, lengths - 1 + k], atol=1e-4, rtol=1e-4)
        logits, state = model.step(state, idx[rows, lengths + k])
