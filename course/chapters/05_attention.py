"""Chapter 5. Inside the transformer: the attention of the GPT chapter 3 builds (shipped as gpt_softmax), the heads that find the bracket, ablation and patching."""

# ruff: noqa: E501  (Japanese prose runs long: a line break inside a Japanese sentence renders as a space)

from cells import CLAIM, LANGUAGE, code, md

CELLS = [
    md(
        en="""
        # 5. Inside the transformer: which head finds the bracket to close?

        To write the next closer, a GPT must find the innermost bracket that is still open:
        the last opener whose closer has not come yet. In Chapter 3 we wrote the mechanism
        that could do it, attention. This chapter opens the GPT chapter 3 builds, trained by
        the package's earlier GPT recipe (`bc.load("gpt_softmax")`: three layers of two softmax heads,
        positions learned for 256 tokens; it shipped as `gpt` until Chapter 7 found settings
        that read past the training length) and asks: **is there a head that looks at that
        bracket, and does the bracket's kind reach the answer through it?**
        Pictures suggest a story; then two measurements test it. *Ablation* removes a head and
        counts how many answers break. *Activation patching* swaps one head's output for the
        output it gives on a prompt whose innermost bracket is of another kind, and counts how
        often the answer follows. Every finding the text states is checked by a `claim(...)`
        in the cell that measures it: a `checked:` line names the finding and the numbers
        behind it, and the notebook stops there the day a retrained model no longer bears it out.
        """,
        ja="""
        # 5. Transformer の内側: 閉じるべき括弧を見つけるのはどのヘッドか

        次の閉じ括弧を書くには、GPT はまだ開いている最も内側の括弧、つまり閉じ括弧がまだ来ていない最後の開き括弧を見つけなければなりません。
        第 3 章では、それを可能にする仕組みであるアテンションを書きました。この章では、第 3 章で作る GPT を以前の GPT のレシピで学習させたもの
        （`bc.load("gpt_softmax")`。softmax のヘッド 2 つの層が 3 つ、位置は 256 トークン分を学習。第 7 章が学習した長さの先まで読める設定を見つけるまでは `gpt` として同梱していました）を開き、
        **その括弧を見ているヘッドはあるのか、そして括弧の種類はそのヘッドを通って答えに届いているのか** を問います。
        まず図から仮説を立て、次に二つの測定で検証します。*アブレーション* はヘッドを取り除き、壊れる答えの数を数えます。
        *活性化パッチング* は、あるヘッドの出力を、最も内側の括弧の種類だけが違うプロンプトでの出力に差し替え、
        答えがどれだけそれに従うかを数えます。本文が述べる結論はどれも、それを測るセルの中で `claim(...)` によって確かめています。
        `checked:` で始まる行が結論とその根拠の数値を示し、再学習したモデルで結論が成り立たなくなれば、ノートブックはそこで止まります。
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
        from bracketcloser.batch import prompt_batch
        from bracketcloser.evaluate import evaluate

        torch.manual_seed(0)
        torch.set_num_threads(1)  # the models are small: one thread is as fast as two here
        gpt = bc.load("gpt_softmax")  # the GPT of chapter 3, as shipped before chapter 7
        model, V4 = gpt.model, gpt.vocab
        cfg = model.cfg
        head_size = cfg.n_embd // cfg.n_head
        HEADS = [(layer, head) for layer in range(cfg.n_layer) for head in range(cfg.n_head)]
        LAST = cfg.n_layer - 1  # the last layer
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
        does: `L2H0` is layer 2, head 0.
        """,
        ja="""
        ## どこを見ているか

        `gpt.inspect(prefix)` は一つの接頭辞に貪欲法で答えながら、答えの各ステップで各ヘッドのクエリがどこを見たかを記録します
        （アプリが描いているのと同じ `model.explain` です）。行が答えのステップ、列がそれまでに読んだトークンです。
        白い枠は、各ステップで閉じるべき開き括弧を示します。ヘッドは層番号とヘッド番号で呼び、コードと同じく 0 から数えます。
        `L2H0` は第 2 層のヘッド 0 です。
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
        on_opener = {h: sum(weight[h]) / steps_seen for h in HEADS}  # mean weight on the opener to close
        on_top = {h: sum(top[h]) / steps_seen for h in HEADS}  # share of steps where it is the top column
        print(f"{steps_seen:,} answer steps over {len(probe_set)} prefixes")
        print(f"{'head':<6}{'weight on the opener':>22}{'opener is its top column':>26}")
        for h in HEADS:
            print(f"L{h[0]}H{h[1]:<4}{on_opener[h]:>22.2f}{on_top[h]:>26.1%}")

        FINDERS = [h for h in HEADS if h[0] == LAST]  # the last layer's heads
        EARLIER = [h for h in HEADS if h[0] < LAST]
        print()
        claim("the heads that look at the opener to close are the last layer's: each of them puts more than half "
              "its weight on it, every head of an earlier layer less than a third",
              min(on_opener[h] for h in FINDERS) > 0.5 and max(on_opener[h] for h in EARLIER) < 1 / 3,
              last_layer=LAST, least_in_last_layer=min(on_opener[h] for h in FINDERS),
              most_before_it=max(on_opener[h] for h in EARLIER))
        claim("for both heads of the last layer, the opener to close is the top column at more than 90% of answer steps",
              min(on_top[h] for h in FINDERS) > 0.9, least=min(on_top[h] for h in FINDERS))
        """
    ),
    md(
        en="""
        So the finding is done late, and twice: both heads of the last layer, layer 2, look at
        the opener to close, while the heads of layers 0 and 1 spread their weight elsewhere
        (the table and the `checked:` lines above). That is the story the pictures tell. It is
        only a correlation: a head can look at the right bracket and the model can still get its
        answer elsewhere. Below, the two heads of layer 2 are called the *finders*.

        ## Ablation: take a head away

        To remove a head, replace its output by its *average* output (mean ablation): the rest
        of the network still gets numbers of the usual size, but nothing that depends on the
        prompt. The heads' outputs meet in `proj`, the linear layer after attention; its input
        holds head `h` in channels `h·16 … h·16+15`, so a forward pre-hook on `proj` can
        overwrite them. Then score exact match on 1,000 held-out prefixes for each head taken
        away, and for both heads of a layer taken away together.
        """,
        ja="""
        つまり、括弧を見つけるのは遅い層で、しかも二重に行われています。最後の層である第 2 層の二つのヘッドがどちらも閉じるべき開き括弧を見ており、
        第 0 層と第 1 層のヘッドは重みを別のところに広げています（上の表と `checked:` の行）。これが図から読み取れる仮説です。
        ただしこれは相関にすぎません。ヘッドが正しい括弧を見ていても、モデルは答えを別の経路から得ているかもしれません。
        以下では、第 2 層の二つのヘッドを「見つけ役」と呼びます。

        ## アブレーション: ヘッドを取り除く

        ヘッドを取り除くには、その出力を *平均的な* 出力に置き換えます（平均アブレーション）。ネットワークの残りの部分は普段どおりの大きさの数を受け取りますが、
        そこにはプロンプトに依存する情報がもう含まれません。各ヘッドの出力は、アテンションの後ろの線形層 `proj` で合流します。
        その入力のチャネル `h·16 … h·16+15` がヘッド `h` の出力なので、`proj` にフォワードプリフックを付ければ上書きできます。
        ヘッドを一つずつ取り除いた場合と、同じ層の二つのヘッドをまとめて取り除いた場合について、学習に使っていない 1,000 個の接頭辞で完全一致率を測ります。
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


        def ablated(layer, heads):
            \"\"\"A hook for blocks[layer].attn.proj that replaces these heads' outputs by their means.\"\"\"
            def hook(module, args):
                y = args[0].clone()  # (B, T, C): the heads' outputs side by side
                for head in heads:
                    y[..., head_slice(head)] = mean_out[layer][head_slice(head)]
                return (y,)
            return hook


        def exact_match_without(layer, heads):
            hook = model.blocks[layer].attn.proj.register_forward_pre_hook(ablated(layer, heads))
            try:
                return evaluate(gpt, test_set)["exact_match"]
            finally:
                hook.remove()


        test_set = data.suite("shapes", 1000, seed=0)
        baseline = evaluate(gpt, test_set)["exact_match"]
        drop = {(layer, head): baseline - exact_match_without(layer, [head]) for layer, head in HEADS}
        layer_drop = {layer: baseline - exact_match_without(layer, range(cfg.n_head)) for layer in range(cfg.n_layer)}
        print(f"no head removed: exact match {baseline:.1%}")
        for h, d in drop.items():
            print(f"L{h[0]}H{h[1]} removed: exact match {baseline - d:6.1%}  (drop {d:6.1%})")
        for layer, d in layer_drop.items():
            print(f"both heads of layer {layer} removed: exact match {baseline - d:6.1%}  (drop {d:6.1%})")

        print()
        layer0 = [h for h in HEADS if h[0] == 0]
        later = [h for h in HEADS if h[0] > 0]
        claim("removing either head of layer 0 costs more than half the answers, more than removing any head of a later layer",
              min(drop[h] for h in layer0) > max(0.5, max(drop[h] for h in later)),
              least_layer_0=min(drop[h] for h in layer0), most_later=max(drop[h] for h in later))
        claim("removing one finder costs answers (more than 5 points) but leaves most of them right (less than 50 points)",
              all(0.05 < drop[h] < 0.5 for h in FINDERS), **{f"drop_L{h[0]}H{h[1]}": drop[h] for h in FINDERS})
        claim("the finders make up for each other: removing both costs more than their two drops added up",
              layer_drop[LAST] > sum(drop[h] for h in FINDERS),
              both=layer_drop[LAST], sum_of_single_drops=sum(drop[h] for h in FINDERS))
        """
    ),
    md(
        en="""
        The model leans hardest on layer 0: without either of its heads it is broken. Each
        finder can be spared at a cost, but not both: removing them together costs more than
        their two drops added up, so each partly does the other's work when it is gone. Ablation
        asks "is this head *needed*?", and a head can be needed for reasons other than finding
        the bracket: whatever layer 0 computes first (perhaps which brackets are already closed,
        how deep we are) is needed by everything after it. So ablation alone cannot say *what* a head
        contributes. Patching can.

        ## Patching: does the head carry *which* bracket?

        Make pairs of prompts that differ in one character only: the innermost open bracket,
        changed to another kind (`{[(` → `{[<`). The prefix stays valid and only the first
        answer token should change (`)` → `>`). Run the changed prompt, keep one head's output
        at the last prompt position (`,output`, where the first closer is chosen), and put it
        into the run on the original prompt. If the answer now follows the changed prompt, that
        head's output is what carried the bracket's kind.
        """,
        ja="""
        モデルが最も強く頼っているのは第 0 層で、そのヘッドのどちらか一つを取り除くだけでモデルは壊れます。
        見つけ役は一つずつなら、いくらかの損失と引き換えに取り除けますが、両方は取り除けません。
        二つまとめて取り除いたときの低下は、一つずつの低下の合計より大きく、片方がいなくなると、もう片方がその仕事を一部肩代わりしているのです。
        アブレーションが問うのは「このヘッドは *必要か*」であり、ヘッドは括弧を見つける以外の理由でも必要になり得ます。
        第 0 層が最初に計算するもの（たとえば、どの括弧がすでに閉じているか、いまどれだけ深いか）は、その後ろのすべての層が必要とするからです。
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
        clean, changed, opener = [], [], []
        for ex in test_set:
            if not ex.answer:
                continue
            col = targets(ex.prefix)[0] - 1  # index in the prefix of the innermost open bracket
            other = rng.choice([o for o in V4.closer_of if o != ex.prefix[col]])
            clean.append(ex.prefix)
            changed.append(ex.prefix[:col] + other + ex.prefix[col + 1 :])
            opener.append(col + 1)  # its position in the stream (`input` comes first)
        idx, lengths = prompt_batch(clean, V4)  # (B, T), (B,)
        idx_changed, _ = prompt_batch(changed, V4)  # same lengths: one character differs
        rows, last = torch.arange(len(clean)), lengths - 1  # (B,), (B,): the `,output` position
        opener = torch.tensor(opener)  # (B,): the position of the bracket that was changed


        def first_tokens(ids, hooks=()):
            \"\"\"The first answer token for every prompt (B,), with hooks {layer: hook} on those layers' proj.\"\"\"
            handles = [model.blocks[layer].attn.proj.register_forward_pre_hook(hook) for layer, hook in dict(hooks).items()]
            try:
                with torch.no_grad():
                    logits, _ = model(ids)  # (B, T, V)
            finally:
                for handle in handles:
                    handle.remove()
            return logits[rows, last].argmax(-1)  # (B,)


        answer_clean, answer_changed = first_tokens(idx), first_tokens(idx_changed)


        def right(answers, prompts):
            return sum(V4.tokens[t] == bc.solve(p, V4)[0] for t, p in zip(answers.tolist(), prompts, strict=True)) / len(prompts)


        print(f"{len(clean)} pairs; first closer right on the originals: {right(answer_clean, clean):.1%}, "
              f"on the changed prompts: {right(answer_changed, changed):.1%}")

        # every layer's heads' outputs (the input of its proj) on the changed prompts
        donor = {}
        for layer in range(cfg.n_layer):
            kept = {}
            handle = model.blocks[layer].attn.proj.register_forward_pre_hook(lambda m, args, kept=kept: kept.update(y=args[0]))
            with torch.no_grad():
                model(idx_changed)
            handle.remove()
            donor[layer] = kept["y"]  # (B, T, C)


        def patched(layer, heads, where=(last,)):
            \"\"\"A hook for blocks[layer].attn.proj: these heads' outputs at these positions (each (B,)) from the changed run.\"\"\"
            def hook(module, args):
                y = args[0].clone()  # (B, T, C)
                for at in where:
                    for head in heads:
                        y[rows, at, head_slice(head)] = donor[layer][rows, at, head_slice(head)]
                return (y,)
            return hook


        def follows(hooks):
            \"\"\"The share of pairs whose first closer, with these patches, is the changed prompt's.\"\"\"
            return (first_tokens(idx, hooks) == answer_changed).float().mean().item()


        flips = {(layer, head): follows({layer: patched(layer, [head])}) for layer, head in HEADS}
        for h, f in flips.items():
            print(f"L{h[0]}H{h[1]} patched at ,output: the first closer follows the changed prompt in {f:6.1%} of pairs")

        print()
        most = max(HEADS, key=flips.get)
        claim("no single head carries the kind: patching any one head moves fewer than half the first closers",
              flips[most] < 0.5, most=f"L{most[0]}H{most[1]}", its_share=flips[most])
        claim("looking at the opener is not carrying it: the head whose patch moves the answer most is in layer 0, "
              "and it moves more than twice as many as either finder",
              most[0] == 0 and flips[most] > 2 * max(flips[h] for h in FINDERS),
              most=f"L{most[0]}H{most[1]}", its_share=flips[most], best_finder=max(flips[h] for h in FINDERS))
        claim("layer 1's heads carry none of it: each moves fewer than 2% of first closers",
              all(flips[1, head] < 0.02 for head in range(cfg.n_head)), most_in_layer_1=max(flips[1, head] for head in range(cfg.n_head)))
        """
    ),
    md(
        en="""
        No head carries the bracket's kind on its own, and the finders carry least of it: the
        head whose patch moves the answer most is one of layer 0's, which look at the opener
        hardly at all (the printed shares). One head at a time is too small a unit when heads
        share the work. Patch both heads of a layer at once, then layers 0 and 2 together. And
        since layer 0's heads at `,output` read the whole prompt, there is a question to ask of
        them: is what they write there a copy of the kind, or does it count only beside what
        layer 0 wrote at the opener, the position the finders read? Patch layer 0 at both
        positions to see.
        """,
        ja="""
        括弧の種類を単独で運んでいるヘッドはなく、見つけ役が運んでいる分はむしろ最も少ないのです。
        パッチで答えを最も動かすのは第 0 層のヘッドの一つで、第 0 層は開き括弧をほとんど見ていません（表示した割合）。
        ヘッドが仕事を分け合っているなら、一度に一つのヘッドでは単位として小さすぎます。そこで、一つの層の二つのヘッドをまとめてパッチし、
        さらに第 0 層と第 2 層を一緒にパッチします。また、第 0 層のヘッドは `,output` でプロンプト全体を読んでいるので、確かめたいことがあります。
        そこに書かれるのは種類の写しなのか、それとも第 0 層が開き括弧の位置（見つけ役が読む位置）に書いたものと並べて初めて意味を持つのか。
        第 0 層をその二つの位置でパッチして確かめます。
        """,
    ),
    code(
        """
        both = range(cfg.n_head)
        layer_flips = {layer: follows({layer: patched(layer, both)}) for layer in range(cfg.n_layer)}
        for layer, f in layer_flips.items():
            print(f"both heads of layer {layer} patched at ,output: the first closer follows in {f:6.1%} of pairs")
        flips_0_and_last = follows({0: patched(0, both), LAST: patched(LAST, both)})
        print(f"layers 0 and {LAST} patched at ,output together: {flips_0_and_last:6.1%}")
        flips_0_at_opener_too = follows({0: patched(0, both, where=(last, opener))})
        print(f"layer 0 patched at ,output and at the opener: {flips_0_at_opener_too:6.1%}")

        print()
        claim("patched together, the two finders move more than half the first closers",
              layer_flips[LAST] > 0.5, both_finders=layer_flips[LAST])
        claim("layer 0's two heads patched together at ,output also move more than half",
              layer_flips[0] > 0.5, both_of_layer_0=layer_flips[0])
        claim("layers 0 and 2 patched together move more than 95% of first closers, more than either layer alone",
              flips_0_and_last > max(0.95, layer_flips[0], layer_flips[LAST]), together=flips_0_and_last)
        claim("layer 0 patched at the opener as well as at ,output moves fewer than 10% of first closers",
              flips_0_at_opener_too < 0.1, at_both_positions=flips_0_at_opener_too, at_output_only=layer_flips[0])
        """
    ),
    code(
        """
        T = {"en": dict(title="Each head, three ways", weight="attention on the opener",
                        drop="exact-match drop when removed", flip="answer follows the patch", finder="finders (last layer)"),
             "ja": dict(title="各ヘッドを三通りに測る", weight="開き括弧へのアテンション",
                        drop="取り除いたときの完全一致率の低下", flip="パッチに答えが従う割合", finder="見つけ役（最後の層）")}[LANG]
        names = [f"L{layer}H{head}" for layer, head in HEADS]
        values = {"weight": [on_opener[h] for h in HEADS], "drop": [drop[h] for h in HEADS], "flip": [flips[h] for h in HEADS]}
        fig, axes = plt.subplots(1, 3, figsize=(11, 3), sharey=True)
        for ax, (key, vals) in zip(axes, values.items(), strict=True):
            colors = ["tab:red" if h in FINDERS else "tab:gray" for h in HEADS]
            ax.barh(names, vals, color=colors)
            ax.set(title=T[key], xlim=(0, 1))
        axes[0].invert_yaxis()
        axes[2].legend(handles=[plt.Rectangle((0, 0), 1, 1, color="tab:red")], labels=[T["finder"]], loc="lower right", fontsize=8)
        fig.suptitle(T["title"])
        fig.tight_layout()
        plt.show()
        """
    ),
    md(
        en="""
        Put the per-head measurements side by side (the finders in red). The story the
        pictures told, one head that finds the bracket and carries its kind into the answer,
        does not survive. Finding is done by layer 2, by both of its heads. Carrying is shared:
        patching both finders moves more than half of the answers and so does patching layer 0's
        two heads at `,output`, while the two layers together move nearly all of them; layer 1's
        heads carry nothing of the kind (the printed shares). Layer 0's part is not a second copy
        of the kind, though: patched at the opener as well as at `,output`, it moves almost
        nothing. What layer 0 writes at `,output` moves the answer only where it disagrees with
        what layer 0 wrote at the opener, which is part of what the finders read there; change
        both alike and the answer stays with the opener's own token. Ablation agrees in its own terms:
        the model cannot do without either head of layer 0, and the finders stand in for each
        other (one at a time they can be spared at a cost, not both).

        What layer 0 computes is left open. Its maps spread their weight thinly over everything
        read, heaviest on `input`; an even average over the prefix is one way to count openers
        against closers, kind by kind. That is a guess this notebook does not test: try it, by
        patching layer 0 between prompts of different depth. And the shipped `gpt` today has
        four heads per layer, each weighing its keys with a sigmoid instead of a softmax
        (Chapter 7 says why): load it in the first code cell and rerun the maps and ablations
        (a `checked:` cell stops where a finding no longer holds). Chapter 7 found that models
        of its kind answer with no finder at all, through a layer-1 head that picks a set.

        **Next:** Chapter 6 takes every architecture beyond the lengths and depths it trained
        on, and looks at the one that does not break.
        """,
        ja="""
        ヘッドごとの測定を並べてみましょう（赤が見つけ役）。図が語っていた「一つのヘッドが括弧を見つけ、その種類を答えまで運ぶ」という仮説は成り立ちません。
        括弧を見つけるのは第 2 層で、その二つのヘッドの両方です。種類を運ぶ仕事は分担されています。
        見つけ役を二つまとめてパッチすると答えの半分以上が動き、第 0 層の二つのヘッドを `,output` でパッチしても同じく半分以上が動きます。
        二つの層を一緒にパッチすれば、ほぼすべての答えが動きます。第 1 層のヘッドは種類をまったく運んでいません（表示した割合）。
        ただし、第 0 層の分は種類のもう一つの写しではありません。`,output` に加えて開き括弧の位置でもパッチすると、答えはほとんど動かないからです。
        第 0 層が `,output` に書いたものが答えを動かすのは、それが開き括弧の位置に第 0 層が書いたもの（見つけ役がそこで読むものの一部）と食い違うときだけです。
        両方を同じように変えれば、答えは開き括弧そのもののトークンに従ったままです。
        アブレーションも別の言い方で同じことを示しています。モデルは第 0 層のヘッドのどちらを欠いても立ち行かず、
        見つけ役は互いに補い合っています（一つずつならいくらかの損失で取り除けますが、両方は取り除けません）。

        第 0 層が何を計算しているのかは未解決のままです。その図では重みが読んだものすべてに薄く広がり、`input` に最も多く乗っています。
        接頭辞全体を均等に平均すれば、開き括弧と閉じ括弧の数の差を種類ごとに数えられます。ただしこれは推測で、このノートブックでは検証していません。
        深さの違うプロンプトの間で第 0 層をパッチングして、確かめてみてください。
        また、今の同梱の `gpt` は層ごとに 4 つのヘッドを持ち、それぞれが softmax ではなくシグモイドでキーに重みを付けます（理由は第 7 章）。
        最初のコードセルで `bc.load("gpt")` を読み込み、図とアブレーションを実行し直してください（成り立たなくなった所見では `checked:` のセルが止まります）。
        第 7 章では、この種のモデルは見つけ役なしに、集合を選ぶ第 1 層のヘッドで答えていました。

        **次の章:** 第 6 章では、すべてのアーキテクチャを学習した長さと深さの外へ連れ出し、壊れない一つのモデルを見ます。
        """,
    ),
]
