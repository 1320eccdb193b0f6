"""Numpy twins of the attention maths, for views that draw without torch.

The GUI paints positional encodings and masks on the UI thread, where torch is never imported
(start-up stays fast). These functions compute the same numbers as the torch versions in
:mod:`tfviz.core.attention` and :mod:`tfviz.core.masks`; ``tests/test_maths_np.py`` checks
that they agree.
"""

from __future__ import annotations

import numpy as np


def sinusoidal_positions(n_positions: int, d_model: int) -> np.ndarray:
    """(P, D): the fixed encoding of "Attention Is All You Need".

    PE[pos, 2i] = sin(pos / 10000^(2i/D)), PE[pos, 2i+1] = cos(pos / 10000^(2i/D)).

    >>> [round(float(x), 3) for x in sinusoidal_positions(2, 4)[1]]  # sin 1, cos 1, sin .01, cos .01
    [0.841, 0.54, 0.01, 1.0]
    """
    pos = np.arange(n_positions)[:, None]  # (P, 1)
    i2 = np.arange(0, d_model, 2)[None, :]  # (1, D/2)
    angle = pos / np.power(10000.0, i2 / d_model)  # (P, D/2)
    pe = np.zeros((n_positions, d_model), np.float32)  # (P, D)
    pe[:, 0::2] = np.sin(angle)
    pe[:, 1::2] = np.cos(angle[:, : d_model // 2])
    return pe


def causal_allowed(t: int) -> np.ndarray:
    """(T, T) bool: query i may look at keys 0..i (the lower triangle).

    >>> causal_allowed(3).astype(int).tolist()
    [[1, 0, 0], [1, 1, 0], [1, 1, 1]]
    """
    return np.tril(np.ones((t, t), bool))


def padding_additive(t: int, n: int, applied: bool = True) -> np.ndarray:
    """(T, T): −∞ in the columns of the T − n padding keys when the mask is applied, else 0.

    >>> padding_additive(3, 2)[0].tolist()
    [0.0, 0.0, -inf]
    >>> padding_additive(3, 2, applied=False)[0].tolist()
    [0.0, 0.0, 0.0]
    """
    m = np.zeros((t, t), np.float32)  # (T, T)
    if applied:
        m[:, n:] = -np.inf
    return m


def causal_additive(t: int, applied: bool = True) -> np.ndarray:
    """(T, T): −∞ above the diagonal (future keys) when the causal mask is applied, else 0.

    >>> causal_additive(3)[0].tolist()
    [0.0, -inf, -inf]
    """
    m = np.zeros((t, t), np.float32)  # (T, T)
    if applied:
        m[~causal_allowed(t)] = -np.inf
    return m


def hide_future(maps: np.ndarray) -> np.ndarray:
    """A copy of ``maps`` (…, T, T) with −∞ above the diagonal, as a causal mask would set.

    >>> hide_future(np.ones((2, 2)))[0].tolist()
    [1.0, -inf]
    """
    out = np.array(maps, dtype=np.float32, copy=True)
    t = out.shape[-1]
    out[..., ~causal_allowed(t)] = -np.inf
    return out
