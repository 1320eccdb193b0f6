"""``transformer``: an encoder-decoder Transformer built from the shared blocks.

It uses :class:`~tfviz.core.attention.EncoderBlock` / :class:`~tfviz.core.attention.DecoderBlock`
(the ones the attention panel shows) and the masks of :mod:`tfviz.core.masks`:

* encoder self-attention: every input character looks at every real input character
  (padding mask);
* decoder masked self-attention: output position t looks at outputs 0..t only (causal mask);
* cross-attention: the decoder states are the queries, the encoder output the keys and values.

There is no recurrence: positions come from the sinusoidal encoding added to the embeddings.
For the same reason the model cannot feel where its input ends, so the encoder input gets an
end marker ``</s>`` (the RNNs know it from having read the sequence): with it, the encoder can
work out how far each character is from the end, which reversing needs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from tfviz.core.attention import AttentionTrace, DecoderBlock, EncoderBlock, sinusoidal_positions
from tfviz.core.masks import causal_mask, padding_mask
from tfviz.core.seq2seq.vocab import EOS, PAD


@dataclass
class TransformerMemory:
    enc: Tensor  # (B, S, D) encoder output
    allowed: Tensor  # (B, 1, 1, S) padding mask: True for real characters
    enc_traces: list[AttentionTrace]  # one per encoder layer


class TransformerSeq2Seq(nn.Module):
    kind = "transformer"
    has_attention = True
    src_end_marker = True  # the encoder reads x_1 .. x_S </s>

    def __init__(self, n_src: int, n_tgt: int, d_model: int = 64, n_heads: int = 4,
                 n_layers: int = 2, d_ff: int = 128, max_len: int = 80) -> None:  # fmt: skip
        super().__init__()
        self.d_model = d_model
        self.src_emb = nn.Embedding(n_src, d_model, padding_idx=PAD)
        self.tgt_emb = nn.Embedding(n_tgt, d_model, padding_idx=PAD)
        for emb in (self.src_emb, self.tgt_emb):  # std 1/√D, so emb·√D is about as large as the
            nn.init.normal_(emb.weight, std=d_model**-0.5)  # positional encoding: positions stay
            emb.weight.data[PAD] = 0.0  # visible (reversing is all about positions)
        self.register_buffer("pe", sinusoidal_positions(max_len, d_model), persistent=False)
        kw = dict(activation="relu", norm_first=True)
        self.enc_layers = nn.ModuleList(EncoderBlock(d_model, n_heads, d_ff, **kw) for _ in range(n_layers))
        self.dec_layers = nn.ModuleList(DecoderBlock(d_model, n_heads, d_ff, **kw) for _ in range(n_layers))
        self.enc_norm = nn.LayerNorm(d_model)  # pre-norm stacks end with one more LayerNorm
        self.dec_norm = nn.LayerNorm(d_model)
        self.out = nn.Linear(d_model, n_tgt)

    def embed(self, emb: nn.Embedding, ids: Tensor) -> Tensor:
        return emb(ids) * math.sqrt(self.d_model) + self.pe[: ids.shape[1]]  # (B, T, D)

    @staticmethod
    def add_end_marker(src: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        """Write </s> after each input: (B, S) -> (B, S + 1), lengths + 1.

        >>> TransformerSeq2Seq.add_end_marker(torch.tensor([[5, 6], [7, 0]]), torch.tensor([2, 1]))[0].tolist()
        [[5, 6, 2], [7, 2, 0]]
        """
        out = torch.cat([src, torch.full_like(src[:, :1], PAD)], dim=1)  # (B, S + 1)
        out[torch.arange(src.shape[0], device=src.device), lengths.to(src.device)] = EOS
        return out, lengths + 1

    def encode(self, src: Tensor, lengths: Tensor) -> TransformerMemory:
        src, lengths = self.add_end_marker(src, lengths)  # (B, S + 1)
        allowed = padding_mask(lengths.tolist(), src.shape[1]).to(src.device)  # (B, 1, 1, S + 1)
        x = self.embed(self.src_emb, src)  # (B, S, D)
        traces = []
        for layer in self.enc_layers:
            x, trace = layer(x, allowed)  # (B, S, D)
            traces.append(trace)
        return TransformerMemory(enc=self.enc_norm(x), allowed=allowed, enc_traces=traces)

    def decode(self, memory: TransformerMemory, tgt_in: Tensor):
        """All positions of ``tgt_in`` (B, T) at once -> logits (B, T, V) and both traces per layer."""
        y = self.embed(self.tgt_emb, tgt_in)  # (B, T, D)
        causal = causal_mask(tgt_in.shape[1], device=tgt_in.device)  # (T, T)
        self_traces, cross_traces = [], []
        for layer in self.dec_layers:
            y, st, ct = layer(y, memory.enc, causal, memory.allowed)  # (B, T, D)
            self_traces.append(st)
            cross_traces.append(ct)
        return self.out(self.dec_norm(y)), self_traces, cross_traces  # (B, T, V)

    def init_state(self, memory: TransformerMemory) -> Tensor:
        return torch.zeros(memory.enc.shape[0], 0, dtype=torch.long, device=memory.enc.device)

    def step(self, memory: TransformerMemory, state: Tensor, prev: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """The decoder re-reads all tokens so far (no cache: easy to read, fast enough here).

        Returns logits (B, V) for the next token, the new prefix (B, t+1), and the last layer's
        cross-attention of the newest position, averaged over heads (B, S + 1: the last column is </s>).
        """
        prefix = torch.cat([state, prev[:, None]], dim=1)  # (B, t+1)
        logits, _, cross = self.decode(memory, prefix)
        look = cross[-1].weights[:, :, -1, :].mean(dim=1)  # (B, S + 1)
        return logits[:, -1], prefix, look

    def forward(self, src: Tensor, lengths: Tensor, tgt_in: Tensor) -> Tensor:
        logits, _, _ = self.decode(self.encode(src, lengths), tgt_in)
        return logits  # (B, T, V)
