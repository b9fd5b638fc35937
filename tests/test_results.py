"""Results bound to what made them, and pages bound to their results.

Every current results file (``bench/results/``, outside ``history/``) carries a provenance
block written by ``bench/common.py``'s ``write_result``: the commit, the date, the versions,
the command that re-makes that very file, and the SHA-256 of the weights of every shipped
model it measured. A result whose shipped model has since been retrained is stale: the test
fails naming the file and the command that re-makes it. And every measured number on the
README and the docs stands between markers naming the result that holds it
(``bench/pages.py``): the check fails the day a page and its results disagree.
"""

import hashlib
import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PRETRAINED = ROOT / "src" / "bracketcloser" / "pretrained"


def current(results: Path) -> list[Path]:
    """The results files that speak of today's project: all but ``history/``."""
    return sorted(p for p in results.rglob("*.json") if p.relative_to(results).parts[0] != "history")


def problems(results: Path, pretrained: Path) -> list[str]:
    """What is wrong with the current results: no provenance, a command that would write some
    other file, or a shipped model measured whose weights have changed since."""
    out = []
    for path in current(results):
        name = path.relative_to(results.parents[1])
        prov = json.loads(path.read_text()).get("provenance") or {}
        missing = [k for k in ("command", "commit", "date", "versions", "models") if not prov.get(k) and k != "models"]
        if missing or "models" not in prov:
            out.append(f"{name}: no provenance ({', '.join(missing or ['models'])} missing)")
            continue
        words = shlex.split(prov["command"])
        if "--out" in words and Path(words[words.index("--out") + 1]) not in (name, name.parent):
            out.append(f"{name}: its command writes {words[words.index('--out') + 1]}, not this file")
        for label, model in prov["models"].items():
            weights = pretrained / model["source"] / "best.safetensors"
            if model["shipped"] and (not weights.is_file()
                                     or hashlib.sha256(weights.read_bytes()).hexdigest() != model["sha256"]):
                out.append(f"{name}: measured the shipped {model['source']} ({label}), whose weights have changed "
                           f"since; re-make it: {prov['command']}")
    return out


def test_every_current_result_carries_provenance_and_is_not_stale():
    assert current(RESULTS), "no results found"
    assert problems(RESULTS, PRETRAINED) == []


def test_a_result_goes_stale_when_its_shipped_weights_change(tmp_path):
    results, pretrained = tmp_path / "bench" / "results", tmp_path / "pretrained"
    shutil.copytree(RESULTS, results)
    shutil.copytree(PRETRAINED, pretrained)
    assert problems(results, pretrained) == []
    weights = pretrained / "stack" / "best.safetensors"
    weights.write_bytes(weights.read_bytes()[:-1] + b"\0")  # a retrained model, as far as a hash can tell
    found = problems(results, pretrained)
    assert any(p.startswith("bench/results/pretrained.json: measured the shipped stack") and
               p.endswith("re-make it: python bench/pretrain.py evaluate") for p in found), found
    assert any(p.startswith("bench/results/stack_long.json") for p in found), found


def test_a_result_without_provenance_is_named(tmp_path):
    results = tmp_path / "bench" / "results"
    results.mkdir(parents=True)
    (results / "speed.json").write_text('{"command": "python bench/x.py", "rows": []}')
    (results / "history").mkdir()
    (results / "history" / "old.json").write_text("{}")  # history says what it was; never stale
    assert problems(results, PRETRAINED) == ["bench/results/speed.json: no provenance (command, commit, date, "
                                             "versions missing)"]


def test_history_says_what_it_is():
    assert "history" in (RESULTS / "history" / "README.md").read_text().lower()


def _pages(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "bench" / "pages.py"), "--root", str(root), *args],
                          capture_output=True, text=True, cwd=ROOT)


def test_the_pages_agree_with_their_results():
    done = _pages(ROOT, "--check")
    assert done.returncode == 0, done.stderr
    marked = int(done.stdout.split()[0])
    assert marked >= 100, done.stdout  # the pages quote their numbers through markers, not by hand


@pytest.fixture
def copy_of_pages(tmp_path):
    for page in ["README.md", "README.ja.md", *[str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md")]]:
        (tmp_path / page).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / page, tmp_path / page)
    shutil.copytree(RESULTS, tmp_path / "bench" / "results")
    return tmp_path


def test_the_check_fails_when_a_number_in_a_result_changes(copy_of_pages):
    path = copy_of_pages / "bench" / "results" / "pretrained.json"
    results = json.loads(path.read_text())
    results["models"]["gpt"]["strings"]["exact_match"] -= 0.0123
    path.write_text(json.dumps(results))
    done = _pages(copy_of_pages, "--check")
    assert done.returncode != 0
    assert "README.md" in done.stderr and "pretrained.json" in done.stderr
    assert _pages(copy_of_pages, "--write").returncode == 0  # --write brings the pages up to date
    assert _pages(copy_of_pages, "--check").returncode == 0
    assert f"{100 * results['models']['gpt']['strings']['exact_match']:.2f}%" in (copy_of_pages / "README.md").read_text()


def test_a_marker_naming_a_missing_result_is_an_error(copy_of_pages):
    page = copy_of_pages / "docs" / "index.md"
    page.write_text(page.read_text() + "\n<!--r gone.json a.b pct2-->1%<!--/r-->\n")
    done = _pages(copy_of_pages, "--check")
    assert done.returncode != 0 and "docs/index.md" in done.stderr and "no results file" in done.stderr
