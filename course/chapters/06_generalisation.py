"""Chapter 6. Beyond the training range: accuracy against length and depth for every shipped model; the stack model's actions."""

# ruff: noqa: E501  (Japanese prose runs long: a line break inside a Japanese sentence renders as a space)

from cells import LANGUAGE, code, md

CELLS = [
    md(
        en="""
        # 6. Beyond the training range: which models learned the rule?

        Every shipped model trained on prefixes of 1–100 brackets nested at most 30 deep. The
        rule of closing brackets has no such limit. This chapter asks: **what does each
        architecture do past the lengths and depths it trained on, and what makes the one that
        keeps going different?** We score all six shipped models inside and outside the range,
        draw where each one stops, then look at what the stack model does at every token.
        Small samples keep this fast; the README's tables measure the same on thousands.
        """,
        ja="""
        # 6. 学習範囲の外へ: 規則を学んだのはどのモデルか

        同梱のモデルはどれも、1〜100 個の括弧からなり入れ子の深さが 30 までの接頭辞で学習しました。括弧を閉じる規則そのものには、そのような上限はありません。
        この章の問いは **各アーキテクチャは学習した長さや深さの外で何をするのか、そして先へ進み続けられる一つのモデルは何が違うのか** です。
        同梱の 6 つのモデルを範囲の内と外で採点し、それぞれがどこで止まるかを図にし、最後にスタックモデルが各トークンで何をしているかを見ます。
        速く終わるように標本は小さくしてあります。README の表は同じことを数千例で測っています。
        """,
    ),
    LANGUAGE,
    code(
        """
        import matplotlib.pyplot as plt
        import torch

        import bracketcloser as bc
        from bracketcloser import data
        from bracketcloser.architectures import ARCHS
        from bracketcloser.evaluate import evaluate
        from bracketcloser.plots import sweep

        torch.manual_seed(0)
        torch.set_num_threads(1)  # the models are small: one thread is as fast as two here
        V4 = data.GENERAL_VOCAB
        models = {name: bc.load(name) for name in ARCHS}
        trained = models["gpt"].trained  # the same range for all six
        print(f"trained range: prefixes of up to {trained.length} brackets, depth up to {trained.depth}")
        for name, m in models.items():
            print(f"{name:<12}{m.model.num_params():>9,} parameters")
        """
    ),
    md(
        en="""
        ## Inside and outside the range

        Four suites of held-out prefixes: `shapes` and `walks` lie inside the range; `long`
        (101–200 brackets, no deeper) and `deep` (depth 31–60, no longer) lie outside it, each
        in one direction only. A model that cannot read a prompt at all (a position table that
        ends) is scored wrong on it and counted as unsupported.
        """,
        ja="""
        ## 範囲の内と外

        学習に使っていない接頭辞の 4 つのスイートを使います。`shapes` と `walks` は範囲の内側、`long`（101〜200 個の括弧、深さは範囲内）と
        `deep`（深さ 31〜60、長さは範囲内）は外側で、どちらも一方向にだけはみ出しています。プロンプトをそもそも読めないモデル
        （位置の表が途中で尽きる場合）は、その例を不正解として採点し、「対応外」として数えます。
        """,
    ),
    code(
        """
        SUITES = ("shapes", "walks", "long", "deep")
        N = 100  # examples per suite: enough to see where a model stops, small enough to run in seconds
        suites = {s: data.suite(s, N, seed=0) for s in SUITES}
        reports = {name: {s: evaluate(m, exs) for s, exs in suites.items()} for name, m in models.items()}

        print(f"{'exact match':<12}" + "".join(f"{s:>9}" for s in SUITES) + f"{'unsupported':>13}")
        for name, r in reports.items():
            unsupported = sum(r[s]["unsupported"] for s in SUITES)
            print(f"{name:<12}" + "".join(f"{r[s]['exact_match']:>9.0%}" for s in SUITES) + f"{unsupported:>13}")
        """
    ),
    md(
        en="""
        Now by prefix length and by depth, pooling the four suites (`plots.sweep` bins the
        per-example records: 10 brackets or 3 levels per point). The shaded part is what the
        models trained on.
        """,
        ja="""
        次に、4 つのスイートをまとめて、接頭辞の長さ別と深さ別に見ます（`plots.sweep` が例ごとの記録を、長さは 10 個、深さは 3 段ずつの区間にまとめます）。
        網掛けの部分がモデルの学習範囲です。
        """,
    ),
    code(
        """
        curves = {name: sweep([rec for s in SUITES for rec in r[s]["records"]]) for name, r in reports.items()}
        T = {"en": dict(by_length="exact match by prefix length", by_depth="exact match by depth",
                        length="prefix length (brackets)", depth="nesting depth", y="exact match", shade="trained range"),
             "ja": dict(by_length="接頭辞の長さ別の完全一致率", by_depth="深さ別の完全一致率",
                        length="接頭辞の長さ（括弧の数）", depth="入れ子の深さ", y="完全一致率", shade="学習範囲")}[LANG]
        fig, axes = plt.subplots(1, 2, figsize=(12, 4.2), sharey=True)
        for ax, key, limit in ((axes[0], "by_length", trained.length), (axes[1], "by_depth", trained.depth)):
            for name, c in curves.items():
                xs = [float(x) for x in c[key]]
                ax.plot(xs, [right / n for n, right in c[key].values()], marker=".", label=name)
            ax.axvspan(0, limit, color="tab:green", alpha=0.08, label=T["shade"])
            ax.axvline(limit, color="tab:green", lw=1, ls="--")
            xlabel = T["length" if key == "by_length" else "depth"]
            ax.set(title=T[key], xlabel=xlabel, ylim=(-0.02, 1.02), xlim=(0, None))
            ax.grid(alpha=0.3)
        axes[0].set(ylabel=T["y"])
        axes[1].legend(fontsize=8, loc="lower left")
        fig.tight_layout()
        plt.show()
        """
    ),
    md(
        en="""
        Read it across the dashed lines, together with the table. Each of the five neural
        models without a stack holds the open brackets in something of fixed size — a
        recurrent state of a few hundred numbers, or attention over a learned table of
        positions — and was only ever asked to hold what the range contains. Which way each
        breaks differs: compare each model's `long` and `deep` columns above.

        ## Far beyond: a thousand brackets, depth a hundred

        Twenty prefixes of exactly 1,000 brackets, and twenty nested exactly 100 deep:
        """,
        ja="""
        破線をまたいで、表と合わせて読んでください。スタックを持たない 5 つのニューラルモデルは、どれも開いている括弧を固定サイズの何かに保持しています。
        数百個の数からなる再帰の状態か、学習した位置の表の上でのアテンションです。そして、範囲に含まれる分より多くを保持するよう求められたことは一度もありません。
        どちらの方向で壊れるかはモデルによって違います。上の表で各モデルの `long` と `deep` の列を比べてください。

        ## はるか外へ: 1,000 個の括弧、深さ 100

        ちょうど 1,000 個の括弧からなる接頭辞を 20 個、ちょうど深さ 100 まで入れ子になった接頭辞を 20 個用意します。
        """,
    ),
    code(
        """
        far = {s: data.suite(s, 20, seed=0) for s in ("len1000", "depth100")}
        print(f"{'':<12}{'len1000':>9}{'depth100':>10}")
        for name, m in models.items():
            r = {s: evaluate(m, exs) for s, exs in far.items()}
            unsupported = sum(x["unsupported"] for x in r.values())
            print(f"{name:<12}{r['len1000']['exact_match']:>9.0%}{r['depth100']['exact_match']:>10.0%}"
                  + (f"   ({unsupported} unsupported)" if unsupported else ""))
        """
    ),
    md(
        en="""
        ## What the stack model does

        The sixth model is given the structure the solver uses. At every token a small
        feed-forward controller reads the token and the top of a stack and chooses, as
        probabilities, to **push** (a vector made from what it read), **pop**, or **keep**.
        Training uses the weighted mix of the three outcomes, so everything has a gradient;
        `inspect` shows the action probabilities it chose at every token read:
        """,
        ja="""
        ## スタックモデルは何をしているか

        6 番目のモデルには、ソルバーが使うのと同じ構造が与えられています。各トークンで、小さな順伝播型のコントローラーがトークンとスタックの一番上を読み、
        **push**（読んだものから作ったベクトルを積む）、**pop**（取り出す）、**keep**（そのまま）のどれにするかを確率として選びます。
        学習では 3 つの結果を確率で重み付けして混ぜるので、すべてに勾配が流れます。`inspect` で、読んだ各トークンで選んだ行動の確率を見られます。
        """,
    ),
    code(
        """
        stack = models["stack"]
        prefix = "{[(<>)]<{}"
        seen = stack.inspect(prefix)
        actions = seen.tracks["actions"]  # (tokens read, 3)
        read = V4.decode(seen.stream[: actions.size(0)])
        T = {"en": dict(title="the stack model's actions at every token read", token="token read"),
             "ja": dict(title="読んだ各トークンでのスタックモデルの行動", token="読んだトークン")}[LANG]
        fig, ax = plt.subplots(figsize=(9, 2.2))
        ax.imshow(actions.T, cmap="Blues", vmin=0, vmax=1, aspect="auto")
        ax.set_xticks(range(len(read)), read, fontsize=8)
        ax.set_yticks(range(3), seen.track_labels["actions"])
        ax.set(title=T["title"], xlabel=T["token"])
        plt.show()
        print("answer:", "".join(V4.decode(seen.answer)), " solver:", bc.solve(prefix, V4))
        """
    ),
    md(
        en="""
        The picture suggests push at every opener and pop at every closer — the solver's own
        moves. Measure it on 60 prefixes from inside and outside the range: how often is the
        most probable action the solver's move, and how far is any action probability from
        exactly 0 or 1?
        """,
        ja="""
        図からは、開き括弧ではいつも push、閉じ括弧ではいつも pop、つまりソルバーそのものの動きに見えます。
        範囲の内外から取った 60 個の接頭辞で測ってみましょう。最も確率の高い行動がソルバーの動きと一致する割合はどれだけか。
        そして、行動の確率はちょうど 0 や 1 からどれだけ離れているか。
        """,
    ),
    code(
        """
        PUSH, POP = (seen.track_labels["actions"].index(a) for a in ("push", "pop"))
        agree = total = 0
        furthest = 0.0  # from 0 or 1, over every action probability on every bracket read
        for s in ("shapes", "long", "deep"):
            for ex in suites[s][:20]:
                acts = stack.inspect(ex.prefix).tracks["actions"][1 : 1 + len(ex.prefix)]  # (len, 3): after each bracket
                want = torch.tensor([PUSH if ch in V4.closer_of else POP for ch in ex.prefix])
                agree += int((acts.argmax(-1) == want).sum())
                total += len(ex.prefix)
                furthest = max(furthest, torch.minimum(acts, 1 - acts).max().item())
        print(f"most probable action = the solver's move on {agree:,} of {total:,} brackets read ({agree / total:.2%})")
        print(f"largest distance of an action probability from 0 or 1: {furthest:.4f}")
        """
    ),
    md(
        en="""
        ## What an inductive bias is

        Put the numbers together: for each model, its parameters, its exact match inside the
        range (`shapes` and `walks`) and beyond it (`long` and `deep`).
        """,
        ja="""
        ## 帰納バイアスとは

        数字をまとめましょう。各モデルについて、パラメータ数、範囲の内側（`shapes` と `walks`）と外側（`long` と `deep`）での完全一致率を並べます。
        """,
    ),
    code(
        """
        inside = {name: (r["shapes"]["correct"] + r["walks"]["correct"]) / (2 * N) for name, r in reports.items()}
        beyond = {name: (r["long"]["correct"] + r["deep"]["correct"]) / (2 * N) for name, r in reports.items()}
        params = {name: m.model.num_params() for name, m in models.items()}
        print(f"{'':<12}{'params':>9}{'inside':>8}{'beyond':>8}")
        for name in models:
            print(f"{name:<12}{params[name]:>9,}{inside[name]:>8.0%}{beyond[name]:>8.0%}")
        smallest = min(params, key=params.get)
        print(f"\\nfewest parameters: {smallest}; best beyond the range: {max(beyond, key=beyond.get)}")
        as_right = [n for n in models if n != smallest and inside[n] >= inside[smallest]]
        print(f"as right inside the range as {smallest}: {as_right}")
        """
    ),
    md(
        en="""
        The stack model is the smallest of the six and the one that holds beyond the range
        (the last lines). It did not learn more; it was given the right structure, and
        training only had to find when to push and when to pop, which the cell before
        measured against the solver.

        That is an **inductive bias**: what an architecture makes easy, or possible at all,
        before it sees any data. A recurrent state is biased towards remembering a little
        about the recent past; attention with a position table towards the positions it was
        trained on; a stack towards exactly this rule, at any length and depth. Scores inside
        the training range cannot always tell these apart (the last line names the models as
        right there as the stack); only data from outside the range can, and only when it is
        measured.

        **This is the end of the course.** To go further, train your own model on the general
        range (`bracketcloser train --arch gpt --dist general --time 10min --set pos=none`) and
        run this chapter's cells on it (`bc.load("latest")`): which column of the table does
        taking away the position table move?
        """,
        ja="""
        スタックモデルは 6 つの中で最も小さく、しかも範囲の外でも崩れない唯一のモデルです（最後の数行）。
        他より多くを学んだわけではありません。正しい構造を与えられており、学習ではいつ push し、いつ pop するかを見つけるだけでよかったのです。
        それがソルバーの動きとどれだけ一致するかは、一つ前のセルで測りました。

        これが **帰納バイアス** です。データを一つも見ないうちから、アーキテクチャが何を学びやすくしているか、あるいは何をそもそも可能にしているか。
        再帰の状態は直近の過去を少しだけ覚えておく方向に、位置の表を持つアテンションは学習した位置の方向に、
        そしてスタックは、長さや深さに関係なくまさにこの規則の方向に偏っています。学習範囲の内側での点数だけでは、これらを見分けられるとは限りません
        （最後の行に、範囲内でスタックと同じくらい正確なモデルが挙がっています）。見分けられるのは範囲の外のデータだけで、それも実際に測ったときだけです。

        **このコースはここまでです。** さらに進むには、一般範囲で自分のモデルを学習させ（`bracketcloser train --arch gpt --dist general --time 10min --set pos=none`）、
        この章のセルをそのモデル（`bc.load("latest")`）で実行してみてください。位置の表を取り除くと、表のどの列が動くでしょうか。
        """,
    ),
]
