"""Every word the project shows a learner, in English and Japanese: one table, ``key -> {en, ja}``.

The table is grouped by where a text is shown: the playground (``APP``) and its figures
(``FIGURES``), ``bracketcloser demo`` (``DEMO``), an evaluation's summary (``EVALUATION``:
``bracketcloser evaluate`` and the demo) and the shipped models' tables (``TABLES``: the README,
docs/results and the playground's leaderboard). A key names one text in the whole table, so
code says ``say("part1", lang, arch=arch)`` without naming the group; a language is a column
of the table, never a branch in the code.

A text that takes values is a ``str.format`` template (a literal brace is written twice); a
text that takes none is shown as it is written. ``TERMS`` translates the words the models
themselves use to name what they record (``Explanation``'s parts and tracks).

This module imports nothing of the package, so every layer may read it.
"""

from __future__ import annotations

LANGUAGES = {"English": "en", "日本語": "ja"}  # the playground's language switch: what it shows -> code

APP: dict[str, dict[str, str]] = {  # the playground (bracketcloser app)
    # the page
    "title": {"en": "# bracketcloser playground\nType brackets; see how each model closes them, and what it looked at.",
              "ja": "# bracketcloser プレイグラウンド\n括弧を入力すると、各モデルがどう閉じるか、何を見ていたかが分かります。"},
    "language": {"en": "Language", "ja": "言語"},
    "complete": {"en": "Complete", "ja": "補完"},
    "train": {"en": "Train", "ja": "学習"},
    "compare": {"en": "Compare", "ja": "比較"},
    "data": {"en": "Data", "ja": "データ"},
    # Complete
    "prefix": {"en": "Brackets to close", "ja": "閉じたい括弧"},
    "prefix_info": {"en": "e.g. {[(<>)] — any of ()[]{}<>", "ja": "例: {[(<>)] — ()[]{}<> のどれでも"},
    "models": {"en": "Models that answer", "ja": "答えるモデル"},
    "inspect": {"en": "Look inside", "ja": "中を見るモデル"},
    "answers": {"en": "Answers", "ja": "答え"},
    "model": {"en": "model", "ja": "モデル"},
    "answer": {"en": "answer", "ja": "答え"},
    "right": {"en": "right?", "ja": "正解？"},
    "solver": {"en": "exact solver (a stack)", "ja": "厳密解（スタック）"},
    "yes": {"en": "✓", "ja": "✓"},
    "no": {"en": "✗", "ja": "✗"},
    "probs": {"en": "Each answer step: probability of each closer", "ja": "答えの各ステップ: 閉じ括弧ごとの確率"},
    "inside": {"en": "Inside the model", "ja": "モデルの中"},
    # Train
    "arch": {"en": "Architecture", "ja": "アーキテクチャ"},
    "dist": {"en": "Training data", "ja": "学習データ"},
    "budget": {"en": "Budget", "ja": "学習の長さ"},
    "budget_steps": {"en": "steps", "ja": "ステップ数を指定"},  # the choices of APP_BUDGETS, as the switch shows them
    "budget_1min": {"en": "1min", "ja": "1 分"},
    "budget_10min": {"en": "10min", "ja": "10 分"},
    "steps": {"en": "Steps (when the budget is steps)", "ja": "ステップ数（「ステップ数を指定」のとき）"},
    "start": {"en": "Start", "ja": "開始"},
    "stop": {"en": "Stop", "ja": "停止"},
    "curve": {"en": "Training curve", "ja": "学習曲線"},
    "idle": {"en": "No training running.", "ja": "学習は実行されていません。"},
    "running": {"en": "Training {arch} on '{dist}': step {step}, loss {loss}",
                "ja": "{arch} を「{dist}」で学習中: ステップ {step}、損失 {loss}"},
    "finished": {"en": "Finished: `{run}` (in the model list now)", "ja": "完了: `{run}`（モデル一覧に追加しました）"},
    "stopped": {"en": "Stopped and saved: `{run}`", "ja": "停止して保存しました: `{run}`"},
    "failed": {"en": "Training failed: {error}", "ja": "学習に失敗しました: {error}"},
    "busy": {"en": "A training is already running: stop it first.", "ja": "学習はすでに実行中です。先に停止してください。"},
    "bad_budget": {"en": "budget must be one of {choices}", "ja": "学習の長さは {choices} のどれかです"},
    "bad_steps": {"en": "steps must be between 1 and 100,000, got {steps}",
                  "ja": "ステップ数は 1〜100,000 です（{steps} が指定されました）"},
    # Compare (the leaderboard's headers: "model" above, "params" in TABLES)
    "leaderboard": {"en": "### Committed leaderboard", "ja": "### コミット済みの順位表"},
    "yours": {"en": "### Your comparisons", "ja": "### あなたの比較"},
    "none_yet": {"en": "None yet: run `bracketcloser compare`.",
                 "ja": "まだありません: `bracketcloser compare` を実行してください。"},
    "no_results": {"en": "No committed results to show (a clone keeps them in bench/results; see `--results-dir`).",
                   "ja": "表示できるコミット済みの結果がありません（クローンでは `bench/results` にあります。"
                         "`--results-dir` を参照）。"},
    # Data
    "draw": {"en": "Draw examples", "ja": "例を生成"},
    "sampler": {"en": "Sampler", "ja": "サンプラー"},
    "how_many": {"en": "How many", "ja": "個数"},
    "seed": {"en": "Seed", "ja": "シード"},
    "prefix_col": {"en": "prefix", "ja": "接頭辞"},
    "answer_col": {"en": "answer", "ja": "答え"},
    "drawn_note": {"en": "A row with a blank answer is no mistake: nothing is left open in its prefix, so there is nothing "
                         "to close, and a model answers it with the end token alone. The samplers draw such prefixes "
                         "on purpose (answers of 0 closers): a model must also learn when to stop.",
                   "ja": "答えが空の行は誤りではありません。接頭辞に開いたままの括弧がないので閉じるものがなく、モデルは"
                         "終端のトークンだけを答えます。サンプラーはこうした接頭辞（閉じ括弧 0 個の答え）もわざと引きます。"
                         "いつ止めるかも、モデルが学ぶことの一つだからです。"},
    "original": {"en": "### The original's generator", "ja": "### 元のプロジェクトの生成器"},
    "original_note": {
        "en": "The original project cut the last 1–3 characters off a balanced string and moved the openers among "
              "them to the front. When the cut holds an opener and two closers of different kinds, its label comes "
              "out in the wrong order. Here are some, beside the truth ({rate:.1%} of its examples are mislabelled).",
        "ja": "元のプロジェクトは、釣り合った文字列の末尾 1〜3 文字を切り取り、その中の開き括弧を先頭へ移していました。"
              "切り取った部分に開き括弧と種類の違う閉じ括弧が二つあると、ラベルの順序が逆になります。"
              "その例を正しい答えと並べて示します（例の {rate:.1%} のラベルが誤っています）。"},
    "their_label": {"en": "original's label", "ja": "元のラベル"},
    "truth": {"en": "true answer", "ja": "正しい答え"},
}

