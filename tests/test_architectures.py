"""The model contract, checked for every architecture in the registry."""


import math

import pytest
import torch

from bracketcloser.architectures import IGNORE, POSITIONAL, REGISTRY, build, model_config
from bracketcloser.architectures.layers import TransformerConfig
from bracketcloser.batch import prompt_batch, stream_batch
from bracketcloser.data import Example
from bracketcloser.tokens import DEFAULT_VOCAB as V
from bracketcloser.tokens import END, INPUT, OUTPUT, PAD
from conftest import assert_decoding_matches_teacher_forcing, small


def test_shapes_and_finite_loss_with_padding(small_model, dyck_examples):
    idx, targets = stream_batch(dyck_examples, V)
    assert (idx == 0).any()  # the batch really is padded
    logits, loss = small_model(idx, targets)
    assert logits.shape == (*idx.shape, V.size)
    assert torch.isfinite(loss) and loss.item() > 0
    assert small_model(idx)[1] is None


def test_one_example_unchanged_by_longer_neighbours(small_model, dyck_examples):
    short = min(dyck_examples, key=lambda e: len(e.prefix) + len(e.answer))
    batch = [short] + sorted(dyck_examples, key=lambda e: -len(e.prefix))[:5]
    alone_idx, alone_t = stream_batch([short], V)
    many_idx, many_t = stream_batch(batch, V)
    T = alone_idx.size(1)
    alone = small_model(alone_idx, alone_t)[0][0]
    together = small_model(many_idx, many_t)[0][0, :T]
    torch.testing.assert_close(alone, together, atol=1e-5, rtol=1e-5)
    # decoding too: prompts of different lengths in one batch
    p1, l1 = prompt_batch([short.prefix], V)
    pn, ln = prompt_batch([e.prefix for e in batch], V)
    torch.testing.assert_close(small_model.prefill(p1, l1)[0][0], small_model.prefill(pn, ln)[0][0], atol=1e-5, rtol=1e-5)
    assert V.answer_text(small_model.generate(p1, l1, 6)[0]) == V.answer_text(small_model.generate(pn, ln, 6)[0])


def test_later_tokens_never_change_earlier_logits(small_model, dyck_examples):
    """Causality: what a model predicts at position t depends only on tokens 0..t. (A mask
    bug here lets a model read the answer it should predict: perfect loss, useless output.)"""
    idx, _ = stream_batch(dyck_examples[:8], V)
    base = small_model(idx)[0]
    torch.manual_seed(1)
    for t in [3, 6, 10, 15]:
        changed = idx.clone()
        later = changed[:, t + 1 :]
        # replace later brackets with other brackets; ,output and padding keep their places
        swap = (later >= 1) & (later <= 6)
        later[swap] = torch.randint(1, 7, (int(swap.sum()),))
        out = small_model(changed)[0]
        torch.testing.assert_close(out[:, : t + 1], base[:, : t + 1], atol=1e-5, rtol=1e-5)


def test_incremental_decoding_matches_teacher_forcing(small_model, dyck_examples):
    """prefill + step (hidden state, KV cache or re-encoding) gives the same logits as reading
    the whole stream at once."""
    assert_decoding_matches_teacher_forcing(small_model, dyck_examples)


def test_overfits_one_batch(arch):
    torch.manual_seed(0)
    examples = [Example("({[", "]})"), Example("[[(", ")]]"), Example("{}(", ")"), Example("([]{", "})"),
                Example("((", "))"), Example("[{}", "]"), Example("{[()", "]}"), Example("(", ")")]
    # answering as it trained: the stack's rounded actions are the same model only once training
    # has made them near 0 or 1, and 200 steps on 8 examples leave some soft (0.36 pop at input)
    model = build(arch, **small(arch, n_layer=2, answer_with="soft"))
    idx, targets = stream_batch(examples, V)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    for _ in range(200):
        _, loss = model(idx, targets)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.05
    model.eval()
    prompts, lengths = prompt_batch([e.prefix for e in examples], V)
    answers = [V.answer_text(r) for r in model.generate(prompts, lengths, 5).tolist()]
    assert answers == [e.answer for e in examples]


