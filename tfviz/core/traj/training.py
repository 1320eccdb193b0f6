"""Training a trajectory model for one leave-one-scene-out fold, as a generator.

    for rec in train_fold("tf", root, "eth", TrainConfig(epochs=2)):
        print(rec)            # TrainStep ... then one TrainDone with the best weights

The model is selected on the fold's *validation* split (never on test): after every epoch
the validation score is computed and the best epoch's weights are kept. Seeds are fixed.
Stop iterating to cancel.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from tfviz.core.traj.data import Windows, scene_windows


@dataclass(frozen=True)
class TrainConfig:
    """How to train one fold; every count is checked when the config is made.

    >>> TrainConfig(epochs=2).per_epoch
    12000
    >>> TrainConfig(epochs=0)
    Traceback (most recent call last):
    ...
    ValueError: epochs must be a whole number of at least 1, got 0
    """

    epochs: int = 12
    batch: int = 128  # windows (tf, tf-multi) per step
    max_agents: int = 384  # padded people per step (star)
    lr: float = 2e-3
    seed: int = 0
    per_epoch: int = 12_000  # windows (or groups' targets) drawn per epoch
    wta_eps: float = 0.05  # relaxed winner-takes-all: share of the loss the losers get
    d_model: int = 32
    teacher_forcing: bool = False  # tf: feed the true moves (True) or its own rollout (False)

    def __post_init__(self) -> None:
        for name in ("epochs", "batch", "max_agents", "per_epoch"):
            v = getattr(self, name)
            if type(v) is not int or v < 1:
                raise ValueError(f"{name} must be a whole number of at least 1, got {v!r}")
        if not 0 < self.lr < 1:
            raise ValueError(f"lr must be between 0 and 1, got {self.lr!r}")
        # d_model is checked by ModelConfig when the model is built (before the first step)


@dataclass(frozen=True)
class TrainStep:
    """Progress: one optimisation step, or an epoch's end with validation (``val_*`` set)."""

    kind: str
    scene: str
    epoch: int
    epochs: int
    step: int
    steps: int
    loss: float
    val_ade: float | None = None
    val_fde: float | None = None
    best: bool = False


@dataclass(frozen=True)
class TrainDone:
    """The best epoch's weights (as a state dict) and its validation score."""

    kind: str
    scene: str
    epoch: int
    val_ade: float
    val_fde: float
    seconds: float
    state: dict = field(repr=False)
    config: object = None  # the ModelConfig the state belongs to

    def model(self):
        """The trained model, rebuilt from ``config`` and ``state`` (eval mode)."""
        from tfviz.core.traj.models import build

        model = build(self.config)
        model.load_state_dict(self.state)
        return model.eval()


def fit_stats(model, w: Windows) -> None:
    """Set the model's normalisation from the training windows (observed steps only)."""
    import torch

    from tfviz.core.traj.models import local_frame

    obs = torch.from_numpy(w.obs).float()
    if model.cfg.kind == "star":
        d = obs[:, 1:] - obs[:, :-1]  # (W, 7, 2) world moves; rotations make the mean 0
        rms = d.pow(2).mean().sqrt()
        model.stats.mean.zero_()
        model.stats.std.fill_(float(rms))
        centre = np.concatenate([g[:, -1] - g[:, -1].mean(0) for g in w.groups])
        model.stats.pos_scale.fill_(float(np.sqrt((centre**2).mean())) + 1e-3)
    else:
        rel, _, _ = local_frame(obs)  # (W, 8, 2)
        d = rel[:, 1:] - rel[:, :-1]  # (W, 7, 2)
        model.stats.mean.copy_(d.reshape(-1, 2).mean(0))
        model.stats.std.copy_(d.reshape(-1, 2).std(0) + 1e-3)
        model.stats.pos_scale.fill_(float(rel.pow(2).mean().sqrt()) + 1e-3)


def _wta(samples, fut, logits, eps: float):
    """Relaxed winner-takes-all over K samples + a score for the winner.

    ``samples`` (B, K, 12, 2), ``fut`` (B, 12, 2) -> scalar loss.
    """
    import torch

    dist = (samples - fut[:, None]).norm(dim=-1)  # (B, K, 12)
    cost = dist.mean(-1) + dist[..., -1]  # (B, K) ADE + FDE
    best = cost.argmin(1)  # (B,)
    wta = cost.gather(1, best[:, None])[:, 0]  # (B,)
    loss = (1 - eps) * wta + eps * cost.mean(1)
    return loss.mean() + 0.1 * torch.nn.functional.cross_entropy(logits, best)


