"""Texts in, every attention number out, as numpy arrays a GUI can slice without torch.

>>> from tfviz.core.bert import load_bert
>>> bert = load_bert("minilm")
>>> res = analyze(bert, ["The cat sat.", "Hi"])
>>> res.tokens[1]
('[CLS]', 'hi', '[SEP]')
>>> res.weights.shape           # (L, B, H, T, T), T = longest sentence
(6, 2, 12, 6, 6)
>>> res.head(0, 0, 3).weights.shape   # one head's matrices, stage by stage
(6, 6)

Only Q, K, V, the weights and the head outputs are stored; one head's scores, scaled and
masked scores are recomputed on demand (a (T, d_k) x (d_k, T) product, a division and an
addition), which keeps a 512-token analysis at about 80 MB instead of three times that.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from tfviz.core.attention_head import HeadView
from tfviz.core.bert.loader import Bert
from tfviz.core.bert.wordpiece import Encoding

@dataclass(frozen=True)
class Analysis:
    """One forward pass over a batch of sentences, kept as numpy."""

    texts: tuple[str, ...]
    encodings: tuple[Encoding, ...]  # per sentence, after [MASK] replacement
    causal: bool
    q: np.ndarray  # (L, B, H, T, d_k)
    k: np.ndarray  # (L, B, H, T, d_k)
    v: np.ndarray  # (L, B, H, T, d_k)
    weights: np.ndarray  # (L, B, H, T, T)
    context: np.ndarray  # (L, B, H, T, d_k)
    allowed: np.ndarray  # (B, T, T) bool: query i may look at key j
    embeddings: dict[str, np.ndarray] = field(default_factory=dict)  # token/type/total/normed (B,T,D), position (T,D)
    device: str = "cpu"

    @property
    def tokens(self) -> tuple[tuple[str, ...], ...]:
        return tuple(e.tokens for e in self.encodings)

    @property
    def lengths(self) -> tuple[int, ...]:
        return tuple(len(e) for e in self.encodings)

    @property
    def truncated(self) -> bool:
        return any(e.truncated for e in self.encodings)

    @property
    def shape(self) -> tuple[int, int, int, int]:
        """(layers, sentences, heads, padded length)."""
        n_layers, b, h, t, _ = self.weights.shape
        return n_layers, b, h, t

    def padded_tokens(self, b: int) -> list[str]:
        """Sentence ``b``'s tokens, padded with ``[PAD]`` to the batch length."""
        toks = list(self.tokens[b])
        return toks + ["[PAD]"] * (self.shape[3] - len(toks))

    def head(self, layer: int, b: int, h: int) -> HeadView:
        """Every stage of one head, recomputing the scores, scaled and masked scores."""
        q, k = self.q[layer, b, h], self.k[layer, b, h]  # (T, d_k)
        scores = q @ k.T  # (T, T)
        scaled = scores / np.float32(math.sqrt(self.q.shape[-1]))  # (T, T)
        mask = np.where(self.allowed[b], np.float32(0), np.float32(-np.inf))  # (T, T)
        return HeadView(
            self.q[layer, b, h], self.k[layer, b, h], self.v[layer, b, h],
            scores, scaled, mask, scaled + mask, self.weights[layer, b, h], self.context[layer, b, h],
        )


def encode_batch(
    bert: Bert, texts: Sequence[str], mask_positions: Sequence[Sequence[int]] = (), max_length: int | None = None
) -> tuple[Encoding, ...]:
    """Tokenize each text (cut to the model's positions); put ``[MASK]`` at the given token indices."""
    max_length = max_length or bert.config.max_positions
    out = []
    for b, text in enumerate(texts):
        enc = bert.tokenizer.encode(text, max_length=max_length)
        where = set(mask_positions[b]) if b < len(mask_positions) else set()
        where = {i for i in where if 0 < i < len(enc) - 1}  # never [CLS]/[SEP]
        if where:
            mask_id = bert.tokenizer.id_of("[MASK]")
            enc = Encoding(
                tokens=tuple("[MASK]" if i in where else t for i, t in enumerate(enc.tokens)),
                ids=tuple(mask_id if i in where else t for i, t in enumerate(enc.ids)),
                offsets=enc.offsets,
                truncated=enc.truncated,
            )
        out.append(enc)
    return tuple(out)


def analyze(
    bert: Bert,
    texts: Sequence[str],
    causal: bool = False,
    mask_positions: Sequence[Sequence[int]] = (),
    pad_mask: bool = True,
    device: str | None = None,
    max_length: int | None = None,
) -> Analysis:
    """Run the model over ``texts`` (padded into one batch) and keep every trace as numpy.

    ``pad_mask=False`` lets queries look at ``[PAD]`` keys, to show what the padding mask is for.
    ``max_length`` cuts each sentence (default: the model's positions, 512 for BERT).
    """
    import torch

    if not texts:
        raise ValueError("no text to analyse")
    encs = encode_batch(bert, texts, mask_positions, max_length)
    lengths = [len(e) for e in encs]
    t = max(lengths)
    pad = bert.config.pad_token_id
    dev = device or bert.device
    ids = torch.full((len(encs), t), pad, dtype=torch.long)  # (B, T)
    for b, e in enumerate(encs):
        ids[b, : len(e)] = torch.tensor(e.ids)
    ids = ids.to(dev)
    use_pad = pad_mask and len(set(lengths)) > 1
    with torch.inference_mode():
        out = bert.model(ids, lengths if use_pad else None, causal=causal)
        parts = bert.model.embeddings.parts(ids)
    allowed = out.allowed
    if allowed is None:
        allowed = torch.ones(len(encs), 1, t, t, dtype=torch.bool)
    allowed = allowed.expand(len(encs), 1, t, t)[:, 0]  # (B, T, T)

    def stack(name: str) -> np.ndarray:
        return torch.stack([getattr(tr, name) for tr in out.traces]).float().cpu().numpy()  # (L, B, H, T, ·)

    return Analysis(
        texts=tuple(texts),
        encodings=encs,
        causal=causal,
        q=stack("q"), k=stack("k"), v=stack("v"),
        weights=stack("weights"), context=stack("context"),
        allowed=allowed.cpu().numpy().copy(),
        embeddings={
            "token": parts.token.cpu().numpy(),
            "position": parts.position[0].cpu().numpy(),
            "type": parts.type.cpu().numpy(),
            "total": parts.total.cpu().numpy(),
            "normed": parts.normed.cpu().numpy(),
        },
        device=str(dev),
    )