FIGURES: dict[str, dict[str, str]] = {  # the playground's figures: titles, axes, legends
    "step": {"en": "answer step", "ja": "答えのステップ"},
    "end": {"en": "end", "ja": "終端"},
    "head": {"en": "head", "ja": "ヘッド"},
    "layer": {"en": "layer {n}", "ja": "第{n}層"},
    "no_inside": {"en": "This model records nothing to show.", "ja": "このモデルには表示できる記録がありません。"},
    "train_loss": {"en": "train loss", "ja": "学習損失"},
    "step_axis": {"en": "step", "ja": "ステップ"},
    "loss": {"en": "loss", "ja": "損失"},
    "val_error_rate": {"en": "validation error rate", "ja": "検証データの誤り率"},
    "error_rate": {"en": "error rate (1 - exact match)", "ja": "誤り率（1 − 完全一致率）"},
    "none_wrong": {"en": "none wrong", "ja": "誤りなし"},
}

DEMO: dict[str, dict[str, str]] = {  # bracketcloser demo, in the order it speaks
    "task": {"en": "The task: read the start of a bracket sequence, answer the brackets that close it.",
             "ja": "課題: 括弧列の前半を読み、それを閉じる括弧を答えること。"},
    "solver_answers": {
        "en": "The exact solver (a stack) answers '{{[(' with '{answer}'. Can a small language model learn that?",
        "ja": "厳密なソルバー（スタック）は '{{[(' に '{answer}' と答えます。小さな言語モデルにこれが学べるでしょうか。"},
    "original_mislabels": {
        "en": "(The original project's generator labels about one example in eighteen wrongly: {rate:.1%} of 20,000 "
              "drawn just now. Every label here comes from the solver.)\n",
        "ja": "（元のプロジェクトのデータ生成器は、およそ 18 例に 1 例のラベルを誤ります。いま生成した 20,000 例では "
              "{rate:.1%}。ここでのラベルはすべてソルバーが付けたものです。）\n"},
    "part1": {"en": "1. The shipped {arch} answers the 21 examples printed in the original project's README:",
              "ja": "1. 同梱の {arch} が、元のプロジェクトの README に載っている 21 例に答えます:"},
    "right_of_21": {"en": "  {right}/21 correct.", "ja": "  21 問中 {right} 問正解。"},
    "misprint": {"en": " (The original itself printed the answer to \"((()){【】【】()【】\" wrongly, as \")}\".)",
                 "ja": "（「((()){【】【】()【】」の答えは、元のプロジェクト自身が「)}」と誤って載せていたものです）"},
    "others": {"en": "   The other shipped models: {scores}", "ja": "   同梱のほかのモデル: {scores}"},
    "correct": {"en": "correct", "ja": "正解"},
    "incorrect": {"en": "incorrect", "ja": "不正解"},
    # how long part 2 trains: steps, or a time budget; English shows a budget as it was typed (1min, 1h30m)
    "n_steps": {"en": "{n} steps", "ja": "{n} ステップ"},
    "seconds": {"en": "{n}s", "ja": "{n} 秒"},
    "minutes": {"en": "{n}min", "ja": "{n} 分"},
    "hours": {"en": "{n}h", "ja": "{n} 時間"},
    "days": {"en": "{n}d", "ja": "{n} 日"},
    "part2": {"en": "\n2. Now watch one learn: train a fresh {arch} for {length} on the original's distribution ('seed'); "
                    "saved under {models_dir}/ (Ctrl-C saves and stops):",
              "ja": "\n2. 次に、学ぶ様子を見ます: 新しい {arch} を元のプロジェクトの分布 'seed' で {length}学習し、"
                    "{models_dir}/ に保存します（Ctrl-C で保存して止まります）:"},
    "part3": {"en": "\n3. Evaluate it on 1,000 held-out examples it never trained on:",
              "ja": "\n3. 学習に使っていない 1,000 例で評価します:"},
    "model_title": {"en": "Completer({name}, {params:,} parameters)", "ja": "{name}（パラメータ {params:,} 個）"},
    "part4": {"en": "\n4. Its answers to the same 21 examples:", "ja": "\n4. 同じ 21 例への答え:"},
    "next": {
        "en": "\nNext: bracketcloser complete --model {run} -i      (type your own prefixes)\n"
              "      bracketcloser app                             (the playground in your browser: see inside the models)\n"
              "      bracketcloser compare --time 1min             (all six, one after another, with a leaderboard)\n"
              "      bracketcloser train --arch lstm --time 10min --dist dyck   (another architecture, harder data)",
        "ja": "\n次は: bracketcloser complete --model {run} -i      （自分で打った括弧に答えさせる）\n"
              "      bracketcloser app                             （ブラウザのプレイグラウンド: モデルの中を見る）\n"
              "      bracketcloser compare --time 1min             （6 種類を順に学習し、リーダーボードで比べる）\n"
              "      bracketcloser train --arch lstm --time 10min --dist dyck   （別のアーキテクチャ、難しいデータ）"},
}