def test_loss_is_on_the_answer_only():
    idx, targets = stream_batch([Example("({", "})")], V)
    scored = targets[0][targets[0] != IGNORE].tolist()
    assert scored == V.encode(["}", ")", ","]) and idx[0, (targets[0] != IGNORE).nonzero()[0, 0]] == OUTPUT
    _, all_targets = stream_batch([Example("({", "})")], V, loss_on="all")
    assert (all_targets != IGNORE).sum() == idx.size(1)


def test_registry_rejects_unknown_names():
    with pytest.raises(ValueError, match="choose from gru, lstm, transformer, bert, gpt"):
        build("rnn")
    with pytest.raises(ValueError, match="unknown setting"):
        model_config("gpt", n_hidden=3)
    with pytest.raises(ValueError, match="positional encoding"):
        model_config("gpt", pos="sideways")
    with pytest.raises(ValueError, match="attn_scale"):
        model_config("gpt", attn_scale="cubic")


@pytest.mark.parametrize("pos", POSITIONAL)
@pytest.mark.parametrize("name", [a for a, (_, config, _) in REGISTRY.items() if config is TransformerConfig])
def test_every_positional_encoding_decodes_like_teacher_forcing(name, pos, dyck_examples):
    torch.manual_seed(0)
    model = build(name, n_embd=32, n_layer=1, pos=pos).eval()
    with torch.no_grad():
        for p in model.parameters():  # biases start at zero: make every one of them matter
            p.add_(0.3 * torch.randn_like(p))
    assert_decoding_matches_teacher_forcing(model, dyck_examples)


@pytest.mark.parametrize("scale", ["log", "learned"])
@pytest.mark.parametrize("pos", ["none", "alibi", "rotary"])
@pytest.mark.parametrize("name", [a for a, (_, config, _) in REGISTRY.items() if config is TransformerConfig])
def test_length_scaled_attention_decodes_like_teacher_forcing(name, pos, scale, dyck_examples):
    """attn_scale="log" scales each query's logits by how many keys it sees: a decoding step's
    query sees as many as the same position does under teacher forcing, so the two agree
    (with "learned", the per-head scales are shaken away from 1 with the other weights)."""
    torch.manual_seed(0)
    model = build(name, n_embd=32, n_layer=1, pos=pos, attn_scale=scale).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.3 * torch.randn_like(p))
    assert_decoding_matches_teacher_forcing(model, dyck_examples)


@pytest.mark.parametrize("norm", ["sparsemax", "sigmoid"])
@pytest.mark.parametrize("pos", ["learned", "rotary", "relative"])
@pytest.mark.parametrize("name", [a for a, (_, config, _) in REGISTRY.items() if config is TransformerConfig])
def test_other_normalisers_decode_like_teacher_forcing(name, pos, norm, dyck_examples):
    torch.manual_seed(0)
    model = build(name, n_embd=32, n_layer=1, pos=pos, attn_norm=norm).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.3 * torch.randn_like(p))
    assert_decoding_matches_teacher_forcing(model, dyck_examples)
    with pytest.raises(ValueError, match="attn_norm"):
        model_config(name, attn_norm="entmax")


