"""Small geometry helpers shared by the trajectory models and metrics (numpy + torch).

Positions are metres; one step is 0.4 s. A *displacement* is the move between two steps.
"""

from __future__ import annotations

import numpy as np

from tfviz.core.traj.data import PRED


def constant_velocity(obs: np.ndarray, pred: int = PRED) -> np.ndarray:
    """Repeat the last observed displacement ``pred`` times.

    >>> obs = np.array([[[0.0, 0.0], [0.4, 0.0]]])          # (1, 2, 2)
    >>> constant_velocity(obs, 3)[0].tolist()
    [[0.8, 0.0], [1.2000000000000002, 0.0], [1.6, 0.0]]
    """
    last = obs[:, -1]  # (N, 2)
    vel = obs[:, -1] - obs[:, -2]  # (N, 2)
    steps = np.arange(1, pred + 1, dtype=obs.dtype)[None, :, None]  # (1, P, 1)
    return last[:, None, :] + vel[:, None, :] * steps  # (N, P, 2)


def ade_fde(pred: np.ndarray, fut: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-window ADE and FDE in metres. ``pred`` (N, P, 2) or (N, K, P, 2) -> best of K.

    With K samples, ADE and FDE are each the minimum over the samples (min ADE, min FDE).

    >>> fut = np.zeros((1, 2, 2)); pred = np.array([[[3.0, 4.0], [0.0, 0.0]]])
    >>> [a.tolist() for a in ade_fde(pred, fut)]
    [[2.5], [0.0]]
    """
    if pred.ndim == 3:
        pred = pred[:, None]  # (N, 1, P, 2)
    dist = np.linalg.norm(pred - fut[:, None], axis=-1)  # (N, K, P)
    return dist.mean(-1).min(1), dist[..., -1].min(1)  # (N,), (N,)


def heading_rotation(obs: np.ndarray) -> np.ndarray:
    """Rotation matrices turning each track's last observed move onto +x.

    A pedestrian standing still (last move under 1 cm) keeps the identity.
    ``R @ v`` maps world vectors into the pedestrian's own frame; ``v_world = Rᵀ @ v_local``.

    >>> R = heading_rotation(np.array([[[0.0, 0.0], [0.0, 1.0]]]))
    >>> (R[0] @ np.array([0.0, 1.0])).round(6).tolist()
    [1.0, 0.0]
    """
    v = obs[:, -1] - obs[:, -2]  # (N, 2)
    n = np.linalg.norm(v, axis=-1)  # (N,)
    c = np.where(n > 0.01, v[:, 0] / np.maximum(n, 1e-9), 1.0)
    s = np.where(n > 0.01, v[:, 1] / np.maximum(n, 1e-9), 0.0)
    return np.stack([np.stack([c, s], -1), np.stack([-s, c], -1)], -2)  # (N, 2, 2)
