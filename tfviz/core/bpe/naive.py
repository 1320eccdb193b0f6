"""The slow way to train BPE, for comparison: recount every pair before every merge.

Same tie rule and same skip rule as ``trainer.py``, so both give the same merges; only the cost
differs: each merge here touches every piece (O(corpus) per merge), while ``trainer.py`` touches
only the pieces that hold the chosen pair.

>>> naive_merges({"aaabdaaabac": 1}, 3)
[(97, 97), (97, 98), (256, 257)]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from tfviz.core.bpe.trainer import _merge_in_word


def naive_merges(pieces: Mapping[str, int], n_merges: int, min_count: int = 2) -> list[tuple[int, int]]:
    words = [list(p.encode("utf-8")) for p in pieces]
    freqs = list(pieces.values())
    vocab = [bytes([i]) for i in range(256)]
    known = set(vocab)
    merges: list[tuple[int, int]] = []
    skipped: set[tuple[int, int]] = set()
    while len(merges) < n_merges:
        counts: Counter[tuple[int, int]] = Counter()
        for word, f in zip(words, freqs):
            for pair in zip(word, word[1:]):
                counts[pair] += f
        candidates = [(-c, p) for p, c in counts.items() if p not in skipped]
        if not candidates:
            break
        neg, pair = min(candidates)  # highest count, then smallest pair
        if -neg < min_count:
            break
        token = vocab[pair[0]] + vocab[pair[1]]
        if token in known:
            skipped.add(pair)
            continue
        z = len(vocab)
        vocab.append(token)
        known.add(token)
        merges.append(pair)
        words = [_merge_in_word(w, pair[0], pair[1], z)[0] for w in words]
    return merges
