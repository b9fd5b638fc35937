"""Chapter 4. Recurrent models: gates, and what the hidden state holds (linear probes)."""

# ruff: noqa: E501  (Japanese prose runs long: a line break inside a Japanese sentence renders as a space)

from cells import CLAIM, LANGUAGE, code, md

CELLS = [
    md(
        en="""
        # 4. Recurrent models: what does the hidden state hold?

        A GRU or an LSTM reads one token at a time and folds everything it has read into a
        hidden state of fixed size (per layer, `n_hidden` numbers: the first cell prints each
        shipped model's). To close brackets it needs, at every moment, the stack of open
        brackets. This chapter asks:
        **does the shipped models' hidden state actually hold the depth and the innermost open
        bracket, and up to what depth?** We first write the GRU's gates out by hand, then train
        *linear probes* that try to read those two facts straight off the hidden state.
        """,
        ja="""
        # 4. 再帰型モデル: 隠れ状態には何が入っているのか

        GRU や LSTM はトークンを一つずつ読み、読んだものすべてを固定サイズの隠れ状態（1 層あたり `n_hidden` 個の数。同梱の各モデルの値は最初のセルが表示します）に畳み込みます。
        括弧を閉じるには、いつでも「開いている括弧のスタック」を知っている必要があります。この章の問いは
        **同梱のモデルの隠れ状態は、本当に入れ子の深さと最も内側の開き括弧を保持しているのか。保持しているならどの深さまでか** です。
        まず GRU のゲートを手で書き下し、次に隠れ状態からこの二つを直接読み取ろうとする *線形プローブ* を学習させます。
        """,
    ),
    LANGUAGE,
    CLAIM,
    code(
        """
        import matplotlib.pyplot as plt
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        import bracketcloser as bc
        from bracketcloser import data
        from bracketcloser.architectures import build
        from bracketcloser.batch import prompt_batch
        from bracketcloser.solver import open_stack

        torch.manual_seed(0)
        torch.set_num_threads(1)  # the models are small: one thread is as fast as two here
        V4 = data.GENERAL_VOCAB
        models = {name: bc.load(name) for name in ("lstm", "gru")}
        for m in models.values():
            print(m, m.model.cfg)
        """
    ),
    md(
        en="""
        ## Gates

        A plain recurrent layer rewrites its whole state at every token, so what it held about
        an opener twenty tokens back is washed out by everything read since. A **gate** is a
        vector of numbers between 0 and 1 that decides, unit by unit, how much of the old state
        to keep. The GRU (Cho et al. 2014) has two, computed from the input `x` and the old
        state `h`:

        - the **reset gate** `r = σ(W_ir x + W_hr h)` says how much of the old state to use when
          proposing a new one, `n = tanh(W_in x + r ⊙ (W_hn h))`;
        - the **update gate** `z = σ(W_iz x + W_hz h)` says how much of the old state to keep:
          `h' = (1 − z) ⊙ n + z ⊙ h`. Where `z` is near 1 a unit is left as it was.

        (Each product also has a bias.) The LSTM (Hochreiter & Schmidhuber 1997) keeps a
        separate *cell* `c` with a forget gate `f`, an input gate `i` and an output gate `o`:
        `c' = f ⊙ c + i ⊙ g`, `h' = o ⊙ tanh(c')`. The idea is the same: a unit that should
        remember an outer bracket is left alone while inner ones open and close.

        Here is the shipped GRU's computation in plain PyTorch, layer by layer and token by
        token, with its own weights, checked against `torch.nn.GRU`, which the package uses:
        """,
        ja="""
        ## ゲート

        素朴な再帰層はトークンを読むたびに状態全体を書き換えるので、20 トークン前の開き括弧について持っていた情報は、
        その後に読んだものに押し流されてしまいます。**ゲート** は 0 から 1 の値をとるベクトルで、古い状態をどれだけ残すかをユニットごとに決めます。
        GRU（Cho et al. 2014）は、入力 `x` と古い状態 `h` から二つのゲートを計算します。

        - **リセットゲート** `r = σ(W_ir x + W_hr h)` は、新しい状態の候補 `n = tanh(W_in x + r ⊙ (W_hn h))` を作るときに
          古い状態をどれだけ使うかを決めます。
        - **更新ゲート** `z = σ(W_iz x + W_hz h)` は古い状態をどれだけ残すかを決めます。`h' = (1 − z) ⊙ n + z ⊙ h` で、
          `z` が 1 に近いユニットはそのまま残ります。

        （どの積にもバイアスが付きます。）LSTM（Hochreiter & Schmidhuber 1997）は別に *セル* `c` を持ち、忘却ゲート `f`、入力ゲート `i`、
        出力ゲート `o` を使って `c' = f ⊙ c + i ⊙ g`、`h' = o ⊙ tanh(c')` と更新します。考え方は同じで、
        外側の括弧を覚えておくべきユニットは、内側の括弧が開いたり閉じたりする間もそっとしておかれます。

        同梱の GRU の計算を、その重みを使って素の PyTorch で層ごと・トークンごとに書き、パッケージが使っている `torch.nn.GRU` と比べます。
        """,
    ),
    code(
        """
        gru = models["gru"].model  # a RecurrentLM: embed -> nn.GRU -> head
        H = gru.cfg.n_hidden


        def gru_by_hand(x):
            \"\"\"x (T, E) -> the top layer's states (T, H) and layer 0's update gates (T, H).\"\"\"
            update_gates = []
            for layer in range(gru.cfg.n_layer):
                W_ih, W_hh = (getattr(gru.rnn, f"weight_{x}_l{layer}") for x in ("ih", "hh"))  # (3H, in), (3H, H)
                b_ih, b_hh = (getattr(gru.rnn, f"bias_{x}_l{layer}") for x in ("ih", "hh"))  # (3H,) each
                h, outputs = torch.zeros(H), []  # h (H,)
                for x_t in x:  # x_t (in,)
                    gi, gh = W_ih @ x_t + b_ih, W_hh @ h + b_hh  # (3H,) each: rows r, z, n
                    r = torch.sigmoid(gi[:H] + gh[:H])  # (H,) reset gate
                    z = torch.sigmoid(gi[H : 2 * H] + gh[H : 2 * H])  # (H,) update gate
                    n = torch.tanh(gi[2 * H :] + r * gh[2 * H :])  # (H,) the proposal
                    h = (1 - z) * n + z * h  # (H,) keep where z ~ 1, rewrite where z ~ 0
                    outputs.append(h)
                    if layer == 0:
                        update_gates.append(z)
                x = torch.stack(outputs)  # (T, H): the next layer's input
            return x, torch.stack(update_gates)


        prefix = "{[(<>)]<{}"
        ids = torch.tensor(V4.prompt_ids(prefix))  # (T,)
        with torch.no_grad():
            x = gru.embed(ids)  # (T, E)
            ours, z = gru_by_hand(x)
            package, _ = gru.rnn(x[None])  # (1, T, H)
        difference = (ours - package[0]).abs().max().item()
        print("largest difference from nn.GRU:", f"{difference:.1e}")
        claim("our gates compute what nn.GRU computes (to rounding)", difference < 1e-4, largest_difference=difference)
        """
    ),
    md(
        en="""
        How much does layer 0 keep at each token? Count the units whose update gate is above
        0.9 (kept almost untouched), first along our prefix, then averaged over 200 prefixes by
        the kind of token read:
        """,
        ja="""
        第 0 層は各トークンでどれだけ状態を残しているでしょうか。更新ゲートが 0.9 を超える（ほぼそのまま残される）ユニットの割合を、
        まず上の接頭辞に沿って、次に 200 個の接頭辞で読んだトークンの種類ごとに平均して数えます。
        """,
    ),
    code(
        """
        for token, z_t in zip(V4.decode(ids.tolist()), z, strict=True):
            print(f"{token:>8}  units kept (z > 0.9): {(z_t > 0.9).float().mean():.0%}")

        kept = {"an opener": [], "a closer": []}
        with torch.no_grad():
            for ex in data.suite("shapes", 200, seed=1):
                _, z = gru_by_hand(gru.embed(torch.tensor(V4.prompt_ids(ex.prefix))))
                for ch, z_t in zip(ex.prefix, z[1:], strict=False):  # z[0] is at `input`; z runs on past the prefix
                    kept["an opener" if ch in V4.closer_of else "a closer"].append((z_t > 0.9).float().mean())
        for k, v in kept.items():
            print(f"after reading {k}: {torch.stack(v).mean():.1%} of units kept on average ({len(v):,} tokens)")
        """
    ),
    md(
        en="""
        ## Reading the hidden state with a probe

        A **linear probe** is a logistic regression trained to predict some fact from a
        model's internal vectors, with the model frozen. If a *linear* read-out recovers the
        fact on prefixes the probe never saw, the state holds it in a simple, usable form.
        Two facts, after every bracket read:

        - the **depth**: how many brackets are open (31 classes, 0–30);
        - the **innermost open bracket**: which kind must be closed next (none, `(`, `[`, `{`, `<`).

        Two baselines keep the probe honest. *Chance*: always answer the most common class.
        And a *control*: the same probe on an **untrained** network of the same shape. A random
        recurrent net already carries traces of its recent input (the last token read is very
        often the innermost opener), so only what the trained model reads *beyond* the
        control is learned.

        First, the states. `model.rnn` over the embedded prompts gives the top layer's state
        after every token (for the LSTM that is `h`, its output; its cell `c` is not read). The
        labels come from the solver.
        """,
        ja="""
        ## プローブで隠れ状態を読む

        **線形プローブ** とは、モデルを固定したまま、その内部のベクトルからある事実を予測するように学習させたロジスティック回帰です。
        プローブが学習に使っていない接頭辞でもその事実を *線形に* 読み取れるなら、状態はその事実を単純で使いやすい形で保持していることになります。
        括弧を一つ読むたびに、次の二つを読み取ります。

        - **深さ**: いま開いている括弧の数（0〜30 の 31 クラス）
        - **最も内側の開き括弧**: 次に閉じるべき括弧の種類（なし・`(`・`[`・`{`・`<`）

        プローブの結果を正しく評価するために、比較対象を二つ用意します。一つは *偶然の水準*、つまりいつも最も多いクラスを答えた場合です。
        もう一つは *対照* で、同じ形の **学習していない** ネットワークに同じプローブを当てます。ランダムな再帰ネットワークでも直前の入力の痕跡は残っており
        （直前に読んだトークンが最も内側の開き括弧であることはとても多い）、学習によって得たと言えるのは、対照を *上回って* 読み取れる分だけです。

        まず状態を集めます。埋め込んだプロンプトに `model.rnn` を通すと、各トークンの後の最上層の状態が得られます
        （LSTM では出力 `h` で、セル `c` は読みません）。ラベルはソルバーから作ります。
        """,
    ),
    code(
        """
        KINDS = "([{<"


        def states_and_labels(model, prefixes):
            \"\"\"After each bracket of each prefix: the top layer's state (N, H), the depth (N,)
            and the innermost open bracket (N,: 0 none, 1-4 the kinds), and whether a closer was just read.\"\"\"
            idx, _ = prompt_batch(prefixes, V4)  # (B, T): input, the prefix, ,output, padding
            with torch.no_grad():
                h, _ = model.rnn(model.embed(idx))  # (B, T, H): right padding never reaches earlier positions
            X, depth, inner, after_closer = [], [], [], []
            for b, prefix in enumerate(prefixes):
                for t in range(len(prefix)):
                    stack = open_stack(prefix[: t + 1], V4)
                    X.append(h[b, t + 1])  # (H,): after reading prefix[t] (position 0 is `input`)
                    depth.append(len(stack))
                    inner.append(KINDS.index(stack[-1]) + 1 if stack else 0)
                    after_closer.append(prefix[t] not in KINDS)
            return torch.stack(X), torch.tensor(depth), torch.tensor(inner), torch.tensor(after_closer)


        probe_train = [ex.prefix for ex in data.generate("general", 300, seed=0, split="valid")]
        probe_test = [ex.prefix for ex in data.suite("shapes", 200, seed=0) + data.suite("walks", 200, seed=0)]
        torch.manual_seed(0)
        nets = {}
        for name, m in models.items():
            nets[name] = m.model
            sizes = {k: getattr(m.model.cfg, k) for k in ("n_embd", "n_hidden", "n_layer")}
            nets[f"{name} (untrained)"] = build(name, vocab_size=V4.size, **sizes)  # the same shape, random weights
        states = {}
        for net, m in nets.items():
            states[net] = (states_and_labels(m, probe_train), states_and_labels(m, probe_test))
        print(f"probe training positions: {len(states['lstm'][0][1]):,}, test positions: {len(states['lstm'][1][1]):,}")
        """
    ),
    code(
        """
        def fit_probe(X, y, classes, steps=150):
            \"\"\"Multinomial logistic regression: one linear layer and a softmax, trained with Adam.\"\"\"
            torch.manual_seed(0)
            mean, std = X.mean(0), X.std(0) + 1e-6  # (H,) each: standardise every unit
            probe = nn.Linear(X.size(1), classes)  # (H -> classes)
            opt = torch.optim.Adam(probe.parameters(), lr=0.05)
            for _ in range(steps):
                loss = F.cross_entropy(probe((X - mean) / std), y)  # full batch
                opt.zero_grad()
                loss.backward()
                opt.step()
            return lambda Z: probe((Z - mean) / std).argmax(-1).detach()  # (N, H) -> (N,) predicted classes


        results = {}
        for net, ((X, d, i, _), (Xt, dt, it, closer_t)) in states.items():
            pd = fit_probe(X, d, 31)(Xt)
            pi = fit_probe(X, i, 5)(Xt)
            hard = closer_t & (it > 0)  # a closer was just read and something is still open
            results[net] = dict(pd=pd, pi=pi, depth=(pd == dt).float().mean().item(),
                                depth_pm1=((pd - dt).abs() <= 1).float().mean().item(),
                                inner=(pi == it).float().mean().item(),
                                inner_after_closer=(pi[hard] == it[hard]).float().mean().item())
        _, (_, dt, it, closer_t) = states["lstm"]
        hard = closer_t & (it > 0)
        chance_d = (dt == dt.mode().values).float().mean().item()
        chance_i = (it == it.mode().values).float().mean().item()
        chance_h = (it[hard] == it[hard].mode().values).float().mean().item()
        print(f"{'':<18}{'depth':>8}{'depth ±1':>10}{'innermost':>11}{'innermost after a closer':>26}")
        print(f"{'chance':<18}{chance_d:>8.1%}{'':>10}{chance_i:>11.1%}{chance_h:>26.1%}")
        for net, r in results.items():
            print(f"{net:<18}{r['depth']:>8.1%}{r['depth_pm1']:>10.1%}{r['inner']:>11.1%}"
                  f"{r['inner_after_closer']:>26.1%}")

        margin = 0.05  # five points: well clear of chance, not a rounding
        lowest = {k: min(r[k] - c for r in results.values()) for k, c in
                  (("depth", chance_d), ("inner", chance_i), ("inner_after_closer", chance_h))}
        claim("a probe beats chance on every network, the untrained ones included",
              all(v > margin for v in lowest.values()), **{f"least_{k}_over_chance": v for k, v in lowest.items()})
        lead = {f"{net}_{k}": results[net][k] - results[f"{net} (untrained)"][k]
                for net in models for k in ("depth", "inner", "inner_after_closer")}
        claim("each trained model reads more than its untrained control: depth, innermost, innermost after a closer",
              all(v > margin for v in lead.values()), least_lead=min(lead.values()))
        """
    ),
    md(
        en="""
        Read the table row against row. A probe beats chance on every network, the untrained
        ones included: that much comes from the architecture alone. The trained models' lead
        over their untrained controls is what training put into the state. The last column is
        the hardest test: right after a closer, the innermost open bracket is one that was read
        *earlier*, so the last token gives it away no more.
        """,
        ja="""
        表は行どうしを比べて読みます。どのネットワークでもプローブは偶然の水準を上回ります。学習していないネットワークでもそうで、
        その分はアーキテクチャだけから来ています。学習済みモデルが対照をどれだけ上回るかが、学習によって状態に書き込まれたものです。
        最後の列がいちばん厳しい試験です。閉じ括弧を読んだ直後の最も内側の開き括弧は *もっと前に* 読んだものなので、
        直前のトークンからは答えがわかりません。
        """,
    ),
    code(
        """
        for net in models:
            gap = results[net]["inner_after_closer"] - results[f"{net} (untrained)"]["inner_after_closer"]
            print(f"{net}: innermost bracket after a closer, trained minus untrained: {gap:+.1%}")
        drop = {net: results[net]["inner"] - results[net]["inner_after_closer"] for net in results if "untrained" in net}
        claim("after a closer the last token gives the innermost bracket away no more: "
              "every untrained control reads it at least ten points worse there",
              all(d >= 0.1 for d in drop.values()), least_drop=min(drop.values()))
        after = {net: results[net]["inner_after_closer"] for net in models}
        claim("the trained states still hold it there: both trained models read it right after a closer 90% of the time or more",
              all(a >= 0.9 for a in after.values()), **after)
        """
    ),
    md(
        en="""
        ## Accuracy by depth

        Closing brackets gets harder with depth: the state must hold every open bracket at
        once. Where does each probe start to fail? Break the test positions down by their true
        depth (groups of three levels):
        """,
        ja="""
        ## 深さ別の正解率

        深くなるほど括弧を閉じるのは難しくなります。開いている括弧をすべて同時に状態に保持しなければならないからです。
        各プローブはどこから読み取れなくなるのでしょうか。テストの位置を本当の深さ別（3 段ずつ）に分けて見ます。
        """,
    ),
    code(
        """
        groups = [(lo, lo + 2) for lo in range(0, 31, 3)]  # depth 0-2, 3-5, ..., 30-32
        centre = [lo + 1 for lo, _ in groups]


        def by_depth(pred, truth):
            \"\"\"Accuracy of the predictions (N,) in each depth group (nan where a group is empty).\"\"\"
            out = []
            for lo, hi in groups:
                group = (dt >= lo) & (dt <= hi)  # (N,): the test positions at these true depths
                out.append((pred[group] == truth[group]).float().mean().item() if group.any() else float("nan"))
            return out


        T = {"en": dict(depth="probe for the depth", inner="probe for the innermost open bracket", x="true depth",
                        y="probe accuracy"),
             "ja": dict(depth="深さのプローブ", inner="最も内側の開き括弧のプローブ", x="本当の深さ", y="プローブの正解率")}[LANG]
        fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)
        for net, r in results.items():
            style = dict(ls="--", alpha=0.6) if "untrained" in net else dict(marker=".")
            axes[0].plot(centre, by_depth(r["pd"], dt), label=net, **style)
            axes[1].plot(centre, by_depth(r["pi"], it), label=net, **style)
        for ax, key in zip(axes, ("depth", "inner"), strict=True):
            ax.set(title=T[key], xlabel=T["x"], ylim=(0, 1.02))
            ax.grid(alpha=0.3)
        axes[0].set(ylabel=T["y"])
        axes[1].legend(fontsize=8)
        fig.tight_layout()
        plt.show()
        deepest = f"{groups[-2][0]}-{groups[-2][1]}"  # the deepest full group inside the trained range
        for net in models:
            d_acc, i_acc = by_depth(results[net]["pd"], dt), by_depth(results[net]["pi"], it)
            i_low = min(a for a in i_acc if a == a)  # the lowest group (nan: an empty group)
            print(f"{net}: depth probe {d_acc[0]:.0%} at depth 0-2, {d_acc[-2]:.0%} at {deepest};  "
                  f"innermost probe {i_acc[0]:.0%} at depth 0-2, {i_acc[-2]:.0%} at {deepest}, lowest {i_low:.0%}")
            claim(f"{net}: the exact depth reads well off a shallow state (90% or more) and worse off a deep one "
                  "(ten points or more lower), though often within ±1 (three times in four or more)",
                  d_acc[0] >= 0.9 and d_acc[-2] <= d_acc[0] - 0.1 and results[net]["depth_pm1"] >= 0.75,
                  shallow=d_acc[0], deep=d_acc[-2], within_1=results[net]["depth_pm1"])
            claim(f"{net}: the innermost open bracket stays readable at every depth (90% or more), "
                  "more plainly than the depth where it is deep",
                  i_low >= 0.9 and i_acc[-2] >= d_acc[-2] + 0.1, innermost_lowest=i_low, innermost_deep=i_acc[-2], depth_deep=d_acc[-2])
        """
    ),
    md(
        en="""
        Read the last lines. A linear probe reads the exact depth well off a shallow state and
        less well off a deep one, though it is still often within ±1 (the table's second column).
        The innermost open bracket stays readable at every depth of the range, and that is the
        fact the next answer token needs: the state keeps what it must say next more plainly
        than how deep it is.
        Chapter 6 shows what happens beyond depth 30, where the models never trained.
        """,
        ja="""
        最後の数行を見てください。線形プローブは、浅い状態からは正確な深さをよく読み取れますが、深い状態からは読み取りにくくなります。
        それでも誤差は多くの場合 ±1 以内に収まっています（表の 2 列目）。
        一方、最も内側の開き括弧は、学習範囲のどの深さでも読み取れます。次に出す答えのトークンに必要なのは、まさにこの情報です。
        状態は「どれだけ深いか」よりも「次に何を言うべきか」をはっきりと保持しているのです。
        学習で一度も見ていない深さ 30 より先で何が起こるかは、第 6 章で見ます。
        """,
    ),
    md(
        en="""
        ## What a fixed-size state costs, and what the data can do about it

        If the state loses what lies deep in the stack, the answers that need the whole stack
        written out, 15 closers or more, are the ones a recurrent model gets wrong; and the
        general mixture gives few examples such answers. *Depth balance* draws a share of the
        examples with an answer of 15-30 closers (`--set deep=0.3`). `bench/settings_ab.py`
        trained a 2×128 GRU for the same number of steps with and without it, and once twice as
        wide for half the steps (about the same time); the cell reads what it recorded
        (`bench/results/ab/`), by answer length:
        """,
        ja="""
        ## 固定サイズの状態の代償と、データでできること

        状態がスタックの深いところを失うなら、再帰型モデルが間違えるのはスタック全体を書き出す必要のある答え、
        つまり閉じ括弧 15 個以上の答えのはずです。そして一般範囲の混合では、そうした答えを持つ例はわずかです。
        *深さのバランス*は、例の一部を答えが 15〜30 個の閉じ括弧になるように引きます（`--set deep=0.3`）。
        `bench/settings_ab.py` は 2×128 の GRU を、これがある場合とない場合で同じステップ数だけ学習させ、
        さらに倍の幅で半分のステップ数（ほぼ同じ時間）も学習させました。次のセルは、その記録
        （`bench/results/ab/`）を答えの長さ別に読みます。
        """,
    ),
    code(
        """
        import json
        from pathlib import Path

        ab = json.loads(Path("bench/results/ab/ab_gru_deep.json").read_text(encoding="utf-8"))
        width = json.loads(Path("bench/results/ab/ab_gru_width.json").read_text(encoding="utf-8"))
        rows = {"2x128, no depth balance": ab["variants"][0], "2x128, 30% deep answers": ab["variants"][1],
                "2x128, 50% deep answers": ab["variants"][2], "2x256, 30%, half the steps": width["variants"][0]}
        bands = list(ab["variants"][0]["on"]["strings"]["by_answer_length"])
        print(f"{'':30} {'steps':>6} {'minutes':>8} {'strings':>8}  " + "  ".join(f"{b:>6}" for b in bands))
        for name, v in rows.items():
            cells = "  ".join(f"{v['on']['strings']['by_answer_length'][b]['exact_match']:>6.1%}" for b in bands)
            print(f"{name:30} {v['steps']:>6,} {v['train_time_s'] / 60:>8.0f} {v['exact_match']:>8.1%}  {cells}")
        print("(exact match on 2,000 held-out `strings` prefixes, by the answer's length in closers)")

        def band(v, b):
            return v["on"]["strings"]["by_answer_length"][b]["exact_match"]

        plain, deep = rows["2x128, no depth balance"], rows["2x128, 30% deep answers"]
        claim("depth balance raises the long answers (25-30 closers) by ten points or more at equal steps",
              band(deep, "25-30") >= band(plain, "25-30") + 0.1, without=band(plain, "25-30"), with_it=band(deep, "25-30"))
        claim("and keeps the short ones (under 15 closers) right: 99% or more either way",
              min(band(plain, "0-14"), band(deep, "0-14")) >= 0.99, without=band(plain, "0-14"), with_it=band(deep, "0-14"))
        """
    ),
    md(
        en="""
        The long answers are where the steps go; the short ones were learned long before.
        Twice the width for half the steps did about as well as the narrower GRU: at this budget,
        width and steps buy about the same. Both shipped recurrent models trained this way (their
        recipes, `src/bracketcloser/recipes/lstm.toml` and `gru.toml`). At full length, the cell
        below sets each beside the model of its kind shipped before depth balance
        (`bench/results/history/`), and the LSTM beside the one shipped with depth balance at
        half its width (2×128), on 10,000 prefixes of each sampler:
        """,
        ja="""
        ステップが使われるのは長い答えで、短い答えはずっと前に覚えています。倍の幅で半分のステップ数にしても、
        狭い GRU とほぼ同じでした。この予算では、幅とステップ数はほぼ同じだけ効きます。同梱の再帰型モデルは
        二つともこの方法で学習しています（レシピは `src/bracketcloser/recipes/lstm.toml` と `gru.toml`）。
        次のセルは、フルの長さで学習した各モデルを、深さのバランスを入れる前に同梱していた同じ種類のモデル
        （`bench/results/history/`）と、さらに LSTM は深さのバランスありで幅が半分（2×128）だった同梱モデルと、各サンプラー 10,000 個の接頭辞で比べます。
        """,
    ),
    code(
        """
        now = json.loads(Path("bench/results/pretrained.json").read_text(encoding="utf-8"))["models"]
        before = {arch: json.loads(Path(f"bench/results/history/shipped_{arch}_before_depth_balance.json")
                                   .read_text(encoding="utf-8"))["models"][arch] for arch in ("gru", "lstm")}
        lstm_128 = json.loads(Path("bench/results/history/shipped_lstm_2x128.json").read_text(encoding="utf-8"))["models"]["lstm"]
        suites = ("shapes", "walks", "strings", "runs")
        print(f"{'':34}" + "".join(f"{s:>9}" for s in suites))
        table = [("gru, before (2x256)", before["gru"]), ("gru, depth balance (2x256)", now["gru"]),
                 ("lstm, before (2x128)", before["lstm"]), ("lstm, depth balance (2x128)", lstm_128),
                 ("lstm, depth balance (2x256)", now["lstm"])]
        for label, row in table:
            print(f"{label:34}" + "".join(f"{row[s]['exact_match']:>9.2%}" for s in suites))
        gain = now["gru"]["strings"]["exact_match"] - before["gru"]["strings"]["exact_match"]
        claim("at full length, depth balance raised the GRU on strings by five points or more",
              gain >= 0.05, before=before["gru"]["strings"]["exact_match"], now=now["gru"]["strings"]["exact_match"])
        claim("neither recurrent model reaches 99.9% on every in-range sampler",
              all(min(now[a][s]["exact_match"] for s in suites) < 0.999 for a in ("gru", "lstm")))
        """
    ),
    md(
        en="""
        ### Width against time

        What does a wider state buy, against more steps? The recurrent runs of this recipe
        family measured on `strings` (the equal-step A/Bs above, the shipped models and the
        ones they replaced), placed by the minutes of one core each trained, against the stack
        model, which keeps its stack outside the state. The error rate is on a log
        axis: 10% to 1% is as far as 1% to 0.1%.
        """,
        ja="""
        ### 幅と時間

        状態を広くすることは、ステップを増やすことに比べて何をもたらすでしょうか。この系統のレシピで `strings` を測った
        再帰型モデルの実行（上の同じステップ数の A/B、同梱のモデルとそれに置き換えられたモデル）を、
        1 コアで学習した分数の位置に置き、スタックを状態の外に持つスタックモデルと並べます。誤り率は対数軸です。
        10% から 1% までは、1% から 0.1% までと同じ距離です。
        """,
    ),
    code(
        """
        from bracketcloser.plots import error_axis, error_rate


        def params(arch, width):
            return build(arch, vocab_size=V4.size, n_hidden=width).num_params()

        def ab_point(file, i, arch, width):
            v = json.loads(Path(f"bench/results/ab/{file}").read_text(encoding="utf-8"))["variants"][i]
            deep = any(s.startswith("deep=") and s != "deep=0" for s in " ".join(v["settings"]).replace("--set ", "").split())
            return dict(arch=arch, width=width, minutes=v["train_time_s"] / 60, steps=v["steps"], deep=deep,
                        error=error_rate(v["exact_match"], v["n"]), n=v["n"])

        def shipped_point(row, arch, width, deep):
            return dict(arch=arch, width=width, minutes=row["train_time_s"] / 60, steps=row["steps"], deep=deep,
                        error=error_rate(row["strings"]["exact_match"], row["strings"]["n"]), n=row["strings"]["n"])

        def run_point(file, arch, width):  # a full-length run measured by bench/accuracy.py, not shipped
            (row,) = json.loads(Path(f"bench/results/ab/{file}").read_text(encoding="utf-8"))["results"].values()
            return shipped_point({**row, **row["training"]}, arch, width, True)

        points = [ab_point("ab_gru_deep.json", i, "gru", 128) for i in range(3)] + [ab_point("ab_gru_width.json", 0, "gru", 256)]
        points += [ab_point("ab_lstm_deep.json", i, "lstm", 128) for i in range(2)]
        points += [shipped_point(before["gru"], "gru", 256, False), shipped_point(now["gru"], "gru", 256, True),
                   shipped_point(before["lstm"], "lstm", 128, False), shipped_point(lstm_128, "lstm", 128, True),
                   shipped_point(now["lstm"], "lstm", 256, True)]
        points += [run_point("lstm_256_depth_balance.json", "lstm", 256), run_point("gru_384_depth_balance.json", "gru", 384),
                   run_point("gru_128_depth_balance.json", "gru", 128)]
        stack = now["stack"]
        T = {"en": dict(x="minutes of one core", y="error rate on strings", deep="filled: with depth balance",
                        stack="stack model", none="none wrong"),
             "ja": dict(x="1 コアでの学習時間（分）", y="strings での誤り率", deep="塗りつぶし: 深さのバランスあり",
                        stack="スタックモデル", none="誤りなし")}[LANG]
        fig, ax = plt.subplots(figsize=(7.5, 4.2))
        colours = {("gru", 128): "tab:orange", ("gru", 256): "tab:red", ("gru", 384): "tab:brown",
                   ("lstm", 128): "tab:blue", ("lstm", 256): "tab:purple"}
        for (arch, width), colour in colours.items():
            mine = sorted((p for p in points if (p["arch"], p["width"]) == (arch, width)), key=lambda p: p["minutes"])
            label = f"{arch.upper()} 2x{width} ({params(arch, width):,} params)"
            labelled = next(p for p in mine if p["deep"])  # the legend shows a filled marker
            for p in mine:
                ax.scatter(p["minutes"], p["error"], s=45, color=colour, facecolors=colour if p["deep"] else "none",
                           label=label if p is labelled else None)
                ax.annotate(f"{p['steps'] // 1000}k", (p["minutes"], p["error"]), fontsize=7, xytext=(4, 3),
                            textcoords="offset points")
        ax.scatter(stack["train_time_s"] / 60, error_rate(stack["strings"]["exact_match"], stack["strings"]["n"]),
                   marker="*", s=120, color="black", label=f"{T['stack']} ({stack['params']:,} params)")
        error_axis(ax, T["y"], max(p["n"] for p in points), none_wrong=T["none"])
        ax.set(xlabel=T["x"], ylabel=T["y"], title=T["deep"])
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
        fig.tight_layout()
        plt.show()
        for p in sorted(points, key=lambda p: (p["arch"], p["width"], p["minutes"])):
            print(f"{p['arch']} 2x{p['width']:<4} {p['steps']:>6,} steps {p['minutes']:>5.0f} min  depth balance {str(p['deep']):5}  "
                  f"error on strings {p['error']:.2%}")
        best = {key: min(p["error"] for p in points if (p["arch"], p["width"]) == key) for key in colours}
        fewest = min(points, key=lambda p: p["error"])
        claim("the stack model makes no error on strings; every recurrent run here errs on it, the fewest of them "
              "the shipped LSTM at 2x256",
              stack["strings"]["exact_match"] == 1.0 and fewest["error"] > 0.5 / fewest["n"]
              and (fewest["arch"], fewest["width"], fewest["steps"]) == ("lstm", 256, now["lstm"]["steps"]),
              fewest=fewest["error"], steps=fewest["steps"])
        claim("the LSTM at 128 wide ends below the GRU at 256, which has more parameters",
              best[("lstm", 128)] < best[("gru", 256)] and params("lstm", 128) < params("gru", 256),
              lstm=best[("lstm", 128)], gru=best[("gru", 256)])
        wide = shipped_point(now["lstm"], "lstm", 256, True)
        claim("twice the width took the LSTM lower, within the two hours of one core a recipe may take here",
              wide["error"] < best[("lstm", 128)] and wide["minutes"] <= 120,
              lstm_256=wide["error"], lstm_128=best[("lstm", 128)], minutes=wide["minutes"])
        gru_256, gru_384 = shipped_point(now["gru"], "gru", 256, True), next(p for p in points if p["width"] == 384)
        claim("for the GRU, at about the same time (within a fifth), 384 wide for half the steps ended behind 256 "
              "wide: there, more steps bought more than more width",
              gru_384["error"] > gru_256["error"] and abs(gru_384["minutes"] - gru_256["minutes"]) < 0.2 * gru_256["minutes"],
              gru_256=(gru_256["error"], gru_256["minutes"]), gru_384=(gru_384["error"], gru_384["minutes"]))
        gru_128 = run_point("gru_128_depth_balance.json", "gru", 128)
        claim("and 128 wide for twice the steps, in less time, went further than 256 wide: for the GRU, steps beat "
              "width at both ends", gru_128["error"] < gru_256["error"] and gru_128["minutes"] < gru_256["minutes"]
              and gru_128["steps"] >= 2 * gru_256["steps"],
              gru_128=(gru_128["error"], gru_128["minutes"], gru_128["steps"]), gru_256=(gru_256["error"], gru_256["minutes"]))
        """
    ),
    md(
        en="""
        ## Where each stops, and why

        Two questions decide what more time or more width would buy: was the model still
        learning when its schedule ended, and which answers does it still get wrong? The cell
        draws each run's validation curve (exact match on 2,000 held-out `strings` prefixes,
        every 500 steps) against the minutes of one core it had trained, and its errors on
        10,000 `strings` prefixes by the length of the answer, for the widest run of each kind
        beside the shipped models.
        """,
        ja="""
        ## どこで止まるのか、そしてなぜか

        時間や幅を増やして何が得られるかは、二つの問いで決まります。スケジュールが終わったとき、モデルはまだ学んでいたか。
        そして、まだどの答えを間違えているか。次のセルは、各実行の検証曲線（保留した `strings` の接頭辞 2,000 個での完全一致、
        500 ステップごと）を 1 コアで学習した分数に対して描き、10,000 個の `strings` の接頭辞での誤りを答えの長さ別に数えます。
        同梱のモデルと、それぞれの種類で最も広い実行を並べます。
        """,
    ),
    code(
        """
        from bracketcloser.run_folder import read_history


        def shipped_run(row, curve):
            \"\"\"A shipped model: its curve kept under bench/results/curves/, its errors per answer length.\"\"\"
            wrong = {int(k): round(v["n"] * (1 - v["exact_match"])) for k, v in row["strings"]["by_answer_length"].items()}
            return dict(curve=[(h["elapsed_s"] / 60, h["val_exact_match"]) for h in read_history(curve)],
                        steps=row["steps"], wrong=wrong, n=row["strings"]["n"])


        def measured_run(file):
            \"\"\"A run measured by bench/accuracy.py --errors: its curve and errors (in fives of answer length).\"\"\"
            (row,) = json.loads(Path(f"bench/results/ab/{file}").read_text(encoding="utf-8"))["results"].values()
            wrong = {int(k): v["n"] - v["correct"] for k, v in row["strings"]["by_answer_length_5"].items()}
            return dict(curve=[(s / 60, em) for _, s, em in row["training"]["validation"]],
                        steps=row["training"]["steps"], wrong=wrong, n=row["strings"]["n"])

        runs = {"GRU 2x128": measured_run("gru_128_depth_balance.json"),
                "GRU 2x256 (shipped)": shipped_run(now["gru"], "bench/results/curves/gru.csv"),
                "GRU 2x384": measured_run("gru_384_depth_balance.json"),
                "LSTM 2x128 (shipped before)": shipped_run(lstm_128, "bench/results/curves/lstm_2x128.csv"),
                "LSTM 2x256 (shipped)": shipped_run(now["lstm"], "bench/results/curves/lstm.csv")}
        T = {"en": dict(x="minutes of one core", y="validation exact match on strings", band="answer length (closers)",
                        wrong="wrong answers, of 10,000 strings prefixes"),
             "ja": dict(x="1 コアでの学習時間（分）", y="strings での検証の完全一致", band="答えの長さ（閉じ括弧の数）",
                        wrong="strings の接頭辞 10,000 個のうちの誤り")}[LANG]
        fives = list(range(0, 35, 5))
        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
        for i, (name, r) in enumerate(runs.items()):
            minutes, em = zip(*r["curve"], strict=True)
            left.plot(minutes, em, label=name, color=f"C{i}")
            per_five = [sum(w for k, w in r["wrong"].items() if five <= k < five + 5) for five in fives]
            right.bar([f + 0.8 * (i - (len(runs) - 1) / 2) for f in fives], per_five, width=0.8, color=f"C{i}", label=name)
        left.set(xlabel=T["x"], ylabel=T["y"], ylim=(0.9, 1.0))
        right.set(xlabel=T["band"], ylabel=T["wrong"], xticks=fives, xticklabels=[f"{f}-{f + 4}" for f in fives])
        for ax in (left, right):
            ax.grid(alpha=0.3)
        left.legend(fontsize=8)
        fig.tight_layout()
        plt.show()


        def rise(r, share=0.2):
            \"\"\"How much validation rose over the last ``share`` of the run's steps.\"\"\"
            curve = r["curve"]
            start = curve[int(len(curve) * (1 - share)) - 1][1]
            return curve[-1][1] - start

        for name, r in runs.items():
            long_share = sum(w for k, w in r["wrong"].items() if k >= 20) / max(sum(r["wrong"].values()), 1)
            print(f"{name:32} {r['steps']:>6,} steps  validation {r['curve'][-1][1]:.2%}, "
                  f"+{rise(r):.2%} over its last fifth;  wrong {sum(r['wrong'].values()):>3}, "
                  f"{long_share:.0%} of them answers of 20+ closers")
        gru_run, lstm_run = runs["GRU 2x256 (shipped)"], runs["LSTM 2x128 (shipped before)"]
        claim("the shipped GRU was still learning when its schedule ended: its validation rose by a point or more "
              "over the last fifth of its steps", rise(gru_run) >= 0.01, rise=rise(gru_run))
        claim("the LSTM at 128 wide had levelled off: less than half a point over the last fifth of its steps",
              rise(lstm_run) < 0.005, rise=rise(lstm_run))
        long_shares = {name: sum(w for k, w in r["wrong"].items() if k >= 20) / max(sum(r["wrong"].values()), 1)
                       for name, r in runs.items()}
        claim("in every run nine errors in ten or more are answers of 20 closers or more",
              all(share >= 0.9 for share in long_shares.values()), **long_shares)
        claim("the GRU at 128 and at 384 wide was still learning as well: a point or more over its last fifth",
              all(rise(runs[name]) >= 0.01 for name in ("GRU 2x128", "GRU 2x384")),
              rise_128=rise(runs["GRU 2x128"]), rise_384=rise(runs["GRU 2x384"]))
        longer = measured_run("lstm_256_depth_balance.json")  # the same LSTM recipe taken to 32,000 steps
        shipped_wrong = sum(runs["LSTM 2x256 (shipped)"]["wrong"].values()) / runs["LSTM 2x256 (shipped)"]["n"]
        claim("and a longer run of the shipped LSTM's recipe, past the two-hour cap, did no better on strings",
              sum(longer["wrong"].values()) / longer["n"] >= shipped_wrong and longer["steps"] > runs["LSTM 2x256 (shipped)"]["steps"],
              longer=sum(longer["wrong"].values()) / longer["n"], shipped=shipped_wrong)
        """
    ),
    md(
        en="""
        A fixed-size state can learn the rule far enough for most prefixes, and the data decides
        how far; what it does not reach, within two hours of one core, is every answer of 25-30
        closers. Read where each stops. The GRU was still learning when its schedule ended, at
        128, 256 and 384 wide: it stops at the budget, and for it more steps went further than
        more width at both ends, 256 against 384 at about the same time and 128 against 256 in
        less (its gates cannot count as an LSTM's cell can, Weiss et al. 2018: it has to learn
        the stack some other way, and slowly, and a narrower state takes more steps in the
        time). The LSTM at 128 wide had
        levelled off short of 99.9%: it stopped at its width. Twice as wide, within the same two
        hours (the shipped LSTM), it went further, and a longer run of the same did no better:
        width moved its limit, and the steps the cap allows do not reach 99.9%. In every run the
        errors left are the long answers, 20 closers and more, where the state must write out a
        stack of 20-30 brackets held in a few hundred numbers a layer; the probes above point
        the same way: the innermost bracket stays readable at every depth, the depth itself
        less so the deeper the stack. The stack model of chapter 6 keeps its stack outside the state and
        does.

        **Next:** Chapter 5 opens a GPT trained for the package and finds the heads that look
        at the bracket to close.
        """,
        ja="""
        固定サイズの状態でも、たいていの接頭辞に足りるところまでは規則を学べ、どこまで学べるかはデータが決めます。
        1 コア 2 時間のうちに届かないのは、閉じ括弧 25〜30 個の答えのすべてです。それぞれがどこで止まるかを読みましょう。
        GRU は、幅 128 でも 256 でも 384 でも、スケジュールが終わったときにまだ学んでいました。止まったのは予算のところで、
        GRU では両端で、幅を増やすよりステップを増やすほうが先まで進みました。ほぼ同じ時間なら 384 より 256 が、より短い時間でも 256 より 128 が先まで進んだのです
        （GRU のゲートは LSTM のセルのようには数えられません。Weiss et al. 2018。スタックを別のやり方で、ゆっくり学ぶしかなく、状態が狭いほど同じ時間に多くのステップを踏めます）。幅 128 の LSTM は 99.9% の手前で伸びが止まっていました。止まったのは幅のところです。
        幅を 2 倍にすると、同じ 2 時間のうちに（同梱の LSTM）さらに先まで進み、同じものをもっと長く学習させても良くはなりませんでした。
        幅は限界を動かし、上限の許すステップ数では 99.9% に届きません。どの実行でも残る誤りは閉じ括弧 20 個以上の長い答えで、
        そこでは状態が、1 層あたり数百個の数に収めた 20〜30 個の括弧のスタックを書き出さなければなりません。
        上のプローブも同じ方向を指しています。最も内側の括弧はどの深さでも読み取れますが、深さそのものはスタックが深いほど読み取りにくくなります。
        第 6 章のスタックモデルはスタックを状態の外に持ち、そこまで届きます。

        **次の章:** 第 5 章ではパッケージのために学習させた GPT の中を開き、閉じるべき括弧を見ているヘッドを探します。
        """,
    ),
]
