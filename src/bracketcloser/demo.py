"""``bracketcloser demo``: the shipped models answer the original project's README examples,
then one model learns before your eyes and answers them again; narrated in English or Japanese.

The language is ``--lang``, else the locale (``LANG=ja_JP.UTF-8`` speaks Japanese). Every
sentence is in the package's table of texts (``bracketcloser.text``, its ``DEMO`` group); each
part of the demo is a function that returns its text, so the narration is tested without
training anything.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .architectures import ARCHS
from .data import seed_label_error_rate
from .examples import README_EXAMPLES
from .solver import solve
from .text import say
from .tokens import DEFAULT_VOCAB, FULL_WIDTH

TO_FULL_WIDTH = str.maketrans({ascii_: wide for wide, ascii_ in FULL_WIDTH.items()})

# a time budget's units (train.budget_seconds reads the same spellings) -> the table's word for them
UNITS = {"s": "seconds", "sec": "seconds", "m": "minutes", "min": "minutes", "h": "hours", "hour": "hours",
         "hours": "hours", "d": "days", "day": "days", "days": "days"}


def language(env: dict | None = None) -> str:
    """``ja`` when the locale is Japanese, else ``en``: the first of LC_ALL, LC_MESSAGES and
    LANG that is set decides, as it does for any POSIX program's messages."""
    env = os.environ if env is None else env
    locale = next((env[k] for k in ("LC_ALL", "LC_MESSAGES", "LANG") if env.get(k)), "")
    return "ja" if locale.lower().startswith("ja") else "en"


def answer_examples(model) -> list[tuple[str, str, str, bool]]:
    """The original README's 21 examples: (prefix, expected, predicted, correct) each."""
    answers = model.complete([p for p, _ in README_EXAMPLES])
    return [(p, e, a, a == DEFAULT_VOCAB.clean(e)) for (p, e), a in zip(README_EXAMPLES, answers, strict=True)]


def examples_text(model, lang: str) -> tuple[str, int]:
    """The 21 examples answered, in the original's format, and how many are right."""
    rows, lines = answer_examples(model), []
    for prefix, expected, predicted, ok in rows:
        # the original printed square brackets full-width: answer in the notation of the question
        shown = predicted.translate(TO_FULL_WIDTH) if any(c in prefix + expected for c in "【】") else predicted
        lines.append(f"  Input: {prefix}, Predicted Output: {shown}, Expected Output: {expected}  "
                     f"[{say('correct' if ok else 'incorrect', lang)}]")
    return "\n".join(lines), sum(ok for *_, ok in rows)


def introduction(lang: str) -> str:
    rate = seed_label_error_rate(20_000, seed=0)
    return "\n".join([say("task", lang), say("solver_answers", lang, answer=solve("{[(")),
                      say("original_mislabels", lang, rate=rate)])


def shipped(arch: str, lang: str) -> str:
    """Part 1: the shipped ``arch`` on the 21 examples, then how the other shipped models score."""
    from .inference import load

    text, right = examples_text(load(arch), lang)
    scores = ", ".join(f"{other} {sum(ok for *_, ok in answer_examples(load(other)))}/21" for other in ARCHS if other != arch)
    return "\n".join([say("part1", lang, arch=arch), text, say("right_of_21", lang, right=right) + say("misprint", lang),
                      say("others", lang, scores=scores)])


def how_long(time: str | None, steps: int | None, lang: str) -> str:
    """How long part 2 trains: ``200 steps``; a time budget as typed in English (``1min``),
    in words in Japanese (``1h30m`` -> ``1 時間 30 分``)."""
    if steps:
        return say("n_steps", lang, n=steps)
    if lang == "en":
        return time
    return " ".join(say(UNITS[unit], lang, n=int(n)) for n, unit in re.findall(r"(\d+)([a-z]+)", time))


def title(model, lang: str) -> str:
    """The trained model as its evaluation's summary names it: name and size."""
    return say("model_title", lang, name=model.name, params=model.model.num_params())


def run(arch: str, time: str | None, steps: int | None, seed: int, models_dir: str, argv: list[str], lang: str) -> Path:
    """The whole demo, printed as it goes; the trained run's folder."""
    from .data import suite
    from .evaluate import evaluate, summary_text
    from .inference import load
    from .train import TrainConfig, train

    print(introduction(lang))
    print(shipped(arch, lang))
    print(say("part2", lang, arch=arch, length=how_long(time, steps, lang), models_dir=models_dir))
    folder = train(TrainConfig(arch=arch, time=time, steps=steps, seed=seed), models_dir=models_dir, argv=argv)
    model = load(folder)
    print(say("part3", lang))
    print(summary_text(evaluate(model, suite("seed", 1000, seed=0)), title(model, lang), lang))
    print(say("part4", lang))
    text, right = examples_text(model, lang)
    print(text)
    print(say("right_of_21", lang, right=right))
    print(say("next", lang, run=folder))
    return folder
