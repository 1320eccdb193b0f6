"""Byte-level BPE training the simple way: read this first.

Start from the UTF-8 bytes of each piece of text. Count every adjacent pair, join the most
frequent pair into a new token, and repeat. ``trainer.py`` gives the same merges much faster by
updating the counts instead of recounting everything before every merge.

>>> ids = list("aaabdaaabac".encode("utf-8"))   # a=97 b=98 c=99 d=100
>>> get_stats([ids], [1])[(97, 97)]             # "aa" occurs 4 times (overlaps count)
4
>>> merge(ids, (97, 97), 256)                   # join it into token 256
[256, 97, 98, 100, 256, 97, 98, 97, 99]
>>> naive_merges({"aaabdaaabac": 1}, 3)         # aa, then ab, then aa+ab
[(97, 97), (97, 98), (256, 257)]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping


def get_stats(words: list[list[int]], freqs: list[int]) -> Counter[tuple[int, int]]:
    """How often each adjacent pair occurs, each word weighted by its frequency."""
    counts: Counter[tuple[int, int]] = Counter()  # (left id, right id) -> occurrences
    for word, f in zip(words, freqs, strict=True):
        for pair in zip(word, word[1:]):
            counts[pair] += f
    return counts


def merge(ids: list[int], pair: tuple[int, int], new_id: int) -> list[int]:
    """Replace every ``pair`` in ``ids`` (left to right, no overlaps) with ``new_id``.

    >>> merge([1, 2, 1, 2, 2], (1, 2), 9)
    [9, 9, 2]
    """
    out = []
    i = 0
    while i < len(ids):
        if i + 1 < len(ids) and (ids[i], ids[i + 1]) == pair:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def naive_merges(pieces: Mapping[str, int], n_merges: int, min_count: int = 2) -> list[tuple[int, int]]:
    """Up to ``n_merges`` merges learnt from ``pieces`` (piece -> how often it occurs).

    Rules, shared with ``trainer.py``: the highest count wins and, on a tie, the smallest pair;
    stop when no pair occurs ``min_count`` times; skip a pair whose joined bytes are already a
    token (each byte string has one id).
    """
    words = [list(p.encode("utf-8")) for p in pieces]  # each piece as byte ids
    freqs = list(pieces.values())
    vocab = [bytes([i]) for i in range(256)]  # id -> the bytes it stands for
    merges: list[tuple[int, int]] = []
    skipped: set[tuple[int, int]] = set()
    while len(merges) < n_merges:
        counts = get_stats(words, freqs)
        candidates = [(-c, pair) for pair, c in counts.items() if pair not in skipped]
        if not candidates:
            break
        neg_count, pair = min(candidates)  # highest count, then smallest pair
        if -neg_count < min_count:
            break
        token = vocab[pair[0]] + vocab[pair[1]]
        if token in vocab:
            skipped.add(pair)
            continue
        new_id = len(vocab)
        vocab.append(token)
        merges.append(pair)
        words = [merge(w, pair, new_id) for w in words]
    return merges
