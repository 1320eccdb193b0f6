"""Unwinding a token into the merges that built it, from an encode trace.

>>> from tfviz.core.bpe.tokenizer import Tokenizer
>>> tok = Tokenizer("demo", "none", {bytes([i]): i for i in range(256)} | {b"ab": 256, b"abc": 257})
>>> trace = tok.encode_trace("abc")
>>> print(render(merge_tree(trace, 0, 3, len(trace.steps)), trace.data))
abc (rank 257)
  ab (rank 256)
    a
    b
  c
"""

from __future__ import annotations

from dataclasses import dataclass

from tfviz.core.bpe.display import token_label
from tfviz.core.bpe.tokenizer import EncodeTrace


@dataclass(frozen=True)
class MergeNode:
    """Bytes ``start:end`` of the traced text; ``rank`` of the merge that made it (``None`` for
    a single byte or a special token); the parts it was made from."""

    start: int
    end: int
    rank: int | None
    children: tuple[MergeNode, ...] = ()


def merge_tree(trace: EncodeTrace, start: int, end: int, k: int) -> MergeNode:
    """The tree of the token spanning ``start:end`` after the first ``k`` steps."""
    for idx in range(k - 1, -1, -1):
        step = trace.steps[idx]
        if step.start == start and step.end == end:
            if step.mid >= 0:
                parts = [(start, step.mid), (step.mid, end)]
            else:  # the whole piece was taken at once: its parts are what existed before
                parts = [(a, b) for a, b in trace.spans_at(idx) if start <= a and b <= end]
            return MergeNode(start, end, step.rank, tuple(merge_tree(trace, a, b, idx) for a, b in parts))
    return MergeNode(start, end, None)


def render(node: MergeNode, data: bytes, depth: int = 0) -> str:
    """The tree as indented text (for the CLI, tests and docstrings)."""
    label = token_label(data[node.start : node.end])
    line = "  " * depth + label + (f" (rank {node.rank})" if node.rank is not None else "")
    return "\n".join([line] + [render(c, data, depth + 1) for c in node.children])
