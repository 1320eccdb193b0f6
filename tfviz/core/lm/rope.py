"""Rotary position embeddings (RoPE, Su et al. 2021), as Llama models use them.

The 2017 Transformer *adds* a sinusoid to each token's embedding. RoPE instead *rotates* the
query and the key of each head, after their projections. The head's d_k features are taken as
d_k / 2 adjacent pairs ``(x0, x1), (x2, x3), ...``; pair i at position p is turned by the angle
``p · θ_i`` with ``θ_i = base^(-2i / d_k)`` (fast turns for the first pairs, slow for the last):

    x'_{2i}   = x_{2i} cos(p θ_i) - x_{2i+1} sin(p θ_i)
    x'_{2i+1} = x_{2i} sin(p θ_i) + x_{2i+1} cos(p θ_i)

A rotation by a then the inverse of a rotation by b is a rotation by a - b, so the dot product
of a query at position m and a key at position n depends on m - n only: attention sees
*relative* positions, with no extra parameter. (Pairs are adjacent here because the GGUF keeps
LLaMA's original row order; see ``gguf_file.py``.)

>>> import torch
>>> cos, sin = rope_tables(4, 8, 10000.0)
>>> q = torch.tensor([[1.0, 0.0, 1.0, 0.0]])  # (T=1, d_k=4)
>>> rotate(q, cos[:1], sin[:1]).tolist()       # position 0: no turn
[[1.0, 0.0, 1.0, 0.0]]
"""

from __future__ import annotations

import torch
from torch import Tensor


def rope_frequencies(head_dim: int, base: float, dtype=torch.float32) -> Tensor:
    """θ_i = base^(-2i / d_k) for i = 0 .. d_k/2 - 1, one per pair of features.

    >>> rope_frequencies(4, 100.0, torch.float64).tolist()
    [1.0, 0.1]
    """
    i = torch.arange(0, head_dim, 2, dtype=torch.float64)  # (d_k/2,) = 0, 2, 4, ...
    return (base ** (-i / head_dim)).to(dtype)  # (d_k/2,)


def rope_tables(head_dim: int, n_positions: int, base: float, dtype=torch.float32) -> tuple[Tensor, Tensor]:
    """cos and sin of every angle p·θ_i, each ``(n_positions, d_k/2)``.

    The angles are computed in ``dtype`` (float32, as the reference implementation does).
    """
    theta = rope_frequencies(head_dim, base, dtype)  # (d_k/2,)
    p = torch.arange(n_positions, dtype=dtype)  # (P,)
    angles = torch.outer(p, theta)  # (P, d_k/2)
    return torch.cos(angles), torch.sin(angles)  # (P, d_k/2) each


def rotate(x: Tensor, cos: Tensor, sin: Tensor) -> Tensor:
    """Turn each adjacent pair of ``x`` (..., T, d_k) by the angles whose cos / sin are (T, d_k/2)."""
    even, odd = x[..., 0::2], x[..., 1::2]  # (..., T, d_k/2) each: first and second of each pair
    turned_even = even * cos - odd * sin  # (..., T, d_k/2)
    turned_odd = even * sin + odd * cos  # (..., T, d_k/2)
    return torch.stack((turned_even, turned_odd), dim=-1).flatten(-2)  # (..., T, d_k) pairs interleaved again