def _loss(model, batch, cfg: TrainConfig):
    """Training loss of one batch (teacher forcing for ``tf``)."""
    kind = model.cfg.kind
    if kind == "star":
        out = model(batch.obs, batch.valid)
        t = batch.target  # (G, N)
        det = (out["pred"][t] - batch.fut[t]).norm(dim=-1)  # (M, 12)
        return det.mean() + det[:, -1].mean() + _wta(out["samples"][t], batch.fut[t], out["logits"][t], cfg.wta_eps)
    obs, fut = batch
    if kind == "tf":
        out = model(obs, fut if cfg.teacher_forcing else None)  # rollout: as at test time
        d = (out["pred"] - fut).norm(dim=-1)  # (B, 12)
        return d.mean() + 0.5 * d[:, -1].mean()
    out = model(obs)
    return _wta(out["samples"], fut, out["logits"], cfg.wta_eps)


def _validate(model, val: Windows) -> tuple[float, float, float]:
    """(ade, fde, selection score) on the validation windows."""
    from tfviz.core.traj.evaluate import evaluate

    det = evaluate(model, val)
    if model.cfg.kind == "tf":
        return det.ade, det.fde, det.ade + det.fde
    multi = evaluate(model, val, samples=model.cfg.k)
    if model.cfg.kind == "tf-multi":
        return multi.ade, multi.fde, multi.ade + multi.fde
    return det.ade, det.fde, det.ade + det.fde + multi.ade + multi.fde


def train_fold(kind: str, root, scene: str, cfg: TrainConfig = TrainConfig()) -> Iterator[TrainStep | TrainDone]:
    """Train ``kind`` on ``root/<scene>/train`` and select on ``root/<scene>/val``."""
    train, val = scene_windows(root, scene, "train"), scene_windows(root, scene, "val")
    yield from train_windows(kind, train, val, cfg, scene)


def train_windows(
    kind: str, train: Windows, val: Windows, cfg: TrainConfig = TrainConfig(), scene: str = ""
) -> Iterator[TrainStep | TrainDone]:
    """Train ``kind`` on the ``train`` windows, keeping the epoch best on ``val``."""
    import torch

    from tfviz.core.traj.batches import augment_groups, group_batches, mirror
    from tfviz.core.traj.models import ModelConfig, build

    t0 = time.perf_counter()
    torch.manual_seed(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    model = build(ModelConfig.sized(kind, cfg.d_model))
    fit_stats(model, train)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=1e-4)
    obs_all = torch.from_numpy(train.obs).float()
    fut_all = torch.from_numpy(train.fut).float()
    per_epoch = min(cfg.per_epoch, len(train))
    batch_size = max(1, min(cfg.batch, per_epoch))
    steps = max(1, per_epoch // batch_size) if kind != "star" else None
    best_score, best = float("inf"), None
    total = None
    for epoch in range(1, cfg.epochs + 1):
        model.train()
        if kind == "star":
            order = rng.permutation(len(train.groups))
            # about per_epoch targets: keep groups until enough windows are covered
            counts = np.bincount(train.group, minlength=len(train.groups))[order]
            order = order[: int(np.searchsorted(np.cumsum(counts), per_epoch)) + 1]
            batches = [augment_groups(b, gen) for b in group_batches(train, cfg.max_agents, order)]
            steps = len(batches)
        else:
            idx = torch.from_numpy(rng.permutation(len(train))[: steps * batch_size])
            batches = [mirror(obs_all[j], fut_all[j], gen) for j in idx.view(steps, batch_size)]
        if total is None:
            total = steps * cfg.epochs
        for step, batch in enumerate(batches, 1):
            done = (epoch - 1) * steps + step
            for g in opt.param_groups:  # linear warm-up, then cosine decay
                g["lr"] = cfg.lr * min(1.0, done / 50) * 0.5 * (1 + np.cos(np.pi * done / (total + 1)))
            loss = _loss(model, batch, cfg)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            yield TrainStep(kind, scene, epoch, cfg.epochs, step, steps, float(loss.detach()))
        ade, fde, score = _validate(model, val)
        is_best = score < best_score
        if is_best:
            best_score = score
            best = (epoch, ade, fde, {k: v.detach().clone() for k, v in model.state_dict().items()})
        yield TrainStep(kind, scene, epoch, cfg.epochs, steps, steps, float(loss.detach()), ade, fde, is_best)
    epoch, ade, fde, state = best
    yield TrainDone(kind, scene, epoch, ade, fde, time.perf_counter() - t0, state, model.cfg)


def save_when_done(
    records: Iterator[TrainStep | TrainDone], path, info: dict | None = None
) -> Iterator[TrainStep | TrainDone]:
    """Pass training records through; on :class:`TrainDone`, first save the model to ``path``.

    Stopping the iteration early (cancel, Ctrl+C) writes nothing, and the save itself is atomic.
    """
    from tfviz.core.traj.weights import save_model

    for rec in records:
        if isinstance(rec, TrainDone):
            facts = {**(info or {}), "best_epoch": rec.epoch, "val_ade": round(rec.val_ade, 4),
                     "val_fde": round(rec.val_fde, 4), "seconds": round(rec.seconds, 1), "selected_on": "val"}
            save_model(rec.model(), path, facts)
        yield rec
