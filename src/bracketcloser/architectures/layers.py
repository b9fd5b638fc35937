"""Transformer parts shared by ``transformer``, ``bert`` and ``gpt``: written once, here.

- ``Embedding``: token embedding plus a positional encoding chosen by config: ``learned``
  (a trained vector per position, as GPT-2), ``sinusoidal`` (fixed, as Vaswani et al.),
  ``rotary`` (positions rotate queries and keys, so attention sees only relative offsets;
  Su et al. 2021), ``relative`` (a learned bias per head added to the attention score for
  each offset between query and key, clipped at +-32; the T5 encoder's way, Shaw et al.
  2018, Raffel et al. 2020), ``alibi`` (a fixed penalty per head, proportional to the distance
  between query and key; Press et al. 2022) or ``none`` (a causal model can still infer
  position by counting what it attends to). Which one a model uses decides whether it can read
  inputs longer than it was trained on. With ``rand_pos`` the positions themselves are
  drawn: ``random_positions`` in training, ``spread_positions`` when answering.
- ``attention_weights`` and ``Attention``: multi-head scaled dot-product attention, written
  out as softmax(q k^T / sqrt(d) + bias) (torch's fused ``scaled_dot_product_attention`` gives
  the same numbers, tests/test_layers.py, but was slower per training step on this lab's CPU,
  and it cannot hand back the weights that ``model.explain`` shows), for self- or
  cross-attention, with an optional key/value cache for step-by-step decoding. With
  ``attn_scale="log"`` every logit is multiplied by log(n) / log(64), n the number of keys the
  query sees, so attention keeps its focus as inputs grow (Chiang & Cholak 2022; Scalable-Softmax,
  Nakanishi 2025; ``"learned"``: times a trained scale per head too): without it, the weight on
  one key falls as the keys multiply. ``attn_norm="sparsemax"`` replaces softmax by sparsemax,
  which gives keys scored far enough below the best exactly no weight; ``"sigmoid"`` weighs
  each key on its own, sigmoid(score + a learned bias per head), with no sum to 1: a key's
  weight does not depend on how many others there are, and a head can add up (count) instead
  of averaging; ``sigmoid_layers`` makes only the first layers so, the ones that count.
- ``FeedForward`` and ``Block``: the pre-norm residual block (norm -> attention -> add,
  norm -> MLP -> add), optionally with cross-attention for a decoder.

What was measured: bench/results/RECORD.md (shared transformer parts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn as nn

from ..settings import check_sizes, check_types, searched
from .base import Recording

POSITIONAL = ("learned", "sinusoidal", "rotary", "relative", "alibi", "none")
ABSOLUTE = ("learned", "sinusoidal")  # added to the token embedding; the others see only offsets, or nothing
RELATIVE_REACH = 32  # offsets beyond this share one learned bias (per sign)
BACKWARD_START = -8.0  # a backward head's first bias for keys after the query: e^-8 of the weight
ALIGN = ("start", "end")
ENCODER = ("full", "causal", "prefix")
ATTN_SCALE = ("none", "log", "learned")
ATTN_NORM = ("softmax", "sparsemax", "sigmoid")
LOG_BASE = 64  # attn_scale="log": a query that sees 64 keys is scaled by 1, one that sees 128 by 7/6
SIGMOID_KEYS = 64  # attn_norm="sigmoid": each key's weight starts at 1 / (1 + this), softmax's over so many even keys
ANSWER_ROOM = 32  # rand_pos: positions drawn for a stream = its prompt's tokens + this many


@dataclass
class TransformerConfig:
    vocab_size: int = 10
    # searched by `bracketcloser tune` within these ranges (every n_embd divides by every n_head)
    n_layer: int = searched(2, choices=[1, 2, 3])
    n_head: int = searched(2, choices=[1, 2, 4])
    n_embd: int = searched(32, choices=[16, 32, 48, 64])
    ffn_mult: int = searched(4, choices=[2, 4])
    dropout: float = 0.0
    pos: str = searched("learned", choices=list(POSITIONAL))  # one of POSITIONAL
    # longest stream the model reads (checked before anything is allocated); with learned
    # positions also the size of their table. 256 covers the general range (133 tokens) and `long`
    max_len: int = 256
    # where position 0 is for a model that reads the whole prompt at once (encoder, BERT):
    # its first token ("start") or the end of the prefix ("end"), so that the brackets an
    # answer depends on most, the last ones, always sit at the same positions
    align: str = "start"
    # self-attention of a model that reads the prompt whole. "full": every token sees every
    # other (Vaswani et al.'s encoder, BERT as Devlin et al.). The encoder-decoder's encoder may
    # be "causal": each token sees itself and what came before, so that attending evenly back to
    # the start computes the share of openers so far (Yao et al. 2021). BERT's may be "prefix":
    # the prompt sees the whole prompt, an answer token the prompt and the answer up to itself,
    # a mask what stands before it (UniLM's sequence-to-sequence mask, Dong et al. 2019)
    encoder: str = "full"
    # with pos="relative": how many heads of each self-attention layer start out looking back
    # only (their bias for keys after the query starts at BACKWARD_START, not 0). They remain
    # free to learn to look anywhere; a bidirectional encoder gets a direction to count depth in
    backward_heads: int = 0
    # "log": every attention logit times log(n) / log(LOG_BASE), n the keys the query sees, so a
    # query keeps its focus on one key however many there are; "learned": the same times a scale
    # per head that training adjusts, starting at 1 (Scalable-Softmax, Nakanishi 2025);
    # "none": softmax as Vaswani et al.
    attn_scale: str = "none"
    # what turns a query's scores into weights. "softmax": every key gets some weight, and the
    # more keys there are, the less is left for the one that matters; "sparsemax": the closest
    # probability vector to the scores (Martins & Astudillo 2016), exactly zero on keys scored
    # far enough below the best, so a key outside the running does not dilute the weight at any
    # length (the sparse, length-robust attention of Vasylenko et al. 2025 is its relative);
    # "sigmoid": each key's weight is sigmoid(score + b), b a bias per head starting at
    # -log(SIGMOID_KEYS) (about softmax's weight on one of 64 even keys), with no sum to 1
    # (sigmoid attention, Ramapuram et al. 2024, who set b = -log n, n the keys, which makes a
    # head average again; here b is a learned constant): what a head takes from a key never
    # depends on how many other keys there are, so a head that looks evenly at every bracket
    # reads their sum, the depth (times its weight per key), where softmax reads the depth over
    # the length. The price: whatever else a head sums grows with the length too
    attn_norm: str = "softmax"
    # the first this many self-attention layers (of each stack; at most n_layer - 1) weigh their
    # keys by sigmoid attention, the rest by ``attn_norm``: layers below that can add the brackets
    # up (a depth that does not shrink as 1/n), layers above that must choose one of them (a sum
    # to 1 bounds what they take from the keys they should not read). 0: every layer by attn_norm
    sigmoid_layers: int = 0
    # True: in training each stream's positions are an ordered random subset of
    # 0..max_len-1, not 0, 1, 2, ..., so that every position up to max_len is seen in training
    # and a longer input at test time is no longer out of distribution (Ruoss et al. 2023);
    # answering uses the evenly spread subset (the mean of those draws). How many are drawn
    # depends on the prompt alone (its length + ANSWER_ROOM), never on the answer's length.
    # The encoder-decoder draws its encoder's (the decoder's stay 0, 1, 2, ...). Past the drawn
    # ones a stream goes on one position at a time, and any tokens past max_len - 1 share it:
    # keep max_len well above the longest stream meant to be read. With relative positions
    # (offsets clipped at +-RELATIVE_REACH) drawn gaps put fewer neighbours within reach.
    # False: 0, 1, 2, ...
    rand_pos: bool = False
    # with rand_pos: each training stream also draws the window of 0..max_len-1 its positions
    # come from, as wide as its own length up to the whole table, anywhere in it, so their
    # average spacing ranges from 1 to max_len / n. Answering spreads a prompt over the whole
    # table, so a prompt longer than any trained on stands more densely than any did (by the
    # ratio of the lengths, prompt and ANSWER_ROOM, whatever max_len is); with rand_span that
    # spacing has been met in training, anywhere in the table, though less often at its ends
    rand_span: bool = False

    def __post_init__(self):
        check_types(self)
        if self.pos not in POSITIONAL:
            raise ValueError(f"unknown positional encoding {self.pos!r} (choose from {', '.join(POSITIONAL)})")
        if self.align not in ALIGN:
            raise ValueError(f"unknown align {self.align!r} (choose from {', '.join(ALIGN)})")
        if self.encoder not in ENCODER:
            raise ValueError(f"unknown encoder {self.encoder!r} (choose from {', '.join(ENCODER)})")
        if self.attn_scale not in ATTN_SCALE:
            raise ValueError(f"unknown attn_scale {self.attn_scale!r} (choose from {', '.join(ATTN_SCALE)})")
        if self.attn_norm not in ATTN_NORM:
            raise ValueError(f"unknown attn_norm {self.attn_norm!r} (choose from {', '.join(ATTN_NORM)})")
        if self.attn_norm == "sigmoid" and self.attn_scale != "none":
            raise ValueError("attn_scale scales the scores for softmax's sake; sigmoid attention does not share a "
                             "key's weight with the others (use attn_scale=none with attn_norm=sigmoid)")
        if self.rand_span and not self.rand_pos:
            raise ValueError("rand_span draws a window of the table for drawn positions: it needs rand_pos=true")
        if self.rand_pos and self.pos == "none":
            raise ValueError("rand_pos draws positions: it needs a positional encoding (pos other than none)")
        if self.backward_heads and (self.pos != "relative" or not 0 < self.backward_heads <= self.n_head):
            raise ValueError(f"backward_heads needs pos=relative and at most n_head ({self.n_head}) heads, "
                             f"got {self.backward_heads} with pos={self.pos}")
        check_sizes(self, ("n_layer", "n_head", "n_embd", "ffn_mult", "max_len"))
        if self.sigmoid_layers:
            if self.attn_norm == "sigmoid":
                raise ValueError("sigmoid_layers makes the first layers sigmoid under the others: with attn_norm=sigmoid "
                                 "every layer already is (use sigmoid_layers=0)")
            if self.attn_scale != "none":
                raise ValueError("attn_scale scales the scores for softmax's sake, and sigmoid_layers' layers do not "
                                 "share a key's weight (use attn_scale=none with sigmoid_layers)")
            if not 0 < self.sigmoid_layers < self.n_layer:
                raise ValueError(f"sigmoid_layers must leave a layer above them that chooses: 1 to n_layer - 1 "
                                 f"({self.n_layer - 1}), got {self.sigmoid_layers} (every layer sigmoid: attn_norm=sigmoid)")
        if self.n_embd % self.n_head:
            raise ValueError(f"n_embd ({self.n_embd}) must be divisible by n_head ({self.n_head})")


def position_limit(cfg: TransformerConfig) -> int:
    """Longest stream a model reads. Learned positions end with their table; the other
    encodings are defined for any position, but attention's memory grows with the square of
    the length, so a prompt longer than ``max_len`` is refused there too (raise it to read more)."""
    return cfg.max_len


def random_positions(n: torch.Tensor, T: int, span: int,
                     window: tuple[torch.Tensor, torch.Tensor] | None = None) -> torch.Tensor:
    """(B, T) positions: row b the first T of an ordered random subset of n[b] positions drawn
    from 0..span-1 (Ruoss et al. 2023), or, given ``window`` = (starts, widths), from row b's
    own window starts[b] .. starts[b] + widths[b] - 1 (at least n[b] wide, inside the span);
    columns past n[b] go on one at a time (past the window too, and at most span - 1)."""
    if int(n.max()) > span:
        raise ValueError(f"a stream of {int(n.max())} positions does not fit {span} (raise max_len)")
    B, width = n.size(0), max(T, int(n.max()))
    order = torch.rand(B, span, device=n.device)
    if window is not None:  # outside its window a position sorts after every one inside: never drawn
        starts, widths = window
        at = torch.arange(span, device=n.device)[None] - starts[:, None]
        order = order.masked_fill((at < 0) | (at >= widths[:, None]), float("inf"))
    drawn = order.argsort(-1)[:, :width]  # (B, width): distinct, unordered
    col = torch.arange(width, device=n.device)[None]
    drawn = torch.where(col < n[:, None], drawn, span).sort(-1).values  # row b's n[b] drawn, in order, then span
    last = drawn.gather(1, (n[:, None] - 1).clamp(min=0))  # (B, 1)
    return torch.where(col < n[:, None], drawn, last + col - n[:, None] + 1).clamp(max=span - 1)[:, :T]


def spread_positions(n: torch.Tensor, T: int, span: int) -> torch.Tensor:
    """(B, T) positions: token i of row b at round((i + 1) (span + 1) / (n[b] + 1)) - 1, the mean of
    the i-th smallest of n[b] positions drawn from 0..span-1 without replacement (what
    ``random_positions`` draws, on average); strictly increasing up to n[b], then on one at a
    time as there (and at most span - 1)."""
    if int(n.max()) > span:
        raise ValueError(f"a stream of {int(n.max())} positions does not fit {span} (raise max_len)")
    i = torch.arange(1, T + 1, device=n.device)[None]  # (1, T)
    spread = ((i.clamp(max=n[:, None]) * (span + 1)) / (n[:, None] + 1)).round().long() - 1
    return (spread + (i - n[:, None]).clamp(min=0)).clamp(max=span - 1)


def drawn_positions(n: torch.Tensor, T: int, span: int, training: bool, own_span: bool = False) -> torch.Tensor:
    """``rand_pos``: (B, T) positions for streams that draw n[b] of 0..span-1, randomly in
    training (``random_positions``), evenly spread when answering (``spread_positions``).
    ``own_span`` (``rand_span``): in training each stream first draws a window of the span to
    draw from, its width uniform from n[b] to ``span``, flush with the start of the table, or
    its end, or (half the time) anywhere it fits, so that the spacing of its positions varies
    from dense to sparse all over the table."""
    if not training:
        return spread_positions(n, T, span)
    if own_span:
        def uniform(low, high):  # whole numbers, low..high inclusive, row by row
            return low + (torch.rand(n.shape, device=n.device) * (high - low + 1)).long().clamp(max=high - low)

        widths = uniform(n, torch.full_like(n, span))
        starts = uniform(torch.zeros_like(n), span - widths)
        # half the windows flush with one end or the other: answering puts a long prompt's
        # first and last tokens at the table's ends, which windows placed anywhere seldom reach
        end = uniform(torch.zeros_like(n), torch.full_like(n, 3))  # 0: start, 1: end, 2-3: anywhere
        starts = torch.where(end == 0, 0, torch.where(end == 1, span - widths, starts))
        return random_positions(n, T, span, (starts, widths))
    return random_positions(n, T, span)


def sinusoid(positions: torch.Tensor, dim: int) -> torch.Tensor:
    """Fixed sine/cosine codes (Vaswani et al. 2017): (...,) positions -> (..., dim)."""
    freq = torch.exp(torch.arange(0, dim, 2, device=positions.device) * (-math.log(10000.0) / dim))
    angle = positions.float()[..., None] * freq  # (..., dim/2)
    return torch.cat([angle.sin(), angle.cos()], -1)


def rotate(x: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
    """Rotary position embedding: rotate each pair of channels of x (B, H, T, D) by an
    angle proportional to its position (B, T), or (1, T) when every row shares them.
    q·k then depends only on the offset."""
    d = x.size(-1) // 2
    freq = torch.exp(torch.arange(d, device=x.device) * (-math.log(10000.0) / d))
    angle = positions.float()[:, None, :, None] * freq  # (B, 1, T, D/2)
    cos, sin = angle.cos(), angle.sin()
    x1, x2 = x[..., :d], x[..., d:]
    return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], -1)


class Embedding(nn.Module):
    """Token embedding plus absolute positions (learned or sinusoidal), or none at all
    (rotary positions are applied inside attention instead)."""

    def __init__(self, cfg: TransformerConfig, n_tokens: int):
        super().__init__()
        self.cfg = cfg
        self.tok = nn.Embedding(n_tokens, cfg.n_embd)
        self.pos = nn.Embedding(cfg.max_len, cfg.n_embd) if cfg.pos == "learned" else None
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, idx: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
        x = self.tok(idx)  # (B, T, C)
        if self.cfg.pos == "learned":
            if int(positions.max()) >= self.cfg.max_len or int(positions.min()) < 0:
                raise ValueError(f"sequence longer than the model's {self.cfg.max_len} learned positions")
            x = x + self.pos(positions)
        elif self.cfg.pos == "sinusoidal":
            x = x + sinusoid(positions, self.cfg.n_embd)
        return self.drop(x)


def sparsemax(z: torch.Tensor) -> torch.Tensor:
    """The Euclidean projection of scores z (..., n) onto the probability simplex (Martins &
    Astudillo 2016): max(z - tau, 0), tau chosen so that each row sums to 1. Keys scored more
    than tau below get exactly zero; -inf (masked) scores always do. Sort the scores; the k
    largest are kept while 1 + k z_(k) > z_(1) + ... + z_(k)."""
    top, _ = z.sort(-1, descending=True)
    k = torch.arange(1, z.size(-1) + 1, device=z.device, dtype=z.dtype)
    total = top.cumsum(-1)
    kept = (1 + k * top > total).sum(-1, keepdim=True)  # (..., 1): how many keys keep weight
    tau = (total.gather(-1, kept - 1) - 1) / kept
    return (z - tau).clamp(min=0)


def attention_weights(q: torch.Tensor, k: torch.Tensor, mask: torch.Tensor, bias: torch.Tensor | None = None,
                      log_scale: bool = False, head_scale: torch.Tensor | None = None,
                      sparse: bool = False, sigmoid_bias: torch.Tensor | None = None) -> torch.Tensor:
    """softmax(q k^T / sqrt(d) + bias) over the keys a query may see: q (B, H, Tq, D), k (B, H,
    Tk, D), mask (B, 1, Tq, Tk) True where a query may look, bias broadcast to (B, H, Tq, Tk)
    -> weights (B, H, Tq, Tk), each query's row summing to 1 (except with ``sigmoid_bias``).
    ``log_scale``: the logits times log(n) / log(LOG_BASE), n the number of keys each query
    sees, and by ``head_scale`` (H,). ``sparse``: sparsemax in place of softmax.
    ``sigmoid_bias`` (H,): in place of either, sigmoid(logit + that head's bias) for each key
    on its own, the rows not normalised."""
    att = (q @ k.transpose(-2, -1)) / math.sqrt(q.size(-1))  # (B, H, Tq, Tk)
    if bias is not None:
        att = att + bias
    if log_scale:
        seen = mask.sum(-1, keepdim=True).clamp(min=2)  # (B, 1, Tq, 1): at least 2, so the scale is > 0
        scale = seen.log() / math.log(LOG_BASE)
        att = att * (scale if head_scale is None else scale * head_scale[None, :, None, None])
    att = att.masked_fill(~mask, float("-inf"))  # a weight of exactly 0: softmax, sparsemax or sigmoid
    if sigmoid_bias is not None:
        return (att + sigmoid_bias[None, :, None, None]).sigmoid()
    return sparsemax(att) if sparse else att.softmax(-1)


def alibi_slopes(n_head: int) -> torch.Tensor:
    """ALiBi's fixed slopes, a geometric sequence from 2^(-8/H) down to 2^-8 (Press et al. 2022)."""
    return torch.tensor([2.0 ** (-8.0 * (h + 1) / n_head) for h in range(n_head)])


class Attention(Recording, nn.Module):
    """Multi-head attention. ``mask`` (B, 1, Tq, Tk) is True where a query may look.
    While ``record`` is on (``model.explain``) it keeps where the last query looked."""

    def __init__(self, cfg: TransformerConfig, cross: bool = False, norm: str | None = None):
        super().__init__()
        norm = norm or cfg.attn_norm  # a layer's own normaliser (``sigmoid_layers``), else the model's
        if norm not in ATTN_NORM:
            raise ValueError(f"unknown attention normaliser {norm!r} (choose from {', '.join(ATTN_NORM)})")
        self.n_head, self.rotary, self.log_scale = cfg.n_head, cfg.pos == "rotary", cfg.attn_scale != "none"
        self.sparse = norm == "sparsemax"
        # attn_norm="sigmoid": the bias per head, kept as its distance from -log(SIGMOID_KEYS)
        # so that weight decay pulls it there, not toward 0 (half the weight on every key)
        self.sigmoid_shift = nn.Parameter(torch.zeros(cfg.n_head)) if norm == "sigmoid" else None
        # attn_scale="learned": a scale per head, kept as its log so that weight decay pulls it
        # toward 1 (plain log n scaling), not toward 0 (no attention at all)
        self.log_head_scale = nn.Parameter(torch.zeros(cfg.n_head)) if cfg.attn_scale == "learned" else None
        self.alibi = cfg.pos == "alibi" and not cross  # self-attention only, as the relative bias
        if self.alibi:
            self.register_buffer("slopes", alibi_slopes(cfg.n_head), persistent=False)
        # one learned bias per head and clipped offset (key position - query position); only
        # self-attention uses it, cross-attention compares positions of different sequences
        relative = cfg.pos == "relative" and not cross
        self.relative = nn.Parameter(torch.zeros(cfg.n_head, 2 * RELATIVE_REACH + 1)) if relative else None
        if relative and cfg.backward_heads:
            with torch.no_grad():  # offsets > 0 are keys after the query
                self.relative[: cfg.backward_heads, RELATIVE_REACH + 1 :] = BACKWARD_START
        self.q = nn.Linear(cfg.n_embd, cfg.n_embd)
        self.kv = nn.Linear(cfg.n_embd, 2 * cfg.n_embd)
        self.proj = nn.Linear(cfg.n_embd, cfg.n_embd)
        self.drop = nn.Dropout(cfg.dropout)
        if cross:
            self.keys = "prompt"  # an encoder's output: the prompt, from its start

    def heads(self, x):  # (B, T, C) -> (B, H, T, C/H)
        B, T, C = x.shape
        return x.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)

    def offset_bias(self, q_pos, k_pos):
        """The learned score bias for each offset key - query, clipped at +-RELATIVE_REACH:
        positions (B or 1, Tq) and (B or 1, Tk) -> (B or 1, H, Tq, Tk). With positions shared by
        the batch (training) it is built once."""
        offset = k_pos[:, None, :] - q_pos[:, :, None]  # (B or 1, Tq, Tk)
        return self.relative[:, offset.clamp(-RELATIVE_REACH, RELATIVE_REACH) + RELATIVE_REACH].transpose(0, 1)

    def position_bias(self, q_pos, k_pos):
        """What positions add to self-attention's scores (B or 1, H, Tq, Tk): the learned bias per
        offset (``relative``), ALiBi's fixed penalty of slope x distance either way (a causal mask
        hides the future), or nothing (None) for the other encodings."""
        if self.relative is not None:
            return self.offset_bias(q_pos, k_pos)
        if self.alibi:
            distance = (k_pos[:, None, :] - q_pos[:, :, None]).abs()  # (B or 1, Tq, Tk)
            return -self.slopes[None, :, None, None] * distance[:, None].float()
        return None

    def forward(self, x, mask, q_pos=None, source=None, k_pos=None, cache=None):
        """Self-attention when ``source`` is None, else cross-attention to ``source``.
        ``cache`` (a dict) accumulates self-attention keys/values across decoding steps, or
        holds cross-attention keys/values computed once."""
        q = self.heads(self.q(x))
        if cache is not None and source is not None and "k" in cache:
            k, v = cache["k"], cache["v"]  # cross-attention: the source never changes
        else:
            k, v = (self.heads(t) for t in self.kv(x if source is None else source).chunk(2, -1))
            if self.rotary and source is None:
                q, k = rotate(q, q_pos), rotate(k, k_pos if k_pos is not None else q_pos)
            if cache is not None:
                if source is None and "k" in cache:
                    k, v = torch.cat([cache["k"], k], 2), torch.cat([cache["v"], v], 2)
                    k_pos = torch.cat([cache["pos"], q_pos], 1)
                cache["k"], cache["v"] = k, v
                if source is None:  # the positions of the cached keys, for the relative bias
                    cache["pos"] = k_pos if k_pos is not None else q_pos
        bias = None if source is not None else self.position_bias(q_pos, k_pos if k_pos is not None else q_pos)
        head_scale = None if self.log_head_scale is None else self.log_head_scale.exp()
        sigmoid_bias = None if self.sigmoid_shift is None else self.sigmoid_shift - math.log(SIGMOID_KEYS)
        att = attention_weights(q, k, mask, bias, self.log_scale, head_scale, self.sparse,
                                sigmoid_bias)  # (B, H, Tq, Tk)
        self.keep(att[0, :, -1].detach())  # (H, Tk), while recording (one prompt at a time)
        y = self.drop(att) @ v  # (B, H, Tq, C/H)
        return self.proj(y.transpose(1, 2).flatten(2))


