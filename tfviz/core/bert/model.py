"""BERT as a stack of tfviz's own :class:`~tfviz.core.attention.EncoderBlock` s.

    ids (B, T) ──► token + position + type embeddings ──► LayerNorm ──► x₀ (B, T, D)
    x₀ ──► EncoderBlock 1 ──► ... ──► EncoderBlock L ──► hidden states (B, T, D)

Every block is post-norm (``LN(x + Attn(x))``, then ``LN(x + FFN(x))``) with GELU, as in
the original BERT, and hands back its :class:`~tfviz.core.attention.AttentionTrace`.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from tfviz.core.attention import AttentionTrace, EncoderBlock
from tfviz.core.bert.config import BertConfig
from tfviz.core.masks import causal_mask, combine, padding_mask


@dataclass(frozen=True)
class EmbeddingParts:
    """The three learned embeddings of each token and what enters layer 1."""

    token: Tensor  # (B, T, D) row ``ids[b, t]`` of the token table
    position: Tensor  # (1, T, D) row ``t`` of the position table
    type: Tensor  # (B, T, D) row ``type_ids[b, t]`` of the segment table
    total: Tensor  # (B, T, D) token + position + type
    normed: Tensor  # (B, T, D) LayerNorm(total): the input of layer 1


@dataclass(frozen=True)
class BertOutput:
    hidden: Tensor  # (B, T, D) last layer's states
    traces: tuple[AttentionTrace, ...]  # one per layer, all heads
    allowed: Tensor | None  # boolean mask used, broadcastable to (B, 1, T, T)


class BertEmbeddings(nn.Module):
    def __init__(self, cfg: BertConfig) -> None:
        super().__init__()
        self.word = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.position = nn.Embedding(cfg.max_positions, cfg.hidden_size)
        self.segment = nn.Embedding(cfg.type_vocab_size, cfg.hidden_size)
        self.norm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)

    def parts(self, ids: Tensor, type_ids: Tensor | None = None) -> EmbeddingParts:
        """Each embedding separately, for the embeddings view."""
        if type_ids is None:
            type_ids = torch.zeros_like(ids)
        positions = torch.arange(ids.shape[1], device=ids.device)[None, :]  # (1, T)
        token = self.word(ids)  # (B, T, D)
        position = self.position(positions)  # (1, T, D)
        type_ = self.segment(type_ids)  # (B, T, D)
        total = token + position + type_  # (B, T, D)
        return EmbeddingParts(token, position, type_, total, self.norm(total))

    def forward(self, ids: Tensor, type_ids: Tensor | None = None) -> Tensor:
        return self.parts(ids, type_ids).normed  # (B, T, D)


class BertModel(nn.Module):
    """The BERT encoder (no pooler, no task head): ids in, states and attention traces out."""

    def __init__(self, cfg: BertConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.embeddings = BertEmbeddings(cfg)
        self.layers = nn.ModuleList(
            EncoderBlock(
                cfg.hidden_size,
                cfg.num_heads,
                cfg.intermediate_size,
                activation=cfg.hidden_act,
                norm_first=False,  # BERT is post-norm
                eps=cfg.layer_norm_eps,
            )
            for _ in range(cfg.num_layers)
        )

    @staticmethod
    def make_mask(lengths: list[int] | None, t: int, causal: bool = False, device=None) -> Tensor | None:
        """Padding mask for sentences of ``lengths`` (AND) the causal mask; None = no mask.

        >>> BertModel.make_mask([2, 1], 2).int()[:, 0, 0].tolist()
        [[1, 1], [1, 0]]
        """
        pad = None if lengths is None else padding_mask(lengths, t).to(device)  # (B, 1, 1, T)
        look = causal_mask(t, device)[None, None] if causal else None  # (1, 1, T, T)
        return combine(pad, look)

    def forward(
        self,
        ids: Tensor,
        lengths: list[int] | None = None,
        causal: bool = False,
        type_ids: Tensor | None = None,
    ) -> BertOutput:
        """``ids`` (B, T) padded to the longest; ``lengths`` the real length of each row."""
        allowed = self.make_mask(lengths, ids.shape[1], causal, ids.device)  # (B?, 1, T?, T)
        x = self.embeddings(ids, type_ids)  # (B, T, D)
        traces = []
        for block in self.layers:
            x, trace = block(x, allowed)  # (B, T, D)
            traces.append(trace)
        return BertOutput(x, tuple(traces), allowed)
