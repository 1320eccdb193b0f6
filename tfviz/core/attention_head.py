"""One attention head's numbers, stage by stage, as plain numpy (no torch, no Qt).

Views and the CLI read a :class:`HeadView`; build one from a torch
:class:`~tfviz.core.attention.AttentionTrace` with :func:`head_from_trace`, or directly from
arrays. Stages, in the order the math applies them::

    scores = Q Kᵀ            (T_q, T_k)
    scaled = scores / √d_k   (T_q, T_k)
    masked = scaled + M      (T_q, T_k)   M is 0 where allowed, -inf where blocked
    weights = softmax(masked) over keys   each row sums to 1
    context = weights V      (T_q, d_k)

>>> import numpy as np
>>> h = head_from_arrays(np.eye(2, 4), np.eye(2, 4), np.ones((2, 4)))
>>> h.scaled.tolist()
[[0.5, 0.0], [0.0, 0.5]]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

STAGES = ("qkv", "scores", "scaled", "masked", "softmax", "context")


@dataclass(frozen=True)
class HeadView:
    """Every stage of one head for one sequence (T_q queries, T_k keys)."""

    q: np.ndarray  # (T_q, d_k)
    k: np.ndarray  # (T_k, d_k)
    v: np.ndarray  # (T_k, d_k)
    scores: np.ndarray  # (T_q, T_k) Q·Kᵀ
    scaled: np.ndarray  # (T_q, T_k) / √d_k
    mask: np.ndarray  # (T_q, T_k) additive: 0 or -inf
    masked: np.ndarray  # (T_q, T_k) scaled + mask
    weights: np.ndarray  # (T_q, T_k) softmax
    context: np.ndarray  # (T_q, d_k) weights · V

    @property
    def d_k(self) -> int:
        return self.q.shape[-1]


def softmax_rows(x: np.ndarray) -> np.ndarray:
    """Softmax over the last axis; a row that is all -inf gives zeros, not NaN.

    >>> softmax_rows(np.array([[0.0, -np.inf], [-np.inf, -np.inf]])).tolist()
    [[1.0, 0.0], [0.0, 0.0]]
    """
    top = np.max(x, axis=-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    e = np.exp(x - top)
    total = e.sum(axis=-1, keepdims=True)
    return np.divide(e, total, out=np.zeros_like(e), where=total > 0)


def head_from_arrays(q, k, v, scores=None, mask=None, weights=None, context=None) -> HeadView:
    """Fill in whatever stage is not given (``mask`` may be boolean: True = allowed)."""
    q, k, v = (np.asarray(a, dtype=np.float32) for a in (q, k, v))
    scores = q @ k.T if scores is None else np.asarray(scores, dtype=np.float32)  # (T_q, T_k)
    scaled = scores / np.float32(math.sqrt(q.shape[-1]))  # (T_q, T_k)
    if mask is None:
        add = np.zeros_like(scaled)
    else:
        m = np.broadcast_to(np.asarray(mask), scaled.shape)
        add = np.where(m, 0.0, -np.inf).astype(np.float32) if m.dtype == bool else m.astype(np.float32)
    masked = scaled + add  # (T_q, T_k)
    weights = softmax_rows(masked) if weights is None else np.asarray(weights, dtype=np.float32)
    context = weights @ v if context is None else np.asarray(context, dtype=np.float32)  # (T_q, d_k)
    return HeadView(q, k, v, scores, scaled, add, masked, weights, context)


def head_from_trace(trace, b: int = 0, h: int = 0) -> HeadView:
    """Head ``h`` of sequence ``b`` of an :class:`~tfviz.core.attention.AttentionTrace`."""

    def arr(t):
        return t.detach().float().cpu().numpy()

    mask = None
    if trace.mask is not None:
        m = trace.mask
        m = m[b if m.shape[0] > 1 else 0, 0]  # (T_q or 1, T_k)
        mask = np.broadcast_to(arr(m), trace.scores.shape[-2:])
    return head_from_arrays(
        arr(trace.q[b, h]), arr(trace.k[b, h]), arr(trace.v[b, h]),
        scores=arr(trace.scores[b, h]), mask=mask,
        weights=arr(trace.weights[b, h]), context=arr(trace.context[b, h]),
    )
