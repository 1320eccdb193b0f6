"""Encoding one piece with a rank table, exactly as tiktoken does.

``ranks`` maps token bytes to their rank (= their id). Start from single bytes and repeatedly
join the adjacent pair whose *concatenated bytes* have the lowest rank (leftmost on ties), until
no adjacent pair is a token. With ranks ``{a:0, b:1, c:2, ab:3, bc:4, abc:5}``:

    a b c   pairs: ab (rank 3), bc (rank 4)  -> join ab
    ab c    pairs: abc (rank 5)              -> join
    abc

>>> bpe_ids(b"abc", {b"a": 0, b"b": 1, b"c": 2, b"ab": 3, b"bc": 4, b"abc": 5})
[5]

A trace, when asked for, records each join as ``(start, mid, end, rank)`` byte offsets inside the
piece: the left part was ``piece[start:mid]``, the right part ``piece[mid:end]``.

>>> trace = []
>>> bpe_ids(b"abc", {b"a": 0, b"b": 1, b"c": 2, b"ab": 3, b"bc": 4, b"abc": 5}, trace)
[5]
>>> trace
[(0, 1, 2, 3), (0, 2, 3, 5)]
"""

from __future__ import annotations

import heapq

NO_RANK = 1 << 62  # larger than any rank: "this pair is not a token"
LONG_PIECE = 128  # from this many bytes on, use the heap version


def bpe_ids(piece: bytes, ranks: dict[bytes, int], trace: list | None = None) -> list[int]:
    """Token ids for one piece (``trace``: see the module docstring)."""
    bounds = bpe_bounds(piece, ranks, trace)
    return [ranks[piece[bounds[k] : bounds[k + 1]]] for k in range(len(bounds) - 1)]


def bpe_bounds(piece: bytes, ranks: dict[bytes, int], trace: list | None = None) -> list[int]:
    """Token boundaries after merging: ``[0, ..., len(piece)]``."""
    if len(piece) >= LONG_PIECE:
        return _bounds_heap(piece, ranks, trace)
    return _bounds_scan(piece, ranks, trace)


def _bounds_scan(piece: bytes, ranks: dict[bytes, int], trace: list | None) -> list[int]:
    """Short pieces: keep the rank of every adjacent pair in a list and take its minimum."""
    get = ranks.get
    bounds = list(range(len(piece) + 1))  # token k is piece[bounds[k]:bounds[k+1]]
    pair = [get(piece[i : i + 2], NO_RANK) for i in range(len(piece) - 1)]  # rank of token k + k+1
    while pair:
        rank = min(pair)
        if rank == NO_RANK:
            break
        k = pair.index(rank)  # leftmost of the lowest rank
        if trace is not None:
            trace.append((bounds[k], bounds[k + 1], bounds[k + 2], rank))
        del bounds[k + 1]
        del pair[k]
        # token k grew: refresh the pairs on its left and right
        if k < len(pair):
            pair[k] = get(piece[bounds[k] : bounds[k + 2]], NO_RANK)
        if k > 0:
            pair[k - 1] = get(piece[bounds[k - 1] : bounds[k + 1]], NO_RANK)
    return bounds


def _bounds_heap(piece: bytes, ranks: dict[bytes, int], trace: list | None) -> list[int]:
    """Long pieces: the same rule in O(n log n) with a heap of ``(rank, start, end)`` pairs.

    The heap orders pairs by rank, then by start offset (= leftmost first). A popped pair is used
    only if both of its tokens are still there unchanged; stale entries are skipped.
    """
    get = ranks.get
    n = len(piece)
    nxt = list(range(1, n + 1))  # nxt[s]: end of the token that starts at s
    prv = list(range(-1, n))  # prv[s]: start of the token before the one at s
    alive = [True] * n  # alive[s]: a token starts at s
    heap = [(r, s, s + 2) for s in range(n - 1) if (r := get(piece[s : s + 2])) is not None]
    heapq.heapify(heap)
    while heap:
        rank, s, e = heapq.heappop(heap)
        m = nxt[s]
        if not alive[s] or m >= n or nxt[m] != e:
            continue  # stale: one of the two tokens has changed since this pair was pushed
        if trace is not None:
            trace.append((s, m, e, rank))
        alive[m] = False
        nxt[s] = e
        if e < n:
            prv[e] = s
            r = get(piece[s : nxt[e]])
            if r is not None:
                heapq.heappush(heap, (r, s, nxt[e]))
        p = prv[s]
        if p >= 0:
            r = get(piece[p:e])
            if r is not None:
                heapq.heappush(heap, (r, p, e))
    return [s for s in range(n) if alive[s]] + [n]