def test_sparse_attention_learns_and_gives_far_keys_no_weight():
    """With sparsemax a head's weights form a probability vector over the keys it may see, with
    exact zeros among them where one key is scored far above the rest (softmax gives every
    visible key some weight), and the loss has a gradient through it."""
    from bracketcloser.architectures.layers import attention_weights

    q = torch.ones(1, 1, 1, 1)
    k = torch.zeros(1, 1, 6, 1)
    k[..., 2, 0] = 4.0  # one key four logits ahead of five others
    mask = torch.ones(1, 1, 1, 6, dtype=torch.bool)
    sparse, dense = attention_weights(q, k, mask, sparse=True), attention_weights(q, k, mask)
    assert sparse[0, 0, 0].tolist() == [0.0, 0.0, 1.0, 0.0, 0.0, 0.0] and (dense > 0).all()

    torch.manual_seed(0)
    model = build("gpt", n_embd=32, n_layer=1, attn_norm="sparsemax")
    idx, targets = stream_batch([Example("({[" * 4, "]})" * 4), Example("((", "))")], V)
    model(idx, targets)[1].backward()
    assert sum(p.grad.abs().sum() for p in model.blocks[0].attn.q.parameters()) > 0
    weights = model.explain(torch.tensor(V.prompt_ids("({[" * 4)), 1).attention["blocks.0.attn"]
    assert torch.allclose(weights.sum(-1), torch.ones(()), atol=1e-5)


def test_sigmoid_attention_weighs_each_key_on_its_own_and_can_count():
    """Under sigmoid attention a key's weight is sigmoid(score + bias) whatever the other keys:
    adding keys leaves it alone (softmax's falls), masked keys get none, and a head that looks
    evenly at every bracket, +1 for an opener and -1 for a closer, reads out the depth itself
    (times its weight per key) at any length, where softmax reads the depth over the length."""
    from bracketcloser.architectures.layers import SIGMOID_KEYS, attention_weights

    def weights(n, **norm):
        q, k = torch.ones(1, 1, 1, 1), torch.zeros(1, 1, n, 1)
        k[..., 0, 0] = 3.0  # the first key three logits ahead of the rest
        return attention_weights(q, k, torch.ones(1, 1, 1, n, dtype=torch.bool), **norm)[0, 0, 0]

    bias = torch.tensor([-math.log(SIGMOID_KEYS)])
    torch.testing.assert_close(weights(8, sigmoid_bias=bias)[0], weights(800, sigmoid_bias=bias)[0])
    assert weights(800)[0] < weights(8)[0] / 10  # softmax: diluted by the keys
    torch.testing.assert_close(weights(5, sigmoid_bias=bias)[1], torch.tensor(1 / (1 + SIGMOID_KEYS)))
    mask = torch.tensor([[[[True, False, True]]]])
    assert attention_weights(torch.ones(1, 1, 1, 1), torch.ones(1, 1, 3, 1), mask, sigmoid_bias=bias)[0, 0, 0, 1] == 0

    def read_depth(prefix, **norm):  # one head, every score equal, values +-1
        signs = torch.tensor([1.0 if ch in "({[<" else -1.0 for ch in prefix])
        n = len(signs)
        att = attention_weights(torch.zeros(1, 1, 1, 1), torch.zeros(1, 1, n, 1),
                                torch.ones(1, 1, 1, n, dtype=torch.bool), **norm)
        return (att @ signs[None, None, :, None]).item()

    short, long = "(((" + "()" * 5, "(((" + "()" * 200  # both at depth 3
    assert read_depth(short, sigmoid_bias=bias) == pytest.approx(read_depth(long, sigmoid_bias=bias), rel=1e-4)
    assert read_depth(short, sigmoid_bias=bias) == pytest.approx(3 / (1 + SIGMOID_KEYS))
    assert read_depth(long) < read_depth(short) / 10  # softmax averages: 3 / n

    torch.manual_seed(0)
    model = build("gpt", n_embd=32, n_layer=1, attn_norm="sigmoid")
    idx, targets = stream_batch([Example("({[" * 4, "]})" * 4), Example("((", "))")], V)
    model(idx, targets)[1].backward()
    assert model.blocks[0].attn.sigmoid_shift.grad.abs().sum() > 0  # the bias per head learns
    with torch.no_grad():  # every score 0: each visible key weighs 1 / (1 + SIGMOID_KEYS), in the model too
        model.blocks[0].attn.q.weight.zero_()
        model.blocks[0].attn.q.bias.zero_()
    prompt = torch.tensor(V.prompt_ids("({[" * 4))
    weights = model.explain(prompt, 1).attention["blocks.0.attn"][..., : len(prompt)]  # the keys it may see
    torch.testing.assert_close(weights, torch.full_like(weights, 1 / (1 + SIGMOID_KEYS)))
    with pytest.raises(ValueError, match="attn_scale"):
        model_config("gpt", attn_norm="sigmoid", attn_scale="log")


