"""The two corpora, their train / validation split, and batches for the tiny GPT and BERT.

Split: the last 10 % of a text (by characters, cut at a line boundary) is the validation
split. It is never used for training the models or the tokenizer; only validation loss is
measured on it.

>>> train, val = split_text("one\\ntwo\\nthree\\nfour\\n", 0.25)
>>> train, val
('one\\ntwo\\nthree\\n', 'four\\n')

Every sequence a model reads starts with the end-of-text token, which plays the part of
"start of text": the GPT predicts the first real token from it, and generation from an empty
prompt starts from it. A sequence is ``[EOT] + window`` with ``window`` at most
``context_length - 1`` tokens.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np

LANGS = ("en", "zh")
CORPUS_FILES = {"en": "en_shakespeare.txt", "zh": "zh_classical.txt"}
VAL_FRACTION = 0.10
MASK_FRACTION = 0.15  # BERT: share of tokens hidden, in training and in evaluation
EVAL_MASK_SEED = 1234  # the fixed positions `tfviz lm eval` and `compare` hide


def split_text(text: str, val_fraction: float = VAL_FRACTION) -> tuple[str, str]:
    """``(train, validation)``: the last ``val_fraction`` of the characters, moved forward to
    the start of a line (the cut is never inside a line)."""
    if not text:
        return "", ""
    cut = int(len(text) * (1 - val_fraction))
    nl = text.rfind("\n", 0, cut)  # the line holding character `cut` starts after this newline
    start = nl + 1 if nl >= 0 else 0
    if start == 0:  # a single long first line: cut at the next line instead
        nxt = text.find("\n", cut)
        start = nxt + 1 if nxt >= 0 else len(text)
    return text[:start], text[start:]


def bundled_corpus(lang: str) -> str:
    """The corpus shipped (gzipped) inside tfviz, for training offline."""
    from tfviz.core.assets import asset

    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; valid: {', '.join(LANGS)}")
    node = asset("corpora", CORPUS_FILES[lang] + ".gz")
    return gzip.decompress(node.read_bytes()).decode("utf-8")


def read_corpus(path: str | Path | None, lang: str) -> str:
    """The text of ``path``, or the bundled corpus of ``lang`` when ``path`` is None."""
    if path is None:
        return bundled_corpus(lang)
    from tfviz.core.bpe.store import read_corpus as read

    return read(path)


# ---- batches -----------------------------------------------------------------------------


def random_windows(ids: np.ndarray, n: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` windows of ``length`` consecutive ids at random starts: ``(n, length)``.

    >>> random_windows(np.arange(10), 2, 3, np.random.default_rng(0)).shape
    (2, 3)
    """
    starts = rng.integers(0, len(ids) - length + 1, size=n)  # (n,)
    return np.stack([ids[s : s + length] for s in starts])  # (n, length)


def with_eot(windows: np.ndarray, eot_id: int) -> np.ndarray:
    """Put the end-of-text token in front of every window: ``(B, W) -> (B, W + 1)``.

    >>> with_eot(np.array([[5, 6]]), 9).tolist()
    [[9, 5, 6]]
    """
    eot = np.full((windows.shape[0], 1), eot_id, dtype=windows.dtype)
    return np.concatenate([eot, windows], axis=1)


def chunks(ids: np.ndarray, length: int) -> list[np.ndarray]:
    """Cut ``ids`` into consecutive pieces of ``length`` (the last may be shorter).

    >>> [c.tolist() for c in chunks(np.arange(5), 2)]
    [[0, 1], [2, 3], [4]]
    """
    return [ids[i : i + length] for i in range(0, len(ids), length)]


@dataclass(frozen=True)
class MaskedBatch:
    """BERT's input: ``inputs`` with some tokens hidden, ``targets`` = -100 where nothing is
    asked (cross-entropy ignores -100)."""

    inputs: np.ndarray  # (B, T) ids the model sees
    targets: np.ndarray  # (B, T) true id at asked positions, -100 elsewhere


def mask_for_training(seqs: np.ndarray, mask_id: int, n_normal: int, rng: np.random.Generator) -> MaskedBatch:
    """BERT's recipe: ask 15 % of the positions (never position 0, the end-of-text token);
    of those, 80 % become ``[MASK]``, 10 % a random ordinary token, 10 % stay as they are.

    ``n_normal``: ordinary tokens are ``0 .. n_normal - 1`` (special tokens come after).
    """
    asked = rng.random(seqs.shape) < MASK_FRACTION  # (B, T)
    asked[:, 0] = False
    roll = rng.random(seqs.shape)  # (B, T)
    inputs = seqs.copy()
    inputs[asked & (roll < 0.8)] = mask_id
    swap = asked & (roll >= 0.8) & (roll < 0.9)
    inputs[swap] = rng.integers(0, n_normal, size=int(swap.sum()))
    targets = np.where(asked, seqs, -100)
    return MaskedBatch(inputs, targets)


def eval_mask_positions(n_tokens: int, rng: np.random.Generator) -> np.ndarray:
    """Sorted positions (0-based, in a window of ``n_tokens``) to hide: 15 %, at least one.

    >>> eval_mask_positions(20, np.random.default_rng(0)).size
    3
    """
    k = max(1, round(MASK_FRACTION * n_tokens))
    return np.sort(rng.choice(n_tokens, size=k, replace=False))
