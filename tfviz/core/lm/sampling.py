"""Turning next-token logits into a choice: temperature, top-k, top-p (nucleus), seeded.

:func:`shape_probs` is what a learner watches: each knob reshapes the bar chart *before*
anything is drawn. :func:`sample` then draws one id from the shaped distribution.

>>> import numpy as np
>>> logits = np.array([2.0, 1.0, 0.0, -1.0], dtype=np.float32)
>>> shape_probs(logits, Sampling(temperature=0)).tolist()        # greedy: one-hot on argmax
[1.0, 0.0, 0.0, 0.0]
>>> p = shape_probs(logits, Sampling(top_k=2))
>>> int((p > 0).sum()), round(float(p.sum()), 6)
(2, 1.0)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Sampling:
    """How to pick the next token."""

    temperature: float = 1.0   # 0 means greedy
    top_k: int = 0             # keep the k most likely tokens; 0 = off
    top_p: float = 1.0         # keep the smallest set whose probability reaches p; 1.0 = off

    def __post_init__(self) -> None:
        if not self.temperature >= 0:
            raise ValueError(f"temperature must be >= 0, got {self.temperature}")
        if self.top_k < 0:
            raise ValueError(f"top_k must be >= 0, got {self.top_k}")
        if not 0.0 < self.top_p <= 1.0:
            raise ValueError(f"top_p must be in (0, 1], got {self.top_p}")


def softmax(logits: np.ndarray) -> np.ndarray:
    """Probabilities from logits, computed stably in float64.

    >>> softmax(np.array([0.0, 0.0])).tolist()
    [0.5, 0.5]
    """
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max()
    e = np.exp(z)
    return e / e.sum()


def shape_probs(logits: np.ndarray, s: Sampling) -> np.ndarray:
    """The (V,) distribution after temperature, then top-k, then top-p; sums to 1.

    >>> p = shape_probs(np.array([3.0, 2.0, 1.0]), Sampling(top_p=0.5))
    >>> p.tolist()                                     # 0.665 already reaches 0.5
    [1.0, 0.0, 0.0]
    """
    logits = np.asarray(logits, dtype=np.float64)      # (V,)
    if s.temperature == 0:
        out = np.zeros_like(logits)
        out[int(np.argmax(logits))] = 1.0
        return out
    probs = softmax(logits / s.temperature)            # (V,)
    keep = np.ones(probs.shape, dtype=bool)
    if 0 < s.top_k < probs.size:
        order = np.argsort(-probs, kind="stable")
        keep[:] = False
        keep[order[: s.top_k]] = True                  # exactly k, ties broken by id
    if s.top_p < 1.0:
        order = np.argsort(-np.where(keep, probs, -1.0), kind="stable")
        kept = probs[order] * keep[order]
        cum = np.cumsum(kept) / kept.sum()             # cumulative mass of the kept tokens
        n = min(int(np.searchsorted(cum, s.top_p)) + 1, int(keep.sum()))  # smallest prefix reaching p
        nucleus = np.zeros_like(keep)
        nucleus[order[:n]] = True
        keep &= nucleus
    probs = np.where(keep, probs, 0.0)
    return probs / probs.sum()


def sample(probs: np.ndarray, rng: np.random.Generator) -> int:
    """One id drawn from ``probs`` with ``rng`` (seed the generator to reproduce).

    >>> sample(np.array([0.0, 1.0, 0.0]), np.random.default_rng(0))
    1
    """
    p = np.asarray(probs, dtype=np.float64)
    p = p / p.sum()
    return int(rng.choice(p.size, p=p))


def top_tokens(probs: np.ndarray, k: int = 10) -> list[tuple[int, float]]:
    """The ``k`` most likely ``(id, prob)`` pairs, most likely first (ties by id).

    >>> top_tokens(np.array([0.1, 0.6, 0.3]), 2)
    [(1, 0.6), (2, 0.3)]
    """
    p = np.asarray(probs, dtype=np.float64)
    order = np.argsort(-p, kind="stable")[:k]
    return [(int(i), float(p[i])) for i in order]
