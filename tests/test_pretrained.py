"""The shipped models: present for every architecture, small, and right on the original's examples."""

import warnings

import pytest

import bracketcloser as bc
from bracketcloser import solve
from bracketcloser.architectures import ARCHS, DEFAULT_ARCH
from bracketcloser.data import GENERAL, GENERAL_VOCAB, default_bbh_path, load_bbh
from bracketcloser.examples import README_EXAMPLES
from bracketcloser.inference import PRETRAINED, RangeWarning
from bracketcloser.tokens import DEFAULT_VOCAB
from conftest import BELOW_GENERAL_TARGET, WRONG_ON_README


def expected_to_fail(short_of: set[str]) -> list:
    return [pytest.param(a, marks=pytest.mark.xfail(a in short_of, strict=True, reason="short of its target (issue 11)"))
            for a in ARCHS]


@pytest.mark.parametrize("arch", expected_to_fail(WRONG_ON_README))
def test_shipped_model_answers_the_original_readme_examples(arch):
    model = bc.load(arch)  # offline: from the package's own files
    answers = model.complete([prefix for prefix, _ in README_EXAMPLES])
    wrong = [(p, e, a) for (p, e), a in zip(README_EXAMPLES, answers, strict=True) if a != DEFAULT_VOCAB.clean(e)]
    assert wrong == []


@pytest.mark.parametrize("arch", ARCHS)
def test_shipped_files_are_small_and_trained_on_the_general_range(arch):
    files = {f.name: f.stat().st_size for f in (PRETRAINED / arch).iterdir()}
    assert set(files) == {"config.json", "best.safetensors", "training_info.json"}
    assert sum(files.values()) < 5_000_000
    model = bc.load(arch)
    assert model.config["data"]["dist"] == "general" and model.trained == GENERAL
    assert model.vocab.pairs == ("()", "[]", "{}", "<>")


@pytest.mark.parametrize("arch", expected_to_fail(BELOW_GENERAL_TARGET))
def test_shipped_model_reads_four_kinds_and_answers_big_bench_hard(arch):
    """A fixed sample of BIG-Bench Hard (every tenth of its 250), and prefixes that use every
    kind at once: all right, with no warning (they lie inside the trained range)."""
    model = bc.load(arch)
    sample = load_bbh(default_bbh_path())[::10]
    mixed = ["<{[(", "<>[<{}>](", "(<[{<>}]>)<<", "{" * 12 + "<" * 12 + "[(", "<" * 30]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RangeWarning)
        answers = model.complete([ex.prefix for ex in sample] + mixed)
    assert answers == [ex.answer for ex in sample] + [solve(p, GENERAL_VOCAB) for p in mixed]


def test_the_fixed_readme_example_gets_the_true_answer_not_the_originals():
    assert ("((()){【】【】()【】", "})") in README_EXAMPLES
    assert bc.load(DEFAULT_ARCH).complete(["((()){[][]()[]"]) == ["})"]


@pytest.mark.parametrize("arch", ARCHS)
def test_recorded_command_still_builds_the_shipped_shape(arch):
    """The command in training_info.json, read by today's CLI, must ask for the shipped model's
    exact config: a default that changes without bench/pretrain.py pinning it breaks this."""
    import dataclasses
    import json
    import shlex

    from bracketcloser.architectures import model_config
    from bracketcloser.cli import build_parser, train_config

    info = json.loads((PRETRAINED / arch / "training_info.json").read_text())
    argv = shlex.split(info["command_lines"][-1])[1:]  # without the program name
    cfg = train_config(build_parser().parse_args(argv))
    shipped = json.loads((PRETRAINED / arch / "config.json").read_text())["model"]
    assert dataclasses.asdict(model_config(cfg.arch, vocab_size=shipped["vocab_size"], **cfg.model)) == shipped
