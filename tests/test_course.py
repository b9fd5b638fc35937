"""The course (course/, docs/course/): both languages for every chapter, the same code in both
except the declared language cells, and committed notebooks that match their sources. Nothing
is executed here (``course/build.py --check`` runs the notebooks)."""

import ast
import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# course/build.py under a name of its own ("build" is also PyPA's package and setuptools' folder)
_spec = importlib.util.spec_from_file_location("course_build", ROOT / "course" / "build.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)  # puts course/ on sys.path, for the chapters' `from cells import ...`
from cells import LANGS, Code, Markdown  # noqa: E402

CHAPTERS = build.chapters()


def test_seven_chapters():
    assert [name.split("_")[0] for name in CHAPTERS] == ["01", "02", "03", "04", "05", "06", "07"]


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_cell_in_both_languages(name):
    cells = build.load_chapter(name)
    assert all(isinstance(c, (Markdown, Code)) for c in cells)
    for c in cells:
        for lang in LANGS:
            assert c.source(lang).strip(), f"{name}: a cell is empty in {lang}"
    japanese = [c.ja for c in cells if isinstance(c, Markdown)]
    assert all(any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text) for text in japanese), \
        f"{name}: a Japanese markdown cell has no Japanese in it"
    assert isinstance(cells[0], Markdown) and cells[0].en.startswith("# ") and cells[0].ja.startswith("# ")


@pytest.mark.parametrize("name", CHAPTERS)
def test_code_is_shared_except_language_cells(name):
    en, ja = build.cells_for(name, "en"), build.cells_for(name, "ja")
    assert [c["cell_type"] for c in en] == [c["cell_type"] for c in ja]
    language_cells = [i for i, c in enumerate(en) if c["language_cell"]]
    assert language_cells == [i for i, c in enumerate(ja) if c["language_cell"]]
    assert language_cells == [1], f"{name}: the language cell is the first code cell, and the only one"
    for i, (a, b) in enumerate(zip(en, ja, strict=True)):
        if a["cell_type"] == "code" and not a["language_cell"]:
            assert a["source"] == b["source"], f"{name}: code cell {i} differs between English and Japanese"
    assert 'LANG = "en"' in en[1]["source"] and 'LANG = "ja"' in ja[1]["source"]
    assert "import matplotlib_fontja" in ja[1]["source"]  # Japanese figure labels need a Japanese font


@pytest.mark.parametrize("name", CHAPTERS)
def test_code_cells_parse(name):
    for lang in LANGS:
        for i, c in enumerate(build.cells_for(name, lang)):
            if c["cell_type"] == "code":
                try:
                    ast.parse(c["source"])
                except SyntaxError as e:
                    pytest.fail(f"{name} ({lang}) code cell {i}: {e}")


@pytest.mark.parametrize("name", CHAPTERS)
@pytest.mark.parametrize("lang", LANGS)
def test_committed_notebook_matches_its_source(name, lang):
    assert build.stale(name, lang) is None, build.stale(name, lang)


@pytest.mark.parametrize("name", CHAPTERS)
@pytest.mark.parametrize("lang", LANGS)
def test_committed_notebook_was_executed(name, lang):
    nb = json.loads(build.notebook_path(name, lang).read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(c.get("execution_count") for c in code), "every code cell has run (build.py writes outputs)"
    errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, f"an error output: {errors[0].get('ename')}: {errors[0].get('evalue')}"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


def test_notebook_paths_follow_the_docs_suffix_convention():
    assert build.notebook_path("01_task", "en").name == "01_task.ipynb"
    assert build.notebook_path("01_task", "ja").name == "01_task.ja.ipynb"
    assert build.notebook_path("01_task", "en").parent == ROOT / "docs" / "course"


def test_a_notebook_that_differs_from_its_source_is_named(tmp_path, monkeypatch):
    monkeypatch.setattr(build, "OUT", tmp_path)
    cells = build.cells_for("01_task", "ja")
    nb = {"cells": [{"cell_type": c["cell_type"], "source": c["source"],
                     "metadata": {"course": {"language_cell": True}} if c["language_cell"] else {}} for c in cells]}
    path = tmp_path / "01_task.ja.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert build.stale("01_task", "ja") is None
    nb["cells"][2]["source"] += "\nprint('edited by hand')"
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert "at cell 2" in build.stale("01_task", "ja")
    path.unlink()
    assert "missing" in build.stale("01_task", "ja")


@pytest.mark.parametrize("name", CHAPTERS)
def test_japanese_emphasis_closes(name):
    """Markdown reads ``**…。**`` followed straight by a letter as no emphasis at all (CommonMark's
    flanking rule, which Japanese text without spaces runs into): keep a space or punctuation after it."""
    import re

    span = re.compile(r"(\*\*|\*)(?=\S)(.+?)(?<=\S)\1")
    for c in build.cells_for(name, "ja"):
        if c["cell_type"] != "markdown":
            continue
        for m in span.finditer(c["source"]):
            after = c["source"][m.end() : m.end() + 1]
            if not m.group(2)[-1].isalnum() and m.group(2)[-1] != "`" and after.strip() and after not in "、。）」.,:;!?":
                pytest.fail(f"{name}: emphasis that markdown will not close: {c['source'][m.start() : m.end() + 5]!r}")
