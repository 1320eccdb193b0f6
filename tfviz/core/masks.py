"""Attention masks as explicit matrices.

A mask says, for every query position i and key position j, whether i may look at j.
tfviz keeps two forms side by side, because learners meet both:

* the **boolean** form, ``allowed[i, j] = True`` when query i may attend to key j;
* the **additive** form the math uses, ``0`` where allowed and ``-inf`` where not,
  added to the scaled scores before the softmax: ``softmax(QKᵀ/√d_k + M)``.
  ``exp(-inf) = 0``, so a masked key gets exactly zero weight.

Worked example, 3 tokens, causal::

    >>> causal_mask(3).int().tolist()
    [[1, 0, 0], [1, 1, 0], [1, 1, 1]]
    >>> additive(causal_mask(3)).tolist()
    [[0.0, -inf, -inf], [0.0, 0.0, -inf], [0.0, 0.0, 0.0]]
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor


def padding_mask(lengths: Sequence[int], max_len: int | None = None) -> Tensor:
    """Which keys are real tokens (True) and which are padding (False).

    Returns ``(B, 1, 1, T)`` booleans, broadcastable over heads and queries.

    >>> padding_mask([3, 1]).int()[:, 0, 0].tolist()
    [[1, 1, 1], [1, 0, 0]]
    """
    t = max(lengths) if max_len is None else max_len
    positions = torch.arange(t)  # (T,)
    lens = torch.as_tensor(list(lengths))  # (B,)
    keep = positions[None, :] < lens[:, None]  # (B, T)
    return keep[:, None, None, :]  # (B, 1, 1, T)


def causal_mask(t: int, device: torch.device | str | None = None) -> Tensor:
    """Look-ahead mask: query i may attend to keys 0..i only. ``(T, T)`` booleans."""
    return torch.tril(torch.ones(t, t, dtype=torch.bool, device=device))  # (T, T)


def token_mask(token_ids: Tensor, blocked_id: int) -> Tensor:
    """Keys whose id is not ``blocked_id`` (True). ``(B, T)`` ids -> ``(B, 1, 1, T)``."""
    return (token_ids != blocked_id)[:, None, None, :]  # (B, 1, 1, T)


def combine(*masks: Tensor | None) -> Tensor | None:
    """Logical AND of boolean masks (broadcasting); ``None`` entries are ignored."""
    out: Tensor | None = None
    for m in masks:
        if m is None:
            continue
        out = m if out is None else (out & m)
    return out


def additive(allowed: Tensor, dtype: torch.dtype = torch.float32) -> Tensor:
    """Boolean mask -> additive mask: 0 where allowed, -inf where blocked."""
    zeros = torch.zeros(allowed.shape, dtype=dtype, device=allowed.device)
    return zeros.masked_fill(~allowed, float("-inf"))
