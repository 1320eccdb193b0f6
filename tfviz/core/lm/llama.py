"""A Llama-style decoder written out by hand: what changed since the 2017 Transformer.

Every block is ``x + attention(norm(x))`` then ``x + feed_forward(norm(x))`` (pre-norm), as in
GPT-2; four pieces differ from the 2017 paper:

- **RMSNorm** instead of LayerNorm: divide by the root mean square, no mean subtracted, no bias.
- **RoPE** instead of added sinusoids: queries and keys are rotated by their position
  (``rope.py``); nothing is added to the embeddings.
- **Grouped-query attention**: 9 query heads but only 3 key/value heads; query heads
  0-2 share key/value head 0, 3-5 head 1, 6-8 head 2. The KV cache is 3× smaller.
- **SwiGLU** feed-forward instead of ReLU: ``down(silu(gate(x)) * up(x))``.

The output layer reuses the token embedding matrix (tied embeddings). Attention is explicit
(no fused kernel) so every head's weights can be kept and drawn.

Shapes: B batch, T new positions, S = T_past + T keys, D model width (576), H query heads (9),
K key/value heads (3), G = H / K query heads per key/value head (3), d_k head width (64),
F feed-forward width (1536), V vocabulary (49152).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from tfviz.core.attention import softmax
from tfviz.core.lm.gguf_file import LlamaConfig
from tfviz.core.lm.rope import rope_tables, rotate


class RMSNorm(nn.Module):
    """x / sqrt(mean(x²) + ε) · w: LayerNorm without the mean and the bias.

    >>> n = RMSNorm(2); n.weight.data[:] = 1.0
    >>> [round(v, 4) for v in n(torch.tensor([[3.0, 4.0]]))[0].tolist()]  # rms = sqrt((9 + 16) / 2)
    [0.8485, 1.1314]
    """

    def __init__(self, d_model: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d_model))

    def forward(self, x: Tensor) -> Tensor:
        mean_square = x.pow(2).mean(dim=-1, keepdim=True)  # (B, T, 1)
        return x * torch.rsqrt(mean_square + self.eps) * self.weight  # (B, T, D)


class SwiGLU(nn.Module):
    """down(silu(gate(x)) ⊙ up(x)): a gated feed-forward, three matrices instead of two."""

    def __init__(self, d_model: int, d_ff: int) -> None:
        super().__init__()
        self.gate = nn.Linear(d_model, d_ff, bias=False)
        self.up = nn.Linear(d_model, d_ff, bias=False)
        self.down = nn.Linear(d_ff, d_model, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        gate = torch.nn.functional.silu(self.gate(x))  # (B, T, F) silu(z) = z · sigmoid(z)
        return self.down(gate * self.up(x))  # (B, T, F) -> (B, T, D)


@dataclass
class KVCache:
    """Keys and values of the positions already seen, one ``(k, v)`` per layer.

    With a cache, each new token needs one row of attention instead of the whole triangle.
    """

    keys: list[Tensor | None]  # per layer (B, K, T_past, d_k), RoPE already applied
    values: list[Tensor | None]  # per layer (B, K, T_past, d_k)

    @classmethod
    def empty(cls, n_layers: int) -> KVCache:
        return cls([None] * n_layers, [None] * n_layers)

    @property
    def length(self) -> int:
        """How many positions are cached."""
        k = self.keys[0]
        return 0 if k is None else k.shape[2]


def causal_additive(t_new: int, t_past: int, device) -> Tensor:
    """(T, S) mask: 0 where query t_past + i may see key j (j <= t_past + i), -inf after.

    >>> causal_additive(2, 1, "cpu").tolist()
    [[0.0, 0.0, -inf], [0.0, 0.0, 0.0]]
    """
    q_pos = torch.arange(t_new, device=device)[:, None] + t_past  # (T, 1) absolute query positions
    k_pos = torch.arange(t_past + t_new, device=device)[None, :]  # (1, S)
    blocked = k_pos > q_pos  # (T, S) True for the future
    return torch.zeros(blocked.shape, device=device).masked_fill(blocked, float("-inf"))  # (T, S)


class GroupedQueryAttention(nn.Module):
    """H query heads, K key/value heads; query head h reads key/value head h // G."""

    def __init__(self, cfg: LlamaConfig) -> None:
        super().__init__()
        self.n_heads, self.n_kv, self.d_k = cfg.n_heads, cfg.n_kv_heads, cfg.head_dim
        self.q_proj = nn.Linear(cfg.d_model, cfg.n_heads * cfg.head_dim, bias=False)
        self.k_proj = nn.Linear(cfg.d_model, cfg.n_kv_heads * cfg.head_dim, bias=False)
        self.v_proj = nn.Linear(cfg.d_model, cfg.n_kv_heads * cfg.head_dim, bias=False)
        self.o_proj = nn.Linear(cfg.n_heads * cfg.head_dim, cfg.d_model, bias=False)

    def forward(
        self, x: Tensor, cos: Tensor, sin: Tensor, cache: KVCache, layer: int, keep: bool = False
    ) -> tuple[Tensor, Tensor | None]:
        """Attend from the T new positions to all S; returns the output and, if ``keep``,
        the weights ``(B, H, T, S)``. ``cos`` / ``sin`` are the (T, d_k/2) angles of the new
        positions. The cache of ``layer`` grows by T."""
        b, t, _ = x.shape
        h, kv, d_k, g = self.n_heads, self.n_kv, self.d_k, self.n_heads // self.n_kv
        q = self.q_proj(x).view(b, t, h, d_k).transpose(1, 2)  # (B, H, T, d_k)
        k = self.k_proj(x).view(b, t, kv, d_k).transpose(1, 2)  # (B, K, T, d_k)
        v = self.v_proj(x).view(b, t, kv, d_k).transpose(1, 2)  # (B, K, T, d_k)
        q = rotate(q, cos, sin)  # (B, H, T, d_k) queries turned by their positions
        k = rotate(k, cos, sin)  # (B, K, T, d_k) keys turned by their positions
        t_past = 0 if cache.keys[layer] is None else cache.keys[layer].shape[2]
        if t_past:
            k = torch.cat((cache.keys[layer], k), dim=2)  # (B, K, S, d_k)
            v = torch.cat((cache.values[layer], v), dim=2)  # (B, K, S, d_k)
        cache.keys[layer], cache.values[layer] = k, v
        s = k.shape[2]
        grouped = q.reshape(b, kv, g * t, d_k)  # (B, K, G·T, d_k) the G query heads of each group
        scores = grouped @ k.transpose(-2, -1) / math.sqrt(d_k)  # (B, K, G·T, S) one K for G heads
        scores = scores.view(b, h, t, s)  # (B, H, T, S)
        if t > 1:
            scores = scores + causal_additive(t, t_past, x.device)  # (B, H, T, S) future = -inf
        weights = softmax(scores)  # (B, H, T, S) each row sums to 1
        context = weights.view(b, kv, g * t, s) @ v  # (B, K, G·T, d_k) one V for G heads
        context = context.view(b, h, t, d_k).transpose(1, 2).reshape(b, t, h * d_k)  # (B, T, D)
        return self.o_proj(context), (weights if keep else None)  # (B, T, D)


