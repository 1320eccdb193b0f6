"""Turning (input, target) strings into padded id tensors.

    >>> from tfviz.core.seq2seq.tasks import get_task
    >>> b = make_batch(get_task("reverse"), [("abc", "cba")])
    >>> b.src.tolist(), b.tgt_in.tolist(), b.tgt_out.tolist()
    ([[4, 5, 6]], [[1, 6, 5, 4]], [[6, 5, 4, 2]])

``tgt_in`` starts with ``<s>`` (what the decoder is fed), ``tgt_out`` ends with ``</s>``
(what it must predict): the same sequence shifted by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from tfviz.core.seq2seq.tasks import Task
from tfviz.core.seq2seq.vocab import BOS, EOS, PAD


@dataclass(frozen=True)
class Batch:
    src: Tensor  # (B, S) input ids, padded with <pad>
    lengths: Tensor  # (B,) real input lengths
    tgt_in: Tensor  # (B, T) <s> y_1 .. y_n, padded
    tgt_out: Tensor  # (B, T) y_1 .. y_n </s>, padded


def encode_inputs(task: Task, texts: Sequence[str]) -> tuple[Tensor, Tensor]:
    """Input strings -> (B, S) ids and (B,) lengths; longer than ``task.max_src`` is cut; empty -> one <unk>."""
    rows = [task.src.encode(t[: task.max_src]) or [PAD] for t in texts]
    lengths = torch.tensor([len(r) for r in rows])  # (B,)
    src = torch.full((len(rows), int(lengths.max())), PAD, dtype=torch.long)  # (B, S)
    for i, r in enumerate(rows):
        src[i, : len(r)] = torch.tensor(r)
    return src, lengths


def make_batch(task: Task, pairs: Sequence[tuple[str, str]]) -> Batch:
    src, lengths = encode_inputs(task, [x for x, _ in pairs])
    outs = [task.tgt.encode(y) for _, y in pairs]
    t = max(len(o) for o in outs) + 1
    tgt_in = torch.full((len(pairs), t), PAD, dtype=torch.long)  # (B, T)
    tgt_out = torch.full((len(pairs), t), PAD, dtype=torch.long)  # (B, T)
    for i, o in enumerate(outs):
        tgt_in[i, : len(o) + 1] = torch.tensor([BOS] + o)
        tgt_out[i, : len(o) + 1] = torch.tensor(o + [EOS])
    return Batch(src, lengths, tgt_in, tgt_out)
