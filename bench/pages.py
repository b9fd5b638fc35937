"""Every measured number on the project's pages, rendered from the results file that holds it.

    python bench/pages.py --check   # fail, naming page and line, where a page disagrees with its results
    python bench/pages.py --write   # put the results' numbers (and bench/table.py's tables) into the pages

A number on a page stands between two markers that say where it comes from, a results file
under ``bench/results/``, a path into its JSON, and a format::

    the shipped GPT is right on <!--r pretrained.json models.gpt.strings.exact_match pct2-->99.95%<!--/r--> of `strings`

The markers are HTML comments: GitHub and the documentation site show only the number. So a
page cannot quote a number its results no longer hold: ``--check`` (run by ``.ci/run``) fails
the day a retrained model or a re-made result changes it, and ``--write`` brings every page
up to date in one go. The tables of the shipped models are ``bench/table.py``'s, checked the
same way.

Formats: ``pct0``/``pct1``/``pct2`` (0.9995 -> 99.95%), ``err1``/``err2`` (the error rate,
0.9995 -> 0.05%), ``int`` (4472 -> 4,472), ``min`` (seconds as whole minutes: 4472 -> 75),
``f1``/``f2``/``f3`` (decimals), ``x100`` (times 100, no sign: 0.9995 -> 99.95), ``raw``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

PAGES = ("README.md", "README.ja.md", "docs/*.md")
RESULTS = "bench/results"
MARKER = re.compile(r"<!--r (?P<file>\S+) (?P<path>\S+) (?P<fmt>\w+)-->(?P<shown>.*?)<!--/r-->")

FORMATS = {
    "pct0": lambda x: f"{100 * x:.0f}%", "pct1": lambda x: f"{100 * x:.1f}%", "pct2": lambda x: f"{100 * x:.2f}%",
    "err1": lambda x: f"{100 * (1 - x):.1f}%", "err2": lambda x: f"{100 * (1 - x):.2f}%",
    "int": lambda x: f"{round(x):,}", "min": lambda x: f"{x / 60:.0f}",
    "f1": lambda x: f"{x:.1f}", "f2": lambda x: f"{x:.2f}", "f3": lambda x: f"{x:.3f}",
    "x100": lambda x: f"{100 * x:.2f}", "raw": str,
}


class Missing(Exception):
    """A marker names a file, a path or a format that does not exist."""


def lookup(root: Path, file: str, path: str, cache: dict) -> object:
    """The value at ``path`` (dot-separated keys; whole numbers index lists) in results ``file``."""
    if file not in cache:
        at = root / RESULTS / file
        if not at.is_file():
            raise Missing(f"no results file {RESULTS}/{file}")
        cache[file] = json.loads(at.read_text())
    value = cache[file]
    for key in path.split("."):
        if isinstance(value, list) and key.lstrip("-").isdigit():
            index = int(key)
            if not -len(value) <= index < len(value):
                raise Missing(f"{RESULTS}/{file} has no {path}")
            value = value[index]
        elif isinstance(value, dict) and key in value:
            value = value[key]
        else:
            raise Missing(f"{RESULTS}/{file} has no {path}")
    return value


def render(text: str, root: Path, cache: dict) -> tuple[str, list[tuple[int, str]]]:
    """The page with every marked number rendered from its results, and the disagreements
    (line, what is wrong) between the page as it stands and its results."""
    problems: list[tuple[int, str]] = []

    def one(m: re.Match) -> str:
        line = text.count("\n", 0, m.start()) + 1
        try:
            if m["fmt"] not in FORMATS:
                raise Missing(f"unknown format {m['fmt']!r} (one of {', '.join(FORMATS)})")
            shown = FORMATS[m["fmt"]](lookup(root, m["file"], m["path"], cache))
        except Missing as e:
            problems.append((line, str(e)))
            return m.group(0)
        if shown != m["shown"]:
            problems.append((line, f"{m['file']} {m['path']} says {shown}, the page says {m['shown']}"))
        return m.group(0).replace(f"-->{m['shown']}<!--", f"-->{shown}<!--", 1)

    return MARKER.sub(one, text), problems


def pages(root: Path) -> list[Path]:
    return sorted(p for pattern in PAGES for p in root.glob(pattern))


def tables(root: Path) -> dict[Path, str]:
    """Each page that holds shipped-model tables, as it reads with bench/table.py's tables in it."""
    sys.path.insert(0, str(Path(__file__).parent))
    import table

    models = json.loads((root / RESULTS / "pretrained.json").read_text())["models"]
    return {root / page: text for page, text in table.render_pages(root, models).items()}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="fail where a page disagrees with its results")
    mode.add_argument("--write", action="store_true", help="rewrite the pages' numbers from their results")
    p.add_argument("--root", default=".", help="the repository's root (default: here)")
    args = p.parse_args()
    root, cache, wrong, marked = Path(args.root), {}, [], 0
    with_tables = tables(root)
    for page in pages(root):
        before = page.read_text()
        text = with_tables.get(page, before)
        name = page.relative_to(root)
        if text != before:
            wrong.append(f"{name}: a table of the shipped models differs from bench/results/pretrained.json")
        rendered, problems = render(text, root, cache)
        marked += len(MARKER.findall(text))
        wrong += [f"{name}:{line}: {what}" for line, what in problems]
        if args.write and rendered != before:
            page.write_text(rendered)
    if args.write:
        unresolved = [w for w in wrong if "says" not in w and "differs" not in w]
        print(f"{marked} numbers on {len(pages(root))} pages rendered from their results")
        if unresolved:
            raise SystemExit("\n".join(unresolved))
        return
    if wrong:
        raise SystemExit("\n".join(wrong) + "\npages disagree with their results: python bench/pages.py --write "
                         "(after re-making the results)")
    print(f"{marked} numbers and the shipped models' tables on {len(pages(root))} pages agree with their results")


if __name__ == "__main__":
    main()
