"""The two kinds of cell a chapter is made of, and the one cell that names the language.

A chapter (``chapters/NN_name.py``) is a list ``CELLS`` of these. A markdown cell carries
its English and its Japanese text; a code cell is shared by both notebooks, except where it
is declared a language cell (``code(en=..., ja=...)``): the first cell of every chapter,
which sets ``LANG``, is one, and a chapter should need no other (figure labels live in
small dicts keyed by ``LANG`` inside shared cells).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

LANGS = ("en", "ja")


def _clean(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


def _cjk(ch: str) -> bool:
    return ch > "\u2e7f"  # CJK punctuation, kana, kanji, full-width forms


def _starts_block(line: str) -> bool:
    """A line that starts something of its own in markdown (never joined to the line above)."""
    bare = line.strip()
    return line.startswith("    ") or bare.startswith(("#", "- ", "* ", "|", "```")) or bool(re.match(r"\d+[.)] ", bare))


def _join_paragraphs(text: str) -> str:
    """Japanese prose written over several source lines, joined into one line per paragraph
    (and list item): a line break inside a Japanese paragraph renders as a stray space."""
    out: list[str] = []
    for line in text.split("\n"):
        prev = out[-1] if out else ""
        if line.strip() and prev.strip() and not _starts_block(line) and not prev.startswith("    ") \
                and not prev.lstrip().startswith(("#", "|")):
            # no space between Japanese characters; but emphasis (*...*) that closes at the end of
            # a line keeps one, or markdown would not read it as closing before a letter
            glue = "" if (_cjk(prev.rstrip()[-1]) or _cjk(line.strip()[0])) and not prev.rstrip().endswith("*") else " "
            out[-1] = prev.rstrip() + glue + line.strip()
        else:
            out.append(line)
    return "\n".join(out)


@dataclass(frozen=True)
class Markdown:
    en: str
    ja: str

    def source(self, lang: str) -> str:
        return getattr(self, lang)


@dataclass(frozen=True)
class Code:
    shared: str | None = None  # the same in both notebooks
    en: str | None = None  # a language cell instead: its English and Japanese forms
    ja: str | None = None

    @property
    def is_language_cell(self) -> bool:
        return self.shared is None

    def source(self, lang: str) -> str:
        return self.shared if self.shared is not None else getattr(self, lang)


def md(en: str, ja: str) -> Markdown:
    """A markdown cell in both languages."""
    if not en.strip() or not ja.strip():
        raise ValueError("a markdown cell needs both its English and its Japanese text")
    return Markdown(_clean(en), _join_paragraphs(_clean(ja)))


def code(source: str | None = None, *, en: str | None = None, ja: str | None = None) -> Code:
    """A code cell: ``code(src)`` shared by both notebooks, or ``code(en=..., ja=...)``, a
    declared language cell."""
    shared = source is not None and en is None and ja is None
    by_language = source is None and en is not None and ja is not None
    if not (shared or by_language):
        raise ValueError("give a code cell either one shared source or both en= and ja=")
    if shared:
        return Code(shared=_clean(source))
    return Code(en=_clean(en), ja=_clean(ja))


# the first code cell of every chapter: the only place the two notebooks' code differs
LANGUAGE = code(
    en='LANG = "en"  # the language of this notebook: figure labels follow it',
    ja="import matplotlib_fontja  # noqa: F401  日本語フォント (IPAexGothic) を matplotlib に登録する\n\n"
       'LANG = "ja"  # このノートブックの言語: 図のラベルもこれに従う',
)


# the second code cell of every chapter: a finding the prose states is computed and checked in
# the same run, so the day a retrained model makes a sentence false, the notebook fails there
CLAIM = code('''
def claim(finding: str, holds: bool, **measured) -> None:
    """State a finding of this chapter and check it on what was just measured: prints it with
    the numbers, or raises naming both if the models no longer bear it out."""
    numbers = ", ".join(f"{k} = {v:.4g}" if isinstance(v, float) else f"{k} = {v}" for k, v in measured.items())
    if not holds:
        raise AssertionError(f"no longer true: {finding} ({numbers})")
    print(f"checked: {finding} ({numbers})")
''')
