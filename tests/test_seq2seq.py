"""Core tests for the encoder-decoder area: tasks, vocab, models, decoding, saving, training."""

from __future__ import annotations

import datetime
import random

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from tfviz.core.seq2seq import models
from tfviz.core.seq2seq.data import encode_inputs, make_batch
from tfviz.core.seq2seq.decode import decode, greedy_batch, greedy_steps
from tfviz.core.seq2seq.evaluate import char_accuracy, evaluate
from tfviz.core.seq2seq.tasks import (
    DATE_FORMATS, FIRST_DATE, LAST_DATE, TASKS, format_date, get_task, is_valid_iso_date, zh_number,
)  # fmt: skip
from tfviz.core.seq2seq.train import Trainer, TrainStep, default_config
from tfviz.core.seq2seq.vocab import BOS, EOS, PAD, UNK, Vocab

NOV29 = datetime.date(2026, 11, 29)


# ---------------------------------------------------------------- tasks


@pytest.mark.parametrize("fmt", list(DATE_FORMATS))
def test_the_nine_formats_match_the_issue(fmt):
    assert format_date(NOV29, fmt) == DATE_FORMATS[fmt]


def test_chinese_numerals():
    assert [zh_number(n) for n in (1, 9, 10, 12, 20, 21, 30, 31)] == [
        "一", "九", "十", "十二", "二十", "二十一", "三十", "三十一"]  # fmt: skip
    assert format_date(datetime.date(1900, 1, 1), "zh_words") == "一九〇〇年一月一日"
    assert format_date(datetime.date(2099, 12, 31), "zh_words") == "二〇九九年十二月三十一日"


def test_zero_padding_variant():
    d = datetime.date(2001, 2, 3)
    assert format_date(d, "mdy_slash") == "2/3/2001"
    assert format_date(d, "mdy_slash", pad=True) == "02/03/2001"
    assert format_date(d, "zh_digits", pad=True) == "2001年02月03日"


def test_heldout_is_deterministic_valid_and_covers_range():
    task = get_task("dates")
    a, b = task.heldout(), task.heldout()
    assert a == b and len(a) == 2000
    for x, y in a:
        assert is_valid_iso_date(y)
        assert FIRST_DATE.isoformat() <= y <= LAST_DATE.isoformat()
        assert all(c in task.src.stoi for c in x)
    years = {int(y[:4]) for _, y in a}
    assert min(years) < 1910 and max(years) > 2090


def test_training_never_draws_heldout_dates():
    task = get_task("dates")
    held = {y for _, y in task.heldout()}
    draw = task.train_sampler(seed=3)
    assert not any(draw()[1] in held for _ in range(3000))


def test_reverse_task():
    task = get_task("reverse")
    held = task.heldout()
    lengths = {len(x) for x, _ in held}
    assert lengths == set(range(4, 61))
    assert all(y == x[::-1] for x, y in held)
    draw = task.train_sampler(seed=0)
    assert max(len(draw()[0]) for _ in range(500)) <= 40


def test_valid_date_check():
    assert is_valid_iso_date("2024-02-29")
    assert not is_valid_iso_date("2026-02-29")
    assert not is_valid_iso_date("2026-2-28")
    assert not is_valid_iso_date("")


# ---------------------------------------------------------------- vocab and batches


def test_vocab_round_trip_and_unknown():
    v = Vocab("abc")
    assert v.decode(v.encode("cab")) == "cab"
    assert v.encode("aZ") == [4, UNK]
    assert v.unknown_positions("aZb!") == [1, 3]
    assert v.decode([4, EOS, 5]) == "a"


def test_batch_shift_and_padding():
    task = get_task("reverse")
    b = make_batch(task, [("abc", "cba"), ("abcde", "edcba")])
    assert b.src.shape == (2, 5) and b.lengths.tolist() == [3, 5]
    assert b.src[0, 3:].tolist() == [PAD, PAD]
    assert b.tgt_in[:, 0].tolist() == [BOS, BOS]
    assert b.tgt_out[0].tolist() == task.tgt.encode("cba") + [EOS, PAD, PAD]
    assert torch.equal(b.tgt_in[1, 1:], b.tgt_out[1, :-1])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=80), min_size=1, max_size=4))
