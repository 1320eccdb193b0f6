"""The shared attention blocks: softmax rows, masks, causal, fully masked rows, traces."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from tfviz.core.attention import (
    DecoderBlock,
    EncoderBlock,
    MultiHeadAttention,
    scaled_dot_product,
    sinusoidal_positions,
)
from tfviz.core.attention_head import head_from_arrays, head_from_trace, softmax_rows
from tfviz.core.masks import additive, causal_mask, combine, padding_mask, token_mask


def _qkv(b=2, h=3, t=5, d=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(b, h, t, d, generator=g) for _ in range(3))


def test_rows_sum_to_one_without_mask():
    q, k, v = _qkv()
    tr = scaled_dot_product(q, k, v)
    assert torch.allclose(tr.weights.sum(-1), torch.ones(2, 3, 5), atol=1e-6)
    assert tr.mask is None
    assert torch.equal(tr.masked, tr.scaled)


def test_each_stage_is_what_the_formula_says():
    q, k, v = _qkv()
    tr = scaled_dot_product(q, k, v)
    assert torch.allclose(tr.scores, q @ k.transpose(-2, -1))
    assert torch.allclose(tr.scaled, tr.scores / math.sqrt(4))
    assert torch.allclose(tr.weights, torch.softmax(tr.scaled, -1))
    assert torch.allclose(tr.context, tr.weights @ v)


def test_padding_mask_gives_masked_keys_exactly_zero():
    q, k, v = _qkv()
    allowed = padding_mask([5, 2])  # second sentence: 2 real tokens
    tr = scaled_dot_product(q, k, v, allowed)
    assert (tr.weights[1, :, :, 2:] == 0).all()  # exactly, not approximately
    assert (tr.weights[0] > 0).all()
    assert torch.allclose(tr.weights.sum(-1), torch.ones(2, 3, 5), atol=1e-6)
    assert tr.mask[1, 0, 0].tolist() == [0.0, 0.0, -math.inf, -math.inf, -math.inf]


def test_causal_mask_never_looks_ahead():
    q, k, v = _qkv(t=6)
    tr = scaled_dot_product(q, k, v, causal_mask(6))
    upper = torch.triu(torch.ones(6, 6, dtype=torch.bool), diagonal=1)
    assert (tr.weights[..., upper] == 0).all()
    assert (tr.weights[..., ~upper] > 0).all()
    assert torch.allclose(tr.weights[..., 0, 0], torch.ones(2, 3))  # first token sees only itself


def test_fully_masked_row_gives_zeros_not_nan():
    q, k, v = _qkv(t=3)
    allowed = torch.tensor([[True, True, True], [False, False, False], [True, False, False]])
    tr = scaled_dot_product(q, k, v, allowed)
    assert not torch.isnan(tr.weights).any()
    assert (tr.weights[..., 1, :] == 0).all()
    assert (tr.context[..., 1, :] == 0).all()
    assert torch.allclose(tr.weights[..., 2, 0], torch.ones(2, 3))


def test_masks_combine_and_convert():
    pad = padding_mask([3, 2])  # (2, 1, 1, 3)
    both = combine(pad, causal_mask(3)[None, None])  # (2, 1, 3, 3)
    assert both.shape == (2, 1, 3, 3)
    assert both[1, 0].int().tolist() == [[1, 0, 0], [1, 1, 0], [1, 1, 0]]
    assert combine(None, None) is None
    assert additive(torch.tensor([True, False])).tolist() == [0.0, -math.inf]
    ids = torch.tensor([[1, 103, 2]])
    assert token_mask(ids, 103)[0, 0, 0].tolist() == [True, False, True]


@settings(max_examples=40, deadline=None)
@given(lengths=st.lists(st.integers(1, 7), min_size=1, max_size=4), causal=st.booleans())
def test_random_padded_batches(lengths, causal):
    t = max(lengths)
    q, k, v = _qkv(b=len(lengths), h=2, t=t, d=4, seed=len(lengths) * 10 + t)
    allowed = combine(padding_mask(lengths), causal_mask(t)[None, None] if causal else None)
    w = scaled_dot_product(q, k, v, allowed).weights  # (B, H, T, T)
    assert not torch.isnan(w).any()
    assert (w[~allowed.expand_as(w)] == 0).all()
    assert torch.allclose(w.sum(-1), torch.ones_like(w.sum(-1)), atol=1e-5)


def test_multi_head_attention_self_and_cross_shapes():
    torch.manual_seed(0)
    mha = MultiHeadAttention(8, 2)
    x, mem = torch.randn(2, 3, 8), torch.randn(2, 5, 8)
    out, tr = mha(x, mem)
    assert out.shape == (2, 3, 8)
    assert tr.weights.shape == (2, 2, 3, 5)  # queries from x, keys from memory
    assert tr.q.shape == (2, 2, 3, 4) and tr.k.shape == (2, 2, 5, 4)
    with pytest.raises(ValueError):
        MultiHeadAttention(10, 3)


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_and_decoder_blocks(norm_first):
    torch.manual_seed(0)
    enc = EncoderBlock(8, 2, 16, norm_first=norm_first).eval()
    dec = DecoderBlock(8, 2, 16, norm_first=norm_first).eval()
    src, tgt = torch.randn(1, 5, 8), torch.randn(1, 4, 8)
    mem, enc_tr = enc(src, padding_mask([5]))
    y, self_tr, cross_tr = dec(tgt, mem, causal_mask(4), padding_mask([3], 5))
    assert mem.shape == (1, 5, 8) and y.shape == (1, 4, 8)
    assert (self_tr.weights[0, :, 0, 1:] == 0).all()
    assert (cross_tr.weights[0, :, :, 3:] == 0).all()
    assert cross_tr.weights.shape == (1, 2, 4, 5)
    det = cross_tr.detach()
    assert not det.weights.requires_grad


def test_numpy_head_view_matches_trace():
    q, k, v = _qkv(t=4)
    tr = scaled_dot_product(q, k, v, padding_mask([4, 2]))
    hv = head_from_trace(tr, b=1, h=2)
    assert np.allclose(hv.weights, tr.weights[1, 2].numpy())
    assert np.isneginf(hv.mask[:, 2:]).all() and (hv.mask[:, :2] == 0).all()
    again = head_from_arrays(hv.q, hv.k, hv.v, mask=hv.mask != -np.inf)
    assert np.allclose(again.weights, hv.weights, atol=1e-6)
    assert np.allclose(again.context, hv.context, atol=1e-5)
    assert softmax_rows(np.full((1, 3), -np.inf)).tolist() == [[0.0, 0.0, 0.0]]


def test_sinusoidal_positions():
    pe = sinusoidal_positions(50, 16)
    assert pe.shape == (50, 16)
    assert torch.allclose(pe[0, 0::2], torch.zeros(8)) and torch.allclose(pe[0, 1::2], torch.ones(8))
    assert pe.abs().max() <= 1.0
    assert math.isclose(pe[3, 2].item(), math.sin(3 / 10000 ** (2 / 16)), rel_tol=1e-5)
