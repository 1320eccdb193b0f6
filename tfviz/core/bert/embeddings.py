"""Looking at embeddings: word vectors, nearest neighbours, a 2-D projection (numpy only).

>>> import numpy as np
>>> table = normalize_rows(np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]]))
>>> nearest(table, np.array([1.0, 0.0]), ["a", "b", "c"], k=2)
[('a', 1.0), ('b', 0.9939)]
>>> pca_2d(np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [4.0, 0.0, 0.0]])).round(3)[:, 0].tolist()
[-1.667, -0.667, 2.333]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tfviz.core.bert.wordpiece import WordPiece


def normalize_rows(table: np.ndarray) -> np.ndarray:
    """Each row divided by its length, so that a dot product is a cosine similarity."""
    norms = np.linalg.norm(table, axis=1, keepdims=True)
    return (table / np.maximum(norms, 1e-12)).astype(np.float32)


def word_vector(tokenizer: WordPiece, table: np.ndarray, word: str) -> tuple[np.ndarray, list[str]]:
    """The input embedding of ``word``: the mean of its wordpieces' rows (and the pieces)."""
    enc = tokenizer.encode(word, add_special=False, max_length=None)
    if not enc.ids:
        raise ValueError("the word is empty")
    return table[list(enc.ids)].mean(axis=0), list(enc.tokens)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """cos(a, b) = a·b / (|a| |b|)."""
    return float(a @ b / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-12))


def nearest(
    normed: np.ndarray, vec: np.ndarray, vocab: Sequence[str], k: int = 10, skip: Sequence[str] = ()
) -> list[tuple[str, float]]:
    """The ``k`` vocabulary entries most similar (cosine) to ``vec``; ``normed`` = normalize_rows(table)."""
    sims = normed @ (vec / max(float(np.linalg.norm(vec)), 1e-12))  # (V,)
    order = np.argsort(-sims)
    out, skip = [], set(skip)
    for i in order:
        tok = vocab[i]
        if tok in skip or tok.startswith("[unused"):
            continue
        out.append((tok, round(float(sims[i]), 4)))
        if len(out) == k:
            break
    return out


def pca_2d(points: np.ndarray) -> np.ndarray:
    """Project ``(N, D)`` points on their two main directions of variation: ``(N, 2)``.

    The sign of each axis is fixed (largest coordinate positive) so that the picture does not
    flip when one point is added.
    """
    x = np.asarray(points, dtype=np.float64)
    x = x - x.mean(axis=0, keepdims=True)  # (N, D)
    n, d = x.shape
    if n < 2:
        return np.zeros((n, 2))
    # The main directions are the top eigenvectors of the covariance xᵀx (D, D); with fewer
    # points than dimensions the Gram matrix x xᵀ (N, N) is smaller and gives the same picture.
    if n <= d:
        vals, vecs = np.linalg.eigh(x @ x.T)  # ascending eigenvalues
        proj = vecs[:, ::-1][:, :2] * np.sqrt(np.maximum(vals[::-1][:2], 0.0))  # (N, 2)
    else:
        _, vecs = np.linalg.eigh(x.T @ x)
        proj = x @ vecs[:, ::-1][:, :2]  # (N, 2)
    if proj.shape[1] < 2:
        proj = np.hstack([proj, np.zeros((n, 2 - proj.shape[1]))])
    for c in range(2):
        if proj[np.argmax(np.abs(proj[:, c])), c] < 0:
            proj[:, c] = -proj[:, c]
    return proj
