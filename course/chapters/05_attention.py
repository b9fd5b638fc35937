"""Chapter 5. Inside the transformer: the shipped GPT's attention, the head that finds the bracket, ablation and patching."""

# ruff: noqa: E501  (Japanese prose runs long: a line break inside a Japanese sentence renders as a space)

from cells import LANGUAGE, code, md

CELLS = [
    md(
        en="""
        # 5. Inside the transformer: which head finds the bracket to close?

        To write the next closer, a GPT must find the innermost bracket that is still open:
        the last opener whose closer has not come yet. In Chapter 3 we wrote the mechanism
        that could do it, attention. This chapter asks of the shipped GPT: **is there a head
        that looks at that bracket, and does the model depend on it?** Pictures suggest a
        story; then two measurements test it. *Ablation* removes a head and counts how many
        answers break. *Activation patching* swaps one head's output for the output it gives
        on a prompt whose innermost bracket is of another kind, and counts how often the answer
        follows.
        """,
        ja="""
        # 5. Transformer の内側: 閉じるべき括弧を見つけるのはどのヘッドか

        次の閉じ括弧を書くには、GPT はまだ開いている最も内側の括弧、つまり閉じ括弧がまだ来ていない最後の開き括弧を見つけなければなりません。
        第 3 章では、それを可能にする仕組みであるアテンションを書きました。この章では同梱の GPT に
        **その括弧を見ているヘッドはあるのか、そしてモデルはそのヘッドに頼っているのか** を問います。
        まず図から仮説を立て、次に二つの測定で検証します。*アブレーション* はヘッドを取り除き、壊れる答えの数を数えます。
        *活性化パッチング* は、あるヘッドの出力を、最も内側の括弧の種類だけが違うプロンプトでの出力に差し替え、
        答えがどれだけそれに従うかを数えます。
        """,
    ),
    LANGUAGE,
    code(
        """
        import random

        import matplotlib.pyplot as plt
        import torch

        import bracketcloser as bc
        from bracketcloser import data
        from bracketcloser.batch import prompt_batch
        from bracketcloser.evaluate import evaluate

        torch.manual_seed(0)
        torch.set_num_threads(1)  # the models are small: one thread is as fast as two here
        gpt = bc.load("gpt")
        model, V4 = gpt.model, gpt.vocab
        cfg = model.cfg
        head_size = cfg.n_embd // cfg.n_head
        HEADS = [(layer, head) for layer in range(cfg.n_layer) for head in range(cfg.n_head)]
        print(gpt, f"{cfg.n_layer} layers x {cfg.n_head} heads, {head_size} channels per head, positions: {cfg.pos}")
        """
    ),
    md(
        en="""
        ## What it looks at

        `gpt.inspect(prefix)` answers one prefix greedily and keeps, for every answer step, where
        each head's query looked (the same `model.explain` the app draws). Rows are answer
        steps, columns the tokens read so far. The white boxes mark, for each step, the opener
        that step must close. Heads are named by layer and head, counting from 0 as the code
        does.
        """,
        ja="""
        ## どこを見ているか

        `gpt.inspect(prefix)` は一つの接頭辞に貪欲法で答えながら、答えの各ステップで各ヘッドのクエリがどこを見たかを記録します
        （アプリが描いているのと同じ `model.explain` です）。行が答えのステップ、列がそれまでに読んだトークンです。
        白い枠は、各ステップで閉じるべき開き括弧を示します。ヘッドは層番号とヘッド番号で呼び、コードと同じく 0 から数えます。
        """,
    ),
    code(
        """
        def targets(prefix):
            \"\"\"Stream columns of the openers the answer closes, in answer order (innermost first).\"\"\"
            stack = []
            for i, ch in enumerate(prefix):
                if ch in V4.closer_of:
                    stack.append(1 + i)  # column 0 is `input`
                else:
                    stack.pop()
            return stack[::-1]


        prefix = "{[(<>)]<{}"
        seen = gpt.inspect(prefix)
        columns = V4.decode(seen.stream[:-1])  # the last token is never read
        print("answer:", "".join(V4.decode(seen.answer)), " solver:", bc.solve(prefix, V4))

        T = {"en": dict(step="answer step", title="layer {} head {}"),
             "ja": dict(step="答えのステップ", title="第 {} 層 ヘッド {}")}[LANG]
        fig, axes = plt.subplots(cfg.n_layer, cfg.n_head, figsize=(10, 2.2 * cfg.n_layer), squeeze=False)
        for (layer, head), ax in zip(HEADS, axes.flat, strict=True):
            att = seen.attention[f"blocks.{layer}.attn"][:, head, : len(columns)]  # (steps, stream columns)
            ax.imshow(att, cmap="viridis", vmin=0, vmax=1, aspect="auto")
            for step, col in enumerate(targets(prefix)):
                ax.add_patch(plt.Rectangle((col - 0.5, step - 0.5), 1, 1, fill=False, ec="white", lw=1.5))
            ax.set_xticks(range(len(columns)), columns, fontsize=7)
            ax.set_yticks(range(att.size(0)))
            ax.set(title=T["title"].format(layer, head), ylabel=T["step"])
        fig.tight_layout()
        plt.show()
        """
    ),
    md(
        en="""
        One picture is one example. Measure it instead: over 150 held-out prefixes, for every
        answer step, how much weight each head puts on the opener that step closes, and how
        often that opener gets the head's largest weight.
        """,
        ja="""
        図は一例にすぎません。代わりに測ってみましょう。学習に使っていない 150 個の接頭辞のすべての答えステップについて、
        各ヘッドがそのステップで閉じる開き括弧にどれだけの重みを置いているか、そしてその開き括弧がヘッドの最大の重みを受ける割合を数えます。
        """,
    ),
    code(
        """
        probe_set = [ex for ex in data.suite("shapes", 300, seed=1) if ex.answer][:150]
        weight = {h: [] for h in HEADS}
        top = {h: [] for h in HEADS}
        for ex in probe_set:
            seen = gpt.inspect(ex.prefix)
            for (layer, head) in HEADS:
                att = seen.attention[f"blocks.{layer}.attn"][:, head]  # (steps, stream columns)
                for step, col in enumerate(targets(ex.prefix)[: att.size(0)]):
                    weight[layer, head].append(att[step, col].item())
                    top[layer, head].append(int(att[step].argmax()) == col)
        steps_seen = len(weight[HEADS[0]])
        print(f"{steps_seen:,} answer steps over {len(probe_set)} prefixes")
        print(f"{'head':<6}{'weight on the opener':>22}{'opener is its top column':>26}")
        for h in HEADS:
            print(f"L{h[0]}H{h[1]:<4}{sum(weight[h]) / steps_seen:>22.2f}{sum(top[h]) / steps_seen:>26.1%}")
        finder = max(HEADS, key=lambda h: sum(weight[h]))
        print(f"\\nthe head that looks at the bracket to close: layer {finder[0]}, head {finder[1]}")
        """
    ),
    md(
        en="""
        That is the story the pictures tell. It is only a correlation: a head can look at the
        right bracket and the model can still get its answer elsewhere.

        ## Ablation: take a head away

        To remove a head, replace its output by its *average* output (mean ablation): the rest
        of the network still gets numbers of the usual size, but nothing that depends on the
        prompt. The heads' outputs meet in `proj`, the linear layer after attention; its input
        holds head `h` in channels `h·16 … h·16+15`, so a forward pre-hook on `proj` can
        overwrite them. Then score exact match on 1,000 held-out prefixes for each head taken
        away.
        """,
        ja="""
        これが図から読み取れる仮説です。ただしこれは相関にすぎません。ヘッドが正しい括弧を見ていても、モデルは答えを別の経路から得ているかもしれません。

        ## アブレーション: ヘッドを取り除く

        ヘッドを取り除くには、その出力を *平均的な* 出力に置き換えます（平均アブレーション）。ネットワークの残りの部分は普段どおりの大きさの数を受け取りますが、
        そこにはプロンプトに依存する情報がもう含まれません。各ヘッドの出力は、アテンションの後ろの線形層 `proj` で合流します。
        その入力のチャネル `h·16 … h·16+15` がヘッド `h` の出力なので、`proj` にフォワードプリフックを付ければ上書きできます。
        ヘッドを一つずつ取り除き、学習に使っていない 1,000 個の接頭辞で完全一致率を測ります。
        """,
    ),
    code(
        """
        def head_slice(head):
            return slice(head * head_size, (head + 1) * head_size)


        # each head's average output, over every real token of 300 other prompts
        mean_out = {}
        reference, lengths = prompt_batch([ex.prefix for ex in data.suite("walks", 300, seed=2)], V4)  # (B, T), (B,)
        real = torch.arange(reference.size(1))[None] < lengths[:, None]  # (B, T)
        for layer in range(cfg.n_layer):
            kept = {}
            hook = model.blocks[layer].attn.proj.register_forward_pre_hook(lambda m, args, kept=kept: kept.update(y=args[0]))
            with torch.no_grad():
                model(reference)
            hook.remove()
            mean_out[layer] = kept["y"][real].mean(0)  # (C,): every head's channels


        def ablated(layer, head):
            \"\"\"A hook for blocks[layer].attn.proj that replaces the head's output by its mean.\"\"\"
            def hook(module, args):
                y = args[0].clone()  # (B, T, C): the heads' outputs side by side
                y[..., head_slice(head)] = mean_out[layer][head_slice(head)]
                return (y,)
            return hook


        test_set = data.suite("shapes", 1000, seed=0)
        baseline = evaluate(gpt, test_set)["exact_match"]
        ablation = {}
        for layer, head in HEADS:
            hook = model.blocks[layer].attn.proj.register_forward_pre_hook(ablated(layer, head))
            try:
                ablation[layer, head] = evaluate(gpt, test_set)["exact_match"]
            finally:
                hook.remove()
        print(f"no head removed: exact match {baseline:.1%}")
        for h, em in ablation.items():
            print(f"L{h[0]}H{h[1]} removed: exact match {em:6.1%}  (drop {baseline - em:6.1%})")
        """
    ),
    md(
        en="""
        Compare the finder's drop with the others'. Ablation asks "is this head *needed*?", and
        a head can be needed for reasons other than finding the bracket: whatever the other
        layer computes first (which brackets are already closed, how deep we are) is needed
        too. So ablation alone cannot say *what* a head contributes. Patching can.

        ## Patching: does the head carry *which* bracket?

        Make pairs of prompts that differ in one character only: the innermost open bracket,
        changed to another kind (`{[(` → `{[<`). The prefix stays valid and only the first
        answer token should change (`)` → `>`). Run the changed prompt, keep one head's output
        at the last prompt position (`,output`, where the first closer is chosen), and put it
        into the run on the original prompt. If the answer now follows the changed prompt, that
        head's output is what carried the bracket's kind.
        """,
        ja="""
        「見つけ役」のヘッドの低下幅を、他のヘッドと比べてください。アブレーションが問うのは「このヘッドは *必要か*」であり、
        ヘッドは括弧を見つける以外の理由でも必要になり得ます。もう一方の層が先に計算しているもの（どの括弧がすでに閉じているか、いまどれだけ深いか）も必要だからです。
        したがって、アブレーションだけではヘッドが *何を* 担っているかはわかりません。それを調べるのがパッチングです。

        ## パッチング: ヘッドは *どの* 括弧かを運んでいるか

        1 文字だけ違うプロンプトの組を作ります。違うのは最も内側の開き括弧で、別の種類に変えます（`{[(` → `{[<`）。
        接頭辞は正しいままで、最初の答えのトークンだけが変わるはずです（`)` → `>`）。変えたプロンプトでモデルを動かし、
        プロンプトの最後の位置（最初の閉じ括弧を選ぶ `,output`）での一つのヘッドの出力を取っておき、元のプロンプトでの実行に差し込みます。
        答えが変えた側のプロンプトに従うようになれば、括弧の種類を運んでいたのはそのヘッドの出力だということになります。
        """,
    ),
    code(
        """
        rng = random.Random(0)
        clean, changed = [], []
        for ex in test_set:
            if not ex.answer:
                continue
            col = targets(ex.prefix)[0] - 1  # index in the prefix of the innermost open bracket
            other = rng.choice([o for o in V4.closer_of if o != ex.prefix[col]])
            clean.append(ex.prefix)
            changed.append(ex.prefix[:col] + other + ex.prefix[col + 1 :])
        idx, lengths = prompt_batch(clean, V4)  # (B, T), (B,)
        idx_changed, _ = prompt_batch(changed, V4)  # same lengths: one character differs
        rows, last = torch.arange(len(clean)), lengths - 1  # (B,), (B,): the `,output` position


        def first_tokens(ids, layer=None, hook=None):
            \"\"\"The first answer token for every prompt (B,), with an optional hook on one layer's proj.\"\"\"
            handle = model.blocks[layer].attn.proj.register_forward_pre_hook(hook) if hook else None
            try:
                with torch.no_grad():
                    logits, _ = model(ids)  # (B, T, V)
            finally:
                if handle:
                    handle.remove()
            return logits[rows, last].argmax(-1)  # (B,)


        answer_clean, answer_changed = first_tokens(idx), first_tokens(idx_changed)


        def right(answers, prompts):
            return sum(V4.tokens[t] == bc.solve(p, V4)[0] for t, p in zip(answers.tolist(), prompts, strict=True)) / len(prompts)


        print(f"{len(clean)} pairs; first closer right on the originals: {right(answer_clean, clean):.1%}, "
              f"on the changed prompts: {right(answer_changed, changed):.1%}")

        flips = {}
        for layer, head in HEADS:
            kept = {}
            handle = model.blocks[layer].attn.proj.register_forward_pre_hook(lambda m, args, kept=kept: kept.update(y=args[0]))
            with torch.no_grad():
                model(idx_changed)
            handle.remove()

            def patch(module, args, head=head, donor=kept["y"]):
                y = args[0].clone()  # (B, T, C)
                y[rows, last, head_slice(head)] = donor[rows, last, head_slice(head)]  # only at `,output`
                return (y,)

            flips[layer, head] = (first_tokens(idx, layer, patch) == answer_changed).float().mean().item()
        for h, f in flips.items():
            print(f"L{h[0]}H{h[1]} patched: the first closer follows the changed prompt in {f:6.1%} of pairs")
        """
    ),
    code(
        """
        T = {"en": dict(title="Is the story true?", weight="attention on the opener",
                        drop="exact-match drop when removed", flip="answer follows the patch"),
             "ja": dict(title="仮説は正しいか", weight="開き括弧へのアテンション",
                        drop="取り除いたときの完全一致率の低下", flip="パッチに答えが従う割合")}[LANG]
        names = [f"L{layer}H{head}" for layer, head in HEADS]
        values = {"weight": [sum(weight[h]) / steps_seen for h in HEADS],
                  "drop": [baseline - ablation[h] for h in HEADS],
                  "flip": [flips[h] for h in HEADS]}
        fig, axes = plt.subplots(1, 3, figsize=(11, 3), sharey=True)
        for ax, (key, vals) in zip(axes, values.items(), strict=True):
            colors = ["tab:red" if h == finder else "tab:gray" for h in HEADS]
            ax.barh(names, vals, color=colors)
            ax.set(title=T[key], xlim=(0, 1))
        axes[0].invert_yaxis()
        fig.suptitle(T["title"])
        fig.tight_layout()
        plt.show()
        most_flips = max(HEADS, key=flips.get)
        others = max(f for h, f in flips.items() if h != finder)
        print(f"the head that looks at the opener is the one whose patch moves the answer most: {finder == most_flips}")
        print(f"patching it: {flips[finder]:.1%} of answers follow; patching any other head: at most {others:.1%}")
        print(f"removing it: exact match {baseline:.1%} -> {ablation[finder]:.1%}")
        """
    ),
    md(
        en="""
        Put the three measurements side by side (the finder in red). The attention maps
        suggested a head that looks at the bracket to close. Patching tested it: the kind of
        bracket in the answer travels through that head's output, far more than through any
        other head's (the printed percentages). Ablation adds that the model cannot do without
        it: removing it costs the exact-match points printed above. It also shows that the
        finder is not the whole circuit: the other heads' ablation drops say how much the rest
        of the model is needed too, which patching the *kind* of bracket does not ask about.
        (Layer 0's maps spread their weight thinly over everything read, heaviest on `input`;
        an even average over the prefix is one way to count openers against closers. That is
        a guess this notebook does not test: try it, by patching layer 0 between prompts of
        different depth.)

        **Next:** Chapter 6 takes every architecture beyond the lengths and depths it trained
        on, and looks at the one that does not break.
        """,
        ja="""
        三つの測定を並べてみましょう（赤が「見つけ役」のヘッド）。アテンションの図は、閉じるべき括弧を見ているヘッドがあることを示唆していました。
        パッチングがそれを検証しました。答えに出る括弧の種類はそのヘッドの出力を通って運ばれており、他のどのヘッドを経由する割合よりもずっと大きいのです（表示した割合）。
        アブレーションからは、モデルがそのヘッドなしでは立ち行かないこともわかります。取り除くと、上に表示した分だけ完全一致率が下がります。
        同時に、このヘッドだけで回路が完結しているわけではないこともわかります。他のヘッドを取り除いたときの低下幅は、
        モデルの残りの部分もどれだけ必要かを示しており、それは括弧の *種類* を差し替えるパッチングでは問うていない点です。
        （第 0 層の図では、重みが読んだものすべてに薄く広がり、`input` に最も多く乗っています。接頭辞全体を均等に平均すれば、
        開き括弧と閉じ括弧の数の差を数えられます。ただしこれは推測で、このノートブックでは検証していません。
        深さの違うプロンプトの間で第 0 層をパッチングして、確かめてみてください。）

        **次の章:** 第 6 章では、すべてのアーキテクチャを学習した長さと深さの外へ連れ出し、壊れない一つのモデルを見ます。
        """,
    ),
]
