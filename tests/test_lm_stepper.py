"""Stepper (one token at a time with the KV cache) and TinyModel.mask_each, the panel's core calls."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tfviz.core.lm.base import BadInput
from tfviz.core.lm.model import LMConfig, TinyLM
from tfviz.core.lm.stepper import Stepper
from tfviz.core.lm.tiny import TinyModel
from tfviz.core.lm.tokenizer import train_tokenizer

TEXT = "First Citizen: Before we proceed any further, hear me speak.\nAll: Speak, speak.\n" * 20


@pytest.fixture(scope="module")
def tok():
    return train_tokenizer(TEXT, 300)


def _model(kind, tok, context=12):
    torch.manual_seed(1)
    net = TinyLM(LMConfig(kind, tok.vocab_size, context, d_model=32, n_layers=2, n_heads=4, d_ff=64)).eval()
    return TinyModel(net, tok, f"{kind}-test")


def test_stepper_reuses_the_cache_and_matches_a_full_pass(tok):
    gpt = _model("gpt", tok)
    s = Stepper(gpt)
    ids = gpt.encode("Before we")
    first = s.view(ids)
    assert (first.reused, first.new) == (0, len(ids) + 1)
    assert s.view(ids) is first  # asked again: nothing recomputed
    for token in (5, 9, 17):
        ids = ids + [token]
        v = s.view(ids)
        assert (v.reused, v.new) == (len(ids), 1)
        np.testing.assert_allclose(v.logits, gpt.next_logits(ids), atol=1e-5)
        np.testing.assert_allclose(v.attention, gpt.attention(ids), atol=1e-5)
        assert np.allclose(np.triu(v.attention[0, 0], 1), 0)  # causal: the upper triangle is empty
        assert list(v.labels) == gpt.model_tokens(ids)
    other = s.view(gpt.encode("hear me"))  # not a continuation: recomputed from scratch
    assert other.reused == 0 and other.attention.shape[-1] == len(other.ids) + 1


def test_stepper_slides_the_window_when_the_context_is_full(tok):
    gpt = _model("gpt", tok, context=6)
    s = Stepper(gpt)
    v = s.view([3, 4, 5, 6, 7])  # 1 + 5 positions: full
    assert v.window_start == 0 and v.attention.shape[-1] == 6
    v = s.view([3, 4, 5, 6, 7, 8])  # one more: the oldest id drops out, nothing reusable
    assert v.window_start == 1 and v.reused == 0 and v.attention.shape[-1] == 6
    np.testing.assert_allclose(v.logits, gpt.next_logits([3, 4, 5, 6, 7, 8]), atol=1e-5)


def test_mask_each_equals_one_fill_per_position(tok):
    bert = _model("bert", tok, context=24)
    ids = bert.encode("hear me speak.")
    probs = bert.mask_each(ids)
    assert probs.shape == (len(ids), tok.vocab_size)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-6)
    assert probs[:, sorted(tok.special_tokens.values())].max() == 0.0
    for i in range(len(ids)):
        masked = ids[:i] + [bert.mask_id] + ids[i + 1:]
        top = bert.fill_ids(masked, 3)[0].top
        assert [t.id for t in top] == list(np.argsort(-probs[i], kind="stable")[:3])
        assert probs[i, top[0].id] == pytest.approx(top[0].prob, abs=1e-5)
    assert bert.mask_each([]).shape == (0, tok.vocab_size)
    with pytest.raises(BadInput, match="longer than the context"):
        bert.mask_each([5] * 30)
    with pytest.raises(BadInput, match="GPT"):
        _model("gpt", tok).mask_each(ids)


def test_stepper_on_smollm2_matches_its_attention():
    from smollm2_support import tfviz_model

    smol = tfviz_model()
    s = Stepper(smol)
    ids = smol.encode("The capital of France is")
    v = s.view(ids)
    np.testing.assert_allclose(v.logits, smol.next_logits(ids), atol=1e-3)
    nxt = int(v.logits.argmax())
    v = s.view(ids + [nxt])
    assert (v.reused, v.new) == (len(ids), 1)
    assert v.attention.shape == (30, 9, len(ids) + 1, len(ids) + 1)
    np.testing.assert_allclose(v.attention, smol.attention(ids + [nxt]), atol=1e-4)
    np.testing.assert_allclose(v.logits, smol.next_logits(ids + [nxt]), atol=1e-3)
