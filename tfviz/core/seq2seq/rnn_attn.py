"""``rnn-attn``: bidirectional GRU encoder, GRU decoder, additive attention (Bahdanau et al. 2015).

Instead of one vector c, the decoder keeps **every** encoder state h_1..h_S and, before each
output, scores them against its previous state s_{t-1} (the query)::

    e_tj = vᵀ tanh(W s_{t-1} + U h_j)          # (B, S) one score per input character
    a_t  = softmax(e_t)  (padding gets 0)       # (B, S) attention weights, sum to 1
    c_t  = Σ_j a_tj h_j                         # (B, 2H) a fresh context for this step
    s_t  = GRU([emb(y_{t-1}); c_t], s_{t-1});  p(y_t) = softmax(W_o [s_t; c_t; emb(y_{t-1})])

The query comes from the decoder, keys and values from the encoder.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from tfviz.core.masks import padding_mask
from tfviz.core.seq2seq.vocab import PAD


@dataclass
class AttnMemory:
    h: Tensor  # (B, S, 2H) encoder states, forward and backward concatenated
    keys: Tensor  # (B, S, A) U h_j, computed once
    allowed: Tensor  # (B, S) True for real characters, False for padding
    s0: Tensor  # (B, D) first decoder state


class AdditiveAttention(nn.Module):
    """e_j = vᵀ tanh(W q + U h_j); weights = softmax over the real positions.

    >>> attn = AdditiveAttention(query_dim=4, key_dim=6, attn_dim=5)
    >>> h = torch.randn(1, 3, 6)                               # (B, S, 2H) encoder states
    >>> allowed = torch.tensor([[True, True, False]])          # the last one is padding
    >>> context, w = attn(torch.randn(1, 4), attn.U(h), h, allowed)
    >>> tuple(context.shape), w[0, 2].item(), round(w.sum().item(), 5)
    ((1, 6), 0.0, 1.0)
    """

    def __init__(self, query_dim: int, key_dim: int, attn_dim: int) -> None:
        super().__init__()
        self.W = nn.Linear(query_dim, attn_dim, bias=False)
        self.U = nn.Linear(key_dim, attn_dim, bias=True)
        self.v = nn.Linear(attn_dim, 1, bias=False)

    def forward(self, query: Tensor, keys: Tensor, values: Tensor, allowed: Tensor) -> tuple[Tensor, Tensor]:
        scores = self.v(torch.tanh(self.W(query)[:, None, :] + keys))[..., 0]  # (B, S)
        scores = scores.masked_fill(~allowed, float("-inf"))  # padding never gets weight
        weights = torch.softmax(scores, dim=-1)  # (B, S)
        context = (weights[:, :, None] * values).sum(dim=1)  # (B, 2H)
        return context, weights


class AttnRNNSeq2Seq(nn.Module):
    kind = "rnn-attn"
    has_attention = True

    def __init__(self, n_src: int, n_tgt: int, emb: int = 32, enc_hidden: int = 64,
                 dec_hidden: int = 128, attn_dim: int = 64) -> None:  # fmt: skip
        super().__init__()
        self.src_emb = nn.Embedding(n_src, emb, padding_idx=PAD)
        self.tgt_emb = nn.Embedding(n_tgt, emb, padding_idx=PAD)
        self.encoder = nn.GRU(emb, enc_hidden, batch_first=True, bidirectional=True)
        self.init = nn.Linear(enc_hidden, dec_hidden)  # s_0 = tanh(W_init h_1 backward)
        self.attention = AdditiveAttention(dec_hidden, 2 * enc_hidden, attn_dim)
        self.decoder = nn.GRUCell(emb + 2 * enc_hidden, dec_hidden)
        self.out = nn.Linear(dec_hidden + 2 * enc_hidden + emb, n_tgt)

    def encode(self, src: Tensor, lengths: Tensor) -> AttnMemory:
        x = self.src_emb(src)  # (B, S, E)
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, h_last = self.encoder(packed)  # h_last (2, B, H): forward end, backward end
        h, _ = pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])  # (B, S, 2H)
        allowed = padding_mask(lengths.tolist(), src.shape[1])[:, 0, 0, :].to(src.device)  # (B, S)
        s0 = torch.tanh(self.init(h_last[1]))  # (B, D) from the backward pass, which read x_1 last
        return AttnMemory(h=h, keys=self.attention.U(h), allowed=allowed, s0=s0)

    def init_state(self, memory: AttnMemory) -> Tensor:
        return memory.s0

    def step(self, memory: AttnMemory, state: Tensor, prev: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """Previous token (B,) -> logits (B, V), new state (B, D), attention weights (B, S)."""
        context, weights = self.attention(state, memory.keys, memory.h, memory.allowed)  # query = s_{t-1}
        e = self.tgt_emb(prev)  # (B, E)
        s = self.decoder(torch.cat([e, context], dim=-1), state)  # (B, D)
        logits = self.out(torch.cat([s, context, e], dim=-1))  # (B, V)
        return logits, s, weights

    def forward(self, src: Tensor, lengths: Tensor, tgt_in: Tensor) -> Tensor:
        memory = self.encode(src, lengths)
        s = self.init_state(memory)
        logits = []
        for t in range(tgt_in.shape[1]):
            step_logits, s, _ = self.step(memory, s, tgt_in[:, t])
            logits.append(step_logits)
        return torch.stack(logits, dim=1)  # (B, T, V)
