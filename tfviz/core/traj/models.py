"""Trajectory Transformers built from the shared blocks in :mod:`tfviz.core.attention`.

Three learned models, all predicting 12 future steps (4.8 s) from 8 observed (3.2 s):

* :class:`TF` - the encoder-decoder of Giuliari et al. (2020), CPU-sized. Each pedestrian
  is moved into its own frame (last position at the origin, last move along +x); the
  encoder reads the 8 observed steps, the decoder (causal self-attention + cross-attention)
  writes the 12 future moves. The output layer predicts the *change* of move, starting at
  zero, so an untrained model is constant velocity. Two ways to decode:
  ``"refine"`` (shipped) reads the constant-velocity guess for all 12 steps at once and
  corrects it, the same in training and at test time; ``"greedy"`` is the paper's recipe:
  teacher forcing in training, then each predicted move fed back in at test time.
* :class:`TFMulti` - the same encoder, but the decoder reads K learned *proposal queries*
  at once (in the spirit of mmTransformer) and writes K whole futures plus a score each.
  Trained winner-takes-all: only the closest proposal is pulled to the truth.
* :class:`Star` - a spatio-temporal "social" Transformer (after STAR, Yu et al. 2020):
  per observed step, *spatial* attention across the people in the scene (within 10 m);
  per person, *temporal* attention over its own history; two rounds. It has a
  deterministic head and a K-proposal head, so it is reported both ways.

No feature looks at a future frame: inputs are the observed 8 steps only (neighbours are
the people seen in all 8 observed frames).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from tfviz.core.checkpoint import count_parameters  # noqa: F401 (re-exported)
from tfviz.core.attention import DecoderBlock, EncoderBlock, sinusoidal_positions
from tfviz.core.masks import causal_mask
from tfviz.core.traj.data import OBS, PRED

NEIGHBOUR_RADIUS = 10.0  # metres: who a pedestrian may attend to in `star`


@dataclass(frozen=True)
class ModelConfig:
    """Sizes of one trajectory model (tiny: these train on a laptop CPU)."""

    kind: str = "tf"  # tf | tf-multi | star
    d_model: int = 32
    n_heads: int = 4
    n_layers: int = 2
    d_ff: int = 64
    k: int = 20  # proposals (tf-multi, star)
    decoding: str = "refine"  # tf: "greedy" (feed back own moves) or "refine" (one pass)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown model kind {self.kind!r}; valid: {', '.join(KINDS)}")
        if self.decoding not in DECODINGS:
            raise ValueError(f"unknown decoding {self.decoding!r}; valid: {', '.join(DECODINGS)}")
        for name, (lo, hi) in LIMITS.items():
            v = getattr(self, name)
            if type(v) is not int or not lo <= v <= hi:
                raise ValueError(f"{name} must be a whole number from {lo} to {hi}, got {v!r}")
        if self.d_model % self.n_heads:
            raise ValueError(f"d_model {self.d_model} is not divisible by {self.n_heads} heads")

    @classmethod
    def sized(cls, kind: str, d_model: int = 32) -> ModelConfig:
        """The shipped shape of ``kind`` at width ``d_model`` (feed-forward twice as wide).

        >>> ModelConfig.sized("star", 16).d_ff
        32
        """
        return cls(kind=kind, d_model=d_model, d_ff=2 * d_model)

    @classmethod
    def from_dict(cls, d: object) -> ModelConfig:
        """A config read from a file, checked (bounds, types, no unknown keys) before use.

        >>> ModelConfig.from_dict({"kind": "tf", "d_model": 65536})
        Traceback (most recent call last):
        ...
        ValueError: d_model must be a whole number from 4 to 512, got 65536
        """
        if not isinstance(d, dict):
            raise ValueError("the model config must be a JSON object")
        unknown = sorted(set(d) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"unknown model config key {unknown[0]!r}")
        return cls(**d)


KINDS = ("tf", "tf-multi", "star")
DECODINGS = ("refine", "greedy")
# Bounds checked before anything is allocated: a file claiming d_model 65536 is refused.
LIMITS = {"d_model": (4, 512), "n_heads": (1, 16), "n_layers": (1, 8), "d_ff": (4, 4096), "k": (1, 64)}


# ---------------------------------------------------------------- frames


def local_frame(obs: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """Move each track into its own frame: last position at 0, last move along +x.

    Returns ``(rel, R, origin)``: ``rel`` (N, 8, 2) local positions, ``R`` (N, 2, 2) with
    ``local = (world - origin) @ Rᵀ`` and ``world = local @ R + origin``.

    >>> rel, R, o = local_frame(torch.tensor([[[0.0, 0.0], [0.0, 0.5]]]))
    >>> rel[0].round(decimals=4).tolist()
    [[-0.5, 0.0], [0.0, 0.0]]
    """
    origin = obs[:, -1]  # (N, 2)
    v = obs[:, -1] - obs[:, -2]  # (N, 2)
    n = v.norm(dim=-1)  # (N,)
    moving = n > 0.01
    c = torch.where(moving, v[:, 0] / n.clamp_min(1e-9), torch.ones_like(n))  # (N,)
    s = torch.where(moving, v[:, 1] / n.clamp_min(1e-9), torch.zeros_like(n))  # (N,)
    R = torch.stack([torch.stack([c, s], -1), torch.stack([-s, c], -1)], -2)  # (N, 2, 2)
    rel = (obs - origin[:, None]) @ R.transpose(1, 2)  # (N, 8, 2)
    return rel, R, origin


def moves(pos: Tensor, first: Tensor | None = None) -> Tensor:
    """Displacements between steps; the first step's move is ``first`` (or zero)."""
    d = pos[..., 1:, :] - pos[..., :-1, :]  # (..., T-1, 2)
    head = torch.zeros_like(pos[..., :1, :]) if first is None else first[..., None, :]
    return torch.cat([head, d], dim=-2)  # (..., T, 2)