@pytest.mark.parametrize(("name", "extra"), [(a, {}) for a, (_, config, _) in REGISTRY.items() if config is TransformerConfig]
                         + [("gpt", {"attn_norm": "sparsemax"}), ("bert", {"encoder": "prefix"})])
def test_sigmoid_layers_count_under_softmax_layers(name, extra, dyck_examples):
    """sigmoid_layers=1: the first self-attention layer of each stack is sigmoid (it has the
    bias per head; its weights need not sum to 1), the others and every cross-attention keep
    the model's normaliser (rows sum to 1); decoding still equals teacher forcing; nonsense is
    refused, one cause at a time."""
    torch.manual_seed(0)
    model = build(name, n_embd=32, n_layer=2, sigmoid_layers=1, **extra).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.3 * torch.randn_like(p))
    seen = model.explain(torch.tensor(V.prompt_ids("({[" * 4)), 2).attention
    assert any(k.endswith(".0.attn") for k in seen) and any(k.endswith(".1.attn") for k in seen)
    for key, weights in seen.items():
        counts = key.endswith(".0.attn")  # the first self-attention layer of its stack, not a cross-attention
        assert (model.get_submodule(key).sigmoid_shift is not None) == counts, key
        sums = weights.sum(-1)
        assert torch.allclose(sums, torch.ones_like(sums), atol=1e-4) != counts, key
    assert_decoding_matches_teacher_forcing(model, dyck_examples)
    for bad, why in (({"sigmoid_layers": 2}, "leave a layer"), ({"sigmoid_layers": -1}, "leave a layer"),
                     ({"sigmoid_layers": 1, "attn_norm": "sigmoid"}, "already"),
                     ({"sigmoid_layers": 1, "attn_scale": "log"}, "attn_scale")):
        with pytest.raises(ValueError, match=why):
            model_config(name, n_layer=2, **bad)


def test_length_scaling_sharpens_attention_as_the_keys_multiply():
    """Equal logits stay equal (uniform weights) whatever the scale; one key ahead of the rest
    by a fixed margin keeps more of the weight as n grows with the scale, and less without it."""
    from bracketcloser.architectures.layers import attention_weights

    def weight_on_the_best(n, log_scale):
        q = torch.ones(1, 1, 1, 1)
        k = torch.zeros(1, 1, n, 1)
        k[..., 0, 0] = 2.0  # one key two logits ahead
        mask = torch.ones(1, 1, 1, n, dtype=torch.bool)
        return attention_weights(q, k, mask, log_scale=log_scale)[0, 0, 0, 0].item()

    plain = [weight_on_the_best(n, False) for n in (64, 256, 1024)]
    scaled = [weight_on_the_best(n, True) for n in (64, 256, 1024)]
    assert plain[0] == pytest.approx(scaled[0])  # at 64 keys the scale is 1
    assert plain[0] > plain[1] > plain[2]  # without it, focus fades as keys multiply
    assert scaled[2] > plain[2] * 2  # with it, much less so


