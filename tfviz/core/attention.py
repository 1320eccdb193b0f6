"""Multi-head attention written out by hand, keeping every intermediate.

This is the code learners read next to the attention panel, so each step of

    Attention(Q, K, V) = softmax(Q Kᵀ / √d_k + M) V

is its own line with its shape. No fused kernel is used here: fused kernels never
return the weights, and tfviz shows them. The blocks below (:class:`EncoderBlock`,
:class:`DecoderBlock`) are shared by the BERT loader, the encoder-decoder panel and
the trajectory models.

Shapes: B batch, T_q queries, T_k keys, D model width, H heads, d_k = D / H.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from tfviz.core.masks import additive


@dataclass(frozen=True)
class AttentionTrace:
    """Everything one multi-head attention computed, for one layer (all heads)."""

    q: Tensor  # (B, H, T_q, d_k) queries, per head
    k: Tensor  # (B, H, T_k, d_k) keys, per head
    v: Tensor  # (B, H, T_k, d_k) values, per head
    scores: Tensor  # (B, H, T_q, T_k) raw dot products Q·Kᵀ
    scaled: Tensor  # (B, H, T_q, T_k) scores / √d_k
    mask: Tensor | None  # (B or 1, 1, T_q or 1, T_k) additive mask: 0 or -inf
    masked: Tensor  # (B, H, T_q, T_k) scaled + mask (the softmax input)
    weights: Tensor  # (B, H, T_q, T_k) softmax over keys; each row sums to 1
    context: Tensor  # (B, H, T_q, d_k) weights · V, each head's output

    def detach(self) -> AttentionTrace:
        """A copy on the CPU with no autograd graph, safe to hand to a GUI."""
        kw = {}
        for name in self.__dataclass_fields__:
            val = getattr(self, name)
            kw[name] = None if val is None else val.detach().cpu()
        return AttentionTrace(**kw)


def split_heads(x: Tensor, n_heads: int) -> Tensor:
    """(B, T, D) -> (B, H, T, d_k): each head sees its own slice of the features."""
    b, t, d = x.shape
    return x.view(b, t, n_heads, d // n_heads).transpose(1, 2)  # (B, H, T, d_k)


def merge_heads(x: Tensor) -> Tensor:
    """(B, H, T, d_k) -> (B, T, D): concatenate the heads again."""
    b, h, t, dk = x.shape
    return x.transpose(1, 2).reshape(b, t, h * dk)  # (B, T, D)


def softmax(x: Tensor) -> Tensor:
    """Softmax over the last axis, written out: exp(x - max) / sum(exp(x - max)).

    Subtracting the row maximum changes nothing mathematically and keeps exp from
    overflowing; a masked key (-inf) gets exp(-inf) = 0. (Also measured faster than
    ``torch.softmax`` on the short rows tfviz uses, with the CPU build of torch 2.13.)

    >>> softmax(torch.tensor([0.0, float("-inf"), 0.0])).tolist()
    [0.5, 0.0, 0.5]
    """
    e = torch.exp(x - x.amax(dim=-1, keepdim=True))  # (..., T_k)
    return e / e.sum(dim=-1, keepdim=True)  # (..., T_k), each row sums to 1


def scaled_dot_product(
    q: Tensor, k: Tensor, v: Tensor, allowed: Tensor | None = None
) -> AttentionTrace:
    """softmax(Q Kᵀ / √d_k + M) V, one stage per line.

    ``allowed`` is a boolean mask broadcastable to ``(B, H, T_q, T_k)`` (True = may attend).
    A query row whose keys are all blocked gets all-zero weights instead of NaN.
    """
    d_k = q.shape[-1]
    scores = q @ k.transpose(-2, -1)  # (B, H, T_q, T_k)
    scaled = scores / math.sqrt(d_k)  # (B, H, T_q, T_k)
    mask = None if allowed is None else additive(allowed, scaled.dtype)  # (B?, 1, T_q?, T_k)
    masked = scaled if mask is None else scaled + mask  # (B, H, T_q, T_k)
    weights = softmax(masked)  # (B, H, T_q, T_k)
    if mask is not None:
        weights = torch.nan_to_num(weights, nan=0.0)  # fully blocked rows -> 0
    context = weights @ v  # (B, H, T_q, d_k)
    return AttentionTrace(q, k, v, scores, scaled, mask, masked, weights, context)


class MultiHeadAttention(nn.Module):
    """Project to Q, K, V; attend in H heads; concatenate; project back.

    Self-attention passes the same sequence as ``query`` and ``memory``; cross-attention
    (encoder-decoder attention) passes the decoder states as ``query`` and the encoder
    output as ``memory``: the query comes from the decoder, keys and values from the encoder.
    """

    def __init__(self, d_model: int, n_heads: int, bias: bool = True) -> None:
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"d_model={d_model} is not divisible by n_heads={n_heads}")
        self.n_heads = n_heads
        self.q_proj = nn.Linear(d_model, d_model, bias=bias)
        self.k_proj = nn.Linear(d_model, d_model, bias=bias)
        self.v_proj = nn.Linear(d_model, d_model, bias=bias)
        self.out_proj = nn.Linear(d_model, d_model, bias=bias)

    def forward(
        self,
        query: Tensor,
        memory: Tensor,
        allowed: Tensor | None = None,
        past: tuple[Tensor, Tensor] | None = None,
    ) -> tuple[Tensor, AttentionTrace]:
        """``past`` is a KV cache: the keys and values of earlier positions, ``(B, H, T_past, d_k)``
        each. The new keys and values are appended to them, so ``trace.k`` / ``trace.v`` hold
        every position and are the cache for the next call."""
        q = split_heads(self.q_proj(query), self.n_heads)  # (B, H, T_q, d_k)
        k = split_heads(self.k_proj(memory), self.n_heads)  # (B, H, T_k, d_k)
        v = split_heads(self.v_proj(memory), self.n_heads)  # (B, H, T_k, d_k)
        if past is not None:
            k = torch.cat([past[0], k], dim=2)  # (B, H, T_past + T_k, d_k) reused + new keys
            v = torch.cat([past[1], v], dim=2)  # (B, H, T_past + T_k, d_k) reused + new values
        trace = scaled_dot_product(q, k, v, allowed)
        out = self.out_proj(merge_heads(trace.context))  # (B, T_q, D)
        return out, trace


class FeedForward(nn.Module):
    """Position-wise feed-forward: Linear(D→F), activation, Linear(F→D)."""

    def __init__(self, d_model: int, d_ff: int, activation: str = "gelu", dropout: float = 0.0):
        super().__init__()
        self.up = nn.Linear(d_model, d_ff)
        self.act = nn.GELU() if activation == "gelu" else nn.ReLU()
        self.down = nn.Linear(d_ff, d_model)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        return self.down(self.drop(self.act(self.up(x))))  # (B, T, D)


class EncoderBlock(nn.Module):
    """Self-attention, add & norm, feed-forward, add & norm.

    ``norm_first=False`` is the original (post-norm) layout, used by BERT:
    ``x = LN(x + Attn(x)); x = LN(x + FFN(x))``. ``norm_first=True`` normalises before each
    sub-layer instead, which trains more easily for small models.
    """

    def __init__(
        self,
        d_model: int,
        n_heads: int,
        d_ff: int,
        activation: str = "gelu",
        norm_first: bool = False,
        eps: float = 1e-5,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.norm_first = norm_first
        self.attn = MultiHeadAttention(d_model, n_heads)
        self.norm1 = nn.LayerNorm(d_model, eps=eps)
        self.ff = FeedForward(d_model, d_ff, activation, dropout)
        self.norm2 = nn.LayerNorm(d_model, eps=eps)
        self.drop = nn.Dropout(dropout)

    def forward(
        self, x: Tensor, allowed: Tensor | None = None, past: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor, AttentionTrace]:
        """``past``: this layer's KV cache (see :meth:`MultiHeadAttention.forward`)."""
        if self.norm_first:
            h = self.norm1(x)
            a, trace = self.attn(h, h, allowed, past)  # (B, T, D)
            x = x + self.drop(a)
            x = x + self.drop(self.ff(self.norm2(x)))  # (B, T, D)
        else:
            a, trace = self.attn(x, x, allowed, past)  # (B, T, D)
            x = self.norm1(x + self.drop(a))
            x = self.norm2(x + self.drop(self.ff(x)))  # (B, T, D)
        return x, trace


