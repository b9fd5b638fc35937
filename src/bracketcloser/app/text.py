"""Every word the playground shows, in English and Japanese: one table, ``key -> {en, ja}``.

The page names a component's texts by these keys when it lays the component out, and the
figures take their titles, axes and legends from here too; so a language is a column of this
table, never a branch in the code. ``TERMS`` translates the words the models themselves use
to name what they record (``Explanation``'s parts and tracks).
"""

from __future__ import annotations

LANGUAGES = {"English": "en", "日本語": "ja"}  # the page's language switch: what it shows -> code

TEXT: dict[str, dict[str, str]] = {
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
    # Compare
    "leaderboard": {"en": "### Committed leaderboard", "ja": "### コミット済みの順位表"},
    "params": {"en": "params", "ja": "パラメータ数"},
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
    # figures
    "step": {"en": "answer step", "ja": "答えのステップ"},
    "end": {"en": "end", "ja": "終端"},
    "head": {"en": "head", "ja": "ヘッド"},
    "layer": {"en": "layer {n}", "ja": "第{n}層"},
    "no_inside": {"en": "This model records nothing to show.", "ja": "このモデルには表示できる記録がありません。"},
    "train_loss": {"en": "train loss", "ja": "学習損失"},
    "step_axis": {"en": "step", "ja": "ステップ"},
    "loss": {"en": "loss", "ja": "損失"},
    "val_exact_match": {"en": "validation exact match", "ja": "検証データの完全一致率"},
    "exact_match": {"en": "exact match", "ja": "完全一致率"},
    "val_error_rate": {"en": "validation error rate", "ja": "検証データの誤り率"},
    "error_rate": {"en": "error rate (1 - exact match)", "ja": "誤り率（1 − 完全一致率）"},
    "none_wrong": {"en": "none wrong", "ja": "誤りなし"},
}

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


def say(key: str, lang: str | None = "en") -> str:
    """The text ``key`` in ``lang``."""
    return TEXT[key][lang_code(lang)]


def term(word: str, lang: str | None = "en") -> str:
    """A model's own word for a part or track, in ``lang``."""
    return TERMS.get(word, {}).get(lang_code(lang), word)
