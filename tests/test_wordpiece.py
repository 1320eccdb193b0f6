"""tfviz's WordPiece against known answers and the Hugging Face tokenizer (test oracle only)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tfviz.core.bert.loader import minilm_folder
from tfviz.core.bert.wordpiece import WordPiece, is_chinese, is_punctuation, normalize, split_words

TEXTS = [
    "The animal didn't cross the street because it was too tired.",
    "Hello, WORLD!!! tokenization is fun; isn't it?",
    "我爱自然语言处理",
    "中文和English混合，标点。",
    "Héllo naïve café résumé Ångström façade",
    "日本語のテキスト 한국어 текст ελληνικά",
    "emoji 🤖🎉 and ∑ ⅷ ☃ zero\u200bwidth",
    "x\x00y\ufffdz\x7f tab\tnew\nline",
    "[MASK] is [mask] here[SEP]x [CLS]",
    "$100.50 @user #tag ~tilde^ `code` a_b",
    "supercalifragilisticexpialidocious " + "a" * 120,
    "İstanbul ǅ ß ﬁ ﬀ",
    "",
    "   \t\n ",
]


@pytest.fixture(scope="module")
def wp() -> WordPiece:
    return WordPiece.from_file(minilm_folder() / "vocab.txt")


@pytest.fixture(scope="module")
def hf():
    tokenizers = pytest.importorskip("tokenizers")
    tok = tokenizers.Tokenizer.from_file(str(minilm_folder() / "tokenizer.json"))
    tok.no_padding()  # the shipped file pads and truncates to 128; compare raw encodings
    tok.no_truncation()
    return tok


def test_known_answer(wp):
    enc = wp.encode("The animal didn't cross the street because it was too tired.")
    assert " ".join(enc.tokens) == "[CLS] the animal didn ' t cross the street because it was too tired . [SEP]"
    assert enc.ids[0] == 101 and enc.ids[-1] == 102


def test_offsets_point_into_the_text(wp):
    text = "Héllo, 中文! tokenization"
    enc = wp.encode(text)
    assert enc.tokens == ("[CLS]", "hello", ",", "中", "文", "!", "token", "##ization", "[SEP]")
    spans = [text[a:b] for a, b in enc.offsets]
    assert spans == ["", "Héllo", ",", "中", "文", "!", "token", "ization", ""]


def test_unknown_characters_become_unk(wp):
    enc = wp.encode("hello \U0001F916 world")
    assert "[UNK]" in enc.tokens
    assert enc.ids[enc.tokens.index("[UNK]")] == 100


def test_empty_text_and_truncation(wp):
    assert wp.encode("").tokens == ("[CLS]", "[SEP]")
    enc = wp.encode("word " * 600)
    assert len(enc) == 512 and enc.truncated
    assert enc.tokens[-1] == "[SEP]"
    assert not wp.encode("short").truncated


def test_decode_glues_pieces(wp):
    assert wp.decode(list(wp.encode("tokenization rocks", add_special=False).ids)) == "tokenization rocks"


def test_character_classes():
    assert is_punctuation("$") and is_punctuation("。") and not is_punctuation("a")
    assert is_chinese("中") and not is_chinese("の") and not is_chinese("한")
    words = split_words(normalize("a,b  c", 0, True, True))
    assert ["".join(c for c, _ in w) for w in words] == ["a", ",", "b", "c"]


def test_cased_tokenizer_keeps_case_and_accents():
    wp = WordPiece({"[UNK]": 0, "Café": 1, "cafe": 2}, lowercase=False)
    assert wp.encode("Café", add_special=False).tokens == ("Café",)
    assert WordPiece({"[UNK]": 0, "cafe": 2}).encode("Café", add_special=False).tokens == ("cafe",)


@pytest.mark.parametrize("text", TEXTS)
def test_ids_and_offsets_equal_hugging_face(wp, hf, text):
    ref = hf.encode(text)
    ours = wp.encode(text)
    assert list(ours.ids) == ref.ids, (ours.tokens, ref.tokens)
    assert list(ours.offsets) == [tuple(o) for o in ref.offsets]


# The Rust tokenizer's Unicode tables are from other Unicode versions than Python's (newer
# letters, older format-character and combining-mark tables, CJK extension E starting at
# U+2B920 instead of BERT's U+2B820), so fuzzing draws from long-stable blocks: Latin, Greek,
# Cyrillic, Hebrew, Arabic, punctuation and symbols, CJK, kana, hangul, full-width forms,
# control characters and emoji.
_BLOCKS = [(0x0000, 0x07FF), (0x2000, 0x2BFF), (0x3000, 0x9FFF), (0xAC00, 0xD7A3),
           (0xF900, 0xFAFF), (0xFF00, 0xFFEF), (0x1F300, 0x1F64F)]
_CHARS = st.one_of(*(st.integers(a, b) for a, b in _BLOCKS)).map(chr).filter(
    lambda c: unicodedata.category(c) not in ("Cn", "Cs"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=_CHARS, max_size=40))
def test_fuzz_equal_to_hugging_face(wp, hf, text):
    ref = hf.encode(text)
    ours = wp.encode(text, max_length=None)
    assert list(ours.ids) == ref.ids, (text, ours.tokens, ref.tokens)
    assert list(ours.offsets) == [tuple(o) for o in ref.offsets], text
    assert all(0 <= a <= b <= len(text) for a, b in ours.offsets)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet="abcXYZ éü中文 ,.!'[]MASK#", max_size=60))
def test_fuzz_words_and_specials(wp, hf, text):
    assert list(wp.encode(text, max_length=None).ids) == hf.encode(text).ids
