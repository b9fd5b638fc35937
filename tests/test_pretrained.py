"""The shipped models: present for every architecture, small, and right on the original's examples."""

import pytest

import bracketcloser as bc
from bracketcloser.architectures import ARCHS, DEFAULT_ARCH
from bracketcloser.examples import README_EXAMPLES
from bracketcloser.inference import PRETRAINED
from bracketcloser.tokens import DEFAULT_VOCAB


@pytest.mark.parametrize("arch", ARCHS)
def test_shipped_model_answers_the_original_readme_examples(arch):
    model = bc.load(arch)  # offline: from the package's own files
    answers = model.complete([prefix for prefix, _ in README_EXAMPLES])
    wrong = [(p, e, a) for (p, e), a in zip(README_EXAMPLES, answers, strict=True) if a != DEFAULT_VOCAB.clean(e)]
    assert wrong == []


@pytest.mark.parametrize("arch", ARCHS)
def test_shipped_files_are_small_and_trained_on_dyck(arch):
    files = {f.name: f.stat().st_size for f in (PRETRAINED / arch).iterdir()}
    assert set(files) == {"config.json", "best.safetensors", "training_info.json"}
    assert sum(files.values()) < 3_000_000
    assert bc.load(arch).config["data"]["dist"] == "dyck"


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
