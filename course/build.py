"""Build the course: ``course/chapters/NN_name.py`` -> ``docs/course/NN_name.ipynb`` (English)
and ``docs/course/NN_name.ja.ipynb`` (Japanese), executed, with their outputs.

    .venv/bin/python course/build.py               # build, execute and write all fourteen notebooks
    .venv/bin/python course/build.py 03 05         # only these chapters (both languages)
    .venv/bin/python course/build.py --no-execute  # write the cells without running them (fast)
    .venv/bin/python course/build.py --prose-only  # rewrite the markdown, keeping every code cell's
                                                   # outputs (refused where a code cell changed)
    .venv/bin/python course/build.py --check       # run every notebook, write nothing; fail on
                                                   # the first cell that raises, naming it

One source feeds both languages, as the Annotated Transformer builds its notebook from a
``.py``: a chapter is a list of cells (``cells.py``), a markdown cell holding both texts and
a code cell shared, except the declared language cells. Nothing here imports the notebook
tools until it executes or writes, so ``cells_for`` (what the tests compare) needs none of them.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CHAPTERS = HERE / "chapters"
OUT = ROOT / "docs" / "course"
CELL_TIMEOUT = 300  # seconds one cell may run before the build fails
KERNEL = "python3"

sys.path.insert(0, str(HERE))
from cells import LANGS, Code  # noqa: E402


def chapters() -> list[str]:
    """Chapter names in order: ``["01_task", "02_data", ...]``."""
    return sorted(p.stem for p in CHAPTERS.glob("[0-9][0-9]_*.py"))


def load_chapter(name: str) -> list:
    """The ``CELLS`` of ``chapters/<name>.py``."""
    spec = importlib.util.spec_from_file_location(f"course_chapter_{name}", CHAPTERS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CELLS


def notebook_path(name: str, lang: str) -> Path:
    return OUT / (f"{name}.ipynb" if lang == "en" else f"{name}.{lang}.ipynb")


def cells_for(name: str, lang: str) -> list[dict]:
    """The cells of one notebook, unexecuted: ``{"cell_type", "source", "language_cell"}``."""
    return [{"cell_type": "code" if isinstance(c, Code) else "markdown", "source": c.source(lang),
             "language_cell": isinstance(c, Code) and c.is_language_cell} for c in load_chapter(name)]


def build_notebook(name: str, lang: str):
    """An nbformat notebook of the chapter in ``lang``, without outputs."""
    import nbformat.v4 as nbf

    nb = nbf.new_notebook()
    nb.metadata.update({
        "kernelspec": {"name": KERNEL, "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "course": {"chapter": name, "lang": lang, "source": f"course/chapters/{name}.py"},
    })
    for i, cell in enumerate(cells_for(name, lang)):
        make = nbf.new_code_cell if cell["cell_type"] == "code" else nbf.new_markdown_cell
        new = make(cell["source"], id=f"cell-{i:02d}")
        if cell["language_cell"]:
            new.metadata["course"] = {"language_cell": True}
        nb.cells.append(new)
    return nb


class CellFailed(Exception):
    """A notebook cell raised or ran too long: ``str()`` is one line naming both."""


def execute(nb, label: str):
    """Run ``nb`` top to bottom in a fresh ``python3`` kernel in the repository root; return it
    with its outputs. Raises ``CellFailed`` naming ``label`` and the cell."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    class Client(NotebookClient):
        current = None  # (index, source) of the cell being run, for the error message

        def create_kernel_manager(self):
            km = super().create_kernel_manager()
            # local sockets, nothing on TCP (and no warning about it from the kernel), at an absolute
            # path: the kernel runs in the repository root, whatever folder build.py was started from
            km.transport, km.ip = "ipc", os.path.join(sockets, "kernel")
            return km

        async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
            self.current = (cell_index, cell.source)
            return await super().async_execute_cell(cell, cell_index, *args, **kwargs)

    # the kernel's environment: this one, with src/ first on the path, so that the package
    # imports even where it is not installed
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    client = Client(nb, timeout=CELL_TIMEOUT, kernel_name=KERNEL, record_timing=False,
                    resources={"metadata": {"path": str(ROOT)}})
    sockets = tempfile.mkdtemp(prefix="bracketcloser-kernel-")
    try:
        client.execute(env=env)
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as e:
        index, source = client.current or (None, "")
        first = source.strip().splitlines()[0] if source.strip() else ""
        if isinstance(e, CellExecutionError):
            what = f"{e.ename}: {e.evalue}".strip()
        else:
            what = (str(e).strip().splitlines() or [type(e).__name__])[-1]
        raise CellFailed(f"{label}: cell {index} ({first[:60]!r}) failed: {what}") from None
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    return nb


