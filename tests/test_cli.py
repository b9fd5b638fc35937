import subprocess
import sys

import pytest

from bracketcloser.architectures import ARCHS, DEFAULT_ARCH
from bracketcloser.cli import main
from conftest import WRONG_ON_README


def test_help_lists_subcommands(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    for cmd in ["generate", "train", "evaluate", "complete", "models", "compare", "tune", "app"]:
        assert cmd in out


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


def test_demo_shows_shipped_answers_then_trains(tmp_path, capsys):
    assert main(["demo", "--steps", "20", "--models-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    # the shipped default model answers in the original's format, every one right
    assert "Input: {}{}(){, Predicted Output: }, Expected Output: }  [correct]" in out
    # predicted and expected in one notation: the original's full-width brackets
    assert "Input: {}()【】(){}【, Predicted Output: 】, Expected Output: 】  [correct]" in out
    assert "21/21 correct" in out
    for arch in ARCHS:
        if arch != DEFAULT_ARCH and arch not in WRONG_ON_README:
            assert f"{arch} 21/21" in out
    # then a fresh run is trained, saved and evaluated
    assert len(list(tmp_path.glob(f"{DEFAULT_ARCH}_*/best.safetensors"))) == 1
    assert "exact match" in out
