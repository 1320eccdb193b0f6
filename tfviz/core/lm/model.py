"""The tiny GPT and the tiny BERT: one network, two ways of reading.

Both are the same stack: token embedding + learned position embedding, N pre-norm
:class:`~tfviz.core.attention.EncoderBlock` s (self-attention and MLP), a final LayerNorm and
an output layer tied to the token embedding (logits = h · Eᵀ). They differ in one line,
the mask given to self-attention:

* **GPT** (``kind="gpt"``): causal. Position i sees positions 0..i and learns to predict
  token i + 1. That is what lets it generate, one token after another.
* **BERT** (``kind="bert"``): no mask. Every position sees both sides and learns to fill the
  ``[MASK]`` tokens (masked language modelling). It cannot generate left to right.

and in the objective (``train.py``). Same width, depth, heads, data and tokenizer, so the
comparison is fair.

Shapes: B batch, T positions, D width, H heads, V vocabulary, L layers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import Tensor, nn

from tfviz.core.attention import AttentionTrace, EncoderBlock

KINDS = ("gpt", "bert")

KVCache = list[tuple[Tensor, Tensor]]  # per layer: keys, values (B, H, T_past, d_k) each


@dataclass(frozen=True)
class LMConfig:
    kind: str  # "gpt" or "bert"
    vocab_size: int
    context_length: int = 128  # positions, the end-of-text token included
    d_model: int = 192
    n_layers: int = 4
    n_heads: int = 4
    d_ff: int = 768
    dropout: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r}; valid: {', '.join(KINDS)}")

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class LMOutput:
    logits: Tensor  # (B, T, V)
    traces: tuple[AttentionTrace, ...]  # one per layer; weights (B, H, T, T_past + T)
    cache: KVCache  # keys and values of every position so far, per layer


def causal_allowed(t_past: int, t_new: int, device=None) -> Tensor:
    """Which keys each new query may see when ``t_past`` positions are cached: ``(T_new, T_all)``.

    New query i sits at position ``t_past + i`` and sees keys ``0 .. t_past + i``.

    >>> causal_allowed(2, 2).int().tolist()
    [[1, 1, 1, 0], [1, 1, 1, 1]]
    """
    q = torch.arange(t_past, t_past + t_new, device=device)[:, None]  # (T_new, 1)
    k = torch.arange(t_past + t_new, device=device)[None, :]  # (1, T_all)
    return k <= q  # (T_new, T_all)


class TinyLM(nn.Module):
    """A GPT or a BERT (see the module docstring), built from the shared attention blocks."""

    def __init__(self, cfg: LMConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.causal = cfg.kind == "gpt"  # THE difference between the two models
        self.tok_emb = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.pos_emb = nn.Embedding(cfg.context_length, cfg.d_model)
        self.blocks = nn.ModuleList(
            EncoderBlock(cfg.d_model, cfg.n_heads, cfg.d_ff, "gelu", norm_first=True, dropout=cfg.dropout)
            for _ in range(cfg.n_layers)
        )
        self.norm = nn.LayerNorm(cfg.d_model)
        self.drop = nn.Dropout(cfg.dropout)
        self.apply(_init_weights)

    def forward(
        self, ids: Tensor, past: KVCache | None = None, key_allowed: Tensor | None = None
    ) -> LMOutput:
        """``ids`` (B, T_new) continue the ``past`` positions (GPT's KV cache; None = none).

        ``key_allowed`` (B, T_all) marks real keys (False = ``[PAD]``).
        """
        t_past = 0 if past is None else past[0][0].shape[2]
        t_new = ids.shape[1]
        if t_past + t_new > self.cfg.context_length:
            raise ValueError(f"{t_past + t_new} positions exceed the context of {self.cfg.context_length}")
        pos = torch.arange(t_past, t_past + t_new, device=ids.device)  # (T_new,)
        x = self.drop(self.tok_emb(ids) + self.pos_emb(pos))  # (B, T_new, D)
        allowed = causal_allowed(t_past, t_new, ids.device) if self.causal else None  # (T_new, T_all)
        if key_allowed is not None:
            keys = key_allowed[:, None, None, :]  # (B, 1, 1, T_all)
            allowed = keys if allowed is None else (allowed & keys)  # (B, 1, T_new, T_all)
        traces, cache = [], []
        for i, block in enumerate(self.blocks):
            x, trace = block(x, allowed, None if past is None else past[i])  # (B, T_new, D)
            traces.append(trace)
            cache.append((trace.k, trace.v))  # every key and value so far, for the next step
        h = self.norm(x)  # (B, T_new, D)
        logits = h @ self.tok_emb.weight.T  # (B, T_new, V) tied output layer
        return LMOutput(logits, tuple(traces), cache)


def _init_weights(m: nn.Module) -> None:
    """GPT-2's initialisation: normal(0, 0.02) weights, zero biases."""
    if isinstance(m, (nn.Linear, nn.Embedding)):
        nn.init.normal_(m.weight, mean=0.0, std=0.02)
    if isinstance(m, nn.Linear) and m.bias is not None:
        nn.init.zeros_(m.bias)
