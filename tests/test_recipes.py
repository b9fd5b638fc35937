"""Recipe files: a shipped model's training as settings, read by ``train --recipe``."""

import dataclasses

import pytest

from bracketcloser.architectures import ARCHS
from bracketcloser.cli import main
from bracketcloser.recipes import names, read_recipe
from bracketcloser.train import TrainConfig


def test_every_shipped_model_has_a_recipe_that_builds_a_config():
    assert [n for n in names() if not n.endswith("_1min")] == sorted(ARCHS)
    for name in ARCHS:
        settings = read_recipe(name)
        assert settings["arch"] == name and settings["dist"] == "general" and settings["threads"] == 1
        TrainConfig.from_dict(settings)  # every key is a setting that exists, with a valid value


@pytest.mark.parametrize("arch", ARCHS)
def test_each_architecture_s_one_minute_recipe_is_what_train_does_by_default(arch):
    """``--recipe gpt_1min`` and ``--arch gpt`` are the same training: the file names the task and
    the budget, and every other setting comes from the registry, the one place defaults live."""
    assert f"{arch}_1min" in names()
    assert dataclasses.asdict(TrainConfig.from_dict(read_recipe(f"{arch}_1min"))) == dataclasses.asdict(TrainConfig(arch=arch))


def test_a_recipe_s_own_settings_override_what_it_includes(tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text('include = "gpt"\nsteps = 10\nseed = 3\n')
    settings = read_recipe(mine)
    assert settings["steps"] == 10 and settings["seed"] == 3 and settings["n_layer"] == 3  # the rest from gpt


def test_flags_apply_on_top_of_a_recipe():
    from bracketcloser.cli import build_parser, train_config

    cfg = train_config(build_parser().parse_args(["train", "--recipe", "gpt", "--steps", "7", "--set", "runs=0.1"]))
    assert (cfg.arch, cfg.steps, cfg.runs, cfg.model["n_layer"]) == ("gpt", 7, 0.1, 3)


@pytest.mark.parametrize("recipe, message", [("nope", "no recipe named 'nope'"), ("missing.toml", "no recipe file")])
def test_an_unknown_recipe_is_one_clear_line(recipe, message, capsys):
    assert main(["train", "--recipe", recipe]) != 0
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_a_broken_recipe_file_is_one_clear_line(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("steps = = 3\n")
    assert main(["train", "--recipe", str(bad)]) != 0
    err = capsys.readouterr().err.strip()
    assert "not a valid TOML recipe" in err and len(err.splitlines()) == 1


def test_a_recipe_runs(tmp_path):
    mine = tmp_path / "tiny.toml"
    mine.write_text('include = "gpt"\nsteps = 3\neval_every = 3\nval_samples = 8\n')
    assert main(["train", "--recipe", str(mine), "--models-dir", str(tmp_path / "models"), "--quiet"]) == 0
    assert len(list((tmp_path / "models").glob("gpt_*/best.safetensors"))) == 1
