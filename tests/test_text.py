"""The one table of texts (``bracketcloser.text``): every key in English and Japanese, the
Japanese free of English words and in full-width parentheses, and the demo's Japanese as it
prints (the page's Japanese in a browser: test_app_browser.py)."""

import re
import string

from bracketcloser import demo
from bracketcloser.architectures import ARCHS, DEFAULT_ARCH
from bracketcloser.evaluate import summary_text
from bracketcloser.inference import load
from bracketcloser.text import GROUPS, TERMS, TEXT, say

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")
# what a Japanese text may spell in Latin letters: the project's name, the models' names, the
# original's README and the key that stops a training; code is quoted (`…`, '…'), a command or a path
NAMES = {"bracketcloser", *ARCHS, "README", "Ctrl", "C"}
CODE = re.compile(r"`[^`]*`|'[^']*'|\{[^}]*\}|bracketcloser(?: [-\w{}./]+)*|[\w.-]*/[\w./-]*")
QUOTED = re.compile(r"`[^`]*`|'[^']*'")  # brackets quoted as data: '{[(' に ')]}'
HALF_WIDTH_PROSE = re.compile(r"\([^()]*" + JAPANESE.pattern + r"[^()]*\)")  # 例 (…) where 例（…） is meant


def half_width_prose(text: str) -> list[str]:
    return HALF_WIDTH_PROSE.findall(QUOTED.sub("", text))


def english_words(text: str) -> set[str]:
    """The Latin words of ``text`` that are no name, outside code and {placeholders}."""
    return set(re.findall(r"[A-Za-z]+(?:'[a-z]+)?", CODE.sub("", text))) - NAMES


def fields(text: str) -> set[str]:
    """The values a template takes; none for a text that is no template ({[(<>)] as data)."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name and name.isidentifier()}
    except ValueError:
        return set()


def test_every_key_has_english_and_japanese_once():
    assert all(set(texts) == {"en", "ja"} and all(texts.values()) for texts in TEXT.values())
    assert sum(len(group) for group in GROUPS.values()) == len(TEXT), "a key stands in two groups"
    assert set(GROUPS) == {"app", "figures", "demo", "evaluation", "tables"}


def test_both_languages_take_the_same_values():
    assert {key: texts for key, texts in TEXT.items() if fields(texts["en"]) != fields(texts["ja"])} == {}
    # a text that takes no values is shown as written: a doubled brace there would show doubled
    assert [text for texts in TEXT.values() for text in texts.values()
            if not fields(text) and ("{{" in text or "}}" in text)] == []
    assert say("layer", "ja", n=2) == "第2層" and say("prefix_info") == "e.g. {[(<>)] — any of ()[]{}<>"
    assert say("solver_answers", "en", answer=")]}").startswith("The exact solver (a stack) answers '{[(' with ')]}'.")


def test_japanese_texts_speak_no_english_and_take_full_width_parentheses():
    japanese = {key: texts["ja"] for key, texts in TEXT.items()}
    japanese |= {f"term {word}": texts["ja"] for word, texts in TERMS.items() if texts.get("ja")}
    assert {key: english_words(text) for key, text in japanese.items() if english_words(text)} == {}
    # Japanese prose in half-width parentheses: 例（…） not 例 (…); brackets typed as data stay as they are
    assert [text for text in japanese.values() if half_width_prose(text)] == []
    assert not [text for texts in TEXT.values() for text in [texts["en"]] if JAPANESE.search(text)]
    assert "予算" not in "".join(japanese.values())  # a training's length, not a budget of money


def test_the_demos_japanese_has_no_english_word_but_names_and_code():
    """Every fixed part the demo prints in Japanese, filled in as ``demo.run`` fills it; the
    21 examples keep the original's own format (``Input: …, Predicted Output: …``)."""
    model = load(DEFAULT_ARCH)
    report = {"exact_match": 0.5, "n": 2, "correct": 1, "ci95": [0.1, 0.9], "token_accuracy": 0.75, "unsupported": 1,
              "excluded": 3, "by_answer_length": {1: {"exact_match": 0.5, "n": 2}}, "by_prefix_length": {},
              "by_depth": {}}
    shipped = [line for line in demo.shipped(DEFAULT_ARCH, "ja").splitlines() if not line.startswith("  Input: ")]
    printed = [demo.introduction("ja"), *shipped,
               *(say("part2", "ja", arch=DEFAULT_ARCH, length=demo.how_long(time, steps, "ja"), models_dir="models")
                 for time, steps in (("1min", None), ("10min", None), ("1h30m", None), ("30s", None), (None, 200))),
               say("part3", "ja"), summary_text(report, demo.title(model, "ja"), "ja"), say("part4", "ja"),
               say("right_of_21", "ja", right=20), say("next", "ja", run="models/gpt_seed_1min_20250101-000000")]
    text = "\n".join(printed)
    assert {line: english_words(line) for line in text.splitlines() if english_words(line)} == {}
    assert half_width_prose(text) == []
    assert "1 分学習し" in text and "200 ステップ学習し" in text and "パラメータ" in text  # not (1min), parameters