class FeedForward(nn.Module):
    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(cfg.n_embd, cfg.ffn_mult * cfg.n_embd), nn.GELU(),
            nn.Linear(cfg.ffn_mult * cfg.n_embd, cfg.n_embd), nn.Dropout(cfg.dropout),
        )

    def forward(self, x):
        return self.net(x)


class Block(nn.Module):
    """Pre-norm residual block; with ``cross=True`` it also attends to an encoder's output.
    ``layer``: its place in its stack, which decides its self-attention's normaliser
    (``sigmoid_layers``; None: the model's own); cross-attention always uses the model's own."""

    def __init__(self, cfg: TransformerConfig, cross: bool = False, layer: int | None = None):
        super().__init__()
        norm = "sigmoid" if layer is not None and layer < cfg.sigmoid_layers else cfg.attn_norm
        self.ln1, self.attn = nn.LayerNorm(cfg.n_embd), Attention(cfg, norm=norm)
        self.ln_x, self.xattn = (nn.LayerNorm(cfg.n_embd), Attention(cfg, cross=True)) if cross else (None, None)
        self.ln2, self.ffn = nn.LayerNorm(cfg.n_embd), FeedForward(cfg)

    def forward(self, x, mask, pos, memory=None, memory_mask=None, cache=None, k_pos=None):
        x = x + self.attn(self.ln1(x), mask, pos, k_pos=k_pos, cache=None if cache is None else cache.setdefault("self", {}))
        if self.xattn is not None:
            x = x + self.xattn(self.ln_x(x), memory_mask, source=memory,
                               cache=None if cache is None else cache.setdefault("cross", {}))
        return x + self.ffn(self.ln2(x))


def causal_mask(valid_keys: torch.Tensor, n_query: int) -> torch.Tensor:
    """(B, 1, Tq, Tk) mask for the last ``n_query`` of Tk positions: each query sees valid
    keys at or before itself (and always itself, so a padding query never sees nothing)."""
    Tk = valid_keys.size(1)
    q_at = torch.arange(Tk - n_query, Tk, device=valid_keys.device)[:, None]  # (Tq, 1)
    k_at = torch.arange(Tk, device=valid_keys.device)[None, :]  # (1, Tk)
    return ((k_at <= q_at) & valid_keys[:, None, None, :]) | (k_at == q_at)


def padding_mask(valid_keys: torch.Tensor, n_query: int) -> torch.Tensor:
    """(B, 1, Tq, Tk) mask letting every query see every valid key (bidirectional)."""
    return valid_keys[:, None, None, :].expand(-1, 1, n_query, -1)


def init_weights(module: nn.Module) -> None:
    """GPT-2's initialisation: small normal weights, zero biases."""
    for m in module.modules():
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)