class Stats(nn.Module):
    """Training mean and std of the moves, kept with the weights (buffers)."""

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("mean", torch.zeros(2))
        self.register_buffer("std", torch.ones(2))
        self.register_buffer("pos_scale", torch.ones(()))

    def norm(self, d: Tensor) -> Tensor:
        return (d - self.mean) / self.std

    def denorm(self, d: Tensor) -> Tensor:
        return d * self.std + self.mean

    def features(self, rel: Tensor) -> Tensor:
        """Per observed step: normalised move and scaled position -> (..., 4)."""
        return torch.cat([self.norm(moves(rel)), rel / self.pos_scale], -1)


# ---------------------------------------------------------------- TF


class PerPersonEncoderDecoder(nn.Module):
    """The shared part of TF and TF-multi: one person at a time, moved into its own frame,
    an encoder over its 8 observed steps and a decoder for its future."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.cfg = cfg
        d = cfg.d_model
        self.stats = Stats()
        self.src_in = nn.Linear(4, d)
        self.register_buffer("pe", sinusoidal_positions(OBS + PRED, d), persistent=False)
        self.encoder = nn.ModuleList(
            EncoderBlock(d, cfg.n_heads, cfg.d_ff, norm_first=True) for _ in range(cfg.n_layers)
        )
        self.decoder = nn.ModuleList(
            DecoderBlock(d, cfg.n_heads, cfg.d_ff, norm_first=True) for _ in range(cfg.n_layers)
        )
        self.out_norm = nn.LayerNorm(d)

    def encode(self, rel: Tensor) -> tuple[Tensor, list]:
        """(N, 8, 2) local positions -> memory (N, 8, D) and the encoder traces."""
        x = self.src_in(self.stats.features(rel)) + self.pe[:OBS]  # (N, 8, D)
        traces = []
        for block in self.encoder:
            x, tr = block(x)
            traces.append(tr)
        return x, traces


class TF(PerPersonEncoderDecoder):
    """Deterministic encoder-decoder on displacements (the TF recipe, d_model 32)."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__(cfg)
        self.tgt_in = nn.Linear(2, cfg.d_model)
        self.head = nn.Linear(cfg.d_model, 2)
        nn.init.zeros_(self.head.weight)  # start as constant velocity
        nn.init.zeros_(self.head.bias)

    def decode(self, memory: Tensor, prev: Tensor) -> tuple[Tensor, list]:
        """Normalised previous moves (N, T, 2) -> normalised next moves (N, T, 2)."""
        t = prev.shape[1]
        y = self.tgt_in(prev) + self.pe[OBS : OBS + t]  # (N, T, D)
        causal = causal_mask(t, device=prev.device)  # (T, T)
        cross = []
        for block in self.decoder:
            y, _, ctr = block(y, memory, causal)
            cross.append(ctr)
        return prev + self.head(self.out_norm(y)), cross  # (N, T, 2)

    def forward(self, obs: Tensor, fut: Tensor | None = None) -> dict:
        """World positions (N, 8, 2) -> predicted world positions ``pred`` (N, 12, 2).

        ``"greedy"`` decoding with ``fut`` given is teacher-forced with the true moves.
        """
        rel, R, origin = local_frame(obs)
        memory, enc_traces = self.encode(rel)
        last = self.stats.norm(rel[:, -1] - rel[:, -2])[:, None]  # (N, 1, 2)
        if self.cfg.decoding == "refine":  # read the constant-velocity guess, correct it
            out, cross = self.decode(memory, last.expand(-1, PRED, -1))  # (N, 12, 2)
        elif fut is not None:
            fut_rel = (fut - origin[:, None]) @ R.transpose(1, 2)  # (N, 12, 2)
            prev = torch.cat([last, self.stats.norm(self._true_moves(rel, fut_rel)[:, :-1])], 1)
            out, cross = self.decode(memory, prev)  # (N, 12, 2)
        else:
            prev = last
            for _ in range(PRED):  # greedy: feed each predicted move back in
                out, cross = self.decode(memory, prev)
                prev = torch.cat([last, out], 1)
        local = torch.cumsum(self.stats.denorm(out), 1)  # (N, 12, 2)
        return {
            "pred": local @ R + origin[:, None],
            "temporal": cross[-1].weights.mean(1).mean(1),  # (N, 8): heads, steps averaged
            "encoder": enc_traces,
        }

    @staticmethod
    def _true_moves(rel: Tensor, fut_rel: Tensor) -> Tensor:
        """The 12 true future moves in the local frame (N, 12, 2)."""
        path = torch.cat([rel[:, -1:], fut_rel], 1)  # (N, 13, 2)
        return path[:, 1:] - path[:, :-1]