def test_encode_inputs_never_fails(texts):
    task = get_task("dates")
    src, lengths = encode_inputs(task, texts)
    assert src.shape[0] == len(texts)
    assert int(lengths.max()) <= task.max_src
    assert (lengths >= 1).all()


# ---------------------------------------------------------------- models


@pytest.fixture(scope="module")
def fresh():
    torch.manual_seed(0)
    return {k: models.build(k, "dates").eval() for k in models.MODEL_KINDS}


def test_parameter_budgets_are_comparable():
    for task in TASKS:
        counts = [models.count_parameters(models.build(k, task)) for k in models.MODEL_KINDS]
        assert max(counts) / min(counts) < 1.15, counts


@pytest.mark.parametrize("kind", models.MODEL_KINDS)
def test_forward_shapes_and_step_consistency(fresh, kind):
    """Teacher-forced forward and step-by-step decoding give the same logits."""
    model, task = fresh[kind], get_task("dates")
    b = make_batch(task, [("Nov 29, 2026", "2026-11-29"), ("1.2.1903", "1903-02-01")])
    with torch.no_grad():
        full = model(b.src, b.lengths, b.tgt_in)  # (B, T, V)
        assert full.shape == (2, b.tgt_in.shape[1], len(task.tgt))
        memory = model.encode(b.src, b.lengths)
        state = model.init_state(memory)
        for t in range(b.tgt_in.shape[1]):
            logits, state, look = model.step(memory, state, b.tgt_in[:, t])
            torch.testing.assert_close(logits, full[:, t], atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("kind", ["rnn-attn", "transformer"])
def test_attention_rows_sum_to_one_and_skip_padding(fresh, kind):
    model, task = fresh[kind], get_task("dates")
    src, lengths = encode_inputs(task, ["1.2.1903", "November 29, 2026"])
    with torch.no_grad():
        memory = model.encode(src, lengths)
        _, _, look = model.step(memory, model.init_state(memory), torch.tensor([BOS, BOS]))
    marker = getattr(model, "src_end_marker", False)  # the Transformer reads one more: </s>
    assert look.shape == (2, src.shape[1] + marker)
    torch.testing.assert_close(look.sum(-1), torch.ones(2))
    assert float(look[0, 8 + marker :].abs().sum()) == 0.0  # padding after the real characters


def test_padding_does_not_change_the_answer(fresh):
    """A short input decodes the same alone and batched next to a long one."""
    task = get_task("dates")
    for model in fresh.values():
        alone = greedy_batch(model, task, ["1.2.1903"])
        together = greedy_batch(model, task, ["1.2.1903", "二〇二六年十一月二十九日 and more"])
        assert alone[0] == together[0]


def test_decode_generator_and_result(fresh):
    task = get_task("dates")
    for kind, model in fresh.items():
        steps = list(greedy_steps(model, task, "Nov 29, 2026"))
        assert 1 <= len(steps) <= task.max_tgt
        res = decode(model, task, "Nov 29, 2026")
        assert res.output == greedy_batch(model, task, ["Nov 29, 2026"])[0]
        if kind == "rnn":
            assert res.alignment is None and res.context.shape == (128,)
            assert all(np.array_equal(s.look, res.context) for s in res.steps)  # always the same c
            assert res.columns == tuple("Nov 29, 2026")
        else:
            assert res.alignment.shape == (len(res.steps), len(res.columns))
        if kind == "transformer":
            assert res.columns == tuple("Nov 29, 2026") + ("</s>",)
            assert res.maps["enc_self"].shape == (2, 4, 13, 13)
            t = len(res.steps)
            assert res.maps["dec_self"].shape == (2, 4, t, t)
            assert res.maps["cross"].shape == (2, 4, t, 13)
            assert np.allclose(np.triu(res.maps["dec_self"][0, 0], 1), 0)  # causal
            # the last layer's cross-attention, averaged over heads, is what each step looked at
            np.testing.assert_allclose(res.maps["cross"][-1].mean(0), res.alignment, atol=1e-5)


def test_bad_inputs_decode(fresh):
    task = get_task("dates")
    model = fresh["transformer"]
    empty = decode(model, task, "")
    assert empty.text == "" and len(empty.steps) >= 1 and empty.columns == ("<pad>", "</s>")
    weird = decode(model, task, "Nov 29, 2026 ☃")
    assert weird.unknown == (13,)
    long = decode(model, task, "x" * 100)
    assert long.truncated and len(long.text) == task.max_src


def test_char_accuracy():
    assert char_accuracy("abc", "abc") == 1.0
    assert char_accuracy("abcd", "abc") == 0.75  # an extra character costs too


# ---------------------------------------------------------------- saving and training


def test_save_load_round_trip(tmp_path, fresh):
    path = tmp_path / "w.safetensors"
    models.save(fresh["rnn-attn"], path, "dates", {"steps": 5})
    info = models.read_info(path)
    assert info["kind"] == "rnn-attn" and info["task"] == "dates" and info["steps"] == 5
    back = models.load(path, kind="rnn-attn", task_name="dates")
    for (k, a), (_, b) in zip(fresh["rnn-attn"].state_dict().items(), back.state_dict().items()):
        assert torch.equal(a, b), k
    with pytest.raises(models.WeightsError):
        models.load(path, kind="rnn")
    with pytest.raises(models.WeightsError):
        models.load(path, task_name="reverse")
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"not a weights file")
    with pytest.raises(models.WeightsError):
        models.read_info(bad)
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []


def test_failed_save_keeps_previous_file(tmp_path, fresh, monkeypatch):
    path = tmp_path / "w.safetensors"
    models.save(fresh["rnn"], path, "dates")
    before = path.read_bytes()

    def boom(*a, **k):
        raise RuntimeError("disk full")

    import safetensors.torch

    monkeypatch.setattr(safetensors.torch, "save_file", boom)
    with pytest.raises(RuntimeError):
        models.save(fresh["transformer"], path, "dates")
    assert path.read_bytes() == before
    assert list(tmp_path.iterdir()) == [path]


def test_training_generator_learns_and_can_be_cancelled():
    torch.set_num_threads(1)
    cfg = default_config("reverse", "transformer", steps=40, batch_size=16, eval_every=20, seed=1, val_size=16)
    tr = Trainer(cfg)
    recs = []
    for rec in tr.steps():
        recs.append(rec)
        if rec.step == 30:
            break  # cancelling = stop iterating
    assert all(isinstance(r, TrainStep) for r in recs)
    assert [r.step for r in recs] == list(range(1, 31))
    assert recs[19].val_exact is not None and recs[0].val_exact is None
    assert recs[-1].loss < recs[0].loss
    assert 0 < recs[-1].progress < 1


def test_training_is_deterministic():
    torch.set_num_threads(1)
    cfg = default_config("dates", "rnn", steps=3, batch_size=8, eval_every=100)
    a, b = Trainer(cfg), Trainer(cfg)
    la = [r.loss for r in a.steps()]
    lb = [r.loss for r in b.steps()]
    assert la == lb and la[-1] and b.last.done


def test_evaluate_groups_by_length(fresh):
    task = get_task("reverse")
    torch.manual_seed(0)
    model = models.build("rnn", "reverse").eval()
    pairs = task.heldout(n_per_group=2)[:10]
    res = evaluate(model, task, pairs)
    assert res.n == 10 and sum(n for n, _, _ in res.by_length.values()) == 10
    assert res.to_json()["by_length"]["4"]["n"] == 2