class LlamaBlock(nn.Module):
    """Pre-norm decoder block: x + attention(RMSNorm(x)), then x + SwiGLU(RMSNorm(x))."""

    def __init__(self, cfg: LlamaConfig) -> None:
        super().__init__()
        self.attn_norm = RMSNorm(cfg.d_model, cfg.rms_eps)
        self.attn = GroupedQueryAttention(cfg)
        self.ffn_norm = RMSNorm(cfg.d_model, cfg.rms_eps)
        self.ffn = SwiGLU(cfg.d_model, cfg.d_ff)

    def forward(self, x, cos, sin, cache: KVCache, layer: int, keep: bool = False):
        attended, weights = self.attn(self.attn_norm(x), cos, sin, cache, layer, keep)  # (B, T, D)
        x = x + attended  # (B, T, D) residual
        x = x + self.ffn(self.ffn_norm(x))  # (B, T, D) residual
        return x, weights


@dataclass(frozen=True)
class DecoderOutput:
    logits: Tensor  # (B, T, V), or (B, 1, V) for the last position only
    attention: tuple[Tensor, ...] | None  # per layer (B, H, T, S), when asked for


class LlamaDecoder(nn.Module):
    """Embedding -> N blocks -> RMSNorm -> logits with the (tied) embedding matrix."""

    def __init__(self, cfg: LlamaConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.blocks = nn.ModuleList(LlamaBlock(cfg) for _ in range(cfg.n_layers))
        self.norm = RMSNorm(cfg.d_model, cfg.rms_eps)
        self.lm_head = nn.Linear(cfg.d_model, cfg.vocab_size, bias=False)
        self.lm_head.weight = self.embed.weight  # tied: one (V, D) matrix reads and writes tokens
        cos, sin = rope_tables(cfg.head_dim, cfg.context_length, cfg.rope_base)  # (P, d_k/2) each
        self.register_buffer("rope_cos", cos, persistent=False)
        self.register_buffer("rope_sin", sin, persistent=False)

    def forward(
        self, ids: Tensor, cache: KVCache | None = None, last_only: bool = False, keep_attention: bool = False
    ) -> DecoderOutput:
        """Logits for the new ``ids`` (B, T) after the cached positions (none if ``cache`` is None)."""
        cache = cache if cache is not None else KVCache.empty(self.cfg.n_layers)
        t_past, t = cache.length, ids.shape[1]
        if t_past + t > self.cfg.context_length:
            raise ValueError(f"{t_past + t} tokens exceed the context of {self.cfg.context_length} tokens")
        cos = self.rope_cos[t_past : t_past + t]  # (T, d_k/2)
        sin = self.rope_sin[t_past : t_past + t]  # (T, d_k/2)
        x = self.embed(ids)  # (B, T, D) no position added: RoPE rotates q and k instead
        kept = []
        for layer, block in enumerate(self.blocks):
            x, weights = block(x, cos, sin, cache, layer, keep_attention)  # (B, T, D)
            kept.append(weights)
        if last_only:
            x = x[:, -1:]  # (B, 1, D) only the next token's prediction is needed
        logits = self.lm_head(self.norm(x))  # (B, T or 1, V)
        return DecoderOutput(logits, tuple(kept) if keep_attention else None)


# --- from GGUF tensors ------------------------------------------------------------------------
def gguf_state_dict(tensors: dict, cfg: LlamaConfig) -> dict[str, Tensor]:
    """GGUF names (``blk.3.attn_q.weight``) -> this module's names (``blocks.3.attn.q_proj.weight``)."""
    names = {
        "attn_norm": "attn_norm", "attn_q": "attn.q_proj", "attn_k": "attn.k_proj",
        "attn_v": "attn.v_proj", "attn_output": "attn.o_proj", "ffn_norm": "ffn_norm",
        "ffn_gate": "ffn.gate", "ffn_up": "ffn.up", "ffn_down": "ffn.down",
    }
    out = {"embed.weight": tensors["token_embd.weight"], "norm.weight": tensors["output_norm.weight"]}
    for i in range(cfg.n_layers):
        for gguf_name, ours in names.items():
            out[f"blocks.{i}.{ours}.weight"] = tensors[f"blk.{i}.{gguf_name}.weight"]
    if "output.weight" in tensors:  # an untied output matrix (not SmolLM2)
        out["lm_head.weight"] = tensors["output.weight"]
    return {k: torch.from_numpy(v) for k, v in out.items()}


def build_decoder(tensors: dict, cfg: LlamaConfig, device: str = "cpu") -> LlamaDecoder:
    """A :class:`LlamaDecoder` holding the given float32 weights, on ``device``, in eval mode.

    The modules are made on the ``meta`` device (no memory, no random init), then take the
    GGUF arrays as they are.
    """
    with torch.device("meta"):
        model = LlamaDecoder(cfg)
    state = gguf_state_dict(tensors, cfg)
    tied = "lm_head.weight" not in state
    if not tied:
        model.lm_head.weight = nn.Parameter(torch.empty(0, device="meta"))
    missing, unexpected = model.load_state_dict(state, strict=False, assign=True)
    cos, sin = rope_tables(cfg.head_dim, cfg.context_length, cfg.rope_base)  # (P, d_k/2) each
    model.register_buffer("rope_cos", cos, persistent=False)
    model.register_buffer("rope_sin", sin, persistent=False)
    missing = [m for m in missing if not (tied and m == "lm_head.weight")]
    if missing or unexpected:
        raise ValueError(f"weights do not fit the decoder: missing {missing[:3]}, unexpected {unexpected[:3]}")
    if tied:
        model.lm_head.weight = model.embed.weight  # assign=True replaced the embedding: tie again
    model = model.to(device).eval().requires_grad_(False)
    if tied:
        model.lm_head.weight = model.embed.weight  # still one matrix after the move
    return model
