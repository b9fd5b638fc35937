"""The shipped models: present for every architecture, small, and right on the original's examples."""

import warnings

import pytest

import bracketcloser as bc
from bracketcloser import solve
from bracketcloser.architectures import ARCHS, DEFAULT_ARCH
from bracketcloser.data import GENERAL, GENERAL_VOCAB, default_bbh_path, load_bbh
from bracketcloser.examples import README_EXAMPLES
from bracketcloser.inference import ALSO_SHIPPED, PRETRAINED, RangeWarning
from bracketcloser.tokens import DEFAULT_VOCAB
from conftest import SHIPPED_RESULTS

SHIPPED = [*ARCHS, *ALSO_SHIPPED]  # the six, and the models kept beside them for the course


@pytest.mark.parametrize("arch", ARCHS)
def test_shipped_model_answers_the_original_readme_examples_as_measured(arch):
    model = bc.load(arch)  # offline: from the package's own files
    answers = model.complete([prefix for prefix, _ in README_EXAMPLES])
    right = sum(a == DEFAULT_VOCAB.clean(e) for (_, e), a in zip(README_EXAMPLES, answers, strict=True))
    assert right >= SHIPPED_RESULTS[arch]["readme"]["correct"]
    assert right >= 20  # the floor below which a shipped model would not be worth shipping


@pytest.mark.parametrize("arch", ARCHS)
def test_shipped_files_are_small_and_trained_on_the_general_range(arch):
    files = {f.name: f.stat().st_size for f in (PRETRAINED / arch).iterdir()}
    assert set(files) == {"config.json", "best.safetensors", "training_info.json"}
    assert sum(files.values()) < 5_000_000
    model = bc.load(arch)
    assert model.config["data"]["dist"] == "general" and model.trained == GENERAL
    assert model.vocab.pairs == ("()", "[]", "{}", "<>")


@pytest.mark.parametrize("arch", ARCHS)
def test_shipped_model_answers_big_bench_hard_as_measured(arch):
    """All 250 of BIG-Bench Hard: at least as many right as when the model was shipped."""
    model = bc.load(arch)
    bbh = load_bbh(default_bbh_path())
    with warnings.catch_warnings():
        warnings.simplefilter("error", RangeWarning)  # they lie inside the trained range
        answers = model.complete([ex.prefix for ex in bbh])
    right = sum(a == ex.answer for a, ex in zip(answers, bbh, strict=True))
    assert right >= SHIPPED_RESULTS[arch]["bbh"]["correct"]


IN_RANGE = ("shapes", "walks", "strings", "runs")
LEARNED_THE_RANGE = [a for a, r in SHIPPED_RESULTS.items() if min(r[s]["exact_match"] for s in IN_RANGE) >= 0.99]


@pytest.mark.parametrize("arch", LEARNED_THE_RANGE)
def test_models_that_learned_the_range_read_every_kind_at_once(arch):
    mixed = ["<{[(", "<>[<{}>](", "(<[{<>}]>)<<", "{" * 12 + "<" * 12 + "[(", "<" * 30]
    assert bc.load(arch).complete(mixed) == [solve(p, GENERAL_VOCAB) for p in mixed]


@pytest.mark.parametrize("arch", SHIPPED)
def test_shipped_weights_match_their_recorded_checksum(arch):
    import hashlib

    sums = dict(line.split()[::-1] for line in (PRETRAINED / "SHA256SUMS").read_text().splitlines())
    assert hashlib.sha256((PRETRAINED / arch / "best.safetensors").read_bytes()).hexdigest() == sums[f"{arch}/best.safetensors"]


def test_the_fixed_readme_example_gets_the_true_answer_not_the_originals():
    assert ("((()){【】【】()【】", "})") in README_EXAMPLES
    assert bc.load(DEFAULT_ARCH).complete(["((()){[][]()[]"]) == ["})"]


@pytest.mark.parametrize("arch", SHIPPED)
def test_recorded_command_still_builds_the_shipped_shape(arch):
    """The command in training_info.json, read by today's CLI, must ask for the shipped model's
    exact config: a default that changes without bench/pretrain.py pinning it breaks this."""
    import dataclasses
    import json
    import shlex

    from bracketcloser.architectures import model_config
    from bracketcloser.cli import build_parser, train_config

    info = json.loads((PRETRAINED / arch / "training_info.json").read_text())
    # the command that started the run (a run continued with --resume adds its own lines after it)
    argv = shlex.split(info["command_lines"][0])[1:]  # without the program name
    cfg = train_config(build_parser().parse_args(argv))
    shipped = json.loads((PRETRAINED / arch / "config.json").read_text())["model"]
    assert dataclasses.asdict(model_config(cfg.arch, vocab_size=shipped["vocab_size"], **cfg.model)) == shipped


@pytest.mark.parametrize("arch", ARCHS)
def test_each_recipe_reproduces_its_shipped_training_settings(arch):
    """``bracketcloser train --recipe ARCH``, read by today's CLI, asks for every setting the
    shipped model trained with: the recipe file still reproduces it (training is deterministic
    on a CPU, and the resume test holds it bit-identical)."""
    import dataclasses
    import json

    from bracketcloser.cli import build_parser, train_config
    from bracketcloser.train import TrainConfig

    cfg = train_config(build_parser().parse_args(["train", "--recipe", arch]))
    shipped = json.loads((PRETRAINED / arch / "config.json").read_text())["train"]
    assert dataclasses.asdict(cfg) == dataclasses.asdict(TrainConfig.from_dict(shipped))


@pytest.mark.parametrize("name", ALSO_SHIPPED)
def test_a_model_kept_for_the_course_loads_by_name(name):
    """gpt_softmax (the GPT shipped before chapter 7's settings) loads by name like the six (its
    checksum and recorded command are held by the tests above)."""
    model = bc.load(name)
    assert model.name == name and model.folder is None and model.trained == GENERAL
    assert model.complete(["<{[(", "(<[{<>}]>)<<"]) == [solve(p, GENERAL_VOCAB) for p in ["<{[(", "(<[{<>}]>)<<"]]
