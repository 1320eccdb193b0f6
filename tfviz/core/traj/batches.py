"""Turning :class:`~tfviz.core.traj.data.Windows` into tensors for the models.

``tf`` and ``tf-multi`` read one pedestrian at a time: ``obs`` (B, 8, 2), ``fut`` (B, 12, 2).
``star`` reads whole scene snapshots (*groups*): every person seen in the 8 observed frames,
padded to the largest group of the batch, with the targets (those with a known future) marked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from tfviz.core.traj.data import OBS, PRED, Windows


@dataclass(frozen=True)
class GroupBatch:
    """Padded scene snapshots for ``star``."""

    obs: Tensor  # (G, N, 8, 2) world positions, zero where padded
    valid: Tensor  # (G, N) a real person
    target: Tensor  # (G, N) a person with a window (known 12-step future)
    fut: Tensor  # (G, N, 12, 2) true future of the targets (zero elsewhere)
    window: Tensor  # (G, N) window index of each target, -1 elsewhere


def group_batches(w: Windows, max_agents: int = 512, order: np.ndarray | None = None) -> list[GroupBatch]:
    """Pack the groups of ``w`` into batches of at most ``max_agents`` padded people.

    ``order`` (a permutation of the groups) shuffles them; by default they are sorted by size
    so that little padding is needed.
    """
    sizes = np.array([g.shape[0] for g in w.groups])
    if order is None:
        order = np.argsort(sizes, kind="stable")
    by_group: dict[int, list[int]] = {}
    for i, g in enumerate(w.group.tolist()):
        by_group.setdefault(g, []).append(i)
    batches, current = [], []
    for g in order.tolist():
        width = max([sizes[x] for x in current] + [sizes[g]])
        if current and width * (len(current) + 1) > max_agents:
            batches.append(_pack(w, current, by_group))
            current = []
        current.append(g)
    if current:
        batches.append(_pack(w, current, by_group))
    return batches


def _pack(w: Windows, groups: list[int], by_group: dict[int, list[int]]) -> GroupBatch:
    n = max(w.groups[g].shape[0] for g in groups)
    G = len(groups)
    obs = np.zeros((G, n, OBS, 2), dtype=np.float32)
    valid = np.zeros((G, n), dtype=bool)
    target = np.zeros((G, n), dtype=bool)
    fut = np.zeros((G, n, PRED, 2), dtype=np.float32)
    window = np.full((G, n), -1, dtype=np.int64)
    for row, g in enumerate(groups):
        agents = w.groups[g]  # (N_g, 8, 2)
        obs[row, : agents.shape[0]] = agents
        valid[row, : agents.shape[0]] = True
        for wi in by_group.get(g, []):
            a = w.agent_index[wi]
            target[row, a] = True
            fut[row, a] = w.fut[wi]
            window[row, a] = wi
    t = torch.from_numpy
    return GroupBatch(t(obs), t(valid), t(target), t(fut), t(window))


def augment_groups(b: GroupBatch, gen: torch.Generator) -> GroupBatch:
    """Rotate each snapshot by a random angle and mirror half of them (training only)."""
    G = b.obs.shape[0]
    angle = torch.rand(G, generator=gen) * 2 * torch.pi  # (G,)
    c, s = torch.cos(angle), torch.sin(angle)
    R = torch.stack([torch.stack([c, s], -1), torch.stack([-s, c], -1)], -2)  # (G, 2, 2)
    flip = torch.where(torch.rand(G, generator=gen) < 0.5, -1.0, 1.0)  # (G,)
    R = R * torch.stack([torch.ones(G), flip], -1)[:, None, :]  # mirror y after rotating
    rot = lambda x: (x.reshape(G, -1, 2) @ R).reshape(x.shape)  # noqa: E731
    return GroupBatch(rot(b.obs), b.valid, b.target, rot(b.fut), b.window)


def mirror(obs: Tensor, fut: Tensor, gen: torch.Generator) -> tuple[Tensor, Tensor]:
    """Mirror half of the windows (y -> -y): people walk on either side (training only).

    >>> obs, fut = torch.ones(4, 8, 2), torch.ones(4, 12, 2)
    >>> o, f = mirror(obs, fut, torch.Generator().manual_seed(0))
    >>> o[:, 0, 0].tolist(), sorted(set(o[:, 0, 1].tolist()))  # x kept, y flipped for some
    ([1.0, 1.0, 1.0, 1.0], [-1.0, 1.0])
    """
    flip = torch.where(torch.rand(obs.shape[0], generator=gen) < 0.5, -1.0, 1.0)  # (B,)
    scale = torch.stack([torch.ones_like(flip), flip], -1)[:, None, :]  # (B, 1, 2)
    return obs * scale, fut * scale