EVALUATION: dict[str, dict[str, str]] = {  # an evaluation report in a few lines (bracketcloser evaluate, the demo)
    "summary": {"en": "{title}: exact match {em:.2%} ({correct}/{n}, 95% CI {lo:.2%}-{hi:.2%}), "
                      "per-token accuracy {tok:.2%}",
                "ja": "{title}: 完全一致率 {em:.2%}（{correct}/{n}、95% 信頼区間 {lo:.2%}〜{hi:.2%}）、"
                      "トークン単位の正解率 {tok:.2%}"},
    "excluded": {"en": "  excluded {n} examples whose prefix the model was trained on",
                 "ja": "  モデルが学習した接頭辞の {n} 例は除きました"},
    "unsupported": {"en": "  {n} examples have brackets outside the model's vocabulary or exceed its length limit "
                          "(scored wrong)",
                    "ja": "  {n} 例はモデルの語彙にない括弧を含むか長さの上限を超えています（不正解として数えました）"},
    "by_answer_length": {"en": "by answer length", "ja": "答えの長さ別"},
    "by_prefix_length": {"en": "by prefix length", "ja": "接頭辞の長さ別"},
    "by_depth": {"en": "by depth", "ja": "深さ別"},
}

TABLES: dict[str, dict[str, str]] = {  # the shipped models' tables (bench/table.py), headers then cells
    "shipped": {"en": "shipped", "ja": "同梱モデル"},
    "params": {"en": "params", "ja": "パラメータ数"},  # the playground's leaderboard heads a column with it too
    "recipe": {"en": "recipe", "ja": "レシピ"},
    "steps_trained": {"en": "steps", "ja": "ステップ"},
    "time_trained": {"en": "time", "ja": "時間"},
    "original_readme": {"en": "original README", "ja": "元の README"},
    "twice_the_length": {"en": "2x length (101-200)", "ja": "2 倍の長さ（101〜200）"},
    "five_times_the_length": {"en": "5x length (201-500)", "ja": "5 倍の長さ（201〜500）"},
    "validated_on": {"en": "validated on", "ja": "検証に使ったもの"},
    "every": {"en": "every", "ja": "間隔"},
    "at_the_end": {"en": "at the end of training", "ja": "学習終了時"},
    "minutes_trained": {"en": "{minutes:.0f} min", "ja": "{minutes:.0f} 分"},
    "correct_of_n": {"en": "{correct} of {n}", "ja": "{n} 例中 {correct} 例"},
    "validation_set": {"en": "`{dist}` ({n:,})", "ja": "`{dist}`（{n:,} 例）"},
    "every_steps": {"en": "{n:,} steps", "ja": "{n:,} ステップ"},
    "reached": {"en": "{step:,} steps, {minutes:.0f} min", "ja": "{step:,} ステップ、{minutes:.0f} 分"},
    "not_reached": {"en": "not reached", "ja": "未到達"},
    "before_validation": {"en": "(trained before validation on `strings`)", "ja": "（`strings` での検証ができる前に学習）"},
}

