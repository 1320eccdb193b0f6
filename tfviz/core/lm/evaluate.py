"""Validation figures for the tiny models, comparable across tokenizers and between GPT and BERT.

* GPT: **bits per UTF-8 byte** = total cross-entropy of the text in bits / its UTF-8 bytes.
  Per byte, not per token, so models with different tokenizers compare fairly. And top-1:
  how often the most likely next token is the true one.
* BERT: **masked top-1**: hide 15 % of the tokens (fixed seed, all at once, as in training)
  and count how often the top guess is the hidden token.
* compare: the same hidden positions for both; the GPT predicts each from the true left
  context only, BERT from both sides (with the other hidden tokens also hidden).

The text is cut into windows of ``context_length - 1`` tokens, each read after the
end-of-text token; every token is predicted exactly once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tfviz.core.lm.data import EVAL_MASK_SEED, chunks, eval_mask_positions

BATCH = 32


def bits_per_byte(nats: float, n_bytes: int) -> float:
    """Total cross-entropy in nats -> bits per UTF-8 byte of the text.

    A text of 8 bytes predicted with total loss 8·ln 2 nats costs 1 bit per byte:

    >>> bits_per_byte(8 * math.log(2), 8)
    1.0
    """
    return nats / math.log(2) / n_bytes


@dataclass(frozen=True)
class GPTEval:
    bits_per_byte: float
    top1: float
    tokens: int

    def to_json(self) -> dict:
        return {"bits_per_byte": round(self.bits_per_byte, 4), "top1": round(self.top1, 4), "tokens": self.tokens}


@dataclass(frozen=True)
class BERTEval:
    masked_top1: float
    positions: int

    def to_json(self) -> dict:
        return {"masked_top1": round(self.masked_top1, 4), "positions": self.positions}


@dataclass(frozen=True)
class Comparison:
    positions: int
    bert_top1: float
    gpt_top1: float

    def to_json(self) -> dict:
        return {"positions": self.positions, "bert_top1": round(self.bert_top1, 4), "gpt_top1": round(self.gpt_top1, 4)}


def _windows(model, text: str) -> list[np.ndarray]:
    ids = np.asarray(model.tok.encode_ordinary(text), dtype=np.int64)
    if ids.size == 0:
        raise ValueError("the text is empty: nothing to evaluate")
    return chunks(ids, model.context_length - 1)


def _batched_logits(model, seqs: list[np.ndarray]):
    """Yield ``(rows, log-probabilities (B, T, V))`` for ``[EOT] + seq`` rows, padded with
    ``[PAD]`` (masked out as keys, so padding changes nothing)."""
    import torch

    for i in range(0, len(seqs), BATCH):
        rows = seqs[i : i + BATCH]
        t = 1 + max(len(r) for r in rows)
        x = np.full((len(rows), t), model.pad_id, dtype=np.int64)  # (B, T)
        real = np.zeros((len(rows), t), dtype=bool)
        for j, r in enumerate(rows):
            x[j, 0] = model.eot_id
            x[j, 1 : 1 + len(r)] = r
            real[j, : 1 + len(r)] = True
        with torch.no_grad():
            out = model.net(torch.as_tensor(x, device=model.device), key_allowed=torch.as_tensor(real, device=model.device))
            yield rows, torch.log_softmax(out.logits.float(), dim=-1).cpu().numpy()  # (B, T, V)


def gpt_eval(model, text: str) -> GPTEval:
    """Bits per UTF-8 byte and next-token top-1 of a GPT on ``text``."""
    model._need("gpt")
    nll, hits, count = 0.0, 0, 0
    for rows, logp in _batched_logits(model, _windows(model, text)):
        for j, r in enumerate(rows):
            pred = logp[j, : len(r)]  # (n, V) row i predicts r[i] from [EOT] + r[:i]
            nll -= float(pred[np.arange(len(r)), r].sum())
            hits += int((pred.argmax(-1) == r).sum())
            count += len(r)
    return GPTEval(bits_per_byte(nll, len(text.encode("utf-8"))), hits / count, count)


def masked_positions(model, text: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(window ids, hidden positions)`` for every window: the same for both models."""
    rng = np.random.default_rng(EVAL_MASK_SEED)
    return [(w, eval_mask_positions(len(w), rng)) for w in _windows(model, text)]


def bert_eval(model, text: str) -> BERTEval:
    """Masked top-1 of a BERT: 15 % of the tokens hidden by a fixed seed, all at once."""
    model._need("bert")
    plan = masked_positions(model, text)
    hits, count = _bert_hits(model, plan)
    return BERTEval(hits / count, count)


def _bert_hits(model, plan) -> tuple[int, int]:
    hidden = []
    for w, pos in plan:
        x = w.copy()
        x[pos] = model.mask_id
        hidden.append(x)
    hits = count = 0
    k = 0
    for rows, logp in _batched_logits(model, hidden):
        for j in range(len(rows)):
            w, pos = plan[k]
            k += 1
            guess = logp[j, pos + 1].argmax(-1)  # +1: position 0 is the end-of-text token
            hits += int((guess == w[pos]).sum())
            count += len(pos)
    return hits, count


def compare(gpt, bert, text: str) -> Comparison:
    """Top-1 of both models at the same hidden positions (GPT: left context only)."""
    gpt._need("gpt")
    bert._need("bert")
    if gpt.tok.merges != bert.tok.merges or gpt.context_length != bert.context_length:
        raise ValueError(f"{gpt.name} and {bert.name} do not share a tokenizer and context; cannot compare")
    plan = masked_positions(bert, text)
    bert_hits, count = _bert_hits(bert, plan)
    gpt_hits = 0
    k = 0
    for rows, logp in _batched_logits(gpt, [w for w, _ in plan]):
        for j in range(len(rows)):
            w, pos = plan[k]
            k += 1
            guess = logp[j, pos].argmax(-1)  # logits at position p predict window token p
            gpt_hits += int((guess == w[pos]).sum())
    return Comparison(count, bert_hits / count, gpt_hits / count)
