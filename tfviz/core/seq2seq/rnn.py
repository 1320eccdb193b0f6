"""``rnn``: a GRU encoder-decoder without attention (Sutskever et al. / Cho et al. 2014).

The encoder reads the input; its **final hidden state is the single context vector c**.
c starts the decoder and is fed to it again at every step, and it is all the decoder
ever learns about the input. However long the input, c has ``hidden`` numbers::

    x_1 .. x_S  --GRU-->  h_S = c  (B, hidden)
    s_0 = c;  s_t = GRU([emb(y_{t-1}); c], s_{t-1});  p(y_t) = softmax(W [s_t; c])

>>> model = RNNSeq2Seq(n_src=10, n_tgt=12, emb=8, hidden=16)
>>> memory = model.encode(torch.tensor([[4, 5, 6, 0]]), torch.tensor([3]))  # 3 characters + padding
>>> tuple(memory.c.shape)  # one vector of `hidden` numbers, however long the input
(1, 16)
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence

from tfviz.core.seq2seq.vocab import PAD


@dataclass
class RNNMemory:
    c: Tensor  # (B, hidden) the context vector, the encoder's final state


class RNNSeq2Seq(nn.Module):
    kind = "rnn"
    has_attention = False

    def __init__(self, n_src: int, n_tgt: int, emb: int = 32, hidden: int = 128) -> None:
        super().__init__()
        self.src_emb = nn.Embedding(n_src, emb, padding_idx=PAD)
        self.tgt_emb = nn.Embedding(n_tgt, emb, padding_idx=PAD)
        self.encoder = nn.GRU(emb, hidden, batch_first=True)
        self.decoder = nn.GRU(emb + hidden, hidden, batch_first=True)
        self.out = nn.Linear(2 * hidden, n_tgt)

    def encode(self, src: Tensor, lengths: Tensor) -> RNNMemory:
        """src (B, S) ids, lengths (B,) -> the context vector c."""
        x = self.src_emb(src)  # (B, S, E)
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, h_last = self.encoder(packed)  # (1, B, hidden): the state after each input's last char
        return RNNMemory(c=h_last[0])  # (B, hidden)

    def init_state(self, memory: RNNMemory) -> Tensor:
        return memory.c  # s_0 = c

    def step(self, memory: RNNMemory, state: Tensor, prev: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """One decoder step: previous token (B,) -> logits (B, V), new state, what it looked at (c)."""
        logits, s = self._run(memory.c, state, prev[:, None])
        return logits[:, 0], s, memory.c  # (B, V), (B, hidden), (B, hidden)

    def _run(self, c: Tensor, s0: Tensor, tokens: Tensor) -> tuple[Tensor, Tensor]:
        """Decoder over tokens (B, T): each step reads [emb(y_{t-1}); c]. -> logits (B, T, V), last state."""
        e = self.tgt_emb(tokens)  # (B, T, E)
        inp = torch.cat([e, c[:, None, :].expand(-1, e.shape[1], -1)], dim=-1)  # (B, T, E + hidden)
        states, s_last = self.decoder(inp, s0[None])  # (B, T, hidden), (1, B, hidden)
        cs = c[:, None, :].expand_as(states)  # (B, T, hidden) the same c at every step
        return self.out(torch.cat([states, cs], dim=-1)), s_last[0]  # (B, T, V)

    def forward(self, src: Tensor, lengths: Tensor, tgt_in: Tensor) -> Tensor:
        """Teacher forcing: the right answers so far go in; logits (B, T, V) come out.

        Without attention nothing depends on the decoder's own state except the GRU itself,
        so all steps run in one call.
        """
        memory = self.encode(src, lengths)
        logits, _ = self._run(memory.c, self.init_state(memory), tgt_in)
        return logits  # (B, T, V)