# ---------------------------------------------------------------- TF-multi


class TFMulti(PerPersonEncoderDecoder):
    """K proposal queries read the encoded past at once and write K futures with scores."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__(cfg)
        self.queries = nn.Parameter(torch.randn(cfg.k, cfg.d_model))  # (K, D)
        self.head = nn.Linear(cfg.d_model, PRED * 2)
        self.score = nn.Linear(cfg.d_model, 1)
        nn.init.normal_(self.head.weight, std=0.02)
        nn.init.zeros_(self.head.bias)

    def forward(self, obs: Tensor, fut: Tensor | None = None) -> dict:
        """World positions (N, 8, 2) -> ``samples`` (N, K, 12, 2), ``scores`` (N, K), ``pred``."""
        n = obs.shape[0]
        rel, R, origin = local_frame(obs)
        memory, enc_traces = self.encode(rel)  # (N, 8, D)
        y = self.queries.expand(n, -1, -1)  # (N, K, D)
        cross = []
        for block in self.decoder:  # proposals see each other and the past; no mask
            y, _, ctr = block(y, memory)
            cross.append(ctr)
        y = self.out_norm(y)  # (N, K, D)
        last = self.stats.norm(rel[:, -1] - rel[:, -2])[:, None, None]  # (N, 1, 1, 2)
        out = last + self.head(y).view(n, -1, PRED, 2)  # (N, K, 12, 2) normalised moves
        local = torch.cumsum(self.stats.denorm(out), 2)  # (N, K, 12, 2)
        samples = local @ R[:, None] + origin[:, None, None]  # (N, K, 12, 2)
        logits = self.score(y)[..., 0]  # (N, K)
        best = logits.argmax(1)  # (N,)
        return {
            "pred": samples[torch.arange(n), best],  # (N, 12, 2) the top-scored proposal
            "samples": samples,
            "logits": logits,
            "scores": torch.softmax(logits, 1),
            "temporal": cross[-1].weights.mean(1).mean(1),  # (N, 8)
            "encoder": enc_traces,
        }


# ---------------------------------------------------------------- STAR


class Star(nn.Module):
    """Spatial attention across people per step, temporal attention per person, twice.

    Works on groups (scene snapshots): ``obs`` (G, N, 8, 2) world positions of the N people
    seen in all 8 observed frames (padded; ``valid`` (G, N) says who is real).
    """

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.cfg = cfg
        d = cfg.d_model
        self.stats = Stats()
        self.src_in = nn.Linear(4, d)
        self.register_buffer("pe", sinusoidal_positions(OBS, d), persistent=False)
        block = lambda: EncoderBlock(d, cfg.n_heads, cfg.d_ff, norm_first=True)  # noqa: E731
        self.temporal = nn.ModuleList(block() for _ in range(cfg.n_layers))
        self.spatial = nn.ModuleList(block() for _ in range(cfg.n_layers))
        self.out_norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, PRED * 2)  # deterministic future
        self.multi = nn.Linear(d, cfg.k * PRED * 2)  # K proposals
        self.score = nn.Linear(d, cfg.k)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)
        nn.init.normal_(self.multi.weight, std=0.02)
        nn.init.zeros_(self.multi.bias)

    @staticmethod
    def neighbours(obs: Tensor, valid: Tensor, radius: float = NEIGHBOUR_RADIUS) -> Tensor:
        """Who may attend to whom at each observed step: (G, 8, N, N) booleans.

        Real people within ``radius`` metres of each other (and everyone to itself).
        """
        pos = obs.transpose(1, 2)  # (G, 8, N, 2)
        dist = torch.cdist(pos, pos)  # (G, 8, N, N)
        both = valid[:, None, :, None] & valid[:, None, None, :]  # (G, 1, N, N)
        eye = torch.eye(obs.shape[1], dtype=torch.bool, device=obs.device)  # (N, N)
        return (both & (dist < radius)) | eye

    def forward(self, obs: Tensor, valid: Tensor) -> dict:
        g, n = valid.shape
        d = self.cfg.d_model
        centre = (obs[:, :, -1] * valid[..., None]).sum(1) / valid.sum(1, keepdim=True)  # (G, 2)
        rel = obs - centre[:, None, None]  # (G, N, 8, 2)
        x = self.src_in(self.stats.features(rel)) + self.pe  # (G, N, 8, D)
        allowed = self.neighbours(obs, valid).reshape(g * OBS, 1, n, n)  # (G*8, 1, N, N)
        for temporal, spatial in zip(self.temporal, self.spatial, strict=True):
            xt, t_trace = temporal(x.reshape(g * n, OBS, d))  # (G*N, 8, D) over time
            xs = xt.view(g, n, OBS, d).transpose(1, 2).reshape(g * OBS, n, d)  # (G*8, N, D)
            xs, s_trace = spatial(xs, allowed)  # (G*8, N, D) over people
            x = xs.view(g, OBS, n, d).transpose(1, 2)  # (G, N, 8, D)
        h = self.out_norm(x[:, :, -1])  # (G, N, D)
        last = self.stats.norm(rel[:, :, -1] - rel[:, :, -2])  # (G, N, 2)
        start = obs[:, :, -1]  # (G, N, 2)
        det = last[:, :, None] + self.head(h).view(g, n, PRED, 2)  # (G, N, 12, 2)
        pred = start[:, :, None] + torch.cumsum(self.stats.denorm(det), 2)  # (G, N, 12, 2)
        multi = last[:, :, None, None] + self.multi(h).view(g, n, -1, PRED, 2)  # (G, N, K, 12, 2)
        samples = start[:, :, None, None] + torch.cumsum(self.stats.denorm(multi), 3)
        logits = self.score(h)  # (G, N, K)
        tw = t_trace.weights.view(g, n, -1, OBS, OBS)[:, :, :, -1].mean(2)  # (G, N, 8)
        sw = s_trace.weights.view(g, OBS, -1, n, n)[:, -1].mean(1)  # (G, N, N) at the last step
        return {
            "pred": pred,
            "samples": samples,
            "logits": logits,
            "scores": torch.softmax(logits, -1),
            "temporal": tw,
            "spatial": sw,
        }


def build(cfg: ModelConfig) -> nn.Module:
    """A fresh model of ``cfg.kind``."""
    return {"tf": TF, "tf-multi": TFMulti, "star": Star}[cfg.kind](cfg)
