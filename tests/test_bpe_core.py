"""Byte-level BPE core: pre-tokenization, merging, training, display, save/load."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tfviz.core.bpe import count_pieces, token_label, tokenizer_from_merges, train, train_merges
from tfviz.core.bpe.display import split_utf8, visible
from tfviz.core.bpe.merge import _bounds_heap, _bounds_scan, bpe_ids
from tfviz.core.bpe.naive import naive_merges
from tfviz.core.bpe.patterns import split_pieces, split_pieces_reference
from tfviz.core.bpe.store import CorpusDecodeError, TokenizerFileError, from_json, load, read_corpus, save, to_json

# Characters that exercise every branch of the patterns: cases, digits, apostrophes, slashes,
# all whitespace kinds, accents, combining marks, CJK, emoji with ZWJ, the long s (folds to s).
TRICKY_ALPHABET = list("aAzZ09'/.,!? \t\n\r\x0b\x0c\x85\xa0\u2003\u3000éÉ\u0301中文😀\u200d👍ſK") + ["'s", "'LL", "\r\n"]
tricky_text = st.lists(st.sampled_from(TRICKY_ALPHABET), max_size=40).map("".join)


# --- known answer ----------------------------------------------------------------------------
def test_known_answer_wikipedia():
    tok = train(["aaabdaaabac"], 259, "none")
    assert tok.merges == [(97, 97), (97, 98), (256, 257)]
    assert tok.encode("aaabdaaabac") == [258, 100, 258, 97, 99]


def test_tie_rule_smallest_pair_wins():
    # (256, 97) and (97, 98) both occur twice after the first merge; (97, 98) is smaller.
    steps = list(train_merges(count_pieces(["aaabdaaabac"], "none"), 2))
    assert steps[1].pair == (97, 98) and steps[1].count == 2


def test_train_records():
    steps = list(train_merges(count_pieces(["aaabdaaabac"], "none"), 3))
    assert [s.token for s in steps] == [b"aa", b"ab", b"aaab"]
    assert [s.vocab_size for s in steps] == [257, 258, 259]
    assert [s.n_tokens for s in steps] == [9, 7, 5]
    assert [s.rank for s in steps] == [0, 1, 2]


def test_training_stops_when_no_pair_repeats():
    steps = list(train_merges(count_pieces(["abcdef"], "none"), 100))
    assert steps == []
    steps = list(train_merges(count_pieces(["abab"], "none"), 100))
    assert [s.token for s in steps] == [b"ab"]  # then (ab, ab) occurs once only


def test_vocab_size_below_bytes_refused():
    with pytest.raises(ValueError, match="at least 256"):
        train(["abc"], 100)


# --- pre-tokenization ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "pattern, text, pieces",
    [
        ("gpt4", "Hello world", ["Hello", " world"]),
        ("gpt4", "I'M 12345", ["I", "'M", " ", "123", "45"]),
        ("gpt4o", "iPhone's camelCase", ["i", "Phone's", " camel", "Case"]),
        ("gpt2", "don't  stop\n", ["don", "'t", " ", " stop", "\n"]),
        ("none", "a b", ["a b"]),
        ("gpt4", "", []),
    ],
)
def test_split_pieces_examples(pattern, text, pieces):
    assert split_pieces(text, pattern) == pieces


@settings(max_examples=300, deadline=None)
@given(text=tricky_text, pattern=st.sampled_from(["gpt2", "gpt4", "gpt4o"]), chunk=st.integers(1, 12))
def test_fast_path_gives_the_same_pieces(text, pattern, chunk):
    """The ASCII fast path and chunking never change the pieces."""
    assert split_pieces(text, pattern, chunk_chars=chunk) == split_pieces_reference(text, pattern)


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.characters(max_codepoint=127), max_size=60), pattern=st.sampled_from(["gpt2", "gpt4", "gpt4o"]))
def test_ascii_fast_path_any_ascii(text, pattern):
    assert split_pieces(text, pattern, chunk_chars=7) == split_pieces_reference(text, pattern)


def test_unknown_pattern():
    with pytest.raises(ValueError, match="unknown pattern"):
        split_pieces("x", "gpt5")


# --- merging one piece -----------------------------------------------------------------------
RANKS = {bytes([i]): i for i in range(256)} | {b"ab": 256, b"bc": 257, b"abc": 258, b"aa": 259, b"aaa": 260}


def test_merge_picks_lowest_rank_of_joined_bytes():
    trace: list = []
    assert bpe_ids(b"abc", RANKS, trace) == [258]
    assert trace == [(0, 1, 2, 256), (0, 2, 3, 258)]


def test_merge_leftmost_on_ties():
    trace: list = []
    assert bpe_ids(b"aaaa", RANKS, trace) == [259, 259]
    assert trace[0] == (0, 1, 2, 259)


@settings(max_examples=300, deadline=None)
@given(piece=st.binary(min_size=0, max_size=40).map(lambda b: bytes(x % 4 + 97 for x in b)))
def test_heap_and_scan_agree(piece):
    t1: list = []
    t2: list = []
    assert _bounds_scan(piece, RANKS, t1) == _bounds_heap(piece, RANKS, t2)
    assert t1 == t2


# --- display ---------------------------------------------------------------------------------
def test_partial_utf8_label():
    assert token_label(b"\xe6\x88") == "<E6 88>"
    assert token_label("我".encode()) == "我"
    assert token_label(b" a\n\t") == "·a↵→"
    assert token_label(b"\x91x") == "<91>x"
    assert token_label(b"\xad\xe6") == "<AD E6>"  # neighbouring bad bytes: one group
    assert visible("a b") == "a·b"
    assert split_utf8(b"") == []


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=30))
def test_split_utf8_keeps_every_byte(data):
    assert b"".join(chunk for _, chunk in split_utf8(data)) == data


# --- trainer invariants and the naive trainer ------------------------------------------------
small_corpus = st.lists(st.sampled_from(["ab", "ba", "aa", " ", "abc", "中", "\n", "cab"]), max_size=60).map("".join)


@settings(max_examples=150, deadline=None)
@given(text=small_corpus, pattern=st.sampled_from(["none", "gpt4", "gpt2"]), n=st.integers(1, 40))
def test_trainer_invariants(text, pattern, n):
    pieces = count_pieces([text], pattern)
    steps = list(train_merges(pieces, n))
    tok = tokenizer_from_merges([s.pair for s in steps], pattern)
    assert len(tok.ranks) == 256 + len(steps)  # vocabulary = 256 + merges
    for s in steps:
        left, right = s.pair
        assert s.token == tok.token_bytes(left) + tok.token_bytes(right)  # new token = left + right
        assert s.token_id == 256 + s.rank
        assert s.count >= 2
    counts = [s.count for s in steps]
    assert counts == sorted(counts, reverse=True)  # merge counts never increase
    lengths = [len(text.encode())] + [s.n_tokens for s in steps]
    assert all(a > b for a, b in zip(lengths, lengths[1:]))  # the encoded text never grows
    assert [s.pair for s in steps] == naive_merges(pieces, n)  # same as the recount-per-merge trainer
    assert tok.decode(tok.encode(text)) == text


@settings(max_examples=100, deadline=None)
@given(text=small_corpus, pattern=st.sampled_from(["none", "gpt4"]))
def test_n_tokens_is_the_length_after_applying_the_merges(text, pattern):
    from tfviz.core.bpe.trainer import _merge_in_word

    pieces = count_pieces([text], pattern)
    steps = list(train_merges(pieces, 20))
    words = {p: list(p.encode()) for p in pieces}
    for s in steps:
        for p in words:
            words[p] = _merge_in_word(words[p], *s.pair, s.token_id)[0]
        assert s.n_tokens == sum(len(words[p]) * c for p, c in pieces.items())


def test_trainer_is_deterministic(shared_dir):
    text = (shared_dir / "corpora" / "en_shakespeare.txt").read_text(encoding="utf-8")[:60_000]
    a = [s.pair for s in train_merges(count_pieces([text], "gpt4"), 120)]
    b = [s.pair for s in train_merges(count_pieces([text], "gpt4"), 120)]
    assert a == b
    assert a == naive_merges(count_pieces([text], "gpt4"), 120)


# --- save / load -----------------------------------------------------------------------------
def test_save_load_round_trip(tmp_path):
    tok = train(["the cat sat on the mat, 我爱猫"], 280, "gpt4", name="cats")
    path = tmp_path / "cats.json"
    save(tok, path)
    again = load(path)
    assert again.merges == tok.merges and again.pattern == "gpt4" and again.name == "cats"
    assert again.special_tokens == tok.special_tokens
    text = "the cat 我爱猫"
    assert again.encode(text) == tok.encode(text)
    data = json.loads(path.read_text(encoding="utf-8"))  # human-readable, valid JSON
    assert data["merges"][0][:2] == list(tok.merges[0])
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"format": "tfviz-bpe", ', "not valid JSON at line 1"),
        ("[1, 2]", "not a tfviz tokenizer file"),
        ('{"format": "tfviz-bpe", "version": 9}', "unsupported version"),
        ('{"format": "tfviz-bpe", "version": 1, "pattern": "gpt9", "merges": []}', "unknown pattern"),
        ('{"format": "tfviz-bpe", "version": 1, "pattern": "gpt4", "merges": [[300, 1]]}', "merge 0"),
        ('{"format": "tfviz-bpe", "version": 1, "pattern": "gpt4", "merges": [[97, 98], [97, 98]]}', "already exists"),
        ('{"format": "tfviz-bpe", "version": 1, "pattern": "gpt4", "merges": [], "special_tokens": {"x": 3}}', "taken"),
        ('{"format": "tfviz-bpe", "version": 1, "pattern": "gpt4", "merges": "no"}', "must be a list"),
    ],
)
def test_corrupt_tokenizer_file(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TokenizerFileError, match=message) as err:
        load(path)
    assert str(path) in str(err.value)


def test_tokenizer_file_not_utf8_or_missing(tmp_path):
    path = tmp_path / "bin.json"
    path.write_bytes(b"{\xff}")
    with pytest.raises(TokenizerFileError, match="byte offset 1"):
        load(path)
    with pytest.raises(TokenizerFileError, match="cannot read"):
        load(tmp_path / "nope.json")


def test_real_vocab_is_not_saved():
    tok = from_json(to_json(train(["abab"], 257, "none")))
    assert tok.merges == [(97, 98)]


def test_read_corpus_names_file_and_offset(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("café".encode("utf-8") + b" caf\xe9")
    with pytest.raises(CorpusDecodeError) as err:
        read_corpus(path)
    assert str(path) in str(err.value) and "byte offset 9" in str(err.value)
    assert read_corpus(path, errors="replace").endswith("caf\ufffd")


@pytest.mark.parametrize("module", ["display", "merge", "patterns", "tokenizer", "trainer", "naive", "store", "trees", "vocab", "__init__"])
def test_docstring_examples(module):
    """The worked examples in the docstrings are part of what learners read: keep them true."""
    import doctest
    import importlib

    mod = importlib.import_module("tfviz.core.bpe" if module == "__init__" else f"tfviz.core.bpe.{module}")
    result = doctest.testmod(mod)
    assert result.failed == 0


def test_training_restores_the_cycle_collector():
    import gc

    assert gc.isenabled()
    steps = train_merges(count_pieces(["abab abab cdcd"], "none"), 5)
    next(steps)
    steps.close()  # cancelled half-way
    assert gc.isenabled()
    list(train_merges(count_pieces(["abab abab cdcd"], "none"), 5))
    assert gc.isenabled()


@pytest.fixture(scope="module")
def sample_tokenizers():
    from tfviz.core.assets import asset

    text = asset("samples", "tfviz_guide_en_zh.txt").read_text(encoding="utf-8")
    return [train([text], 400, pattern) for pattern in ("gpt2", "gpt4", "gpt4o", "none")]


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=60))
def test_round_trip_any_unicode_trained(sample_tokenizers, text):
    for tok in sample_tokenizers:
        ids = tok.encode(text, disallowed_special=())
        assert tok.decode(ids) == text
        assert all(0 <= i < len(tok.ranks) for i in ids)


def test_whole_piece_shortcut_is_traced():
    """tiktoken returns a piece that is itself a token whole, even if no merge reaches it."""
    from tfviz.core.bpe import Tokenizer
    from tfviz.core.bpe.trees import merge_tree, render

    tok = Tokenizer("demo", "gpt4", {bytes([i]): i for i in range(256)} | {b"abc": 256})
    assert tok.encode("abc") == [256]
    trace = tok.encode_trace("abc")
    assert list(trace.ids) == [256]
    (step,) = trace.steps
    assert (step.mid, step.rank, step.token) == (-1, 256, 256)
    assert trace.spans_at(1) == [(0, 3)]
    assert render(merge_tree(trace, 0, 3, 1), trace.data) == "abc (rank 256)\n  a\n  b\n  c"
