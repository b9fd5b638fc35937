"""Chapter 2. Data: the samplers, why three differently built ones, the split by prefix hash."""

# ruff: noqa: E501  (Japanese prose runs long: a line break inside a Japanese sentence renders as a space)

from cells import CLAIM, LANGUAGE, code, md

CELLS = [
    md(
        en="""
        # 2. Data: what do the models learn from, and what are they tested on?

        A model learns whatever its data lets it get away with. This chapter asks: **if a model
        scores well, what has it learned — the rule, or the sampler that made its data?** We
        draw from every sampler in `bracketcloser.data` and look at what comes out, see why the
        general range is drawn three different ways, and check that no test prefix can ever be
        trained on.
        """,
        ja="""
        # 2. データ: モデルは何から学び、何で試されるのか

        モデルは、データが許す範囲で楽をして学びます。この章の問いは **モデルの点数が高いとき、学んだのは規則なのか、
        データを作ったサンプラーの癖なのか** です。`bracketcloser.data` のすべてのサンプラーから例を取り出して中身を眺め、
        一般範囲のデータをなぜ 3 通りの方法で作るのかを確かめ、テスト用の接頭辞が学習に紛れ込まないことを検証します。
        """,
    ),
    LANGUAGE,
    CLAIM,
    code(
        """
        import random

        import matplotlib.pyplot as plt
        import torch

        import bracketcloser as bc
        from bracketcloser import data
        from bracketcloser.evaluate import evaluate
        from bracketcloser.solver import max_depth

        torch.manual_seed(0)
        torch.set_num_threads(1)  # the models are small: one thread is as fast as two here
        V4 = data.GENERAL_VOCAB
        """
    ),
    md(
        en="""
        ## The samplers

        Each named distribution has a sampler, the vocabulary it draws from and the range it
        covers: the longest prefix, the deepest nesting and the longest answer.
        """,
        ja="""
        ## サンプラー

        名前の付いた分布ごとに、サンプラー、使う語彙、そして範囲（接頭辞の最大長・入れ子の最大の深さ・答えの最大長）が決まっています。
        """,
    ),
    code(
        """
        print(f"{'name':<9}{'length':>7}{'depth':>6}{'answer':>7}  about")
        for name, dist in data.DISTS.items():
            r = dist.range
            print(f"{name:<9}{r.length:>7}{r.depth:>6}{r.answer:>7}  {dist.about}")
        """
    ),
    md(
        en="""
        Draw three examples from each and look. `data.suite(name, n, seed)` gives `n` seeded
        examples whose prefixes all belong to the `test` split (more on splits below). Long
        prefixes are shortened for printing.
        """,
        ja="""
        それぞれから 3 例ずつ取り出して眺めてみましょう。`data.suite(name, n, seed)` は、シードで決まる `n` 個の例を返します。
        接頭辞はすべて `test` 分割に属するものです（分割は後で説明します）。長い接頭辞は表示用に途中を省略しています。
        """,
    ),
    code(
        """
        def short(text, width=44):  # the start and the end of a long string
            return text if len(text) <= width else text[: width // 2 - 1] + "…" + text[-(width // 2):]

        for name in ("seed", "dyck", "shapes", "walks", "strings", "long", "deep"):
            print(name)
            for ex in data.suite(name, 3, seed=0):
                depth = max_depth(ex.prefix, V4)
                print(f"  {short(ex.prefix):<45} len {len(ex.prefix):>3}  depth {depth:>2}  answer {short(ex.answer, 20)}")
        """
    ),
    md(
        en="""
        ## Why three samplers for one range

        The general range (1–100 brackets, depth up to 30, four kinds) is drawn three ways:

        - `shapes` draws the length, then the depth, then how many brackets stay open, each
          uniformly among what the others allow;
        - `walks` takes a free random walk whose chance of opening is drawn per example, so it
          piles up at the walls: long runs of one kind, very deep or back at depth 0;
        - `strings` makes every valid prefix of a length equally likely. An opener has four
          choices and a closer one, so most valid strings climb towards the depth limit.
          **No model trains on it.**

        Same range, different shapes. Measure them on 2,000 draws each:
        """,
        ja="""
        ## 一つの範囲に三つのサンプラーを使う理由

        一般範囲（1〜100 個の括弧、深さ 30 まで、4 種類）のデータは 3 通りの方法で作ります。

        - `shapes` は長さ、深さ、開いたまま残る括弧の数の順に、それぞれ他の条件が許す範囲で一様に選びます。
        - `walks` は自由なランダムウォークです。開き括弧を選ぶ確率を例ごとに変えるので、同じ種類が長く続いたり、
          極端に深くなったり、深さ 0 に何度も戻ったりと、範囲の端に偏ります。
        - `strings` は、ある長さの正しい接頭辞をすべて等確率で選びます。開き括弧には 4 通りの選択肢があり、
          閉じ括弧には 1 通りしかないため、ほとんどの列は深さの上限近くまで登ります。**これで学習するモデルはありません。**

        範囲は同じでも、出てくる形は違います。それぞれ 2,000 例で測ってみます。
        """,
    ),
    code(
        """
        samples = {name: data.suite(name, 2000, seed=0) for name in ("shapes", "walks", "strings")}
        stats = {}
        for name, exs in samples.items():
            stats[name] = {
                "length": [len(ex.prefix) for ex in exs],
                "depth": [max_depth(ex.prefix, V4) for ex in exs],
                "answer": [len(ex.answer) for ex in exs],
            }
            s = stats[name]
            mean = {k: sum(v) / len(v) for k, v in s.items()}
            long_answers = sum(a >= 20 for a in s["answer"]) / len(exs)
            closed = sum(a == 0 for a in s["answer"]) / len(exs)
            print(f"{name:<8} mean length {mean['length']:5.1f}  mean depth {mean['depth']:5.1f}  "
                  f"mean answer {mean['answer']:5.1f}  answers of 20+ closers {long_answers:6.1%}  "
                  f"nothing to close {closed:6.1%}")


        def share(name, key, test):  # the share of a sampler's draws whose `key` passes `test`
            return sum(map(test, stats[name][key])) / len(stats[name][key])


        wall = data.DISTS["walks"].range.depth  # the depth limit, 30
        claim("walks pile up at the walls: more of its draws touch the depth limit, and more end with nothing "
              "open, than shapes' draws",
              share("walks", "depth", lambda d: d == wall) > 2 * share("shapes", "depth", lambda d: d == wall)
              and share("walks", "answer", lambda a: a == 0) > share("shapes", "answer", lambda a: a == 0) + 0.02,
              walks_at_limit=share("walks", "depth", lambda d: d == wall),
              shapes_at_limit=share("shapes", "depth", lambda d: d == wall),
              walks_closed=share("walks", "answer", lambda a: a == 0), shapes_closed=share("shapes", "answer", lambda a: a == 0))
        deep = {name: share(name, "depth", lambda d: d >= 2 * wall // 3) for name in stats}
        claim("most strings climb towards the depth limit: more than half reach two thirds of it, "
              "far more than with the other two samplers",
              deep["strings"] > 0.5 and deep["strings"] > max(deep["shapes"], deep["walks"]) + 0.2,
              **{f"{name}_depth_20_plus": v for name, v in deep.items()})
        """
    ),
    code(
        """
        T = {"en": dict(length="prefix length (brackets)", depth="deepest nesting", answer="closers in the answer",
                        y="share of examples", title="Three samplers, one range"),
             "ja": dict(length="接頭辞の長さ（括弧の数）", depth="入れ子の最大の深さ", answer="答えの閉じ括弧の数",
                        y="例の割合", title="三つのサンプラー、同じ範囲")}[LANG]
        fig, axes = plt.subplots(1, 3, figsize=(12, 3.3))
        for ax, key, top in zip(axes, ("length", "depth", "answer"), (100, 30, 30), strict=True):
            bins = range(0, top + 2, 2 if top == 30 else 5)
            for name, s in stats.items():
                ax.hist(s[key], bins=bins, histtype="step", density=True, lw=1.5, label=name)
            ax.set(xlabel=T[key])
        axes[0].set(ylabel=T["y"])
        axes[2].legend()
        fig.suptitle(T["title"])
        fig.tight_layout()
        plt.show()
        """
    ),
    md(
        en="""
        Why this matters: a model that is right on one sampler and wrong on another has learned
        the sampler, not the rule. Score the shipped GRU (trained on `shapes`, `walks`, a little
        of `seed`, runs of one kind and long answers, never on `strings`) on 300 examples of each:
        """,
        ja="""
        これが重要なのは、あるサンプラーでは正解し、別のサンプラーでは間違えるモデルは、規則ではなくサンプラーを学んでいるからです。
        同梱の GRU（`shapes`、`walks`、少しの `seed`、1 種類の括弧の連続、長い答えで学習し、`strings` は一度も見ていない）を、それぞれ 300 例で採点します。
        """,
    ),
    code(
        """
        gru = bc.load("gru")
        scores = {name: evaluate(gru, exs[:300])["exact_match"] for name, exs in samples.items()}
        for name, em in scores.items():
            print(f"gru on {name:<8} exact match {em:.1%}")
        print(f"gap between its best and worst sampler: {max(scores.values()) - min(scores.values()):.1%}")
        """
    ),
    md(
        en="""
        The three numbers are one range measured three ways; whatever gap there is between them
        (the last line) is what a single sampler would have hidden. Chapter 6 does this for
        every architecture.

        ## A fourth sampler: runs of one kind

        Three samplers still share a blind spot. Each picks a kind for every opener on its own,
        so twelve `{` followed by twelve `<` almost never appears in them. Yet it lies in the
        range, and its answer is pure counting: `>` twelve times, then `}` twelve times. Openers
        of one kind differ only in where they stand. `runs` (`data.sample_runs`) builds prefixes
        out of such runs, each going one way, up (one kind) or down. The models shipped before it
        existed all got some of it wrong, except the stack model, which gets all of it right;
        `--set runs=0.2` takes a fifth of the training examples from it. Look at a few, and score
        the GRU, the GPT and the stack model on 300:
        """,
        ja="""
        この 3 つの数字は、同じ範囲を 3 通りに測ったものです。その間にどれだけ開きがあるにせよ（最後の行）、
        それはサンプラーが一つだけなら見えなかったものです。
        第 6 章では、これをすべてのアーキテクチャについて行います。

        ## 四つ目のサンプラー：同じ種類の連なり

        三つのサンプラーにも共通の死角があります。どれも開き括弧ごとに種類を選ぶので、`{` が 12 個続いたあとに `<` が 12 個続く、
        といった列はほとんど現れません。それでもこれは範囲の内側にあり、答えは数えることそのものです。`>` を 12 個、
        そのあと `}` を 12 個。同じ種類の開き括弧どうしは、置かれた位置でしか区別できません。`runs`（`data.sample_runs`）は、
        上り（一種類の開き括弧）か下りのどちらか一方向に進む連なりをつないで接頭辞を作ります。これができる前に同梱された
        モデルはどれもいくつか間違えましたが、スタックモデルだけは全問正解します。`--set runs=0.2` で、学習例の 5 分の 1 を
        ここから取ります。いくつか眺めて、GRU、GPT、スタックモデルを 300 例で採点します。
        """,
    ),
    code(
        """
        runs = data.suite("runs", 300, seed=0)
        for ex in runs[:4]:
            print(f"  {short(ex.prefix):<45} len {len(ex.prefix):>3}  answer {short(ex.answer, 20)}")
        on_runs = {arch: evaluate(bc.load(arch), runs)["exact_match"] for arch in ("gru", "gpt", "stack")}
        for arch, em in on_runs.items():
            print(f"{arch:<5} on runs  exact match {em:.1%}")
        claim("the stack model gets every prefix of runs right", on_runs["stack"] == 1.0, stack=on_runs["stack"])
        """
    ),
    md(
        en="""
        ## The split by prefix hash

        The original drew its test sets the same way as its training data. Its prefixes are
        short, so they repeat, and part of every test score was memory. How much? Draw a
        "training set" and a "test set" from the original's recipe and count the test prefixes
        the training set already holds:
        """,
        ja="""
        ## 接頭辞のハッシュによる分割

        元のプロジェクトは、テストセットを学習データと同じ方法で作っていました。接頭辞が短いので同じものが何度も現れ、
        テストの点数の一部は単なる暗記でした。どのくらいでしょうか。元の手順で「学習セット」と「テストセット」を作り、
        テストの接頭辞のうち学習セットにすでに含まれているものを数えます。
        """,
    ),
    code(
        """
        rng = random.Random(0)
        train_set = [data.sample_seed(rng) for _ in range(20_000)]
        test_set = [data.sample_seed(rng) for _ in range(2_000)]
        seen = {ex.prefix for ex in train_set}
        overlap = sum(ex.prefix in seen for ex in test_set) / len(test_set)
        print(f"distinct prefixes in 20,000 draws: {len(seen):,}")
        print(f"test prefixes also in the training set: {overlap:.1%}")
        claim("the original's prefixes repeat, and a sizeable share of a test set drawn the same way "
              "(a tenth or more) is already in the training set",
              len(seen) < len(train_set) and overlap >= 0.1, distinct=len(seen), draws=len(train_set), overlap=overlap)
        """
    ),
    md(
        en="""
        Here every possible prefix belongs to exactly one split, decided by a stable hash of its
        text (`data.split_of`): `train` 85%, `valid` 5%, `test` 10%. Training streams keep only
        `train` prefixes and evaluation suites only `test` prefixes, whatever the seeds. The
        same prefix lands in the same split every time, on every machine:
        """,
        ja="""
        このパッケージでは、あり得るすべての接頭辞が、その文字列の安定なハッシュ（`data.split_of`）によって
        ちょうど一つの分割に属します。`train` が 85%、`valid` が 5%、`test` が 10% です。学習用のストリームは `train` の接頭辞だけを、
        評価用のスイートは `test` の接頭辞だけを使います。シードが何であっても変わりません。
        同じ接頭辞は、いつ、どのマシンで計算しても同じ分割に入ります。
        """,
    ),
    code(
        """
        # the split each of these prefixes has always landed in: a stable hash gives the same on every machine
        always = {"(": "train", "((": "train", "{": "valid", "(([": "valid", "({": "test", "{(": "test", "<<": "test",
                  "((()){[][]()[]": "train"}
        for prefix in always:
            print(f"{prefix:<16} {data.split_of(prefix)}")
        claim("the same prefix lands in the same split every time",
              all(data.split_of(p) == s for p, s in always.items()), prefixes=len(always))

        rng = random.Random(1)
        distinct = seen | {data.sample_shapes(rng).prefix for _ in range(20_000)}  # raw draws: no split applied
        shares = {s: sum(data.split_of(p) == s for p in distinct) / len(distinct) for s in data.SPLITS}
        print(f"shares over {len(distinct):,} distinct prefixes:", {s: f"{v:.1%}" for s, v in shares.items()})
        target = {"train": 0.85, "valid": 0.05, "test": 0.10}
        claim("the hash splits prefixes 85% / 5% / 10%, each share within a point of its target",
              all(abs(shares[s] - target[s]) <= 0.01 for s in target), **shares)
        """
    ),
    md(
        en="""
        So a training stream and a test suite can share no prefix. `data.disjoint` drops every
        example whose prefix was trained on and says how many it dropped:
        """,
        ja="""
        したがって、学習用ストリームとテスト用スイートが同じ接頭辞を共有することはありません。`data.disjoint` は、
        学習に使った接頭辞を持つ例を取り除き、取り除いた数を返します。
        """,
    ),
    code(
        """
        trained = data.generate("seed", 20_000, seed=0, split="train")
        suite = data.suite("seed", 2_000, seed=0)
        kept, dropped = data.disjoint(suite, [ex.prefix for ex in trained])
        print(f"test examples whose prefix was in the training stream: {dropped} of {len(suite):,}")
        claim("a training stream and a test suite share no prefix", dropped == 0 and len(kept) == len(suite),
              dropped=dropped, suite=len(suite))
        claim("every training prefix is in the train split",
              all(data.split_of(ex.prefix) == "train" for ex in trained), training_examples=len(trained))
        """
    ),
    md(
        en="""
        **Next:** Chapter 3 builds a GPT from its parts and trains it on `seed` for under a
        minute.
        """,
        ja="""
        **次の章:** 第 3 章では GPT を部品から組み立て、`seed` で 1 分足らず学習させます。
        """,
    ),
]
