"""Chapter 6. Beyond the training range: accuracy against length and depth for every shipped model; the stack model's actions; its soft and discrete stacks far beyond."""

# ruff: noqa: E501  (Japanese prose runs long: a line break inside a Japanese sentence renders as a space)

from cells import CLAIM, LANGUAGE, code, md

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
    CLAIM,
    code(
        """
        import matplotlib.pyplot as plt
        import torch

        import bracketcloser as bc
        from bracketcloser import data
        from bracketcloser.architectures import ARCHS
        from bracketcloser.evaluate import evaluate
        from bracketcloser.plots import error_axis, error_rate, sweep

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
        models trained on. The y axis is the error rate on a log scale: near the top of the range,
        1% and 0.1% wrong are a factor of ten apart, which a linear axis of exact match would
        squeeze into one pixel; a point with none wrong sits on the dotted floor.
        """,
        ja="""
        次に、4 つのスイートをまとめて、接頭辞の長さ別と深さ別に見ます（`plots.sweep` が例ごとの記録を、長さは 10 個、深さは 3 段ずつの区間にまとめます）。
        網掛けの部分がモデルの学習範囲です。縦軸は対数目盛りの誤り率です。正解率が 100% に近いところでは、
        1% の誤りと 0.1% の誤りが 10 倍違うのに、完全一致率の線形の軸では 1 ピクセルに縮んでしまいます。
        誤りのない点は点線の床に置きます。
        """,
    ),
    code(
        """
        curves = {name: sweep([rec for s in SUITES for rec in r[s]["records"]]) for name, r in reports.items()}
        # error rates on a log axis: 99% and 99.9% right are a factor of ten apart, not a pixel;
        # a bin with none wrong is drawn on the dotted floor (half an example in the largest bin)
        T = {"en": dict(by_length="error rate by prefix length", by_depth="error rate by depth",
                        length="prefix length (brackets)", depth="nesting depth", y="error rate (1 - exact match)",
                        shade="trained range"),
             "ja": dict(by_length="接頭辞の長さ別の誤り率", by_depth="深さ別の誤り率",
                        length="接頭辞の長さ（括弧の数）", depth="入れ子の深さ", y="誤り率（1 − 完全一致率）",
                        shade="学習範囲")}[LANG]
        most = max(n for c in curves.values() for key in ("by_length", "by_depth") for n, _ in c[key].values())
        fig, axes = plt.subplots(1, 2, figsize=(12, 4.2), sharey=True)
        for ax, key, limit in ((axes[0], "by_length", trained.length), (axes[1], "by_depth", trained.depth)):
            for name, c in curves.items():
                xs = [float(x) for x in c[key]]
                ax.plot(xs, [error_rate(right / n, most) for n, right in c[key].values()], marker=".", label=name)
            ax.axvspan(0, limit, color="tab:green", alpha=0.08, label=T["shade"])
            ax.axvline(limit, color="tab:green", lw=1, ls="--")
            xlabel = T["length" if key == "by_length" else "depth"]
            ax.set(title=T[key], xlabel=xlabel, xlim=(0, None))
            ax.grid(alpha=0.3)
        error_axis(axes[0], T["y"], most)
        axes[1].legend(fontsize=8, loc="lower left")
        fig.tight_layout()
        plt.show()

        em = {name: {s: r[s]["exact_match"] for s in SUITES} for name, r in reports.items() if name != "stack"}
        by_length = [name for name, e in em.items() if e["long"] <= e["deep"] - 0.1]
        by_depth = [name for name, e in em.items() if e["deep"] <= e["long"] - 0.1]
        claim("not all break the same way: some models fall further on long, others on deep (ten points or more)",
              bool(by_length) and bool(by_depth), further_on_long=", ".join(by_length), further_on_deep=", ".join(by_depth))
        """
    ),
    md(
        en="""
        Read it across the dashed lines, together with the table. Each of the five neural
        models without a stack holds the open brackets in something of fixed size — a
        recurrent state of five hundred to a thousand numbers, or attention over a learned table of
        positions — and was only ever asked to hold what the range contains. They do not all
        break the same way: some fall further on `long`, others on `deep` (compare each model's
        two columns in the table; the line under the figure names them).

        ## Far beyond: a thousand brackets, depth a hundred

        Twenty prefixes of exactly 1,000 brackets, and twenty nested exactly 100 deep:
        """,
        ja="""
        破線をまたいで、表と合わせて読んでください。スタックを持たない 5 つのニューラルモデルは、どれも開いている括弧を固定サイズの何かに保持しています。
        500〜1,000 個ほどの数からなる再帰の状態か、学習した位置の表の上でのアテンションです。そして、範囲に含まれる分より多くを保持するよう求められたことは一度もありません。
        壊れ方はモデルによって違い、`long` でより大きく落ちるものもあれば、`deep` でより大きく落ちるものもあります
        （表で各モデルの 2 つの列を比べてください。図の下の行にそれぞれのモデル名を挙げています）。

        ## はるか外へ: 1,000 個の括弧、深さ 100

        ちょうど 1,000 個の括弧からなる接頭辞を 20 個、ちょうど深さ 100 まで入れ子になった接頭辞を 20 個用意します。
        """,
    ),
    code(
        """
        far = {s: data.suite(s, 20, seed=0) for s in ("len1000", "depth100")}
        far_em = {}
        print(f"{'':<12}{'len1000':>9}{'depth100':>10}")
        for name, m in models.items():
            r = {s: evaluate(m, exs) for s, exs in far.items()}
            far_em[name] = {s: x["exact_match"] for s, x in r.items()}
            unsupported = sum(x["unsupported"] for x in r.values())
            print(f"{name:<12}{r['len1000']['exact_match']:>9.0%}{r['depth100']['exact_match']:>10.0%}"
                  + (f"   ({unsupported} unsupported)" if unsupported else ""))
        all_right = [name for name, e in far_em.items() if min(e.values()) == 1.0]
        claim("only the stack model is right on every one of these prefixes", all_right == ["stack"],
              right_on_all=", ".join(all_right) or "none")
        """
    ),
    md(
        en="""
        Only the stack model is right on every one of them; each of the others misses some, or
        cannot read them at all.

        ## What the stack model does

        The sixth model is given the structure the solver uses. At every token a small
        feed-forward controller reads the token and the top of a stack and chooses, as
        probabilities, to **push** (a vector made from what it read), **pop**, or **keep**.
        Training uses the weighted mix of the three outcomes, so everything has a gradient;
        `inspect` shows the action probabilities it chose at every token read:
        """,
        ja="""
        すべてに正しく答えるのはスタックモデルだけです。ほかのモデルはどれも、いくつかを間違えるか、そもそも読めません。

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
        claim("the most probable action is the solver's move at every bracket read", agree == total, agree=agree, total=total)
        claim("every action probability lies within a few hundredths of 0 or 1", furthest < 0.05, furthest=furthest)
        """
    ),
    md(
        en="""
        It is the solver's move at every bracket, inside the range and beyond it, and every
        action probability lies within a few hundredths of 0 or 1 (the cell prints how close).

        ## Soft and discrete: the same weights, two ways to answer

        The mix that gives training its gradient is not how the model answers. By default it
        answers with a **discrete** stack: at every token it takes the most probable action and
        does it on a real stack. The **soft** form, the superposition it trained with, is one
        switch away (`model.cfg.answer_with`). Score both on held-out prefixes (the `test`
        split) far past the trained range: 20 random walks of exactly 250, 500, 1,000 and
        2,000 brackets each, nested up to a tenth of their length (`data.sample_far`, as
        `bench/stack_long.py` draws them).
        """,
        ja="""
        範囲の内でも外でも、どの括弧でもソルバーと同じ動きです。そして、どの行動の確率も 0 または 1 との差はせいぜい数百分の一です
        （どこまで近いかはセルが表示します）。

        ## soft と discrete: 同じ重みで、答え方が二通り

        学習に勾配を与えていた混ぜ合わせは、モデルが答えるときのやり方ではありません。既定では **discrete**（離散）スタックで答えます。
        各トークンで最も確率の高い行動を一つ選び、それを本物のスタックの上で実行します。学習時の重ね合わせである **soft** の形へは、
        スイッチ一つ（`model.cfg.answer_with`）で切り替えられます。学習範囲のはるか外にある、学習に使っていない接頭辞（`test` 分割）で両方を採点しましょう。
        長さがちょうど 250、500、1,000、2,000 個の括弧のランダムウォークを 20 個ずつ、入れ子の深さは長さの 10 分の 1 までです
        （`bench/stack_long.py` と同じく `data.sample_far` で引きます）。
        """,
    ),
    code(
        """
        import random


        def held_out(length, n=20):
            \"\"\"n prefixes of exactly `length` brackets, depth up to length/10, all in the test split.\"\"\"
            rng, out = random.Random(length), []
            while len(out) < n:
                prefix = data.sample_far(rng, V4, length=length, depth=length // 10).prefix
                if data.split_of(prefix) == "test":
                    out.append(prefix)
            return out

        LENGTHS = (250, 500, 1000, 2000)
        far_walks = {L: held_out(L) for L in LENGTHS}
        solved = {L: [bc.solve(p, V4) for p in ps] for L, ps in far_walks.items()}
        given = {}
        for form in ("soft", "discrete"):
            stack.model.cfg.answer_with = form
            given[form] = {L: stack.complete(ps, warn=False) for L, ps in far_walks.items()}
        stack.model.cfg.answer_with = "discrete"  # back to the default

        accuracy = {form: {L: sum(g == s for g, s in zip(given[form][L], solved[L], strict=True)) / len(solved[L]) for L in LENGTHS}
                    for form in given}
        print(f"{'brackets':>9}{'prefixes':>10}{'soft':>7}{'discrete':>10}   discrete = soft where soft is right")
        for L in LENGTHS:
            right = [i for i, s in enumerate(solved[L]) if given["soft"][L][i] == s]
            same = sum(given["discrete"][L][i] == given["soft"][L][i] for i in right)
            print(f"{L:>9,}{len(solved[L]):>10}{accuracy['soft'][L]:>7.0%}{accuracy['discrete'][L]:>10.0%}   {same} of {len(right)}")
        wrong = [(g, s) for L in LENGTHS for g, s in zip(given["soft"][L], solved[L], strict=True) if g != s]
        print(f"\\nthe soft form's {len(wrong)} wrong answers: {sum(len(g) > len(s) for g, s in wrong)} longer than the solver's, "
              f"{sum(len(g) < len(s) for g, s in wrong)} shorter, {sum(len(g) == len(s) for g, s in wrong)} the same length")

        claim("the discrete stack is right on every walk, at every length", all(accuracy["discrete"][L] == 1.0 for L in LENGTHS),
              **{f"discrete_{L}": accuracy["discrete"][L] for L in LENGTHS})
        shortest, longest = LENGTHS[0], LENGTHS[-1]
        claim("the soft stack falls behind as the prefix grows (twenty points or more from the shortest to the longest)",
              accuracy["soft"][longest] <= accuracy["soft"][shortest] - 0.2,
              **{f"soft_{L}": accuracy["soft"][L] for L in (shortest, longest)})
        agree_where_right = all(given["discrete"][L][i] == given["soft"][L][i]
                                for L in LENGTHS for i, s in enumerate(solved[L]) if given["soft"][L][i] == s)
        claim("wherever the soft form is right, the discrete form gives the very same answer", agree_where_right,
              soft_right=sum(round(accuracy["soft"][L] * len(solved[L])) for L in LENGTHS))
        """
    ),
    code(
        """
        T = {"en": dict(title="the stack model far beyond its range: the same weights, two stacks",
                        x="prefix length (brackets; depth up to a tenth of it)", y="exact match",
                        soft="soft stack (as trained)", discrete="discrete stack (the default)"),
             "ja": dict(title="学習範囲のはるか外のスタックモデル: 同じ重み、二通りのスタック",
                        x="接頭辞の長さ（括弧の数。深さはその 10 分の 1 まで）", y="完全一致率",
                        soft="soft スタック（学習時の形）", discrete="discrete スタック（既定）")}[LANG]
        fig, ax = plt.subplots(figsize=(7, 3.6))
        ax.plot(LENGTHS, [accuracy["discrete"][L] for L in LENGTHS], "s-", label=T["discrete"])
        ax.plot(LENGTHS, [accuracy["soft"][L] for L in LENGTHS], "o--", mfc="none", label=T["soft"])  # hollow: seen where they agree
        ax.set_xscale("log")
        ax.set_xticks(LENGTHS, [f"{L:,}" for L in LENGTHS])
        ax.minorticks_off()
        ax.set(title=T["title"], xlabel=T["x"], ylabel=T["y"], ylim=(-0.02, 1.02))
        ax.grid(alpha=0.3)
        ax.legend(loc="lower left")
        fig.tight_layout()
        plt.show()
        """
    ),
    md(
        en="""
        The soft form falls behind as the prefix grows (the table and the figure), while the
        discrete form, the same weights, keeps answering; and wherever the soft form is right,
        the discrete form gives the very same answer (the last column). Is the soft form
        choosing the wrong actions out there? Read its actions, as before, on the prefixes of
        2,000 brackets it gets wrong:
        """,
        ja="""
        接頭辞が長くなるにつれて soft の形は遅れを取ります（表と図）。一方、同じ重みの discrete の形は正しく答え続けます。
        そして soft の形が正しい接頭辞では、discrete の形はまったく同じ答えを返します（表の最後の列）。
        では、そこで soft の形は間違った行動を選んでいるのでしょうか。先ほどと同じように、soft の形が間違えた 2,000 個の括弧の接頭辞で、その行動を読んでみます。
        """,
    ),
    code(
        """
        missed = [p for p, g, s in zip(far_walks[2000], given["soft"][2000], solved[2000], strict=True) if g != s][:4]
        agree = total = 0
        furthest = 0.0
        stack.model.cfg.answer_with = "soft"
        for p in missed:
            acts = stack.inspect(p).tracks["actions"][1 : 1 + len(p)]  # (len, 3): after each bracket
            want = torch.tensor([PUSH if ch in V4.closer_of else POP for ch in p])
            agree += int((acts.argmax(-1) == want).sum())
            total += len(p)
            furthest = max(furthest, torch.minimum(acts, 1 - acts).max().item())
        stack.model.cfg.answer_with = "discrete"  # back to the default
        print(f"soft form, {len(missed)} prefixes of 2,000 brackets it answers wrong:")
        print(f"  most probable action = the solver's move on {agree:,} of {total:,} brackets read")
        print(f"  largest distance of an action probability from 0 or 1: {furthest:.4f}")
        claim("on the prefixes it misses, the soft form still chooses the solver's move at every bracket read, "
              "each action within a few hundredths of 0 or 1",
              len(missed) > 0 and agree == total and furthest < 0.05, prefixes=len(missed), agree=agree, total=total,
              furthest=furthest)
        """
    ),
    md(
        en="""
        The actions are not what goes wrong: on the prefixes it misses, the soft form still
        chooses the solver's move at every bracket it reads, each within the small distance
        printed of 0 or 1. What blurs is the stack. In the soft form every token rewrites the
        whole stack as the weighted mix of the three outcomes, so an action that is almost but
        not exactly 1 leaves a trace of the other two in every slot. One such trace is
        harmless; over thousands of tokens they add up, and a bracket pushed long ago, which has
        been through every one of those mixes since, no longer reads back clearly when the
        model finally pops down to it. The line under the table counts how the soft form's
        wrong answers compare in length with the solver's.

        The discrete form rounds each action to the most likely one and does it on a real
        stack: a push writes one vector above the top, a pop moves the pointer down, a keep
        does nothing. Nothing is mixed, so nothing blurs, however long the prefix. It is the
        same model — the same weights, the limit that training drove the actions towards —
        and it agrees with the soft form wherever the soft form is right (the table's last
        column). It is also cheaper: a fixed amount of work per token, so linear time in the
        length, where the soft stack, rewritten whole at every token, costs time growing with
        the square of the length. Training stays soft, since a rounded action has no
        gradient.
        """,
        ja="""
        おかしくなっているのは行動ではありません。soft の形は、間違えた接頭辞でも、読んだすべての括弧でソルバーと同じ動きを選んでおり、
        どの行動の確率も 0 か 1 から、表示したわずかな距離しか離れていません。ぼやけているのはスタックのほうです。
        soft の形では、各トークンがスタック全体を 3 つの結果の重み付きの混ぜ合わせとして書き直します。そのため、ほぼ 1 だがちょうど 1 ではない行動は、
        残りの 2 つの結果の痕跡をすべてのスロットに少しずつ残します。痕跡一つなら無害ですが、数千トークンにわたると積み重なります。
        ずっと前に積まれた括弧は、それ以降の混ぜ合わせをすべて通ってきているので、モデルが最後にそこまで pop して戻ったとき、もうはっきりとは読み出せません。
        soft の形の誤答の長さがソルバーの答えと比べてどうなっているかは、表のすぐ下の行で数えています。

        discrete の形は、各行動を最も確率の高いものに丸め、それを本物のスタックの上で実行します。push は一番上の上にベクトルを一つ書き込み、
        pop はポインタを一つ下げ、keep は何もしません。何も混ざらないので、接頭辞がどれだけ長くてもぼやけません。
        これは同じモデルです。重みは同じで、学習が行動を近づけていった極限にあたり、soft の形が正しいところではどこでも soft の形と一致します（表の最後の列）。
        しかも安上がりです。1 トークンあたりの仕事量が一定なので、時間は長さに比例します。これに対し、トークンごとに全体を書き直す soft スタックでは、
        かかる時間が長さの 2 乗で増えます。学習は soft のままです。丸めた行動には勾配がないからです。
        """,
    ),
    md(
        en="""
        The full measurement is `python bench/stack_long.py` (minutes, so not run here), which
        writes `bench/results/stack_long.json` and `bench/results/stack_length.png`: both forms
        on 1,000 held-out prefixes of 2,000 brackets, then the discrete form alone on prefixes of
        10,000, each timed. Read what it recorded, and check that it measured the stack model
        shipped here:
        """,
        ja="""
        完全な測定は `python bench/stack_long.py` で（数分かかるのでここでは実行しません）、結果を `bench/results/stack_long.json` と
        `bench/results/stack_length.png` に書き出します。学習に使っていない 2,000 個の括弧の接頭辞 1,000 個で両方の形を、
        続いて 10,000 個の括弧の接頭辞で discrete の形だけを採点し、それぞれの所要時間も計ります。記録された結果を読み、
        それがここに同梱されたスタックモデルを測ったものであることを確かめます。
        """,
    ),
    code(
        """
        import hashlib
        import json
        from pathlib import Path

        recorded = json.loads(Path("bench/results/stack_long.json").read_text(encoding="utf-8"))
        weights = Path(bc.__file__).parent / "pretrained" / "stack" / "best.safetensors"  # the shipped stack model
        same_model = recorded["provenance"]["models"]["stack"]["sha256"] == hashlib.sha256(weights.read_bytes()).hexdigest()
        print(f"recorded {recorded['provenance']['date'][:10]} by `{recorded['provenance']['command']}`")
        for key in ("far_2000", "far_10000"):
            r = recorded[key]
            forms = "   ".join(f"{form}: {r[form]['right']:,} right ({r[form]['accuracy']:.1%}) in {r[form]['seconds']:.1f} s"
                               for form in ("soft", "discrete") if form in r)
            print(f"{r['prefixes']:,} prefixes of {r['length']:,} brackets   {forms}")
        soft, discrete = recorded["far_2000"]["soft"], recorded["far_2000"]["discrete"]
        claim("on the shipped stack model, the discrete form is right on every prefix of 2,000 and of 10,000 brackets, "
              "the soft form on far fewer (ten points or more), and the discrete form is the faster",
              same_model and discrete["accuracy"] == 1.0 and recorded["far_10000"]["discrete"]["accuracy"] == 1.0
              and soft["accuracy"] <= 0.9 and discrete["seconds"] < soft["seconds"],
              soft=soft["accuracy"], discrete=discrete["accuracy"], soft_s=soft["seconds"], discrete_s=discrete["seconds"])
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
        claim("the stack model is the smallest of the six, and right on every prefix beyond the range",
              smallest == "stack" and beyond["stack"] == 1.0,
              stack_params=params["stack"], next_smallest=sorted(params.values())[1], stack_beyond=beyond["stack"])
        claim("inside the range, scores cannot tell it apart: other models are as right there as the stack",
              len(as_right) > 0, as_right=", ".join(as_right))
        """
    ),
    md(
        en="""
        The stack model is the smallest of the six, and it holds beyond the range: right on
        every prefix there (the last lines). It did not learn more; it was given the right
        structure, and training only had to find when to push and when to pop, which we
        measured against the solver's moves above.

        That is an **inductive bias**: what an architecture makes easy, or possible at all,
        before it sees any data. A recurrent state is biased towards remembering a little
        about the recent past; attention with a position table towards the positions it was
        trained on; a stack towards exactly this rule, at any length and depth. Scores inside
        the training range cannot always tell these apart (the last line names the models as
        right there as the stack); only data from outside the range can, and only when it is
        measured.

        To try it yourself, train your own model on the general range
        (`bracketcloser train --arch gpt --dist general --time 10min --set pos=none`) and run
        this chapter's cells on it (`bc.load("latest")`): which column of the table does
        taking away the position table move?

        **Next:** Chapter 7 takes the transformers past the length they trained on, to twice
        and five times, and looks inside the GPT for what gives way.
        """,
        ja="""
        スタックモデルは 6 つの中で最も小さく、しかも範囲の外でも崩れません。そこでもすべての接頭辞に正しく答えています（最後の数行）。
        他より多くを学んだわけではありません。正しい構造を与えられており、学習ではいつ push し、いつ pop するかを見つけるだけでよかったのです。
        それがソルバーの動きとどれだけ一致するかは、上で測りました。

        これが **帰納バイアス** です。データを一つも見ないうちから、アーキテクチャが何を学びやすくしているか、あるいは何をそもそも可能にしているか。
        再帰の状態は直近の過去を少しだけ覚えておく方向に、位置の表を持つアテンションは学習した位置の方向に、
        そしてスタックは、長さや深さに関係なくまさにこの規則の方向に偏っています。学習範囲の内側での点数だけでは、これらを見分けられるとは限りません
        （最後の行に、範囲内でスタックと同じくらい正確なモデルが挙がっています）。見分けられるのは範囲の外のデータだけで、それも実際に測ったときだけです。

        自分で試すには、一般範囲で自分のモデルを学習させ（`bracketcloser train --arch gpt --dist general --time 10min --set pos=none`）、
        この章のセルをそのモデル（`bc.load("latest")`）で実行してみてください。位置の表を取り除くと、表のどの列が動くでしょうか。

        **次の章:** 第 7 章では、Transformer を学習した長さの 2 倍、5 倍の先へ連れ出し、GPT の内側で何が崩れるのかを見ます。
        """,
    ),
]
