"""The numpy twins in core/maths_np.py compute what the torch code computes."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tfviz.core import maths_np
from tfviz.core.attention import sinusoidal_positions
from tfviz.core.masks import additive, causal_mask, padding_mask


@pytest.mark.parametrize("p,d", [(1, 2), (7, 16), (50, 64), (5, 6)])
def test_sinusoidal_matches_torch(p, d):
    np.testing.assert_allclose(maths_np.sinusoidal_positions(p, d), sinusoidal_positions(p, d).numpy(),
                               atol=1e-5)


@pytest.mark.parametrize("t", [1, 2, 5, 9])
def test_causal_matches_core_masks(t):
    allowed = causal_mask(t).numpy().reshape(t, t)
    assert (maths_np.causal_allowed(t) == allowed).all()
    torch_add = additive(causal_mask(t)).numpy().reshape(t, t)
    assert (np.isneginf(maths_np.causal_additive(t)) == np.isneginf(torch_add)).all()
    assert (maths_np.causal_additive(t, applied=False) == 0).all()


@pytest.mark.parametrize("t,n", [(3, 2), (6, 6), (8, 1)])
def test_padding_matches_core_masks(t, n):
    allowed = padding_mask([n], t).numpy()  # (1, 1, 1, T)
    blocked_cols = ~allowed.reshape(t)
    got = maths_np.padding_additive(t, n)
    assert (np.isneginf(got) == np.broadcast_to(blocked_cols, (t, t))).all()


def test_hide_future_keeps_the_past():
    maps = np.random.default_rng(0).random((2, 4, 4)).astype(np.float32)
    hidden = maths_np.hide_future(maps)
    low = np.tril(np.ones((4, 4), bool))
    assert (hidden[..., low] == maps[..., low]).all()
    assert np.isneginf(hidden[..., ~low]).all()
