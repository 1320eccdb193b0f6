"""Synthetic crowds from a compact social-force model (Helbing & Molnár 1995), numpy only.

So the trajectories panel works with no dataset, tfviz simulates a scene: a 24 m x 14 m
square with a wall and a 2.5 m doorway, two flows crossing it (left <-> right through the
door, bottom <-> top in front of it) and small groups walking together. Every person feels

* a **driving force** towards the next waypoint at its preferred speed:
  ``(v0 * e - v) / tau``;
* a **repulsion** from every other person, ``A exp((r - d) / B)`` along the line between
  them (stronger in front than behind);
* a **repulsion** from the walls, the same shape;
* for group members, an **attraction** towards the group's centre when they drift apart.

Integrated with 0.1 s steps and recorded every 0.4 s (2.5 fps, like ETH/UCY), in metres.
The same seed always gives the same scene::

    >>> a = simulate(SceneConfig(n_people=6, seed=3, seconds=20))
    >>> b = simulate(SceneConfig(n_people=6, seed=3, seconds=20))
    >>> bool((a.xy == b.xy).all()), a.n_peds
    (True, 2)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tfviz.core.traj.data import Recording

WIDTH, HEIGHT = 24.0, 14.0  # metres
WALL_X = 16.0  # the wall with the doorway
DOOR = (5.75, 8.25)  # doorway between these y values
DT = 0.1  # seconds per simulation step
SUBSTEPS = 4  # 4 x 0.1 s = one recorded step (0.4 s)


@dataclass(frozen=True)
class SceneConfig:
    n_people: int = 40
    seed: int = 0
    seconds: float = 60.0  # recorded length
    spread: float = 30.0  # people enter during the first `spread` seconds (0: all at once)
    group_share: float = 0.35  # share of people walking in groups of 2-3
    tau: float = 0.5  # s, how fast people reach their preferred velocity
    a_people: float = 2.1  # m/s², repulsion strength between people
    b_people: float = 0.3  # m, repulsion range between people
    radius: float = 0.3  # m, body radius
    a_wall: float = 5.0
    b_wall: float = 0.2


def _walls() -> np.ndarray:
    """Wall segments ``(S, 2, 2)``: the wall at WALL_X with a doorway gap."""
    return np.array(
        [
            [[WALL_X, 0.0], [WALL_X, DOOR[0]]],
            [[WALL_X, DOOR[1]], [WALL_X, HEIGHT]],
        ]
    )


def _closest_on_segments(p: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """Closest point of each segment to each position: ``(N, 2)``, ``(S, 2, 2)`` -> ``(N, S, 2)``."""
    a, b = seg[:, 0], seg[:, 1]  # (S, 2)
    ab = b - a  # (S, 2)
    t = ((p[:, None] - a[None]) * ab[None]).sum(-1) / (ab**2).sum(-1)[None]  # (N, S)
    t = np.clip(t, 0.0, 1.0)
    return a[None] + t[..., None] * ab[None]  # (N, S, 2)


def _plan(cfg: SceneConfig, rng: np.random.Generator):
    """Who enters when, where from, via which waypoints; groups share all of it."""
    n = cfg.n_people
    start = np.zeros((n, 2))
    way = np.zeros((n, 2, 2))  # two waypoints each: (door or midpoint, exit)
    enter = np.zeros(n)
    group = np.arange(n)
    i = 0
    while i < n:
        size = int(rng.integers(2, 4)) if rng.random() < cfg.group_share else 1
        size = min(size, n - i)
        flow = int(rng.integers(0, 4))  # 0: left->right, 1: right->left, 2: up, 3: down
        if flow in (0, 1):
            y0, y1 = rng.uniform(2.0, HEIGHT - 2.0, 2)
            door = np.array([WALL_X, rng.uniform(DOOR[0] + 0.6, DOOR[1] - 0.6)])
            s, e = np.array([0.5, y0]), np.array([WIDTH - 0.5, y1])
            if flow == 1:
                s, e = e, s
            w1 = door
        else:
            x0, x1 = rng.uniform(2.0, WALL_X - 2.5, 2)
            s, e = np.array([x0, 0.5]), np.array([x1, HEIGHT - 0.5])
            if flow == 3:
                s, e = e, s
            w1 = (s + e) / 2
        t0 = rng.uniform(0.0, cfg.spread) if cfg.spread > 0 else 0.0
        for k in range(size):
            jitter = rng.normal(0.0, 0.35, 2) if size > 1 else np.zeros(2)
            start[i + k] = s + jitter
            if cfg.spread == 0:  # all at once: scatter over the whole square
                start[i + k] = [rng.uniform(0.5, WIDTH - 0.5), rng.uniform(0.5, HEIGHT - 0.5)]
                if abs(start[i + k][0] - WALL_X) < 0.6:
                    start[i + k][0] -= 1.2
            way[i + k] = [w1, e]
            enter[i + k] = t0 + 0.3 * k
            group[i + k] = i
        i += size
    if cfg.spread == 0:  # scattered people head straight for their exit
        way[:, 0] = np.where((start[:, :1] < WALL_X) == (way[:, 1, :1] < WALL_X), way[:, 1], way[:, 0])
    return start, way, enter, group


def simulate(cfg: SceneConfig = SceneConfig()) -> Recording:
    """Run the social-force model; returns a :class:`Recording` (frame ids step by 10)."""
    rng = np.random.default_rng(cfg.seed)
    n = cfg.n_people
    pos, way, enter, group = _plan(cfg, rng)
    v0 = np.clip(rng.normal(1.3, 0.2, n), 0.7, 1.9)  # preferred speeds (m/s)
    vel = np.zeros((n, 2))
    stage = np.zeros(n, dtype=int)  # which waypoint each person walks to
    gone = np.zeros(n, dtype=bool)
    walls = _walls()
    frames, peds, xys = [], [], []
    steps = int(round(cfg.seconds / (DT * SUBSTEPS)))
    for step in range(steps):
        t = step * DT * SUBSTEPS
        active = (enter <= t) & ~gone
        idx = np.nonzero(active)[0]
        frames.extend([step * 10.0] * idx.size)
        peds.extend(idx.astype(float).tolist())
        xys.append(pos[idx].copy())
        for sub in range(SUBSTEPS):
            now = t + sub * DT
            act = (enter <= now) & ~gone
            force = np.zeros((n, 2))
            goal = way[np.arange(n), stage]  # (n, 2)
            to_goal = goal - pos
            dist_goal = np.linalg.norm(to_goal, axis=1) + 1e-9
            e = to_goal / dist_goal[:, None]
            force += (v0[:, None] * e - vel) / cfg.tau
            # people push each other apart
            diff = pos[:, None] - pos[None]  # (n, n, 2)
            d = np.linalg.norm(diff, axis=-1) + np.eye(n) * 1e6  # (n, n)
            nij = diff / d[..., None]
            mag = cfg.a_people * np.exp((2 * cfg.radius - d) / cfg.b_people)  # (n, n)
            ahead = 0.5 + 0.5 * np.clip(-(nij * e[:, None]).sum(-1), 0.0, 1.0)  # front counts more
            mask = act[:, None] & act[None]
            force += ((mag * ahead * mask)[..., None] * nij).sum(1)
            # walls push people away
            near = _closest_on_segments(pos, walls)  # (n, S, 2)
            dw = pos[:, None] - near
            dwn = np.linalg.norm(dw, axis=-1) + 1e-9  # (n, S)
            force += (cfg.a_wall * np.exp((cfg.radius - dwn) / cfg.b_wall))[..., None].__mul__(
                dw / dwn[..., None]
            ).sum(1)
            # group members stay together
            for g in np.unique(group[act]):
                members = np.nonzero((group == g) & act)[0]
                if members.size > 1:
                    centre = pos[members].mean(0)
                    off = centre - pos[members]
                    far = np.linalg.norm(off, axis=1) > 0.8
                    force[members[far]] += 1.5 * off[far]
            vel = np.where(act[:, None], vel + DT * force, 0.0)
            speed = np.linalg.norm(vel, axis=1)
            cap = np.minimum(1.0, 1.3 * v0 / np.maximum(speed, 1e-9))
            vel *= cap[:, None]
            pos = np.where(act[:, None], pos + DT * vel, pos)
            reached = act & (dist_goal < 0.7)
            stage = np.where(reached & (stage == 0), 1, stage)
            gone |= reached & (stage == 1) & (dist_goal < 0.7) & (np.linalg.norm(pos - way[:, 1], axis=1) < 0.7)
            gone |= act & ((pos[:, 0] < -1) | (pos[:, 0] > WIDTH + 1) | (pos[:, 1] < -1) | (pos[:, 1] > HEIGHT + 1))
    xy = np.concatenate(xys) if xys else np.zeros((0, 2))
    return Recording(f"synthetic-seed{cfg.seed}-n{n}", np.array(frames), np.array(peds), xy)


def scene_walls() -> np.ndarray:
    """The wall segments, for drawing: ``(S, 2, 2)`` metres."""
    return _walls()
