"""Exact-match accuracy on the fixed held-out set, overall and per input length.

Exact match counts an output only when every character is right. The per-character
accuracy (position by position against the target) falls off more gently and is the one
the length plot also shows, like the BLEU curve of Bahdanau et al. 2015.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from tfviz.core.seq2seq.decode import greedy_batch
from tfviz.core.seq2seq.tasks import Task


def char_accuracy(output: str, target: str) -> float:
    """Share of target positions that the output gets right.

    >>> char_accuracy("dcba", "dcba"), char_accuracy("dcxx", "dcba"), char_accuracy("", "ab")
    (1.0, 0.5, 0.0)
    """
    hits = sum(1 for a, b in zip(output, target) if a == b)
    return hits / max(len(target), len(output), 1)


def decode_all(model, task: Task, pairs: Sequence[tuple[str, str]], batch_size: int = 256) -> list[str]:
    outs: list[str] = []
    for i in range(0, len(pairs), batch_size):
        outs += greedy_batch(model, task, [x for x, _ in pairs[i : i + batch_size]])
    return outs


def exact_match(model, task: Task, pairs: Sequence[tuple[str, str]]) -> float:
    outs = decode_all(model, task, pairs)
    return sum(o == y for o, (_, y) in zip(outs, pairs)) / max(1, len(pairs))


@dataclass(frozen=True)
class EvalResult:
    task: str
    kind: str
    n: int
    exact: float  # overall exact match
    char: float  # overall per-character accuracy
    by_length: dict[int, tuple[int, float, float]]  # input length -> (count, exact, char accuracy)

    def to_json(self) -> dict:
        return {
            "task": self.task, "model": self.kind, "n": self.n, "exact": self.exact, "char": self.char,
            "by_length": {str(k): {"n": n, "exact": e, "char": c} for k, (n, e, c) in sorted(self.by_length.items())},
        }  # fmt: skip


def evaluate(model, task: Task, pairs: Sequence[tuple[str, str]] | None = None) -> EvalResult:
    pairs = task.heldout() if pairs is None else pairs
    outs = decode_all(model, task, pairs)
    groups: dict[int, list[tuple[bool, float]]] = defaultdict(list)
    for o, (x, y) in zip(outs, pairs):
        groups[len(x)].append((o == y, char_accuracy(o, y)))
    by_length = {
        n: (len(g), sum(e for e, _ in g) / len(g), sum(c for _, c in g) / len(g)) for n, g in groups.items()
    }
    flat = [r for g in groups.values() for r in g]
    return EvalResult(
        task.name, model.kind, len(flat),
        sum(e for e, _ in flat) / len(flat), sum(c for _, c in flat) / len(flat), by_length,
    )  # fmt: skip