class DecoderBlock(nn.Module):
    """Masked self-attention, cross-attention over the encoder output, feed-forward.

    Each sub-layer is wrapped in add & norm (pre- or post-norm as in :class:`EncoderBlock`).
    Returns the new states and the traces of both attentions.
    """

    def __init__(
        self,
        d_model: int,
        n_heads: int,
        d_ff: int,
        activation: str = "gelu",
        norm_first: bool = False,
        eps: float = 1e-5,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.norm_first = norm_first
        self.self_attn = MultiHeadAttention(d_model, n_heads)
        self.cross_attn = MultiHeadAttention(d_model, n_heads)
        self.ff = FeedForward(d_model, d_ff, activation, dropout)
        self.norm1 = nn.LayerNorm(d_model, eps=eps)
        self.norm2 = nn.LayerNorm(d_model, eps=eps)
        self.norm3 = nn.LayerNorm(d_model, eps=eps)
        self.drop = nn.Dropout(dropout)

    def forward(
        self,
        y: Tensor,
        memory: Tensor,
        self_allowed: Tensor | None = None,
        memory_allowed: Tensor | None = None,
    ) -> tuple[Tensor, AttentionTrace, AttentionTrace]:
        if self.norm_first:
            h = self.norm1(y)
            a, self_trace = self.self_attn(h, h, self_allowed)  # (B, T_y, D)
            y = y + self.drop(a)
            c, cross_trace = self.cross_attn(self.norm2(y), memory, memory_allowed)
            y = y + self.drop(c)
            y = y + self.drop(self.ff(self.norm3(y)))  # (B, T_y, D)
        else:
            a, self_trace = self.self_attn(y, y, self_allowed)  # (B, T_y, D)
            y = self.norm1(y + self.drop(a))
            c, cross_trace = self.cross_attn(y, memory, memory_allowed)  # (B, T_y, D)
            y = self.norm2(y + self.drop(c))
            y = self.norm3(y + self.drop(self.ff(y)))  # (B, T_y, D)
        return y, self_trace, cross_trace


def sinusoidal_positions(n_positions: int, d_model: int) -> Tensor:
    """The fixed positional encoding of "Attention Is All You Need".

    PE[pos, 2i] = sin(pos / 10000^(2i/D)),  PE[pos, 2i+1] = cos(pos / 10000^(2i/D)).

    >>> [round(v, 3) for v in sinusoidal_positions(2, 4)[1].tolist()]
    [0.841, 0.54, 0.01, 1.0]
    """
    pos = torch.arange(n_positions, dtype=torch.float32)[:, None]  # (P, 1)
    i2 = torch.arange(0, d_model, 2, dtype=torch.float32)[None, :]  # (1, D/2)
    angle = pos / torch.pow(10000.0, i2 / d_model)  # (P, D/2)
    pe = torch.zeros(n_positions, d_model)  # (P, D)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle[:, : d_model // 2])
    return pe
