"""Chapter 1. The task: tokens, the prompt, the exact solver, and the original's wrong labels."""

# ruff: noqa: E501  (Japanese prose runs long: a line break inside a Japanese sentence renders as a space)

from cells import CLAIM, LANGUAGE, code, md

CELLS = [
    md(
        en="""
        # 1. The task: what is the right answer?

        Every model in this course reads the start of a bracket string and writes the brackets
        that close it, innermost first:

            Input: {[(          Expected Output: )]}

        Before any model, this chapter asks one question: **how do we know the right answer?**
        We meet the tokens a model reads, the prompt it is given, the exact solver every model
        is measured against, and the bug that made the original project (BracketCloser-LLM)
        teach its models wrong answers — found with the package itself, not taken on trust.

        Run the cells top to bottom. The first cell names the notebook's language; the rest of
        the code is the same in the English and the Japanese course.
        """,
        ja="""
        # 1. 課題: 正解とは何か

        このコースに登場するモデルはどれも、括弧の列の途中までを読み、それを閉じる括弧を内側から順に書き出します。

            Input: {[(          Expected Output: )]}

        モデルを作る前に、この章では一つの問いを立てます。**正解はどうやって決まるのか。**
        モデルが読むトークン、モデルに与えるプロンプト、すべてのモデルの採点基準となる厳密なソルバー、
        そして元のプロジェクト（BracketCloser-LLM）がモデルに誤った答えを教えてしまっていた不具合を順に見ていきます。
        不具合は言葉で説明するだけでなく、パッケージを使って実際に見つけます。

        セルは上から順に実行してください。最初のセルでノートブックの言語を指定します。
        それ以外のコードは英語版と日本語版でまったく同じです。
        """,
    ),
    LANGUAGE,
    CLAIM,
    code(
        """
        import random
        from collections import Counter

        import matplotlib.pyplot as plt
        import torch

        import bracketcloser as bc
        from bracketcloser import data, solver, tokens
        from bracketcloser.examples import README_EXAMPLES

        torch.manual_seed(0)
        torch.set_num_threads(1)  # the models are small: one thread is as fast as two here
        """
    ),
    md(
        en="""
        ## Tokens

        The vocabulary is the original project's nine tokens, with id 0 kept for padding. Three
        of them are not brackets: `input` starts the prompt, `,output` ends it, and `,` ends
        the answer (a model emits it to say "done").
        """,
        ja="""
        ## トークン

        語彙は元のプロジェクトの 9 個のトークンで、ID 0 はパディング用に空けてあります。
        このうち 3 個は括弧ではありません。`input` はプロンプトの始まり、`,output` はプロンプトの終わり、
        `,` は答えの終わりを表します（モデルは `,` を出力して「ここで終わり」と伝えます）。
        """,
    ),
    code(
        """
        vocab = tokens.DEFAULT_VOCAB  # ()[]{}: the original's three kinds
        print(dict(enumerate(vocab.tokens)))
        print(dict(enumerate(data.GENERAL_VOCAB.tokens)))  # the general range adds <> as ids 10, 11
        """
    ),
    md(
        en="""
        ## The prompt

        A training example is the text `input:{[(,output:)]}`. A model reads it as a stream of
        tokens: `input`, the prefix, `,output`; then the answer, then `,`. Everything up to
        `,output` is the **prompt**; the model is scored only on what comes after it.
        The original printed square brackets full-width (`【】`); they are read as `[]`.
        """,
        ja="""
        ## プロンプト

        学習用の 1 例は `input:{[(,output:)]}` という文字列です。モデルはこれをトークン列として読みます。
        `input`、接頭辞（括弧の列の前半）、`,output`、続いて答え、最後に `,` です。
        `,output` までが **プロンプト** で、モデルが採点されるのはその後ろだけです。
        元のプロジェクトは角括弧を全角（`【】`）で表示していましたが、ここでは `[]` として読みます。
        """,
    ),
    code(
        """
        prefix = "{[("
        answer = bc.solve(prefix)
        stream = vocab.example_tokens(prefix, answer)
        print(tokens.format_example(prefix, answer))  # the original's text form
        print(stream)  # the tokens a model reads and writes
        print(vocab.encode(stream))  # their ids
        print(vocab.prompt_ids(prefix))  # the prompt alone: what the model is given
        print(vocab.clean("((()){【】【】()【】"))  # full-width brackets read as ASCII
        """
    ),
    md(
        en="""
        ## The exact solver

        Closing brackets is a solved problem: read left to right, push every opener on a stack,
        pop it when its closer comes. What is left on the stack at the end is what must be
        closed, and the answer is its closers from the top down. `bc.solve` does exactly this,
        and `solver.open_stack` shows the stack. Watch it grow and shrink:
        """,
        ja="""
        ## 厳密なソルバー

        括弧を閉じる問題そのものは、アルゴリズムとしては解けています。左から読み、開き括弧が来たらスタックに積み、
        対応する閉じ括弧が来たら取り出す。最後にスタックに残ったものが閉じるべき括弧で、
        答えはそれを上から順に閉じる括弧です。`bc.solve` はまさにこれを行い、`solver.open_stack` でスタックの中身を見られます。
        スタックが伸び縮みする様子を見てみましょう。
        """,
    ),
    code(
        """
        V4 = data.GENERAL_VOCAB  # four kinds, ()[]{}<>
        prefix = "{[(<>)]<{}"
        for n in range(1, len(prefix) + 1):
            stack = "".join(solver.open_stack(prefix[:n], V4))
            print(f"{prefix[:n]:<11} stack: {stack:<5} answer: {bc.solve(prefix[:n], V4)}")
        """
    ),
    md(
        en="""
        A string that is not a valid prefix has no answer. The solver says where it goes wrong,
        and so does every model's `complete`, which calls it first.
        """,
        ja="""
        正しい接頭辞になっていない列には答えがありません。ソルバーはどこで破綻しているかを教えてくれます。
        どのモデルの `complete` も最初にソルバーで検査するので、同じメッセージが出ます。
        """,
    ),
    code(
        """
        for bad in ["())", "(]", "(a"]:
            try:
                bc.solve(bad)
            except ValueError as e:
                print(f"{bad!r}: {e}")
        """
    ),
    md(
        en="""
        ## The original generator's labels

        The original project did not use a solver. Its generator made a balanced string by a
        random walk, cut off the last 1–3 characters as the answer, and moved any *opener*
        among them to the front of the prefix. `data.sample_seed_original` reproduces that
        recipe exactly and returns the prefix with the original's own label. Put the label
        beside the solver's answer:
        """,
        ja="""
        ## 元の生成器が付けたラベル

        元のプロジェクトはソルバーを使っていませんでした。ランダムウォークで釣り合った括弧列を作り、
        末尾の 1〜3 文字を切り取って答えとし、切り取った中に *開き括弧* があれば接頭辞の先頭へ移していました。
        `data.sample_seed_original` はこの手順をそのまま再現し、接頭辞と元の生成器が付けたラベルを返します。
        そのラベルとソルバーの答えを並べてみます。
        """,
    ),
    code(
        """
        rng = random.Random(0)
        drawn = [data.sample_seed_original(rng) for _ in range(20_000)]  # (prefix, the original's label)
        truth = [bc.solve(p) for p, _ in drawn]
        wrong = [(p, label, t) for (p, label), t in zip(drawn, truth, strict=True) if label != t]

        print(f"{'prefix':<22}{'original':<10}solver")
        for p, label, t in wrong[:8]:
            print(f"{p:<22}{label:<10}{t}")
        print(f"\\nwrong labels: {len(wrong):,} of {len(drawn):,} = {len(wrong) / len(drawn):.2%}")
        print(f"seed_label_error_rate(100,000 draws) = {data.seed_label_error_rate(100_000, seed=0):.2%}")
        """
    ),
    md(
        en="""
        Look at the rows: the original's label holds the right closers in the wrong order.
        The cut-off tail held an opener and two closers; the opener moved to the front and
        became the *outermost* bracket, yet its closer kept its old place in the answer. So the
        bug can only bite when the answer has two closers or more. Both statements are checked
        here on all the draws, not read off a few rows:
        """,
        ja="""
        並べてみると、元のラベルは閉じ括弧の種類は合っているのに順番が逆になっています。
        切り取られた末尾に開き括弧が 1 個と閉じ括弧が 2 個あった場合、開き括弧は先頭へ移って *いちばん外側* の括弧になるのに、
        その閉じ括弧は答えの中で元の位置に残ってしまうのです。したがって、この不具合が起きるのは答えが 2 文字以上のときだけのはずです。
        数行を眺めて納得するのではなく、すべての例で確かめます。
        """,
    ),
    code(
        """
        same_closers = sum(sorted(label) == sorted(t) for _, label, t in wrong)
        print(f"wrong labels with the right closers in another order: {same_closers:,} of {len(wrong):,}")

        total = Counter(len(t) for t in truth)
        bad = Counter(len(t) for _, _, t in wrong)
        rates = {k: bad[k] / total[k] for k in sorted(total)}
        for k, r in rates.items():
            print(f"answers of {k} closer(s): {total[k]:>6,} examples, {bad[k]:>5,} wrong ({r:.2%})")
        claim("every wrong label of the original generator is the right closers in the wrong order",
              len(wrong) > 0 and same_closers == len(wrong), wrong=len(wrong), same_closers=same_closers)
        claim("no answer of a single closer is ever labelled wrong: the bug needs two closers or more",
              bad[1] == 0 and sum(bad.values()) == len(wrong), wrong_with_one_closer=bad[1], one_closer_answers=total[1])
        """
    ),
    code(
        """
        T = {"en": dict(title="The original generator's wrong labels", x="closers in the true answer",
                        y="share of labels that are wrong"),
             "ja": dict(title="元の生成器の誤ラベル", x="正しい答えの閉じ括弧の数", y="誤ったラベルの割合")}[LANG]
        fig, ax = plt.subplots(figsize=(5, 3))
        ax.bar([str(k) for k in rates], [100 * r for r in rates.values()], color="tab:red")
        for i, r in enumerate(rates.values()):
            ax.text(i, 100 * r, f"{r:.1%}", ha="center", va="bottom")
        ax.set(title=T["title"], xlabel=T["x"], ylabel=T["y"] + " (%)")
        ax.margins(y=0.15)  # room for the labels above the bars
        plt.show()
        """
    ),
    md(
        en="""
        One such label was printed in the original's README as the expected answer.
        `bracketcloser.examples` keeps the 21 examples of that README with their true answers:
        """,
        ja="""
        この種の誤ったラベルの一つは、元の README に「期待される出力」として載っていました。
        `bracketcloser.examples` には、その README の 21 例が正しい答えとともに収められています。
        """,
    ),
    code(
        """
        prefix = "((()){【】【】()【】"
        printed = ")}"  # the expected output printed in the original README
        print(f"original README: {printed}   solver: {bc.solve(prefix)}")
        claim("the README's expected output is such a label: the right closers in the wrong order",
              printed != bc.solve(prefix) and sorted(printed) == sorted(bc.solve(prefix)),
              printed=printed, solver=bc.solve(prefix))
        claim("bracketcloser.examples keeps this example with the solver's answer",
              (prefix, bc.solve(prefix)) in README_EXAMPLES, examples=len(README_EXAMPLES))
        """
    ),
    md(
        en="""
        ## Why it matters

        A model that learned the rule perfectly would *disagree* with every wrong label, and a
        test set labelled the same way would count it wrong. Take the shipped GPT (trained on
        solver labels; Chapter 3 trains one like it) and score it on fresh draws of the original's
        recipe, once against the original's labels and once against the solver. Only prefixes
        in the `test` split are used, so the model never trained on them (Chapter 2 explains
        the split).
        """,
        ja="""
        ## なぜ問題なのか

        規則を完全に学んだモデルは、誤ったラベルとはすべて *食い違う* ことになります。同じ方法でラベル付けしたテストセットでは、
        それが不正解と数えられてしまいます。同梱の学習済み GPT（ソルバーのラベルで学習したもの。第 3 章で同じ種類のモデルを学習させます）を、
        元の手順で新たに作った例で採点してみましょう。一度は元のラベルで、もう一度はソルバーの答えで採点します。
        使うのは `test` 分割に属する接頭辞だけなので、モデルはどれも学習に使っていません（分割については第 2 章で説明します）。
        """,
    ),
    code(
        """
        gpt = bc.load("gpt")
        rng = random.Random(1)
        held_out = []
        while len(held_out) < 2000:
            prefix, label = data.sample_seed_original(rng)
            if data.split_of(prefix) == "test":
                held_out.append((prefix, label))
        answers = gpt.complete([p for p, _ in held_out])
        vs_original = sum(a == label for a, (_, label) in zip(answers, held_out, strict=True)) / len(held_out)
        vs_solver = sum(a == bc.solve(p) for a, (p, _) in zip(answers, held_out, strict=True)) / len(held_out)
        label_errors = sum(label != bc.solve(p) for p, label in held_out) / len(held_out)
        print(f"exact match against the original's labels: {vs_original:.2%}")
        print(f"exact match against the solver:            {vs_solver:.2%}")
        print(f"share of these labels that are wrong:      {label_errors:.2%}")
        print(f"points lost to the labels:                 {vs_solver - vs_original:.2%}")
        claim("against the original's labels the GPT loses about as many points as there are wrong labels "
              "(within one point), while it agrees with the solver on nearly every prefix",
              abs((vs_solver - vs_original) - label_errors) <= 0.01 and vs_solver >= 0.99,
              points_lost=vs_solver - vs_original, wrong_labels=label_errors, vs_solver=vs_solver)
        """
    ),
    md(
        en="""
        Scored against the original's labels, the GPT loses about as many points as there are
        wrong labels: its "errors" are the labels' errors. A score like that cannot tell a model
        that learned the rule from one that learned the generator's slip. From here on, every
        label comes from the solver.

        **Next:** Chapter 2 builds the data the models learn from, and keeps the test prefixes
        out of training.
        """,
        ja="""
        元のラベルで採点すると、GPT はおおよそ誤ったラベルの割合だけ点を失います。モデルの「誤り」はラベルの誤りなのです。
        このような点数では、規則を学んだモデルと生成器の癖を学んだモデルを見分けられません。
        ここから先は、すべてのラベルをソルバーで付けます。

        **次の章:** 第 2 章では、モデルが学ぶデータを作り、テスト用の接頭辞を学習から切り離す方法を見ます。
        """,
    ),
]