def clean_outputs(nb) -> None:
    """Outputs that would change on every build for no reason stay out of the file."""
    for cell in nb.cells:
        cell.metadata.pop("execution", None)


def keep_outputs(nb, path: Path) -> None:
    """Give ``nb``'s code cells the outputs of the notebook at ``path``, whose code must be the same."""
    import nbformat

    if not path.is_file():
        raise ValueError("no notebook to keep outputs from: build it")
    old = nbformat.read(path, as_version=4)
    old_code = [c for c in old.cells if c.cell_type == "code"]
    new_code = [c for c in nb.cells if c.cell_type == "code"]
    if [c.source for c in old_code] != [c.source for c in new_code]:
        raise ValueError("a code cell changed: execute it again (build.py without --prose-only)")
    for new, before in zip(new_code, old_code, strict=True):
        new.outputs, new.execution_count = before.outputs, before.execution_count
    nb.metadata = old.metadata


def write(nb, path: Path) -> None:
    import nbformat

    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.validate(nb)
    text = nbformat.writes(nb) + "\n"
    path.write_text(text, encoding="utf-8")


def shown(path: Path) -> str:
    """A path as the messages give it: from the repository root where it lies inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def stale(name: str, lang: str) -> str | None:
    """Why the committed notebook does not match its source, or None when it does."""
    path = notebook_path(name, lang)
    if not path.is_file():
        return f"{shown(path)} is missing"
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    want = cells_for(name, lang)
    got = [{"cell_type": c["cell_type"], "source": "".join(c["source"]),
            "language_cell": bool(c.get("metadata", {}).get("course", {}).get("language_cell"))} for c in cells]
    if got != want:
        first = next((i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b), min(len(got), len(want)))
        return f"{shown(path)} differs from course/chapters/{name}.py at cell {first} (rebuild it)"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build (and execute) the course notebooks.")
    parser.add_argument("chapters", nargs="*", help="chapter numbers or names (default: all)")
    parser.add_argument("--check", action="store_true", help="execute every notebook, write nothing, fail on a cell")
    parser.add_argument("--no-execute", action="store_true", help="write the cells without outputs")
    parser.add_argument("--prose-only", action="store_true",
                        help="rewrite the markdown cells, keeping the code cells and their outputs from the existing notebook")
    parser.add_argument("--lang", choices=LANGS, action="append", help="only this language (repeatable)")
    args = parser.parse_args(argv)
    names = chapters()
    if args.chapters:
        wanted = [n for n in names if any(n == c or n.split("_")[0] == c.zfill(2) for c in args.chapters)]
        if not wanted:
            parser.error(f"no chapter matches {' '.join(args.chapters)} (chapters: {', '.join(names)})")
        names = wanted
    failures = []
    for name in names:
        for lang in args.lang or LANGS:
            path = notebook_path(name, lang)
            label = shown(path)
            nb = build_notebook(name, lang)
            if args.check and (why := stale(name, lang)):
                print(f"FAILED {why}", file=sys.stderr, flush=True)
                failures.append(why)
            if args.no_execute:
                write(nb, path)
                print(f"{label}: written (not executed)")
                continue
            if args.prose_only:
                try:
                    keep_outputs(nb, path)
                except ValueError as e:
                    print(f"FAILED {label}: {e}", file=sys.stderr)
                    return 1
                write(nb, path)
                print(f"{label}: prose rewritten, outputs kept")
                continue
            started = time.perf_counter()
            try:
                execute(nb, label)
            except CellFailed as e:
                print(f"FAILED {e}", file=sys.stderr, flush=True)
                return 1
            seconds = time.perf_counter() - started
            if not args.check:
                clean_outputs(nb)
                write(nb, path)
            print(f"{label}: {seconds:.1f} s{'' if args.check else ', written'}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
