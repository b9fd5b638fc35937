"""The shared transformer parts: attention written out equals torch's fused kernel."""

import pytest
import torch
import torch.nn.functional as F

from bracketcloser.architectures import POSITIONAL, build
from bracketcloser.architectures.layers import Attention, attention_weights, causal_mask, rotate, sparsemax
from bracketcloser.batch import stream_batch
from bracketcloser.data import generate
from bracketcloser.tokens import Vocab

FOUR_KINDS = Vocab(("<>",))


def fused_forward(self, x, mask, q_pos=None, source=None, k_pos=None, cache=None):
    """``Attention.forward`` through ``F.scaled_dot_product_attention`` (no cache, no recording):
    the fast path the written-out form stands in for."""
    assert cache is None
    q = self.heads(self.q(x))  # (B, H, Tq, D)
    k, v = (self.heads(t) for t in self.kv(x if source is None else source).chunk(2, -1))  # (B, H, Tk, D)
    k_pos = q_pos if k_pos is None else k_pos
    if self.rotary and source is None:
        q, k = rotate(q, q_pos), rotate(k, k_pos)
    allowed = torch.zeros(mask.shape, dtype=q.dtype).masked_fill(~mask, float("-inf"))  # (B, 1, Tq, Tk)
    bias = self.position_bias(q_pos, k_pos) if source is None else None
    if bias is not None:
        allowed = allowed + bias
    y = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed)  # (B, H, Tq, D)
    return self.proj(y.transpose(1, 2).flatten(2))


@pytest.mark.parametrize("pos", POSITIONAL)
@pytest.mark.parametrize("arch", ["transformer", "bert", "gpt"])
def test_written_out_attention_equals_the_fused_kernel(arch, pos, monkeypatch):
    """Each transformer, with each positional encoding, gives the same logits and loss (to
    float tolerance) when its attention runs through torch's fused kernel: self-attention with
    causal and padding masks, cross-attention, rotary positions and relative biases."""
    torch.manual_seed(0)
    model = build(arch, vocab_size=FOUR_KINDS.size, n_embd=32, n_head=4, pos=pos).eval()
    for name, p in model.named_parameters():
        if name.endswith("relative"):  # zeros at the start: give the offsets' bias something to do
            p.data.normal_()
    idx, targets = stream_batch(generate("general", 8, seed=3), FOUR_KINDS)  # (B, T), rows of different lengths
    with torch.no_grad():
        written = model(idx, targets)
        monkeypatch.setattr(Attention, "forward", fused_forward)
        fused = model(idx, targets)
    torch.testing.assert_close(fused[0], written[0], rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(fused[1], written[1], rtol=1e-5, atol=1e-5)


def test_attention_weights_sum_to_one_over_the_keys_a_query_may_see():
    torch.manual_seed(0)
    q, k = torch.randn(2, 3, 5, 8), torch.randn(2, 3, 5, 8)  # (B, H, T, D)
    valid = torch.tensor([[True] * 5, [True] * 3 + [False] * 2])  # the second row is padded
    weights = attention_weights(q, k, causal_mask(valid, 5))  # (B, H, Tq, Tk)
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 3, 5))
    assert weights[0].triu(1).eq(0).all()  # never a later key
    assert weights[1, :, :3, 3:].eq(0).all()  # never a padding key


def test_sparsemax_by_hand_and_its_laws():
    """A worked case: scores (1, 0.5, -1) keep two keys, tau = (1 + 0.5 - 1) / 2 = 0.25. Then, on
    random scores: a probability vector, unchanged by adding a constant, zero where masked, and
    the projection's gradient (autograd through the sort, checked against finite differences)."""
    torch.testing.assert_close(sparsemax(torch.tensor([1.0, 0.5, -1.0])), torch.tensor([0.75, 0.25, 0.0]))
    torch.manual_seed(0)
    z = 3 * torch.randn(4, 7, dtype=torch.float64)
    p = sparsemax(z)
    assert (p >= 0).all() and torch.allclose(p.sum(-1), torch.ones(4, dtype=torch.float64)) and (p == 0).any()
    torch.testing.assert_close(sparsemax(z + 5.0), p)
    masked = z.clone()
    masked[:, :3] = float("-inf")
    assert (sparsemax(masked)[:, :3] == 0).all() and torch.allclose(sparsemax(masked).sum(-1), torch.ones(4, dtype=torch.float64))
    assert torch.autograd.gradcheck(sparsemax, (z.clone().requires_grad_(),))
