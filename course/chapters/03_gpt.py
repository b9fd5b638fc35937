"""Chapter 3. GPT from zero: embeddings, one attention head in plain PyTorch, the package's GPT, a short training."""

# ruff: noqa: E501  (Japanese prose runs long: a line break inside a Japanese sentence renders as a space)

from cells import CLAIM, LANGUAGE, code, md

CELLS = [
    md(
        en="""
        # 3. GPT from zero

        This chapter asks: **what does a GPT compute between reading `input {[( ,output` and
        writing `)`, and how quickly does it learn to do it right?** We build the pieces by
        hand — embeddings, then one attention head written out line by line with the shape of
        every tensor — check that our head computes exactly what the package's attention
        computes, and then train the package's GPT on the original's task for under a
        minute and watch its curve.
        """,
        ja="""
        # 3. ゼロから作る GPT

        この章の問いは **GPT は `input {[( ,output` を読んでから `)` を書くまでの間に何を計算しているのか、
        そしてそれを正しくこなせるようになるまでどれくらいかかるのか** です。
        部品を手で組み立てます。まず埋め込み、次に一つのアテンションヘッドを、すべてのテンソルの形を書き添えながら一行ずつ書きます。
        自作のヘッドがパッケージのアテンションとまったく同じ計算をしていることを確かめたら、
        パッケージの GPT を元のプロジェクトの課題で 1 分足らず学習させ、学習曲線を眺めます。
        """,
    ),
    LANGUAGE,
    CLAIM,
    code(
        """
        import tempfile
        import time
        from pathlib import Path

        import matplotlib.pyplot as plt
        import torch
        import torch.nn as nn
        from IPython.display import display

        import bracketcloser as bc
        from bracketcloser import data
        from bracketcloser.architectures import build
        from bracketcloser.architectures.layers import causal_mask
        from bracketcloser.batch import stream_batch
        from bracketcloser.evaluate import evaluate, summary_text
        from bracketcloser.examples import README_EXAMPLES
        from bracketcloser.run_folder import read_history
        from bracketcloser.tokens import DEFAULT_VOCAB as vocab
        from bracketcloser.train import TrainConfig, train

        torch.manual_seed(0)
        torch.set_num_threads(1)  # the models are small: one thread is as fast as two here
        """
    ),
    md(
        en="""
        ## A batch

        A batch is a few examples as one tensor of token ids, right-padded with 0. `idx` is
        the stream without its last token; `targets` is the stream shifted by one: position
        `t` must predict `targets[t]`. Only the answer and its end token are scored; every other
        target is `-100`, which the loss ignores (the prefix is random: predicting it teaches
        nothing about closing).
        """,
        ja="""
        ## バッチ

        バッチとは、いくつかの例をトークン ID の一つのテンソルにまとめたもので、右側を 0 で埋めて長さを揃えます。
        `idx` は最後のトークンを除いたトークン列、`targets` はそれを一つずらしたもので、位置 `t` は `targets[t]` を予測します。
        損失を計算するのは答えとその終端トークンだけで、それ以外の目標は `-100`（損失で無視される値）にしてあります。
        接頭辞はランダムなので、それを予測しても括弧の閉じ方は何も学べないからです。
        """,
    ),
    code(
        """
        examples = data.generate("seed", 4, seed=0)
        idx, targets = stream_batch(examples, vocab)  # (B, T) each
        print("idx", tuple(idx.shape))
        print(idx)
        print("targets")
        print(targets)
        print([vocab.decode([int(t) for t in row if t >= 0]) for row in targets])  # what is scored
        """
    ),
    md(
        en="""
        ## Embeddings

        A transformer works on vectors, not ids. Each token id picks a learned vector of `C`
        numbers (the token embedding), and each position picks another (the position
        embedding); their sum says *what* the token is and *where* it stands.
        """,
        ja="""
        ## 埋め込み

        Transformer が扱うのは ID ではなくベクトルです。トークン ID ごとに `C` 個の数からなる学習可能なベクトル（トークン埋め込み）を引き、
        位置ごとにもう一つのベクトル（位置埋め込み）を引きます。その和が、そのトークンが *何で* あり、*どこに* あるかを表します。
        """,
    ),
    code(
        """
        C = 32  # channels: the width of every token's vector
        B, T = idx.shape
        tok_emb = nn.Embedding(vocab.size, C)  # a learned (V, C) table, one row per token id
        pos_emb = nn.Embedding(64, C)  # a learned (64, C) table, one row per position
        x = tok_emb(idx) + pos_emb(torch.arange(T))  # (B, T, C) + (T, C) -> (B, T, C)
        print("x", tuple(x.shape))
        """
    ),
    md(
        en="""
        ## One attention head, written out

        Attention lets every position gather information from the positions before it. Each
        position makes three vectors from its own `x`: a **query** (what it is looking for), a
        **key** (what it offers) and a **value** (what it hands over). The score of position
        `s` for position `t` is the dot product of `t`'s query with `s`'s key; a softmax over
        `s` turns scores into weights, and the output is the weighted average of the values.
        GPT is *causal*: position `t` may only look at `s ≤ t`, so the scores of later
        positions are set to `-inf` before the softmax, which makes their weights exactly 0.
        """,
        ja="""
        ## 一つのアテンションヘッドを書き下す

        アテンション（注意機構）は、各位置がそれより前の位置から情報を集める仕組みです。各位置は自分の `x` から 3 つのベクトルを作ります。
        **クエリ**（何を探しているか）、**キー**（何を持っているか）、**バリュー**（選ばれたら何を渡すか）です。
        位置 `t` から見た位置 `s` のスコアは、`t` のクエリと `s` のキーの内積です。`s` についてソフトマックスをとるとスコアが重みになり、
        出力はバリューの重み付き平均になります。GPT は *因果的* で、位置 `t` は `s ≤ t` しか見られません。
        そこでソフトマックスの前に、後ろの位置のスコアを `-inf` にしておきます。するとその重みはちょうど 0 になります。
        """,
    ),
    code(
        """
        def attention_head(x, Wq, Wk, Wv):
            \"\"\"One causal self-attention head in plain PyTorch.\"\"\"
            B, T, C = x.shape  # batch, positions, channels
            q = x @ Wq  # (B, T, D): what each position is looking for
            k = x @ Wk  # (B, T, D): what each position offers
            v = x @ Wv  # (B, T, D): what each position hands over when chosen
            scores = q @ k.transpose(1, 2) / q.size(-1) ** 0.5  # (B, T, T): query t against key s, scaled
            causal = torch.tril(torch.ones(T, T, dtype=torch.bool))  # (T, T): True where s <= t
            scores = scores.masked_fill(~causal, float("-inf"))  # (B, T, T): no looking ahead
            weights = scores.softmax(dim=-1)  # (B, T, T): each row is a distribution over s
            out = weights @ v  # (B, T, T) @ (B, T, D) -> (B, T, D): the weighted average of values
            return out, weights


        D = 16  # the head's width
        Wq, Wk, Wv = (torch.randn(C, D) / C**0.5 for _ in range(3))  # (C, D) each, random for now
        out, weights = attention_head(x, Wq, Wk, Wv)
        print("out", tuple(out.shape), " weights", tuple(weights.shape))
        claim("every row of the weights sums to 1", torch.allclose(weights.sum(-1), torch.ones(B, T)),
              largest_gap_from_1=(weights.sum(-1) - 1).abs().max().item())
        claim("no weight on the future: every weight above the diagonal is exactly 0",
              bool((weights.triu(diagonal=1) == 0).all()), largest_future_weight=weights.triu(diagonal=1).max().item())
        """
    ),
    md(
        en="""
        ## Now the same, in the package

        The package's attention (`architectures/layers.py`) computes all heads at once and
        adds a learned bias to each projection, then mixes the heads' outputs with one more
        linear layer, `proj`. Build a fresh GPT with **one** head per layer and give our
        function its weights. (A fresh model's biases are zero, GPT-2's initialisation, so our
        bias-free head should agree exactly.)
        """,
        ja="""
        ## 同じものをパッケージで

        パッケージのアテンション（`architectures/layers.py`）は全ヘッドをまとめて計算し、各射影に学習可能なバイアスを加え、
        最後にもう一つの線形層 `proj` でヘッドの出力を混ぜ合わせます。各層のヘッドを **1 個** にした GPT を新しく作り、
        その重みを自作の関数に渡してみましょう。作りたてのモデルのバイアスは 0（GPT-2 と同じ初期化）なので、
        バイアスのない自作ヘッドと完全に一致するはずです。
        """,
    ),
    code(
        """
        model = build("gpt", vocab_size=vocab.size, n_head=1, n_embd=C)  # untrained
        attn = model.blocks[0].attn
        Wq = attn.q.weight.T  # (C, C): nn.Linear stores (out, in), so transpose
        Wk, Wv = attn.kv.weight.T.chunk(2, dim=1)  # (C, 2C) -> two (C, C)
        claim("a fresh model's attention biases are zero", all(bool((b == 0).all()) for b in (attn.q.bias, attn.kv.bias)),
              largest_bias=max(attn.q.bias.abs().max().item(), attn.kv.bias.abs().max().item()))

        mask = causal_mask(torch.ones(B, T, dtype=torch.bool), T)  # (B, 1, T, T): the package's causal mask
        with torch.no_grad():
            ours = attn.proj(attention_head(x, Wq, Wk, Wv)[0])  # (B, T, C)
            package = attn(x, mask)  # (B, T, C)
        difference = (ours - package).abs().max().item()
        print("largest difference:", f"{difference:.1e}")
        claim("our head computes what the package's attention computes (to rounding)", difference < 1e-5,
              largest_difference=difference)
        """
    ),
    md(
        en="""
        With several heads, the `C` channels are split into `H` groups of `C/H`; each group is
        one head like ours, attending on its own, and `proj` mixes their outputs. One block
        then adds the attention's output to its input (a *residual* connection), and does the
        same with a small two-layer MLP; a LayerNorm before each keeps the numbers in range.
        The GPT is an embedding, a few such blocks, a final LayerNorm and a linear layer
        (`head`) that turns each position's vector into scores (logits) for the next token:
        """,
        ja="""
        ヘッドが複数あるときは、`C` 個のチャネルを `C/H` 個ずつ `H` 組に分け、各組が自作と同じヘッドとして独立にアテンションを計算し、
        `proj` がそれらの出力を混ぜます。一つのブロックは、アテンションの出力を入力に足し（*残差接続*）、
        小さな 2 層の MLP についても同じことをします。それぞれの前に置いた LayerNorm が数値の大きさを整えます。
        GPT 全体は、埋め込み、このブロックをいくつか、最後の LayerNorm、そして各位置のベクトルを次のトークンのスコア（ロジット）に変える
        線形層（`head`）からできています。
        """,
    ),
    code(
        """
        model = build("gpt", vocab_size=vocab.size)  # the default: 2 layers, 2 heads, C = 32
        print(model)
        print(f"{model.num_params():,} parameters")
        """
    ),
    md(
        en="""
        `model(idx, targets)` returns the logits for every position and the loss on the scored
        ones. Untrained, the model has no preference among the tokens, so its loss should be
        close to that of a uniform guess over the vocabulary, `ln V`:
        """,
        ja="""
        `model(idx, targets)` は、すべての位置のロジットと、採点対象の位置での損失を返します。
        学習前のモデルはどのトークンも特に好まないので、損失は語彙全体から一様に当て推量した場合の値 `ln V` に近いはずです。
        """,
    ),
    code(
        """
        logits, loss = model(idx, targets)
        print("logits", tuple(logits.shape), " (B, T, V)")
        ln_V = torch.log(torch.tensor(float(vocab.size))).item()
        print(f"loss {loss.item():.3f}   ln V = {ln_V:.3f}")
        claim("untrained, the loss is close to a uniform guess's, ln V (within 0.1)", abs(loss.item() - ln_V) < 0.1,
              loss=loss.item(), ln_V=ln_V)
        """
    ),
    md(
        en="""
        ## Training it

        `bracketcloser.train.train` is the one training loop every architecture uses: AdamW,
        warm-up then cosine decay, gradient clipping, and a validation on held-out `valid`
        prefixes every `eval_every` steps, keeping the best weights. It knows nothing about
        GPT. We train on `seed`, the original's distribution, for a fixed number of steps (well
        under a minute on two CPU cores; the cell prints how long it took), into a temporary
        folder.
        """,
        ja="""
        `bracketcloser.train.train` は、すべてのアーキテクチャが使う唯一の学習ループです。AdamW、ウォームアップ後のコサイン減衰、
        勾配クリッピング、そして `eval_every` ステップごとに `valid` 分割の接頭辞で検証し、最も良い重みを保存します。
        GPT について特別なことは何も知りません。元のプロジェクトの分布 `seed` で、決まった回数のステップだけ学習させ
        （2 コアの CPU で 1 分かかりません。かかった時間はセルが表示します）、結果は一時フォルダに書き出します。
        """,
    ),
    code(
        """
        runs = Path(tempfile.mkdtemp(prefix="bracketcloser_course_"))
        cfg = TrainConfig(arch="gpt", dist="seed", steps=1500, eval_every=100, val_samples=500, seed=0, threads=1)
        started = time.perf_counter()
        run_dir = train(cfg, models_dir=runs, progress=False)
        seconds = time.perf_counter() - started
        print(f"{cfg.steps} steps of {cfg.batch_size} examples in {seconds:.0f} s -> {run_dir.name}")
        claim("the training takes under a minute", seconds < 60, seconds=seconds)
        """
    ),
    code(
        """
        history = read_history(run_dir)  # history.csv, one row of numbers per validation
        steps = [h["step"] for h in history]
        floor = 1 / cfg.val_samples  # an error rate of 0 is drawn at one example in val_samples

        T = {"en": dict(loss="loss (answer tokens)", train="training", valid="validation", step="step",
                        err="validation error rate (1 - exact match)", title="GPT on seed"),
             "ja": dict(loss="損失（答えのトークン）", train="学習", valid="検証", step="ステップ",
                        err="検証の誤り率（1 − 完全一致率）", title="seed で学習する GPT")}[LANG]
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.8))
        ax1.plot(steps, [h["train_loss"] for h in history], label=T["train"])
        ax1.plot(steps, [h["val_loss"] for h in history], label=T["valid"])
        ax1.set(xlabel=T["step"], ylabel=T["loss"], yscale="log", title=T["title"])
        ax1.legend()
        ax2.plot(steps, [max(1 - h["val_exact_match"], floor) for h in history], marker=".", color="tab:green")
        ax2.set(xlabel=T["step"], ylabel=T["err"], yscale="log", title=T["title"])
        ax2.grid(alpha=0.3, which="both")
        fig.tight_layout()
        display(fig)  # shown explicitly: train() left matplotlib on its off-screen backend (Agg)
        plt.close(fig)
        best = max(history, key=lambda h: h["val_exact_match"])
        print(f"validation exact match: first {history[0]['val_exact_match']:.1%} (step {steps[0]:.0f}), "
              f"best {best['val_exact_match']:.1%} (step {best['step']:.0f}), last {history[-1]['val_exact_match']:.1%}")
        """
    ),
    md(
        en="""
        The error rate is drawn on a log axis: near 100% exact match, 99% and 99.9% would look
        the same on a linear one. Now load the run like any model and score it on 2,000 `test`
        prefixes it never saw, then on the 21 examples of the original README:
        """,
        ja="""
        誤り率は対数軸で描いています。完全一致率が 100% に近づくと、線形の軸では 99% と 99.9% の違いが見えなくなるからです。
        学習した結果を他のモデルと同じように読み込み、一度も見ていない `test` 分割の接頭辞 2,000 個で採点し、
        続いて元の README の 21 例に答えさせます。
        """,
    ),
    code(
        """
        ours = bc.load(run_dir)
        report = evaluate(ours, data.suite("seed", 2000, seed=0))
        title = {"en": f"our GPT, {cfg.steps} steps", "ja": f"自作の GPT（{cfg.steps} ステップ）"}[LANG]
        print(summary_text(report, title, LANG))
        claim("that short training gets nearly every held-out prefix right (97% or more)",
              report["exact_match"] >= 0.97, exact_match=report["exact_match"])
        answers = ours.complete([p for p, _ in README_EXAMPLES])
        right = sum(a == vocab.clean(t) for a, (_, t) in zip(answers, README_EXAMPLES, strict=True))
        print(f"\\nREADME examples right: {right} of {len(README_EXAMPLES)}")
        for (p, t), a in list(zip(README_EXAMPLES, answers, strict=True))[:5]:
            print(f"  Input: {vocab.clean(p):<20} Predicted Output: {a:<4} Expected Output: {vocab.clean(t)}")
        """
    ),
    md(
        en="""
        Those seconds of training on the original's distribution take the small GPT built above
        (its parameter count is printed under it) to nearly every answer right, on prefixes it
        never saw: the exact-match score is printed above, and the breakdowns by answer length,
        prefix length and depth show where any errors sit.

        **Next:** Chapter 4 looks at the recurrent models, and reads what their hidden state
        holds.
        """,
        ja="""
        元のプロジェクトの分布でわずかな時間学習しただけで、上で組み立てた小さな GPT（パラメータ数はモデルの構成の下に表示しました）が、
        一度も見ていない接頭辞のほぼすべてに正しく答えるようになりました。完全一致率は上に表示したとおりで、
        答えの長さ・接頭辞の長さ・深さ別の内訳を見ると、誤りがどこにあるかがわかります。

        **次の章:** 第 4 章では再帰型のモデルを取り上げ、その隠れ状態に何が入っているかを読み取ります。
        """,
    ),
]
