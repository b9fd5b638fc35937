"""The README's quick command lines run as written (both languages carry the same ones)."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
QUICK = ("complete", "evaluate")  # answer in a second or two; train, demo and app take longer


def command_lines(page: str) -> list[str]:
    """Every line of the page's bash blocks that runs ``.venv/bin/bracketcloser``, comment cut."""
    blocks = re.findall(r"```bash\n(.*?)```", (ROOT / page).read_text(), flags=re.S)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line.startswith(".venv/bin/bracketcloser ")]


def test_both_readmes_give_the_same_command_lines():
    assert command_lines("README.md") == command_lines("README.ja.md")
    assert sum(shlex.split(line)[1] in QUICK for line in command_lines("README.md")) >= 3


@pytest.mark.parametrize("line", [line for line in command_lines("README.md") if shlex.split(line)[1] in QUICK])
def test_a_quick_readme_command_runs_as_written(line):
    """``.venv/bin/`` is where command 1 puts the program; here it is the running interpreter's."""
    program = Path(sys.executable).parent / "bracketcloser"
    argv = [str(program), *shlex.split(line)[1:]]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() and "Traceback" not in done.stderr
