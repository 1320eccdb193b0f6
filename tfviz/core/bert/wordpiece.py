"""WordPiece tokenization, as BERT does it, with the offset of every token in the text.

Two stages:

1. **Basic tokenization** splits the text into words: drop control characters, put spaces
   around every Chinese character, lower-case and strip accents (when the model is
   uncased), then split on whitespace and on every punctuation character.
2. **WordPiece** splits each word greedily, longest match first, into pieces of the
   vocabulary; pieces after the first carry the prefix ``##``. A word that cannot be
   covered at all becomes ``[UNK]``.

Worked example with the MiniLM vocabulary (uncased)::

    "Héllo, 世界! tokenization"
    basic     -> hello  ,  世  界  !  tokenization
    wordpiece -> hello  ,  世  界  !  token ##ization

Special tokens written in the text (``[MASK]``, ``[SEP]`` ...) are kept whole.
Offsets are ``(start, end)`` character positions in the *original* text, so
``text[start:end]`` is the part a token came from (``(0, 0)`` for added ``[CLS]``/``[SEP]``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

SPECIALS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")

# A normalised character and the index of the original character it came from.
Char = tuple[str, int]


@dataclass(frozen=True)
class Encoding:
    """The wordpieces of one text."""

    tokens: tuple[str, ...]  # e.g. ("[CLS]", "hello", "[SEP]")
    ids: tuple[int, ...]  # vocabulary ids, same length
    offsets: tuple[tuple[int, int], ...]  # (start, end) in the original text
    truncated: bool = False  # True when pieces were dropped to fit max_length

    def __len__(self) -> int:
        return len(self.ids)


# ---------------------------------------------------------------- character classes


def is_whitespace(c: str) -> bool:
    """Spaces, tabs and newlines, and Unicode separators (Zs, Zl, Zp)."""
    return c in " \t\n\r" or unicodedata.category(c).startswith("Z")


def is_control(c: str) -> bool:
    """Every "other" character (control, format, private use, unassigned), except tab/newline.

    These are dropped, as the Hugging Face (Rust) BERT normaliser does.
    """
    if c in "\t\n\r":
        return False
    return unicodedata.category(c).startswith("C")


def is_punctuation(c: str) -> bool:
    """Every ASCII non-letter non-digit symbol (``$``, ``^``, ``~`` too), and Unicode P*.

    >>> [is_punctuation(c) for c in "a,$。"]
    [False, True, True, True]
    """
    cp = ord(c)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(c).startswith("P")


def is_chinese(c: str) -> bool:
    """CJK Unified Ideographs (and extensions, compatibility ideographs): one token each.

    Japanese kana and Korean hangul are *not* in these blocks.
    """
    cp = ord(c)
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2B73F
        or 0x2B740 <= cp <= 0x2B81F
        or 0x2B820 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


# ---------------------------------------------------------------- basic tokenization


def normalize(text: str, start: int, lowercase: bool, strip_accents: bool) -> list[Char]:
    """Clean, space out Chinese, lower-case and strip accents; keep where each char came from.

    >>> "".join(c for c, _ in normalize("Ça 世", 0, True, True))
    'ca  世 '
    """
    out: list[Char] = []
    for i, c in enumerate(text, start):
        if ord(c) == 0 or ord(c) == 0xFFFD or is_control(c):
            continue
        if is_whitespace(c):
            out.append((" ", i))
            continue
        s = c.lower() if lowercase else c
        if strip_accents:  # e.g. é -> e + ◌́ (NFD) -> e; also 車 (U+F902) -> 車 (U+8ECA)
            s = "".join(x for x in unicodedata.normalize("NFD", s) if unicodedata.category(x) != "Mn")
        if is_chinese(c):
            s = f" {s} "
        out.extend((x, i) for x in s)
    return out


def split_words(chars: list[Char]) -> list[list[Char]]:
    """Split on whitespace, and make every punctuation character a word of its own.

    >>> [''.join(c for c, _ in w) for w in split_words([(c, i) for i, c in enumerate("hi, you")])]
    ['hi', ',', 'you']
    """
    words: list[list[Char]] = []
    current: list[Char] = []
    for ch in chars:
        c = ch[0]
        if c == " " or is_whitespace(c):
            if current:
                words.append(current)
            current = []
        elif is_punctuation(c):
            if current:
                words.append(current)
            words.append([ch])
            current = []
        else:
            current.append(ch)
    if current:
        words.append(current)
    return words


# ---------------------------------------------------------------- the tokenizer


class WordPiece:
    """A BERT WordPiece tokenizer built from a ``vocab.txt`` (one token per line, id = line).

    >>> wp = WordPiece({"[UNK]": 0, "un": 1, "##aff": 2, "##able": 3, "[CLS]": 4, "[SEP]": 5})
    >>> wp.encode("unaffable").tokens
    ('[CLS]', 'un', '##aff', '##able', '[SEP]')
    >>> wp.encode("unaffable xyz", add_special=False).tokens
    ('un', '##aff', '##able', '[UNK]')
    """

    def __init__(
        self,
        vocab: dict[str, int],
        lowercase: bool = True,
        strip_accents: bool | None = None,
        max_chars_per_word: int = 100,
    ) -> None:
        self.vocab = vocab  # token -> id
        self.inv = {i: t for t, i in vocab.items()}  # id -> token
        self.lowercase = lowercase
        # BERT's rule: accents are stripped when lower-casing, unless the config says otherwise.
        self.strip_accents = lowercase if strip_accents is None else strip_accents
        self.max_chars_per_word = max_chars_per_word
        self.specials = [s for s in SPECIALS if s in vocab]
        self.unk = "[UNK]"

    @classmethod
    def from_file(cls, path: str | Path, lowercase: bool = True, strip_accents: bool | None = None) -> WordPiece:
        """Read ``vocab.txt``; a line's number is its id. Bad UTF-8 raises ValueError naming the line."""
        vocab: dict[str, int] = {}
        with open(path, "rb") as f:
            for i, raw in enumerate(f):
                try:
                    token = raw.decode("utf-8").rstrip("\n")
                except UnicodeDecodeError as exc:
                    raise ValueError(f"{path}, line {i + 1}: not UTF-8 ({exc.reason})") from None
                vocab[token] = i  # a repeated line keeps its last id, as in Hugging Face
        return cls(vocab, lowercase, strip_accents)

    def __len__(self) -> int:
        """Number of ids (max id + 1), which is the model's vocabulary size."""
        return max(self.vocab.values(), default=-1) + 1

    def id_of(self, token: str) -> int:
        return self.vocab.get(token, self.vocab.get(self.unk, 0))

    # -- one word -> pieces

    def split_word(self, word: str) -> list[tuple[str, int, int]]:
        """Greedy longest-match-first; ``(piece, start, end)`` character spans in ``word``.

        >>> WordPiece({"[UNK]": 0, "play": 1, "##ing": 2}).split_word("playing")
        [('play', 0, 4), ('##ing', 4, 7)]
        """
        if len(word) > self.max_chars_per_word:
            return [(self.unk, 0, len(word))]
        pieces = []
        start = 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    break
                end -= 1
            if end == start:  # no piece covers word[start]: the whole word is unknown
                return [(self.unk, 0, len(word))]
            pieces.append((piece, start, end))
            start = end
        return pieces

    # -- text -> encoding

    def _segments(self, text: str) -> list[tuple[str, int, bool]]:
        """Cut out special tokens written in the text: ``(segment, start, is_special)``."""
        out = []
        i = start = 0
        while i < len(text):
            hit = next((s for s in self.specials if text.startswith(s, i)), None)
            if hit is None:
                i += 1
                continue
            if i > start:
                out.append((text[start:i], start, False))
            out.append((hit, i, True))
            i += len(hit)
            start = i
        if start < len(text):
            out.append((text[start:], start, False))
        return out

    def tokenize(self, text: str) -> list[tuple[str, int, int]]:
        """All wordpieces of ``text`` with their ``(start, end)`` in it, no [CLS]/[SEP]."""
        out: list[tuple[str, int, int]] = []
        for segment, seg_start, special in self._segments(text):
            if special:
                out.append((segment, seg_start, seg_start + len(segment)))
                continue
            chars = normalize(segment, seg_start, self.lowercase, self.strip_accents)
            for word in split_words(chars):
                for piece, a, b in self.split_word("".join(c for c, _ in word)):
                    out.append((piece, word[a][1], word[b - 1][1] + 1))
        return out

    def encode(self, text: str, add_special: bool = True, max_length: int | None = 512) -> Encoding:
        """Text -> tokens, ids and offsets; ``[CLS] ... [SEP]`` around; cut to ``max_length``."""
        pieces = self.tokenize(text)
        room = None if max_length is None else max_length - (2 if add_special else 0)
        truncated = room is not None and len(pieces) > room
        if truncated:
            pieces = pieces[: max(room, 0)]
        if add_special:
            pieces = [("[CLS]", 0, 0), *pieces, ("[SEP]", 0, 0)]
        return Encoding(
            tokens=tuple(p for p, _, _ in pieces),
            ids=tuple(self.id_of(p) for p, _, _ in pieces),
            offsets=tuple((a, b) for _, a, b in pieces),
            truncated=truncated,
        )

    def decode(self, ids: list[int]) -> str:
        """Ids -> text, gluing ``##`` pieces to the piece before (lower-cased, no accents)."""
        words: list[str] = []
        for i in ids:
            tok = self.inv.get(i, self.unk)
            if tok.startswith("##") and words:
                words[-1] += tok[2:]
            else:
                words.append(tok)
        return " ".join(words)
