"""Training a byte-level BPE vocabulary, one merge at a time, with incremental pair counts.

Worked example (no pre-tokenization), the classic ``aaabdaaabac``:

    a a a b d a a a b a c     most frequent pair: (a, a) x4   -> 256 = "aa"
    256 a b d 256 a b a c     (256, a) x2 and (a, b) x2 tie   -> 257 = "ab" (smaller pair wins)
    256 257 d 256 257 a c     (256, 257) x2                   -> 258 = "aaab"
    258 d 258 a c

>>> [(s.pair, s.count) for s in train_merges(count_pieces(["aaabdaaabac"], "none"), 3)]
[((97, 97), 4), ((97, 98), 2), ((256, 257), 2)]

How it stays fast:

1. Pre-tokenize once and count each distinct piece (``count_pieces``): a 5 MB play script has
   about a million pieces but only tens of thousands of distinct ones.
2. Count every adjacent pair once, weighted by piece frequency, and remember which pieces hold
   each pair (``where``).
3. Per merge, visit only the pieces that hold the chosen pair and change only the counts of the
   pairs next to each replaced occurrence. Never recount everything (``naive.py`` does, to
   compare).
4. Pick the most frequent pair from a heap. Counts only go down except for pairs with the new
   token, which are pushed fresh, so an old heap entry is checked when popped and re-pushed with
   its current count if it went stale ("lazy" heap).

Tie rule (deterministic, independent of hash or set order): the highest count wins; among equal
counts, the smallest ``(left id, right id)`` wins (the rule HF ``tokenizers`` uses).
A pair whose joined bytes are already a token (e.g. ``a``+``ab`` after ``aa``+``b``) is skipped:
each byte string has one rank, as in tiktoken's rank tables.
"""

from __future__ import annotations

import gc
import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from tfviz.core.bpe.patterns import split_pieces
from tfviz.core.bpe.tokenizer import Tokenizer


@dataclass(frozen=True)
class MergeStep:
    """One merge of training: ``pair`` joined into token ``token_id`` (= 256 + ``rank``)."""

    rank: int  # 0 for the first merge
    pair: tuple[int, int]
    token_id: int
    token: bytes
    count: int  # occurrences of the pair when it was chosen
    vocab_size: int  # 256 + merges so far
    n_tokens: int  # length of the training text in tokens after this merge


def count_pieces(texts: Iterable[str], pattern: str = "gpt4") -> Counter[str]:
    """Distinct pre-tokenized pieces and how often each occurs.

    >>> count_pieces(["the cat, the hat"], "gpt4")[" the"]
    1
    >>> count_pieces(["ha ha ha"], "gpt4")
    Counter({' ha': 2, 'ha': 1})
    """
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(split_pieces(text, pattern))
    return counts


def _merge_in_word(word: list[int], a: int, b: int, z: int) -> tuple[list[int], list[tuple[int, int]]]:
    """Replace each ``a b`` (left to right) with ``z``; also return ``(old index, new index)``.

    >>> _merge_in_word([1, 2, 1, 2, 2], 1, 2, 9)
    ([9, 9, 2], [(0, 0), (2, 1)])
    """
    out: list[int] = []
    where: list[tuple[int, int]] = []
    i, n = 0, len(word)
    while True:
        try:
            j = word.index(a, i)
        except ValueError:
            break
        if j + 1 < n and word[j + 1] == b:
            out += word[i:j]
            where.append((j, len(out)))
            out.append(z)
            i = j + 2
        else:
            out += word[i : j + 1]
            i = j + 1
    out += word[i:]
    return out, where


