import argparse
import re
import subprocess
import sys

import pytest

from bracketcloser import demo
from bracketcloser.architectures import ARCHS, DEFAULT_ARCH
from bracketcloser.cli import build_parser, main
from bracketcloser.evaluate import summary_text
from bracketcloser.inference import load
from conftest import SHIPPED_RESULTS

# The CLI contract (the product spec, section 5), carried here: each subcommand and the options the spec
# names for it (checked line by line against the spec when this table was written).
CONTRACT = {
    "demo": ["--lang"],
    "generate": [],
    "train": ["--arch", "--time", "--steps", "--samples", "--recipe", "--params", "--resume"],
    "evaluate": ["--model", "--suite", "--data", "--json"],
    "complete": ["--model", "--interactive"],
    "models": [],
    "compare": [],
    "tune": ["--arch", "--dist", "--time", "--steps", "--trials", "--study", "--storage", "--workers", "--out"],
    "app": ["--host", "--port", "--models-dir"],
}


def _help(argv, capsys) -> str:
    with pytest.raises(SystemExit) as e:
        main([*argv, "--help"])
    assert e.value.code == 0
    return capsys.readouterr().out


def test_help_lists_every_subcommand_of_the_contract_and_each_lists_its_options(capsys):
    top = _help([], capsys)
    listed = re.findall(r"^    (\w+)\s{2,}\S", top, re.M)  # argparse's table of subcommands: name, then its help
    assert set(CONTRACT) <= set(listed), set(CONTRACT) - set(listed)
    for name, options in CONTRACT.items():
        out = _help([name], capsys)
        assert out.startswith(f"usage: bracketcloser {name} "), name
        own = set(re.findall(r"^  (?:-\w+, )?(--[\w-]+)", out, re.M))  # the options section of its help
        assert set(options) <= own, (name, set(options) - own)
        assert {o for a in _subparser(name)._actions for o in a.option_strings if o.startswith("--")} == own, name


def _subparser(name: str) -> argparse.ArgumentParser:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices[name]


def test_the_contracts_options_read_what_the_spec_says():
    parse = build_parser().parse_args
    assert (parse(["app"]).host, parse(["app"]).port) == ("127.0.0.1", 7860)
    assert parse(["evaluate"]).model == parse(["complete", "("]).model == "latest"
    assert parse(["evaluate", "--json", "--suite", "bbh", "--data", "f.json"]).json is True
    assert parse(["complete", "-i"]).interactive is parse(["complete", "--interactive"]).interactive is True
    assert _subparser("demo")._option_string_actions["--lang"].choices == ["en", "ja"]
    args = parse(["tune", "--arch", "gru", "--dist", "dyck", "--steps", "5", "--trials", "3", "--study", "s",
                  "--storage", "sqlite:///x.db", "--workers", "2", "--out", "o"])
    assert (args.arch, args.dist, args.steps, args.trials, args.study, args.storage, args.workers, args.out) == (
        "gru", "dyck", 5, 3, "s", "sqlite:///x.db", 2, "o")
    assert "sqlite:///tuning.db" in _subparser("tune")._option_string_actions["--storage"].help  # the default, said
    args = parse(["train", "--resume", "RUN"])
    assert args.resume == "RUN" and parse(["train", "--params", "p.json", "--samples", "100"]).samples == 100


def test_generate_is_byte_identical(tmp_path):
    files = {}
    for run in ("a", "b"):
        assert main(["generate", "--dist", "seed", "--samples", "300", "--seed", "0", "--out", str(tmp_path / run)]) == 0
        files[run] = {p.relative_to(tmp_path / run): p.read_bytes() for p in (tmp_path / run).rglob("*.json")}
    assert len(files["a"]) == 4 and files["a"] == files["b"]