GROUPS = {"app": APP, "figures": FIGURES, "demo": DEMO, "evaluation": EVALUATION, "tables": TABLES}
TEXT: dict[str, dict[str, str]] = {key: texts for group in GROUPS.values() for key, texts in group.items()}

# The words models name their parts and tracks with (architectures: Recording, Explanation),
# as a Japanese learner reads them; a word missing here is shown as the model gave it.
TERMS: dict[str, dict[str, str]] = {
    "encoder": {"ja": "エンコーダ"},
    "decoder": {"ja": "デコーダ"},
    "blocks": {"en": "", "ja": ""},  # a decoder-only stack of layers: "layer 1" says it
    "attn": {"en": "", "ja": ""},  # self-attention, the default
    "xattn": {"en": ", attending to the prompt", "ja": "（プロンプトへのクロスアテンション）"},
    "hidden state": {"ja": "隠れ状態"},
    "units": {"ja": "ユニット"},
    "actions": {"ja": "操作"},
    "push": {"ja": "プッシュ"},
    "pop": {"ja": "ポップ"},
    "keep": {"ja": "そのまま"},
    "stack": {"ja": "スタック"},
    "slot (top first)": {"ja": "スロット（上から）"},
}


def lang_code(language: str | None) -> str:
    """``en`` or ``ja`` from a code or from what the switch shows (``日本語``); English otherwise."""
    code = LANGUAGES.get(language, language)
    return code if code in ("en", "ja") else "en"


def say(key: str, lang: str | None = "en", **values) -> str:
    """The text ``key`` in ``lang``, filled in with ``values`` when it takes any."""
    text = TEXT[key][lang_code(lang)]
    return text.format(**values) if values else text


def term(word: str, lang: str | None = "en") -> str:
    """A model's own word for a part or track, in ``lang``."""
    return TERMS.get(word, {}).get(lang_code(lang), word)