def test_a_learned_scale_per_head_is_a_trained_weight_that_sharpens_its_head():
    torch.manual_seed(0)
    model = build("gpt", n_embd=32, n_head=2, n_layer=1, pos="none", attn_scale="learned")
    attn = model.blocks[0].attn
    # kept as its log (weight decay pulls it toward 1, plain log n scaling): starts at exp(0) = 1
    assert attn.log_head_scale.tolist() == [0.0, 0.0] and "blocks.0.attn.log_head_scale" in model.state_dict()
    idx, targets = stream_batch([Example("({[", "]})"), Example("((", "))")], V)
    model(idx, targets)[1].backward()
    assert attn.log_head_scale.grad is not None and attn.log_head_scale.grad.abs().sum() > 0
    assert build("gpt", attn_scale="log").blocks[0].attn.log_head_scale is None  # fixed: nothing to learn

    from bracketcloser.architectures.layers import attention_weights
    q, k = torch.randn(1, 2, 1, 4), torch.randn(1, 2, 100, 4)
    mask = torch.ones(1, 1, 1, 100, dtype=torch.bool)
    plain = attention_weights(q, k, mask, log_scale=True, head_scale=torch.ones(2))
    sharp = attention_weights(q, k, mask, log_scale=True, head_scale=torch.tensor([1.0, 3.0]))
    torch.testing.assert_close(plain[:, 0], sharp[:, 0])  # head 0 unchanged
    assert sharp[0, 1, 0].max() > plain[0, 1, 0].max()  # head 1 looks harder at its best key


def test_alibi_penalises_distance_per_head():
    torch.manual_seed(0)
    model = build("gpt", n_embd=32, n_head=2, n_layer=1, pos="alibi").eval()
    attn = model.blocks[0].attn
    assert attn.slopes.tolist() == pytest.approx([2 ** -4, 2 ** -8])
    assert not any("slopes" in k for k in model.state_dict())  # fixed, not a weight to save


def test_rows_that_finish_leave_the_batch_without_changing_the_others(small_model, dyck_examples):
    """generate() drops answered rows from the decoding state (``select``): every row must
    still get exactly the answer it gets alone."""
    prefixes = [e.prefix for e in dyck_examples[:12]]
    prompts, lengths = prompt_batch(prefixes, V)
    for _ in range(3):  # a random model ends its answers at random steps: shake it until they differ
        with torch.no_grad():
            for p in small_model.parameters():
                p.add_(0.5 * torch.randn_like(p))
        together = [V.answer_text(r) for r in small_model.generate(prompts, lengths, 8).tolist()]
        if len({len(a) for a in together}) > 1:
            break
    alone = [V.answer_text(small_model.generate(*prompt_batch([p], V), 8)[0].tolist()) for p in prefixes]
    assert together == alone
    assert len({len(a) for a in together}) > 1  # answers of different lengths: rows really left early


def test_each_row_stops_at_its_own_bound(arch):
    """A long prompt with a short answer beside a short prompt with a long one: a model that
    never writes the end token must stop each row at its own bound, never reading past its
    length limit (the long row would if it ran to the batch's largest bound)."""
    torch.manual_seed(0)
    model = build(arch, **small(arch, max_len=40)).eval()
    with torch.no_grad():  # only brackets, never the end token: every row runs to its bound
        model.head.bias[[PAD, INPUT, OUTPUT, END]] = -1e4
    prefixes = ["()" * 15 + "((", "(" * 12]  # 32 + 2 + 3 <= 40, and 12 + 12 + 3 <= 40
    bounds = [3, 13]
    prompts, lengths = prompt_batch(prefixes, V)
    out = model.generate(prompts, lengths, bounds)
    assert out.shape == (2, 13)
    assert (out[0, 3:] == 0).all() and (out[0, :3] != 0).all()  # the long row stopped after 3 tokens
    assert (out[1] != 0).all()