def train_merges(pieces: Mapping[str, int], n_merges: int, min_count: int = 2) -> Iterator[MergeStep]:
    """Yield up to ``n_merges`` merges; stop early when no pair occurs ``min_count`` times.

    ``pieces`` maps each distinct piece to its count (see :func:`count_pieces`). Stop iterating
    to cancel: nothing else needs cleaning up.

    Python's cycle collector is paused until the generator ends or is closed (speed only):
    training builds millions of small lists and tuples, none in reference cycles, and the
    collector would walk them again and again (about 40% of the time on the Chinese corpus).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield from _train_merges(pieces, n_merges, min_count)
    finally:
        if enabled:
            gc.enable()


def _train_merges(pieces: Mapping[str, int], n_merges: int, min_count: int) -> Iterator[MergeStep]:
    words = [list(p.encode("utf-8")) for p in pieces]  # piece -> byte ids
    freqs = list(pieces.values())
    counts: dict[tuple[int, int], int] = defaultdict(int)  # pair -> weighted occurrences
    where: dict[tuple[int, int], set[int]] = defaultdict(set)  # pair -> indices of words holding it
    n_tokens = 0
    for i, (word, f) in enumerate(zip(words, freqs)):
        n_tokens += len(word) * f
        for pair in zip(word, word[1:]):
            counts[pair] += f
            where[pair].add(i)
    heap = [(-c, pair) for pair, c in counts.items()]
    heapq.heapify(heap)
    vocab = [bytes([i]) for i in range(256)]  # id -> bytes
    known = set(vocab)

    rank = 0
    while rank < n_merges and heap:
        neg, pair = heapq.heappop(heap)
        count = counts.get(pair, 0)
        if count != -neg:  # stale entry: put it back with its current count
            if count > 0:
                heapq.heappush(heap, (-count, pair))
            continue
        if count < min_count:
            return
        a, b = pair
        token = vocab[a] + vocab[b]
        if token in known:
            continue
        z = len(vocab)
        vocab.append(token)
        known.add(token)
        fresh: set[tuple[int, int]] = set()  # pairs with the new token
        for i in where.pop(pair):
            old = words[i]
            new, spots = _merge_in_word(old, a, b, z)
            if not spots:
                continue  # this word lost the pair in an earlier merge
            f = freqs[i]
            last = len(spots) - 1
            for n, (j, k) in enumerate(spots):
                # a b at old[j], old[j+1] became z at new[k]: fix the pairs on both sides.
                if j > 0:  # left: (x, a) -> (x, z); x may itself be a z just made
                    counts[old[j - 1], a] -= f
                    p = (new[k - 1], z)
                    counts[p] += f
                    where[p].add(i)
                    fresh.add(p)
                if j + 2 < len(old) and (n == last or spots[n + 1][0] != j + 2):
                    counts[b, old[j + 2]] -= f  # right: (b, y) -> (z, y), unless y starts the next a b
                    p = (z, new[k + 1])
                    counts[p] += f
                    where[p].add(i)
                    fresh.add(p)
            n_tokens -= len(spots) * f
            words[i] = new
        del counts[pair]
        for p in sorted(fresh):
            heapq.heappush(heap, (-counts[p], p))
        yield MergeStep(rank, pair, z, token, count, z + 1, n_tokens)
        rank += 1


def tokenizer_from_merges(merges: list[tuple[int, int]], pattern: str, name: str = "trained") -> Tokenizer:
    """A tokenizer whose ranks are 0..255 for bytes and 256 + i for merge i.

    Encoding then follows the same lowest-rank rule as the real vocabularies. Its one special
    token, ``<|endoftext|>``, gets the next id.
    """
    vocab = [bytes([i]) for i in range(256)]
    for a, b in merges:
        vocab.append(vocab[a] + vocab[b])
    ranks = {data: i for i, data in enumerate(vocab)}
    return Tokenizer(name, pattern, ranks, {"<|endoftext|>": len(vocab)}, list(merges))


def train(texts: Iterable[str], vocab_size: int, pattern: str = "gpt4", name: str = "trained") -> Tokenizer:
    """Train to ``vocab_size`` (at least 256) and return the tokenizer (no progress reports).

    >>> tok = train(["aaabdaaabac"], 259, "none")
    >>> tok.encode("aaabdaaabac")
    [258, 100, 258, 97, 99]
    """
    if vocab_size < 256:
        raise ValueError(f"vocabulary size must be at least 256 (the bytes), got {vocab_size}")
    steps = train_merges(count_pieces(texts, pattern), vocab_size - 256)
    return tokenizer_from_merges([s.pair for s in steps], pattern, name)
