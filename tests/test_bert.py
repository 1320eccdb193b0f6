"""tfviz's BERT against Hugging Face transformers (eager attention; a test oracle only)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from tfviz.core.bert import BertLoadError, HashMismatchError, UnsupportedModelError, analyze, load_bert
from tfviz.core.bert.config import BertConfig
from tfviz.core.bert.loader import MINILM_SHA256, check_folder, hf_to_tfviz, minilm_folder

SENTENCES = [
    "The animal didn't cross the street because it was too tired.",
    "I love natural language processing.",
    "我爱自然语言处理",
    "Héllo, naïve café! 🤖",
]


@pytest.fixture(scope="module")
def bert():
    torch.set_num_threads(1)
    return load_bert("minilm")


@pytest.fixture(scope="module")
def hf_model():
    transformers = pytest.importorskip("transformers")
    model = transformers.AutoModel.from_pretrained(str(minilm_folder()), attn_implementation="eager")
    tok = transformers.AutoTokenizer.from_pretrained(str(minilm_folder()))
    return model.eval(), tok


def _hf_attentions(hf_model, texts):
    model, tok = hf_model
    batch = tok(list(texts), padding=True, return_tensors="pt")
    with torch.no_grad():
        out = model(**batch, output_attentions=True, output_hidden_states=True)
    return np.stack([a.numpy() for a in out.attentions]), out, batch  # (L, B, H, T, T)


def test_minilm_config(bert):
    cfg = bert.config
    assert (cfg.num_layers, cfg.num_heads, cfg.hidden_size, cfg.head_dim) == (6, 12, 384, 32)
    assert cfg.layer_norm_eps == 1e-12 and cfg.do_lower_case
    assert len(bert.tokenizer) == 30522


@pytest.mark.parametrize("text", SENTENCES)
def test_single_sentence_attentions_match_transformers(bert, hf_model, text):
    ref, out, batch = _hf_attentions(hf_model, [text])
    res = analyze(bert, [text])
    assert list(res.encodings[0].ids) == batch["input_ids"][0].tolist()
    assert res.weights.shape == ref.shape
    assert np.abs(res.weights - ref).max() < 1e-5


def test_padded_batch_attentions_match_transformers(bert, hf_model):
    texts = ["Hi.", SENTENCES[0], "A much shorter one", SENTENCES[2]]
    ref, out, batch = _hf_attentions(hf_model, texts)
    res = analyze(bert, texts)
    assert res.lengths == tuple(batch["attention_mask"].sum(1).tolist())
    for b, n in enumerate(res.lengths):
        # real queries over all keys (padding keys included: both give them exactly 0)
        assert np.abs(res.weights[:, b, :, :n, :] - ref[:, b, :, :n, :]).max() < 1e-5
        assert (res.weights[:, b, :, :, n:] == 0).all()


def test_embeddings_match_transformers(bert, hf_model):
    ref, out, batch = _hf_attentions(hf_model, [SENTENCES[1]])
    res = analyze(bert, [SENTENCES[1]])
    e = res.embeddings
    assert np.allclose(e["total"], e["token"] + e["position"][None] + e["type"], atol=1e-6)
    assert np.abs(e["normed"] - out.hidden_states[0].numpy()).max() < 1e-5


def test_causal_option(bert):
    res = analyze(bert, [SENTENCES[0]], causal=True)
    t = res.shape[3]
    upper = np.triu(np.ones((t, t), bool), 1)
    assert (res.weights[..., upper] == 0).all()
    assert np.allclose(res.weights.sum(-1), 1.0, atol=1e-5)
    head = res.head(2, 0, 5)
    assert np.isneginf(head.mask[upper]).all() and (head.mask[~upper] == 0).all()
    assert np.allclose(head.masked[~upper], head.scaled[~upper])


def test_mask_token_option(bert):
    res = analyze(bert, ["the cat sat on the mat"], mask_positions=[[2, 0, 99]])
    assert res.tokens[0] == ("[CLS]", "the", "[MASK]", "sat", "on", "the", "mat", "[SEP]")
    assert res.encodings[0].ids[2] == 103
    plain = analyze(bert, ["the cat sat on the mat"])
    assert not np.allclose(res.weights, plain.weights)


def test_head_stages_are_consistent(bert):
    res = analyze(bert, ["Short.", SENTENCES[1]])
    h = res.head(3, 0, 7)
    from tfviz.core.attention_head import softmax_rows

    assert np.allclose(h.scaled, h.scores / np.sqrt(32), atol=1e-5)
    assert np.abs(softmax_rows(h.masked) - h.weights).max() < 1e-5  # recomputed scores agree with torch
    assert (h.weights[:, res.lengths[0]:] == 0).all()
    assert np.allclose(h.context, h.weights @ h.v, atol=1e-5)
    assert res.padded_tokens(0)[-1] == "[PAD]"


def test_long_text_is_truncated_to_512(bert):
    res = analyze(bert, ["word " * 700])
    assert res.shape[3] == 512 and res.truncated


def test_max_length_cuts_each_sentence(bert):
    res = analyze(bert, ["one two three four five six seven eight nine ten", "short"], max_length=6)
    assert res.lengths == (6, 3) and res.truncated and res.tokens[0][-1] == "[SEP]"


def test_empty_text_list_is_refused(bert):
    with pytest.raises(ValueError):
        analyze(bert, [])


# ------------------------------------------------------------------ other folders, bad folders


def _link_minilm(tmp_path, skip=()):
    for name in ("config.json", "vocab.txt", "model.safetensors", "tokenizer_config.json"):
        if name not in skip:
            (tmp_path / name).symlink_to(minilm_folder() / name)
    return tmp_path


def test_any_folder_loads_through_the_same_path(tmp_path, bert):
    other = load_bert(_link_minilm(tmp_path))
    res_a, res_b = analyze(bert, ["same path"]), analyze(other, ["same path"])
    assert np.array_equal(res_a.weights, res_b.weights)


def test_missing_files_are_named(tmp_path):
    with pytest.raises(BertLoadError, match="vocab.txt"):
        load_bert(_link_minilm(tmp_path, skip=("vocab.txt",)))


def test_pickle_only_folder_is_refused(tmp_path):
    _link_minilm(tmp_path, skip=("model.safetensors",))
    (tmp_path / "pytorch_model.bin").write_bytes(b"not loaded")
    with pytest.raises(BertLoadError, match="safetensors only"):
        load_bert(tmp_path)


def test_wrong_hash_is_refused(tmp_path):
    folder = _link_minilm(tmp_path)
    check_folder(folder, MINILM_SHA256)  # the real files pass
    with pytest.raises(HashMismatchError, match="SHA-256"):
        check_folder(folder, {"model.safetensors": "0" * 64})


def test_damaged_weights_are_refused(tmp_path):
    _link_minilm(tmp_path, skip=("model.safetensors",))
    (tmp_path / "model.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json")
    with pytest.raises(BertLoadError, match="safetensors"):
        load_bert(tmp_path)


@pytest.mark.parametrize(
    "change, message",
    [({"model_type": "gpt2"}, "model_type"), ({"hidden_act": "swish"}, "hidden_act"),
     ({"position_embedding_type": "relative_key"}, "position_embedding_type"),
     ({"is_decoder": True}, "decoder")],
)
def test_unsupported_architectures(tmp_path, change, message):
    _link_minilm(tmp_path, skip=("config.json",))
    cfg = json.loads((minilm_folder() / "config.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps({**cfg, **change}))
    with pytest.raises(UnsupportedModelError, match=message):
        load_bert(tmp_path)


def test_broken_config_names_file_and_line(tmp_path):
    _link_minilm(tmp_path, skip=("config.json",))
    (tmp_path / "config.json").write_text('{\n  "model_type": "bert",\n  oops\n}')
    with pytest.raises(BertLoadError, match=r"config.json, line 3"):
        load_bert(tmp_path)


def test_weights_that_do_not_fit_the_config(tmp_path):
    _link_minilm(tmp_path, skip=("config.json",))
    cfg = json.loads((minilm_folder() / "config.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps({**cfg, "num_hidden_layers": 8}))
    with pytest.raises(BertLoadError, match="missing weights"):
        load_bert(tmp_path)


def test_a_small_random_bert_folder_matches_transformers(tmp_path):
    """A different shape (3 layers x 4 heads, other eps and positions) saved by transformers loads and agrees."""
    transformers = pytest.importorskip("transformers")
    torch.manual_seed(0)
    cfg = transformers.BertConfig(vocab_size=30522, hidden_size=64, num_hidden_layers=3, num_attention_heads=4,
                                  intermediate_size=128, max_position_embeddings=64, layer_norm_eps=1e-7)
    model = transformers.BertModel(cfg, add_pooling_layer=False).eval()
    model.save_pretrained(tmp_path, safe_serialization=True, max_shard_size="1MB")  # several shards
    assert (tmp_path / "model.safetensors.index.json").is_file() and not (tmp_path / "model.safetensors").exists()
    shutil.copy(minilm_folder() / "vocab.txt", tmp_path / "vocab.txt")
    model = transformers.AutoModel.from_pretrained(tmp_path, attn_implementation="eager").eval()
    ours = load_bert(tmp_path)
    assert ours.config.layer_norm_eps == 1e-7 and ours.config.max_positions == 64
    res = analyze(ours, ["a small model", "tiny"])
    ids = torch.tensor([list(e.ids) + [0] * (res.shape[3] - len(e)) for e in res.encodings])
    mask = (ids != 0).long()
    mask[0] = 1
    with torch.no_grad():
        ref = model(input_ids=ids, attention_mask=mask, output_attentions=True).attentions
    ref = np.stack([a.numpy() for a in ref])
    assert np.abs(res.weights[:, :, :, :3] - ref[:, :, :, :3]).max() < 1e-5


def test_names_and_config_validation():
    assert hf_to_tfviz("pooler.dense.weight") is None
    assert hf_to_tfviz("encoder.layer.0.output.LayerNorm.beta") == "layers.0.norm2.bias"
    with pytest.raises(BertLoadError, match="divisible"):
        BertConfig.from_dict({"model_type": "bert", "hidden_size": 10, "num_attention_heads": 3,
                              "num_hidden_layers": 1, "intermediate_size": 4, "vocab_size": 5})
    with pytest.raises(BertLoadError, match="missing key"):
        BertConfig.from_dict({"model_type": "bert"})


def test_embedding_helpers(bert):
    from tfviz.core.bert.embeddings import cosine, nearest, normalize_rows, pca_2d, word_vector

    table = bert.model.embeddings.word.weight.detach().numpy()
    normed = normalize_rows(table)
    vocab = [bert.tokenizer.inv[i] for i in range(len(bert.tokenizer))]
    vec, pieces = word_vector(bert.tokenizer, table, "king")
    assert pieces == ["king"]
    assert nearest(normed, vec, vocab, k=3)[0] == ("king", 1.0)
    assert "king" not in [w for w, _ in nearest(normed, vec, vocab, k=5, skip=["king"])]
    vec2, pieces2 = word_vector(bert.tokenizer, table, "tokenization")
    assert pieces2 == ["token", "##ization"]
    assert np.allclose(vec2, table[[bert.tokenizer.vocab[p] for p in pieces2]].mean(0))
    assert cosine(vec, vec) == pytest.approx(1.0)
    for n in (20, 500):  # fewer and more points than dimensions
        x = np.random.default_rng(n).standard_normal((n, 384))
        xc = x - x.mean(0)
        ref = xc @ np.linalg.svd(xc, full_matrices=False)[2][:2].T
        assert np.allclose(np.abs(pca_2d(x)), np.abs(ref), atol=1e-6)


_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-5, 5000), st.floats(allow_nan=True),
                    st.text(max_size=5), st.lists(st.integers(), max_size=2))
_KEYS = st.sampled_from(["model_type", "hidden_size", "num_attention_heads", "num_hidden_layers",
                         "intermediate_size", "vocab_size", "max_position_embeddings", "type_vocab_size",
                         "layer_norm_eps", "hidden_act", "pad_token_id", "position_embedding_type"])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_KEYS, _VALUES, max_size=12))
def test_config_fuzz_gives_clear_errors_only(d):
    d = {"model_type": "bert", **d} if "model_type" not in d else d
    try:
        cfg = BertConfig.from_dict(d)
    except BertLoadError as exc:
        assert str(exc).startswith("config.json")
    else:
        assert cfg.hidden_size % cfg.num_heads == 0 and cfg.num_layers > 0


def test_vocab_that_is_not_utf8_names_the_line(tmp_path):
    _link_minilm(tmp_path, skip=("vocab.txt",))
    lines = (minilm_folder() / "vocab.txt").read_bytes().split(b"\n")
    lines[41] = b"\xff\xfe broken"
    (tmp_path / "vocab.txt").write_bytes(b"\n".join(lines))
    with pytest.raises(BertLoadError, match=r"vocab.txt, line 42: not UTF-8"):
        load_bert(tmp_path)


def test_vocab_of_the_wrong_size(tmp_path):
    _link_minilm(tmp_path, skip=("vocab.txt",))
    (tmp_path / "vocab.txt").write_text("[PAD]\n[UNK]\nhello\n")
    with pytest.raises(BertLoadError, match="3 tokens, config.json says 30522"):
        load_bert(tmp_path)
