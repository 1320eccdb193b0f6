"""A byte-level BPE tokenizer: a rank table, a pre-tokenization pattern, special tokens.

Real vocabularies (GPT-4's cl100k_base, GPT-4o's o200k_base, GPT-2) and the ones tfviz trains
share this class; only where the ranks come from differs (``vocab.py``, ``trainer.py``).

>>> tok = Tokenizer("demo", "gpt4", {bytes([i]): i for i in range(256)} | {b"hi": 256})
>>> tok.encode("hi!")
[256, 33]
>>> tok.decode([256, 33])
'hi!'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import regex

from tfviz.core.bpe.display import token_label
from tfviz.core.bpe.merge import bpe_bounds, bpe_ids
from tfviz.core.bpe.patterns import split_pieces

CACHE_LIMIT = 200_000  # pieces remembered per tokenizer before the cache is cleared


class DisallowedSpecialError(ValueError):
    """The text contains a special token such as ``<|endoftext|>`` that was not allowed."""


@dataclass(frozen=True)
class Piece:
    """One pre-tokenized piece of a traced text: bytes ``start:end``, or a special token."""

    start: int
    end: int
    special: int | None = None


@dataclass(frozen=True)
class EncodeStep:
    """One merge applied while encoding: two neighbouring tokens joined into ``token``.

    Offsets are in bytes of the whole text: the left token was ``bytes[start:mid]``, the right
    ``bytes[mid:end]``. ``mid == -1`` means the whole piece is itself a token and was taken at
    once (tiktoken's shortcut), whatever merges had not yet joined it.
    """

    piece: int
    start: int
    mid: int
    end: int
    rank: int
    left: int
    right: int
    token: int


@dataclass(frozen=True)
class EncodeTrace:
    """Everything needed to replay an encoding from raw bytes to final tokens."""

    data: bytes
    pieces: tuple[Piece, ...]
    steps: tuple[EncodeStep, ...]
    ids: tuple[int, ...]

    def spans_at(self, k: int) -> list[tuple[int, int]]:
        """Token spans ``(start, end)`` after the first ``k`` steps (0 = raw bytes).

        >>> t = Tokenizer("demo", "none", {bytes([i]): i for i in range(256)} | {b"ab": 256})
        >>> tr = t.encode_trace("abc")
        >>> tr.spans_at(0), tr.spans_at(1)
        ([(0, 1), (1, 2), (2, 3)], [(0, 2), (2, 3)])
        """
        cuts = set()
        for p in self.pieces:
            cuts.add(p.start)
            if p.special is None:
                cuts.update(range(p.start, p.end))
        for step in self.steps[:k]:
            if step.mid >= 0:
                cuts.discard(step.mid)
            else:
                cuts.difference_update(range(step.start + 1, step.end))
        ordered = sorted(cuts) + [len(self.data)]
        return [(a, b) for a, b in zip(ordered, ordered[1:]) if b > a]


@dataclass
class Tokenizer:
    """``ranks`` maps token bytes to id; ``special_tokens`` maps text such as ``<|endoftext|>``
    to id; ``pattern`` names the pre-tokenization (``patterns.py``); ``merges`` is the ordered
    merge list of a trained tokenizer (``None`` for rank files, which ship no merge list)."""

    name: str
    pattern: str
    ranks: dict[bytes, int]
    special_tokens: dict[str, int] = field(default_factory=dict)
    merges: list[tuple[int, int]] | None = None

    def __post_init__(self) -> None:
        self._cache: dict[str, tuple[int, ...]] = {}

    # --- vocabulary ------------------------------------------------------------------------
    @cached_property
    def id_to_bytes(self) -> dict[int, bytes]:
        """Inverse of ``ranks`` plus the special tokens (as their UTF-8 text)."""
        table = {rank: data for data, rank in self.ranks.items()}
        table.update({i: text.encode("utf-8") for text, i in self.special_tokens.items()})
        return table

    @property
    def vocab_size(self) -> int:
        return len(self.ranks) + len(self.special_tokens)

    def token_bytes(self, token_id: int) -> bytes:
        try:
            return self.id_to_bytes[token_id]
        except KeyError:
            raise ValueError(f"token id {token_id} is not in the {self.name} vocabulary") from None

    def label(self, token_id: int) -> str:
        """Display text of a token: ``'·the'``, ``'<E6 88>'``, ``'<|endoftext|>'``."""
        if token_id in self._special_ids:
            return self.id_to_bytes[token_id].decode("utf-8")
        return token_label(self.token_bytes(token_id))

    @cached_property
    def _special_ids(self) -> frozenset[int]:
        return frozenset(self.special_tokens.values())

    # --- encoding --------------------------------------------------------------------------
    def encode_ordinary(self, text: str) -> list[int]:
        """Ids of ``text``, treating special-token text as ordinary text."""
        ids: list[int] = []
        cache, ranks = self._cache, self.ranks
        if len(cache) > CACHE_LIMIT:
            cache.clear()
        for piece in split_pieces(text, self.pattern):
            got = cache.get(piece)
            if got is None:
                data = piece.encode("utf-8")
                whole = ranks.get(data)
                got = (whole,) if whole is not None else tuple(bpe_ids(data, ranks))
                cache[piece] = got
            ids += got
        return ids

    def encode(self, text: str, allowed_special=frozenset(), disallowed_special="all") -> list[int]:
        """Ids of ``text``. Like tiktoken, special-token text is refused unless allowed.

        ``allowed_special``: a set of special tokens, or ``"all"``. ``disallowed_special``: a set,
        or ``"all"`` (every special token not allowed); ``()`` to treat them as plain text.
        """
        allowed = self._allowed(allowed_special)
        self._refuse(text, allowed, disallowed_special)
        if not allowed:
            return self.encode_ordinary(text)
        ids: list[int] = []
        for segment, special in self._split_special(text, allowed):
            if special is None:
                ids += self.encode_ordinary(segment)
            else:
                ids.append(special)
        return ids

    def encode_trace(self, text: str, allowed_special=frozenset(), disallowed_special="all") -> EncodeTrace:
        """Encode and record every merge, piece by piece (see :class:`EncodeStep`).

        Special tokens are handled as in :meth:`encode`.
        """
        allowed = self._allowed(allowed_special)
        self._refuse(text, allowed, disallowed_special)
        pieces: list[Piece] = []
        steps: list[EncodeStep] = []
        ids: list[int] = []
        offset = 0
        for segment, special in self._split_special(text, allowed):
            if special is not None:
                size = len(segment.encode("utf-8"))
                pieces.append(Piece(offset, offset + size, special))
                ids.append(special)
                offset += size
                continue
            for piece in split_pieces(segment, self.pattern):
                data = piece.encode("utf-8")
                index = len(pieces)
                pieces.append(Piece(offset, offset + len(data)))
                ids += self._trace_piece(data, offset, index, steps)
                offset += len(data)
        return EncodeTrace(text.encode("utf-8"), tuple(pieces), tuple(steps), tuple(ids))

    def _trace_piece(self, data: bytes, offset: int, index: int, steps: list[EncodeStep]) -> list[int]:
        raw: list[tuple[int, int, int, int]] = []
        bounds = bpe_bounds(data, self.ranks, raw)
        r = self.ranks
        for s, m, e, rank in raw:
            steps.append(EncodeStep(index, offset + s, offset + m, offset + e, rank, r[data[s:m]], r[data[m:e]], rank))
        whole = r.get(data)
        if whole is not None and len(bounds) > 2:  # tiktoken takes a whole-token piece at once
            steps.append(EncodeStep(index, offset, -1, offset + len(data), whole, -1, -1, whole))
            return [whole]
        return [r[data[a:b]] for a, b in zip(bounds, bounds[1:])]

    def _allowed(self, allowed_special) -> frozenset[str]:
        if allowed_special == "all":
            return frozenset(self.special_tokens)
        unknown = set(allowed_special) - set(self.special_tokens)
        if unknown:
            raise ValueError(f"not special tokens of {self.name}: {', '.join(sorted(unknown))}")
        return frozenset(allowed_special)

    def _refuse(self, text: str, allowed: frozenset[str], disallowed_special) -> None:
        if disallowed_special == "all":
            disallowed = set(self.special_tokens) - allowed
        else:
            disallowed = set(disallowed_special)
        for special in sorted(disallowed):
            if special in text:
                raise DisallowedSpecialError(
                    f"the text contains the special token {special!r}; allow it to encode it as "
                    f"one token, or encode it as ordinary text"
                )

    def _split_special(self, text: str, allowed: frozenset[str]):
        """Yield ``(segment, None)`` for ordinary text and ``(text, id)`` for special tokens."""
        if not allowed:
            yield text, None
            return
        alternatives = "|".join(regex.escape(s) for s in sorted(allowed, key=len, reverse=True))
        start = 0
        for m in regex.finditer(alternatives, text):
            if m.start() > start:
                yield text[start : m.start()], None
            yield m.group(), self.special_tokens[m.group()]
            start = m.end()
        if start < len(text):
            yield text[start:], None

    # --- decoding --------------------------------------------------------------------------
    def decode_bytes(self, ids) -> bytes:
        return b"".join(self.token_bytes(i) for i in ids)

    def decode(self, ids, errors: str = "replace") -> str:
        """Text of ``ids``; bytes that are not valid UTF-8 become ``�`` (``errors="replace"``)."""
        return self.decode_bytes(ids).decode("utf-8", errors=errors)
