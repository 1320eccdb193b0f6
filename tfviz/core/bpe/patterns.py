"""Pre-tokenization: cut text into *pieces* before any merging.

BPE never merges across a piece boundary, so a pattern decides what can become one token.
The GPT patterns keep a leading space with the word after it and keep digits in short groups:

>>> split_pieces("Hello world, it's 2024!", "gpt4")
['Hello', ' world', ',', ' it', "'s", ' ', '202', '4', '!']
>>> split_pieces("Hello world", "none")
['Hello world']

Patterns (they need the ``regex`` package for ``\\p{L}`` letters and ``\\p{N}`` numbers):

- ``gpt2``: GPT-2 (r50k_base).
- ``gpt4``: GPT-4 (cl100k_base): case-insensitive contractions, at most 3 digits per piece.
- ``gpt4o``: GPT-4o (o200k_base): letter runs split at case changes (``iPhone`` -> ``i``,
  ``Phone``), contractions stay on the word.
- ``smollm``: SmolLM2 (llama.cpp's ``smollm``): every digit alone, then GPT-2's pattern on
  the text between digits (a run of spaces before a digit stays one piece).
- ``none``: no pre-tokenization, the whole text is one piece (for tiny demos).
"""

from __future__ import annotations

import re
from functools import lru_cache

import regex

PATTERNS: dict[str, str] = {
    "gpt2": r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""",
    "gpt4": r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""",
    "gpt4o": "|".join(
        [
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""\p{N}{1,3}""",
            r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
            r"""\s*[\r\n]+""",
            r"""\s+(?!\S)""",
            r"""\s+""",
        ]
    ),
    # Digits are cut first, so the GPT-2 rules see digit-free chunks: no " ?\p{N}+" alternative,
    # and whitespace just before a digit ends its chunk (hence (?![^\s\p{N}]) for (?!\S)).
    "smollm": r"""\p{N}|'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?[^\s\p{L}\p{N}]+|\s+(?![^\s\p{N}])|\s+""",
}
PATTERN_NAMES = ("gpt2", "gpt4", "gpt4o", "smollm", "none")

# ---------------------------------------------------------------------------------------------
# ASCII fast path (speed only, same pieces). For text with no character above U+007F the
# classes shrink to plain ASCII sets (\p{L} = [A-Za-z], \p{N} = [0-9], \s = [\t-\r ]) and the
# standard library's ``re`` runs them faster than ``regex``. tests/test_bpe_patterns.py checks
# that both give the same pieces.
_WS = r"\t-\r "
_ASCII_PATTERNS: dict[str, str] = {
    "gpt2": rf"""'(?:[sdmt]|ll|ve|re)| ?[A-Za-z]+| ?[0-9]+| ?[^{_WS}A-Za-z0-9]+|[{_WS}]+(?![^{_WS}])|[{_WS}]+""",
    # Possessive quantifiers of the full pattern are written greedy here: with these disjoint
    # ASCII classes no backtracking can change a match, and ``re`` runs greedy ones faster.
    "gpt4": (
        rf"""'(?i:[sdmt]|ll|ve|re)|[^\r\nA-Za-z0-9]?[A-Za-z]+|[0-9]{{1,3}}"""
        rf"""| ?[^{_WS}A-Za-z0-9]+[\r\n]*|[{_WS}]+$|[{_WS}]*[\r\n]|[{_WS}]+(?![^{_WS}])|[{_WS}]"""
    ),
    "gpt4o": (
        r"""[^\r\nA-Za-z0-9]?[A-Z]*[a-z]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"""
        r"""|[^\r\nA-Za-z0-9]?[A-Z]+[a-z]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"""
        rf"""|[0-9]{{1,3}}| ?[^{_WS}A-Za-z0-9]+[\r\n/]*|[{_WS}]*[\r\n]+|[{_WS}]+(?![^{_WS}])|[{_WS}]+"""
    ),
    "smollm": rf"""[0-9]|'(?:[sdmt]|ll|ve|re)| ?[A-Za-z]+| ?[^{_WS}A-Za-z0-9]+|[{_WS}]+(?![^{_WS}0-9])|[{_WS}]+""",
}
# A safe place to cut a long text into chunks: just after a newline that follows a visible
# character and precedes an ASCII letter. No piece of any pattern above crosses such a point.
_CUT = re.compile(r"(?<=\S)\n(?=[A-Za-z])")
CHUNK_CHARS = 1 << 15


def _check(pattern: str) -> None:
    if pattern not in PATTERN_NAMES:
        raise ValueError(f"unknown pattern {pattern!r}; choose one of {', '.join(PATTERN_NAMES)}")


@lru_cache(maxsize=None)
def compiled(pattern: str) -> regex.Pattern:
    """The compiled ``regex`` for a pattern name."""
    _check(pattern)
    return regex.compile(PATTERNS[pattern])


@lru_cache(maxsize=None)
def _compiled_ascii(pattern: str) -> re.Pattern:
    return re.compile(_ASCII_PATTERNS[pattern])


def split_pieces(text: str, pattern: str = "gpt4", chunk_chars: int = CHUNK_CHARS) -> list[str]:
    """Cut ``text`` into pieces with a named pattern; ``"".join(pieces) == text`` always.

    >>> split_pieces("我爱NLP 😀!", "gpt4")
    ['我爱NLP', ' 😀!']
    >>> split_pieces("iPhone's", "gpt4o")
    ['i', "Phone's"]
    """
    if pattern == "none":
        _check(pattern)
        return [text] if text else []
    full, fast = compiled(pattern), _compiled_ascii(pattern)
    if len(text) <= chunk_chars:
        return (fast if text.isascii() else full).findall(text)
    pieces: list[str] = []
    start, n = 0, len(text)
    while start < n:
        end = start + chunk_chars
        if end >= n:
            end = n
        else:
            cut = _CUT.search(text, end)
            end = cut.end() if cut else n
        chunk = text[start:end]
        pieces += (fast if chunk.isascii() else full).findall(chunk)
        start = end
    return pieces


def split_pieces_reference(text: str, pattern: str) -> list[str]:
    """The plain one-call version of :func:`split_pieces` (no fast path), for tests."""
    if pattern == "none":
        return [text] if text else []
    return compiled(pattern).findall(text)
