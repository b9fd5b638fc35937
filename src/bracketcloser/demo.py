"""``bracketcloser demo``: the shipped models answer the original project's README examples,
then one model learns before your eyes and answers them again; narrated in English or Japanese.

The language is ``--lang``, else the locale (``LANG=ja_JP.UTF-8`` speaks Japanese). Every
sentence is in ``SAY`` (key -> {en, ja}); each part of the demo is a function that returns its
text, so the narration is tested without training anything.
"""

from __future__ import annotations

import os
from pathlib import Path

from .architectures import ARCHS
from .data import seed_label_error_rate
from .examples import README_EXAMPLES
from .solver import solve
from .tokens import DEFAULT_VOCAB, FULL_WIDTH

TO_FULL_WIDTH = str.maketrans({ascii_: wide for wide, ascii_ in FULL_WIDTH.items()})

SAY = {
    "task": {"en": "The task: read the start of a bracket sequence, answer the brackets that close it.",
             "ja": "課題: 括弧列の前半を読み、それを閉じる括弧を答えること。"},
    "solver": {"en": "The exact solver (a stack) answers '{{[(' with '{answer}'. Can a small language model learn that?",
               "ja": "厳密なソルバー (スタック) は '{{[(' に '{answer}' と答えます。小さな言語モデルにこれが学べるでしょうか。"},
    "original": {"en": "(The original project's generator labels about one example in eighteen wrongly: {rate:.1%} of 20,000 "
                       "drawn just now. Every label here comes from the solver.)\n",
                 "ja": "(元のプロジェクトのデータ生成器は、およそ 18 例に 1 例のラベルを誤ります。いま生成した 20,000 例では "
                       "{rate:.1%}。ここでのラベルはすべてソルバーが付けたものです。)\n"},
    "part1": {"en": "1. The shipped {arch} answers the 21 examples printed in the original project's README:",
              "ja": "1. 同梱の {arch} が、元のプロジェクトの README に載っている 21 例に答えます:"},
    "right": {"en": "  {right}/21 correct.", "ja": "  21 問中 {right} 問正解。"},
    "misprint": {"en": " ((()){{[][]()[] is one the original itself printed wrongly, as )}}.)",
                 "ja": "（((()){{【】【】()【】 は、元のプロジェクト自身が )}} と誤って載せていた例です）"},
    "others": {"en": "   The other shipped models: {scores}", "ja": "   同梱のほかのモデル: {scores}"},
    "correct": {"en": "correct", "ja": "正解"},
    "incorrect": {"en": "incorrect", "ja": "不正解"},
    "steps": {"en": "{n} steps", "ja": "{n} ステップ"},
    "part2": {"en": "\n2. Now watch one learn: train a fresh {arch} for {length} on the original's distribution ('seed'); "
                    "saved under {models_dir}/ (Ctrl-C saves and stops):",
              "ja": "\n2. 次に、学ぶ様子を見ます: 新しい {arch} を元のプロジェクトの分布 ('seed') で学習し ({length})、"
                    "{models_dir}/ に保存します (Ctrl-C で保存して止まります):"},
    "part3": {"en": "\n3. Evaluate it on 1,000 held-out examples it never trained on:",
              "ja": "\n3. 学習に使っていない 1,000 例で評価します:"},
    "part4": {"en": "\n4. Its answers to the same 21 examples:", "ja": "\n4. 同じ 21 例への答え:"},
    "summary": {"en": "", "ja": "{title}: 完全一致率 {em:.2%} ({correct}/{n}、95% 信頼区間 {lo:.2%}〜{hi:.2%})、"
                                "トークン単位の正解率 {tok:.2%}"},
    "by_answer_length": {"en": "by answer length", "ja": "答えの長さ別"},
    "by_prefix_length": {"en": "by prefix length", "ja": "接頭辞の長さ別"},
    "by_depth": {"en": "by depth", "ja": "深さ別"},
    "unsupported": {"en": "", "ja": "  {n} 例はモデルの語彙にない括弧を含むか長さの上限を超えています (不正解として数えました)"},
    "next": {
        "en": "\nNext: bracketcloser complete --model {run} -i      (type your own prefixes)\n"
              "      bracketcloser app                             (the playground in your browser: see inside the models)\n"
              "      bracketcloser compare --time 1min             (all six, one after another, with a leaderboard)\n"
              "      bracketcloser train --arch lstm --time 10min --dist dyck   (another architecture, harder data)",
        "ja": "\n次は: bracketcloser complete --model {run} -i      (自分で打った括弧に答えさせる)\n"
              "      bracketcloser app                             (ブラウザのプレイグラウンド: モデルの中を見る)\n"
              "      bracketcloser compare --time 1min             (6 種類を順に学習し、リーダーボードで比べる)\n"
              "      bracketcloser train --arch lstm --time 10min --dist dyck   (別のアーキテクチャ、難しいデータ)"},
}


def say(key: str, lang: str, **values) -> str:
    return SAY[key][lang].format(**values)


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
    return "\n".join([say("task", lang), say("solver", lang, answer=solve("{[(")), say("original", lang, rate=rate)])


def shipped(arch: str, lang: str) -> str:
    """Part 1: the shipped ``arch`` on the 21 examples, then how the other shipped models score."""
    from .inference import load

    text, right = examples_text(load(arch), lang)
    scores = ", ".join(f"{other} {sum(ok for *_, ok in answer_examples(load(other)))}/21" for other in ARCHS if other != arch)
    return "\n".join([say("part1", lang, arch=arch), text, say("right", lang, right=right) + say("misprint", lang),
                      say("others", lang, scores=scores)])


def summary(report: dict, title: str, lang: str) -> str:
    """An evaluation report as a few lines (English: ``evaluate.summary_text``)."""
    if lang == "en":
        from .evaluate import summary_text

        return summary_text(report, title)
    lo, hi = report["ci95"]
    out = [say("summary", lang, title=title, em=report["exact_match"], correct=report["correct"], n=report["n"],
               lo=lo, hi=hi, tok=report["token_accuracy"])]
    if report["unsupported"]:
        out.append(say("unsupported", lang, n=report["unsupported"]))
    for name in ("by_answer_length", "by_prefix_length", "by_depth"):
        out.append(f"  {say(name, lang)}: " + ", ".join(f"{k}: {v['exact_match']:.0%} ({v['n']})"
                                                         for k, v in report[name].items()))
    return "\n".join(out)


def run(arch: str, time: str | None, steps: int | None, seed: int, models_dir: str, argv: list[str], lang: str) -> Path:
    """The whole demo, printed as it goes; the trained run's folder."""
    from .data import suite
    from .evaluate import evaluate
    from .inference import load
    from .train import TrainConfig, train

    print(introduction(lang))
    print(shipped(arch, lang))
    length = say("steps", lang, n=steps) if steps else time
    print(say("part2", lang, arch=arch, length=length, models_dir=models_dir))
    folder = train(TrainConfig(arch=arch, time=time, steps=steps, seed=seed), models_dir=models_dir, argv=argv)
    model = load(folder)
    print(say("part3", lang))
    print(summary(evaluate(model, suite("seed", 1000, seed=0)), f"{model!r}", lang))
    print(say("part4", lang))
    text, right = examples_text(model, lang)
    print(text)
    print(say("right", lang, right=right))
    print(say("next", lang, run=folder))
    return folder