def test_explain_answers_like_generate_and_shows_where_it_looked(small_model):
    """``explain`` (the app's window into a model) is the same for every architecture: the
    answer generate() gives, one distribution per answer token, attention rows that are
    distributions over what had been read, and tracks with a row per token read."""
    with torch.no_grad():
        for p in small_model.parameters():
            p.add_(0.3 * torch.randn_like(p))
    prompt = torch.tensor(V.prompt_ids("{[(()"))
    seen = small_model.explain(prompt, 4)
    generated = small_model.generate(prompt[None], torch.tensor([len(prompt)]), 4)[0].tolist()
    assert seen.stream[: len(prompt)] == prompt.tolist()
    assert seen.answer == generated[: len(seen.answer)]
    assert seen.probs.shape == (len(seen.answer), small_model.head.out_features)
    assert torch.allclose(seen.probs.sum(-1), torch.ones(len(seen.answer)), atol=1e-5)
    assert seen.attention or seen.tracks, "a model shows something of what it computed"
    for name, maps in seen.attention.items():  # (steps, heads, stream)
        assert maps.shape[0] == len(seen.answer) and maps.shape[2] == len(seen.stream), name
        assert torch.allclose(maps.sum(-1), torch.ones(maps.shape[:2]), atol=1e-5), name
        for s in range(maps.shape[0]):  # never a column the step had not read (its own slot at most)
            assert maps[s, :, len(prompt) + s + 1 :].abs().sum() == 0, name
    for name, track in seen.tracks.items():  # one row per token read: the prompt and all but the last answer token
        assert track.shape[0] == len(prompt) + len(seen.answer) - 1, name


@pytest.mark.parametrize("name,encoder", [("transformer", "full"), ("transformer", "causal"),
                                          ("bert", "full"), ("bert", "prefix")])
def test_every_attention_pattern_decodes_like_teacher_forcing(name, encoder, dyck_examples):
    """Training's logits at each answer position are what decoding computes there, for every
    self-attention pattern a prompt-reading model offers (BERT's prefix mask scores all answer
    positions in one pass with masks appended after the stream)."""
    torch.manual_seed(0)
    model = build(name, n_embd=32, n_layer=2, encoder=encoder).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.3 * torch.randn_like(p))
    assert_decoding_matches_teacher_forcing(model, dyck_examples)


def test_a_causal_encoder_reads_each_bracket_without_the_ones_after_it():
    torch.manual_seed(0)
    prompts = torch.tensor([V.encode(["input", "(", "[", "{", "("]), V.encode(["input", "(", "[", "{", "["])])
    for encoder, same in (("causal", True), ("full", False)):
        memory, _ = build("transformer", n_layer=2, encoder=encoder).encode(prompts)
        assert torch.allclose(memory[0, :4], memory[1, :4]) is same  # only the last bracket differs


def test_bert_with_the_prefix_mask_scores_every_answer_position_in_one_pass(dyck_examples):
    model = build("bert", n_embd=32, encoder="prefix").train()
    examples = [e for e in dyck_examples if len(e.answer) >= 3][:4]
    idx, targets = stream_batch(examples, V)
    logits, loss = model(idx, targets)
    scored = (targets != IGNORE)
    assert (logits.abs().sum(-1) > 0)[scored].all()  # every answer position has its prediction
    model.eval()
    torch.testing.assert_close(model(idx, targets)[1], loss)  # no random cuts: train and eval agree


def test_each_model_refuses_an_attention_pattern_it_does_not_have():
    with pytest.raises(ValueError, match="full or causal"):
        build("transformer", encoder="prefix")
    with pytest.raises(ValueError, match="full or prefix"):
        build("bert", encoder="causal")
    with pytest.raises(ValueError, match="unknown encoder"):
        model_config("bert", encoder="sideways")


def test_backward_heads_start_by_looking_back_and_still_decode_like_teacher_forcing(dyck_examples):
    from bracketcloser.architectures.layers import RELATIVE_REACH

    torch.manual_seed(0)
    model = build("bert", n_embd=32, n_head=2, pos="relative", encoder="prefix", backward_heads=1).eval()
    bias = model.blocks[0].attn.relative.detach()
    assert (bias[0, RELATIVE_REACH + 1 :] < -5).all() and (bias[0, : RELATIVE_REACH + 1] == 0).all()
    assert (bias[1] == 0).all()  # the other head starts level in both directions
    assert_decoding_matches_teacher_forcing(model, dyck_examples)
    with pytest.raises(ValueError, match="backward_heads needs pos=relative"):
        model_config("bert", backward_heads=1)  # rotary positions have no bias to start from
    with pytest.raises(ValueError, match="backward_heads needs pos=relative"):
        model_config("bert", pos="relative", backward_heads=3)