@pytest.mark.parametrize(
    "argv",
    [["generate", "--dist", "nope", "--out", "x"], ["generate", "--samples", "0", "--out", "x"], ["generate"], ["nope"]],
)
def test_bad_arguments_one_line_exit_2(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("bracketcloser: error:") and err.count("\n") == 1


def test_unwritable_output(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["generate", "--out", str(blocker / "sub")]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_python_dash_m_runs():
    out = subprocess.run([sys.executable, "-m", "bracketcloser", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and "bracketcloser" in out.stdout


def test_demo_shows_shipped_answers_then_trains(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LC_ALL", "ja_JP.UTF-8")  # --lang en wins over a Japanese locale
    assert main(["demo", "--steps", "20", "--models-dir", str(tmp_path), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    # the shipped default model answers in the original's format, every one right
    assert "Input: {}{}(){, Predicted Output: }, Expected Output: }  [correct]" in out
    # predicted and expected in one notation: the original's full-width brackets
    assert "Input: {}()【】(){}【, Predicted Output: 】, Expected Output: 】  [correct]" in out
    assert "21/21 correct" in out
    for arch in ARCHS:  # each of the others as many right as when it was shipped
        if arch != DEFAULT_ARCH:
            assert f"{arch} {SHIPPED_RESULTS[arch]['readme']['correct']}/21" in out
    # then a fresh run is trained, saved and evaluated
    assert len(list(tmp_path.glob(f"{DEFAULT_ARCH}_*/best.safetensors"))) == 1
    assert "exact match" in out


def test_demo_speaks_the_locales_language_unless_told():
    assert build_parser().parse_args(["demo"]).lang is None  # then the locale decides
    assert demo.language({"LANG": "ja_JP.UTF-8"}) == "ja"
    assert demo.language({"LC_ALL": "en_US.UTF-8", "LANG": "ja_JP.UTF-8"}) == "en"  # LC_ALL first, as POSIX
    assert demo.language({"LC_ALL": "", "LC_MESSAGES": "ja_JP.eucJP", "LANG": "C"}) == "ja"
    assert demo.language({"LANG": "C.UTF-8"}) == demo.language({}) == "en"


def test_demo_narrates_in_japanese(capsys):
    intro = demo.introduction("ja")
    assert intro.startswith("課題: ") and "'{[(' に ')]}' と答えます" in intro
    part1 = demo.shipped(DEFAULT_ARCH, "ja")
    assert part1.startswith(f"1. 同梱の {DEFAULT_ARCH} が、元のプロジェクトの README に載っている 21 例に答えます:")
    assert "Input: {}{}(){, Predicted Output: }, Expected Output: }  [正解]" in part1  # the original's format
    assert "21 問中 21 問正解。" in part1 and "同梱のほかのモデル: " in part1
    report = {"exact_match": 0.5, "n": 2, "correct": 1, "ci95": [0.1, 0.9], "token_accuracy": 0.75, "unsupported": 0,
              "by_answer_length": {1: {"exact_match": 0.5, "n": 2}}, "by_prefix_length": {}, "by_depth": {}}
    assert summary_text(report, "gpt", "ja").startswith("gpt: 完全一致率 50.00%（1/2、95% 信頼区間 10.00%〜90.00%）")
    assert summary_text(report, "gpt").startswith("gpt: exact match 50.00% (1/2, 95% CI 10.00%-90.00%)")
    model = load(DEFAULT_ARCH)
    assert demo.title(model, "en") == repr(model)  # English names the model as it always did
    assert demo.title(model, "ja") == f"{DEFAULT_ARCH}（パラメータ {model.model.num_params():,} 個）"
    assert [demo.how_long("1min", None, "ja"), demo.how_long("1h30m", None, "ja"), demo.how_long(None, 200, "ja")] == [
        "1 分", "1 時間 30 分", "200 ステップ"]
    assert [demo.how_long("1min", None, "en"), demo.how_long(None, 200, "en")] == ["1min", "200 steps"]


def test_demo_refuses_an_unknown_language(capsys):
    assert main(["demo", "--lang", "fr"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("bracketcloser: error: argument --lang: invalid choice: 'fr'") and err.count("\n") == 1
