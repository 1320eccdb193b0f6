"""Tiny GPT / BERT core: masks, KV cache, sampling, split, tokenizer, training, weights files."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from tfviz.core.lm.base import BadInput, CausalLM, GenStep, WeightsError
from tfviz.core.lm.data import eval_mask_positions, mask_for_training, split_text
from tfviz.core.lm.model import LMConfig, TinyLM, causal_allowed
from tfviz.core.lm.sampling import Sampling, sample, shape_probs
from tfviz.core.lm.tiny import TinyModel
from tfviz.core.lm.tokenizer import EOT, MASK, PAD, train_tokenizer

TEXT = (
    "First Citizen: Before we proceed any further, hear me speak.\n"
    "All: Speak, speak.\n"
    "First Citizen: You are all resolved rather to die than to famish?\n"
    "All: Resolved. resolved.\n"
    "学而时习之，不亦说乎？有朋自远方来，不亦乐乎？\n"
) * 12


@pytest.fixture(scope="module")
def tok():
    return train_tokenizer(TEXT, 320)


def small(kind: str, vocab: int, context: int = 24) -> TinyLM:
    torch.manual_seed(0)
    return TinyLM(LMConfig(kind, vocab, context, d_model=32, n_layers=2, n_heads=4, d_ff=64)).eval().requires_grad_(False)


@pytest.fixture(scope="module")
def gpt(tok):
    return TinyModel(small("gpt", tok.vocab_size), tok, "gpt-test")


@pytest.fixture(scope="module")
def bert(tok):
    return TinyModel(small("bert", tok.vocab_size), tok, "bert-test")


# --- the model ---------------------------------------------------------------------------------


def test_shapes_logits_traces_and_cache(tok):
    net = small("gpt", tok.vocab_size)
    out = net(torch.randint(0, 300, (3, 10)))
    assert out.logits.shape == (3, 10, tok.vocab_size)
    assert len(out.traces) == 2 and out.traces[0].weights.shape == (3, 4, 10, 10)
    assert out.cache[1][0].shape == (3, 4, 10, 8)  # keys: (B, H, T, d_k)
    with pytest.raises(ValueError, match="exceed the context"):
        net(torch.zeros((1, 25), dtype=torch.long))


def test_causal_mask_blocks_the_future(tok):
    net = small("gpt", tok.vocab_size)
    ids = torch.randint(0, 300, (1, 12))
    changed = ids.clone()
    changed[0, 8] = (ids[0, 8] + 1) % 300  # change a "future" token
    a, b = net(ids).logits, net(changed).logits
    assert torch.allclose(a[0, :8], b[0, :8], atol=1e-6)  # earlier positions never see it
    assert not torch.allclose(a[0, 8:], b[0, 8:])
    w = net(ids).traces[0].weights[0]  # (H, T, T)
    assert torch.all(torch.triu(w, diagonal=1) == 0)


def test_bert_sees_both_sides(tok):
    net = small("bert", tok.vocab_size)
    ids = torch.randint(0, 300, (1, 12))
    changed = ids.clone()
    changed[0, 8] = (ids[0, 8] + 1) % 300
    a, b = net(ids).logits, net(changed).logits
    assert not torch.allclose(a[0, :8], b[0, :8])  # the right side changes earlier guesses
    assert float(torch.triu(net(ids).traces[0].weights[0].detach(), diagonal=1).sum()) > 0


def test_same_architecture_only_the_mask_differs(tok):
    g, b = small("gpt", tok.vocab_size), small("bert", tok.vocab_size)
    assert [(k, v.shape) for k, v in g.state_dict().items()] == [(k, v.shape) for k, v in b.state_dict().items()]
    g = TinyLM(LMConfig("gpt", tok.vocab_size, 24, d_model=32, n_layers=1, n_heads=4, d_ff=64)).eval()
    b = TinyLM(LMConfig("bert", tok.vocab_size, 24, d_model=32, n_layers=1, n_heads=4, d_ff=64)).eval()
    b.load_state_dict(g.state_dict())
    ids = torch.randint(0, 300, (1, 6))
    # one layer, same weights: the last position sees every position in both, so it agrees
    assert torch.allclose(g(ids).logits[0, -1], b(ids).logits[0, -1], atol=1e-5)
    assert not torch.allclose(g(ids).logits[0, 0], b(ids).logits[0, 0])


def test_causal_allowed_with_cache():
    assert causal_allowed(0, 3).int().tolist() == [[1, 0, 0], [1, 1, 0], [1, 1, 1]]
    assert causal_allowed(3, 1).int().tolist() == [[1, 1, 1, 1]]


def test_kv_cache_step_equals_full_recompute(tok):
    net = small("gpt", tok.vocab_size)
    ids = torch.randint(0, 300, (1, 9))
    full = net(ids).logits[0, -1]
    past = net(ids[:, :8]).cache
    step = net(ids[:, 8:], past).logits[0, -1]
    assert torch.allclose(full, step, atol=1e-5)


@pytest.mark.parametrize("sampling", [Sampling(temperature=0), Sampling(1.0, top_k=20), Sampling(0.8, top_p=0.9)])
def test_generation_with_cache_equals_without(gpt, sampling):
    ids = gpt.encode("All: Speak")
    a = list(gpt.generate(ids, 40, sampling, seed=5, use_cache=True))  # 40 > context: the window slides
    b = list(gpt.generate(ids, 40, sampling, seed=5, use_cache=False))
    assert [s.token_id for s in a] == [s.token_id for s in b]
    assert a[3].new == 1 and a[3].reused > 0 and b[3].reused == 0
    assert any(s.window_start > 0 for s in a)
    assert [s.position for s in a] == list(range(len(ids), len(ids) + 40))


def test_generate_records_and_protocol(gpt):
    assert isinstance(gpt, CausalLM)
    steps = list(gpt.generate([], 3, Sampling(temperature=0)))  # empty prompt: from end-of-text
    assert all(isinstance(s, GenStep) for s in steps) and steps[0].position == 0
    assert len(steps[0].top) == 10 and steps[0].top[0].id == steps[0].token_id  # greedy takes the top
    assert abs(steps[0].top[0].prob - 1.0) < 1e-9
    logits = gpt.next_logits(gpt.encode("All"))
    assert logits.shape == (gpt.tok.vocab_size,) and logits.dtype == np.float32


def test_position_probs_are_left_only_predictions(gpt):
    ids = gpt.encode("First Citizen: Before we")
    probs = gpt.position_probs(ids)  # (T, V)
    assert probs.shape == (len(ids), gpt.tok.vocab_size)
    assert np.allclose(probs.sum(-1), 1.0)
    k = 4
    from tfviz.core.lm.sampling import softmax

    assert np.allclose(probs[k], softmax(gpt.next_logits(ids[:k])), atol=1e-5)


def test_attention_shapes(gpt, bert):
    ids = gpt.encode("All: Speak, speak.")
    a = gpt.attention(ids)
    assert a.shape == (2, 4, len(ids) + 1, len(ids) + 1)
    assert np.allclose(a.sum(-1), 1.0, atol=1e-5) and np.allclose(np.triu(a, 1), 0)
    assert gpt.model_tokens(ids)[0] == EOT
    assert np.triu(bert.attention(ids), 1).sum() > 0


def test_fill_finds_every_mask(bert):
    fills = bert.fill("All: [MASK], speak.[MASK]")
    ids = bert.encode("All: [MASK], speak.[MASK]")
    assert [f.position for f in fills] == [i for i, t in enumerate(ids) if t == bert.mask_id]
    assert all(len(f.top) == 10 and abs(sum(t.prob for t in f.top) - 1) < 1 for f in fills)
    steps = list(bert.fill_generate(bert.encode("All:"), 3))
    assert len(steps) == 3


def test_bad_input(gpt, bert):
    with pytest.raises(BadInput, match=r"\[MASK\]"):
        gpt.encode("to be or [MASK]")
    with pytest.raises(BadInput, match="no \\[MASK\\]"):
        bert.fill("no blank here")
    with pytest.raises(BadInput, match="longer than the context"):
        bert.fill("speak " * 40 + "[MASK]")
    with pytest.raises(BadInput):
        bert.next_logits([1, 2])
    long = gpt.encode("speak, " * 40)
    gpt.next_logits(long)
    assert gpt.windowed == len(long) - (gpt.context_length - 1)  # windowed, and it says so
    ids = gpt.encode("emoji 🦜 and 𠀀 unseen")  # byte fallback, never a crash
    assert gpt.decode(ids) == "emoji 🦜 and 𠀀 unseen"
    assert gpt.token_str(gpt.tok.encode("我")[0]).startswith("<") or "我" in gpt.token_str(gpt.tok.encode("我")[0])


# --- sampling ----------------------------------------------------------------------------------


LOGITS = np.array([3.0, 2.5, 1.0, 0.5, 0.0, -1.0, -2.0])


def test_greedy_is_one_hot():
    p = shape_probs(LOGITS, Sampling(temperature=0))
    assert p.tolist() == [1.0, 0, 0, 0, 0, 0, 0]


@given(st.integers(1, 7))
def test_top_k_keeps_exactly_k_most_likely(k):
    p = shape_probs(LOGITS, Sampling(top_k=k))
    assert (p > 0).sum() == k and np.isclose(p.sum(), 1.0)
    assert set(np.flatnonzero(p)) == set(range(k))  # LOGITS is sorted


@given(st.floats(0.01, 1.0))
def test_top_p_keeps_the_smallest_set_reaching_p(top_p):
    full = shape_probs(LOGITS, Sampling())
    p = shape_probs(LOGITS, Sampling(top_p=top_p))
    kept = np.flatnonzero(p)
    n = len(kept)
    assert set(kept) == set(range(n))
    assert full[:n].sum() >= top_p - 1e-9  # reaches p
    assert n == 1 or full[: n - 1].sum() < top_p  # one fewer would not


def test_temperature_flattens_and_sharpens():
    def entropy(p):
        p = p[p > 0]
        return float(-(p * np.log(p)).sum())

    assert entropy(shape_probs(LOGITS, Sampling(0.5))) < entropy(shape_probs(LOGITS, Sampling(1.0))) < entropy(
        shape_probs(LOGITS, Sampling(2.0))
    )


def test_sampling_is_seeded_and_follows_the_distribution():
    p = shape_probs(LOGITS, Sampling())
    draws = [sample(p, np.random.default_rng(7)) for _ in range(3)]
    assert len(set(draws)) == 1  # same seed, same draw
    rng = np.random.default_rng(0)
    counts = np.bincount([sample(p, rng) for _ in range(4000)], minlength=len(p)) / 4000
    assert np.abs(counts - p).max() < 0.03


def test_bad_sampling_values():
    with pytest.raises(ValueError):
        Sampling(temperature=-1)
    with pytest.raises(ValueError):
        Sampling(top_p=0)
    with pytest.raises(ValueError):
        Sampling(top_k=-2)


# --- split and tokenizer -----------------------------------------------------------------------


@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="\n"), max_size=30), min_size=1, max_size=60))
def test_split_never_overlaps_and_cuts_at_a_line(lines):
    text = "\n".join(lines) + "\n"
    train, val = split_text(text)
    assert train + val == text  # nothing lost, nothing shared
    assert train == "" or train.endswith("\n")  # validation starts at the start of a line
    if val and train:
        assert len(val) <= 0.1 * len(text) + max(len(x) + 1 for x in lines)


def test_split_of_the_corpus_is_about_ten_percent(shared_dir):
    text = (shared_dir / "corpora" / "zh_classical.txt").read_text(encoding="utf-8")
    train, val = split_text(text)
    assert train + val == text and train.endswith("\n")
    assert 0.099 < len(val) / len(text) < 0.101


def test_tokenizer_has_the_special_tokens(tok):
    assert [tok.special_tokens[s] for s in (EOT, MASK, PAD)] == [tok.vocab_size - 3, tok.vocab_size - 2, tok.vocab_size - 1]
    assert tok.vocab_size == 320


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=80))
def test_tokenizer_round_trip(tok, text):
    ids = tok.encode_ordinary(text)
    assert tok.decode(ids) == text
    assert all(0 <= i < len(tok.ranks) for i in ids)  # ordinary text never yields special ids


def test_masking_for_training_and_eval():
    seqs = np.arange(2000).reshape(10, 200) % 250
    b = mask_for_training(seqs, 999, 250, np.random.default_rng(0))
    asked = b.targets != -100
    assert not asked[:, 0].any()  # never the end-of-text token
    assert 0.12 < asked.mean() < 0.18
    assert 0.7 < (b.inputs[asked] == 999).mean() < 0.9
    pos1 = eval_mask_positions(100, np.random.default_rng(1234))
    pos2 = eval_mask_positions(100, np.random.default_rng(1234))
    assert pos1.tolist() == pos2.tolist() and len(pos1) == 15


# --- training and weights files ----------------------------------------------------------------


def _tiny_trainer(kind, seed=0, steps=6):
    from tfviz.core.lm.train import LMTrainConfig, LMTrainer, prepare_data

    from pathlib import Path
    import tempfile

    path = Path(tempfile.mkdtemp()) / "c.txt"
    path.write_text(TEXT * 2, encoding="utf-8")
    data = prepare_data("en", path, vocab_size=300)
    cfg = LMTrainConfig(kind=kind, steps=steps, batch_size=4, context_length=16, d_model=32, n_layers=1,
                        n_heads=2, d_ff=64, eval_every=3, val_windows=4, sample_every=3, seed=seed)
    return LMTrainer(cfg, data)


@pytest.mark.parametrize("kind", ["gpt", "bert"])
def test_training_generator_records_and_reproducible(kind):
    recs = list(_tiny_trainer(kind).steps())
    assert [r.step for r in recs] == list(range(1, 7)) and recs[-1].done
    assert recs[2].val_loss is not None and recs[1].val_loss is None and recs[2].sample is not None
    assert recs[0].lr < recs[2].lr  # warm-up
    assert all(r.kind == kind and r.tokens_per_s > 0 and np.isfinite(r.loss) for r in recs)
    again = list(_tiny_trainer(kind).steps())
    assert [r.loss for r in again] == [r.loss for r in recs]  # seeded
    other = list(_tiny_trainer(kind, seed=1).steps())
    assert [r.loss for r in other] != [r.loss for r in recs]


def test_side_by_side_alternates():
    from tfviz.core.lm.train import train_side_by_side

    kinds = [r.kind for r in train_side_by_side(_tiny_trainer("gpt", steps=2), _tiny_trainer("bert", steps=2))]
    assert kinds == ["gpt", "bert", "gpt", "bert"]


def test_save_load_and_corrupt_files(tmp_path):
    from tfviz.core.lm.tiny import load_dir
    from tfviz.core.lm.weights import save_tokenizer

    tr = _tiny_trainer("gpt")
    list(tr.steps())
    save_tokenizer(tr.data.tokenizer, tmp_path / "tokenizer-en.json")
    tr.save(tmp_path / "gpt-en.safetensors")
    m = load_dir(tmp_path, "gpt", "en")
    ids = m.encode("All: Speak")
    expected = tr.best_model()(torch.tensor([[m.eot_id] + ids])).logits[0, -1].detach().numpy()
    assert np.allclose(m.next_logits(ids), expected, atol=0.05)  # float16 on disk
    assert (tmp_path / "gpt-en.safetensors").stat().st_size < 2 * sum(p.numel() for p in m.net.parameters()) + 10_000

    (tmp_path / "gpt-en.safetensors").write_bytes(b"\x00\x01garbage")
    with pytest.raises(WeightsError, match="gpt-en.safetensors"):
        load_dir(tmp_path, "gpt", "en")
    (tmp_path / "bert-en.safetensors").write_bytes((tmp_path / "tokenizer-en.json").read_bytes())
    with pytest.raises(WeightsError, match="bert-en.safetensors"):
        load_dir(tmp_path, "bert", "en")
    (tmp_path / "tokenizer-en.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(WeightsError, match="tokenizer-en.json"):
        load_dir(tmp_path, "gpt", "en")


def test_mismatched_tokenizer_is_named(tmp_path):
    from tfviz.core.lm.tiny import load_dir
    from tfviz.core.lm.weights import save_tokenizer

    tr = _tiny_trainer("bert", steps=1)
    list(tr.steps())
    tr.save(tmp_path / "bert-en.safetensors")
    save_tokenizer(train_tokenizer(TEXT, 290), tmp_path / "tokenizer-en.json")
    with pytest.raises(WeightsError, match="bert-en.safetensors.*tokenizer"):
        load_dir(tmp_path, "bert", "en")


def test_bundled_corpora_are_the_shared_ones(shared_dir):
    from tfviz.core.lm.data import CORPUS_FILES, bundled_corpus

    for lang, name in CORPUS_FILES.items():
        assert bundled_corpus(lang) == (shared_dir / "corpora" / name).read_text(encoding="utf-8")


def test_registry_names_and_unknown_model():
    from tfviz.core.lm.registry import MODEL_NAMES, load

    assert MODEL_NAMES == ("gpt-en", "bert-en", "gpt-zh", "bert-zh", "smollm2")
    with pytest.raises(ValueError, match="unknown model"):
        load("gpt-fr")
