"""What if: edit one frame's scene (move, add, remove people) with undo (no Qt, no torch).

A :class:`SceneEditor` starts from a :class:`~tfviz.core.traj.playback.FrameState` and keeps
its own copy. Every gesture starts with :meth:`SceneEditor.begin` (one undo step), then any
number of moves (a drag calls ``move_now`` at every mouse move)::

    >>> from tfviz.core.traj.playback import FrameState
    >>> obs = np.stack([np.stack([np.arange(8) * 0.5, np.zeros(8)], 1)])   # (1, 8, 2) walks +x
    >>> st = FrameState(3, np.array([4.0]), obs[:, -1], np.array([4.0]), obs, np.zeros((1, 12, 2)))
    >>> ed = SceneEditor(st)
    >>> ed.begin(); ed.move_now(4.0, (10.0, 2.0)); ed.move_now(4.0, (10.0, 3.0))
    >>> ed.state().obs[0, -1].tolist(), ed.state().obs[0, 0].tolist()   # the whole past moved
    ([10.0, 3.0], [6.5, 3.0])
    >>> ed.begin(); new = ed.add((0.0, 0.0), direction=(0.0, 1.0))      # walking up at 1.3 m/s
    >>> ed.state().ids.tolist(), ed.state().obs[1, -2].round(2).tolist()
    ([4.0, 5.0], [0.0, -0.52])
    >>> ed.undo(), ed.state().ids.tolist()                               # the add is gone
    (True, [4.0])
    >>> ed.undo(), ed.state().obs[0, -1].tolist()                        # the drag: one step
    (True, [3.5, 0.0])
    >>> ed.undo()                                                        # nothing left
    False

An edited person's true future is unknown (NaN): it is what they did, not what they would do.
:func:`predict_around` re-predicts only the neighbourhood of what an edit changed.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from tfviz.core.traj.data import OBS, PRED
from tfviz.core.traj.playback import FramePrediction, FrameState, predict_state

WALK_SPEED = 1.3  # m/s: a new pedestrian's speed (a typical walking pace)
STEP_S = 0.4  # seconds between recorded steps
NEIGHBOUR_RADIUS = 10.0  # metres: star attends to people within this distance (models.py)


class SceneEditor:
    """One frame's people, edited; a stack of earlier versions for :meth:`undo`."""

    def __init__(self, st: FrameState) -> None:
        self._st = _copy(st)
        self._history: list[FrameState] = []

    @property
    def index(self) -> int:
        return self._st.index

    def state(self) -> FrameState:
        """The edited scene (a FrameState the models and the view take as they are)."""
        return self._st

    def can_undo(self) -> bool:
        return bool(self._history)

    def begin(self) -> None:
        """Start a gesture: what follows until the next ``begin`` is undone at once."""
        self._history.append(_copy(self._st))

    def undo(self) -> bool:
        """Back to the scene before the last gesture; False when there is none."""
        if not self._history:
            return False
        self._st = self._history.pop()
        return True

    def row(self, person: float) -> int:
        rows = np.nonzero(self._st.ids == person)[0]
        if rows.size == 0:
            raise KeyError(f"no pedestrian {person:g} with an observed past in this scene")
        return int(rows[0])

    def move_now(self, person: float, xy) -> None:
        """Move the whole observed path so that it ends (now) at ``xy``: same walk, elsewhere."""
        r = self.row(person)
        obs = self._st.obs.copy()
        obs[r] += np.asarray(xy, dtype=float) - obs[r, -1]
        self._set(r, obs)

    def move_start(self, person: float, xy) -> None:
        """Move where the observed path starts (8 steps ago) to ``xy``, keeping where it ends:
        a new direction and speed of approach, bent smoothly along the path."""
        r = self.row(person)
        obs = self._st.obs.copy()
        shift = np.asarray(xy, dtype=float) - obs[r, 0]
        weight = np.linspace(1.0, 0.0, OBS)[:, None]  # (8, 1): all of it at the start, none now
        obs[r] += weight * shift
        self._set(r, obs)

    def add(self, xy, direction=(1.0, 0.0), speed: float = WALK_SPEED) -> float:
        """A new pedestrian now at ``xy`` who walked straight along ``direction``; its id."""
        obs = self._st.obs
        new_id = float(max(np.max(self._st.present_ids, initial=0), np.max(self._st.ids, initial=0)) + 1)
        path = _straight(np.asarray(xy, dtype=float), direction, speed)  # (8, 2)
        st = self._st
        self._st = replace(
            st,
            ids=np.append(st.ids, new_id),
            obs=np.concatenate([obs, path[None]], 0),
            fut=np.concatenate([st.fut, np.full((1, PRED, 2), np.nan)], 0),
            present_ids=np.append(st.present_ids, new_id),
            present_xy=np.concatenate([st.present_xy, path[-1:]], 0),
        )
        return new_id

    def set_direction(self, person: float, direction, speed: float = WALK_SPEED) -> None:
        """Re-aim a person's straight past (the drag after a click that added them)."""
        r = self.row(person)
        obs = self._st.obs.copy()
        obs[r] = _straight(obs[r, -1], direction, speed)
        self._set(r, obs)

    def remove(self, person: float) -> None:
        """Take ``person`` out of the scene (from the agents and from the people shown)."""
        st = self._st
        keep, keep_present = st.ids != person, st.present_ids != person
        self._st = replace(st, ids=st.ids[keep], obs=st.obs[keep], fut=st.fut[keep],
                           present_ids=st.present_ids[keep_present], present_xy=st.present_xy[keep_present])

    def _set(self, r: int, obs: np.ndarray) -> None:
        st = self._st
        fut = st.fut.copy()
        fut[r] = np.nan  # an edited person's real future is not theirs any more
        present_xy = st.present_xy.copy()
        present_xy[st.present_ids == st.ids[r]] = obs[r, -1]
        self._st = replace(st, obs=obs, fut=fut, present_xy=present_xy)


def _copy(st: FrameState) -> FrameState:
    return replace(st, ids=st.ids.copy(), obs=st.obs.copy(), fut=st.fut.copy(),
                   present_ids=st.present_ids.copy(), present_xy=st.present_xy.copy())


def _straight(now: np.ndarray, direction, speed: float) -> np.ndarray:
    """(8, 2) a straight past ending at ``now``, walked along ``direction`` at ``speed``.

    >>> _straight(np.zeros(2), (3.0, 0.0), 1.0)[:, 0].round(1).tolist()
    [-2.8, -2.4, -2.0, -1.6, -1.2, -0.8, -0.4, 0.0]
    """
    d = np.asarray(direction, dtype=float)
    norm = np.linalg.norm(d)
    d = d / norm if norm > 1e-9 else np.array([1.0, 0.0])
    back = np.arange(-OBS + 1, 1, dtype=float)[:, None]  # (8, 1): -7 .. 0 steps
    return now[None] + back * speed * STEP_S * d[None]


def neighbourhood(obs: np.ndarray, row: int, radius: float) -> np.ndarray:
    """(M,) rows whose current position is within ``radius`` metres of ``row``'s (itself first).

    >>> obs = np.array([[[0.0, 0]], [[30.0, 0]], [[5.0, 0]]])   # (3, 1, 2)
    >>> neighbourhood(obs, 0, 10.0).tolist()
    [0, 2]
    """
    near = np.nonzero(_near(obs[:, -1], obs[row, -1][None], radius))[0]
    return np.concatenate([[row], near[near != row]]).astype(int)


def _near(xy: np.ndarray, centres: np.ndarray, radius: float) -> np.ndarray:
    """(N,) whether each of ``xy`` (N, 2) is within ``radius`` of any of ``centres`` (C, 2)."""
    if not len(centres) or not len(xy):
        return np.zeros(len(xy), dtype=bool)
    return (np.linalg.norm(xy[:, None] - centres[None], axis=-1) <= radius).any(1)


def changes(st: FrameState, before: FrameState) -> tuple[np.ndarray, np.ndarray]:
    """What an edit changed: (rows of ``st`` that are new or moved, (R, 2) places it touched:
    where the changed and the removed people are now and were before).

    >>> from tfviz.core.traj.playback import FrameState
    >>> obs = np.zeros((2, 8, 2)); obs[1] += 5.0
    >>> a = FrameState(0, np.array([1.0, 2.0]), obs[:, -1], np.array([1.0, 2.0]), obs, obs[:, :1])
    >>> ed = SceneEditor(a); ed.begin(); ed.move_now(2.0, (9.0, 9.0)); ed.remove(1.0)
    >>> rows, places = changes(ed.state(), a)
    >>> rows.tolist(), places.tolist()      # person 2 moved (row 0 now); 1 left from (0, 0)
    ([0], [[9.0, 9.0], [5.0, 5.0], [0.0, 0.0]])
    """
    old = {float(pid): i for i, pid in enumerate(before.ids)}
    rows, was = [], []
    for i, pid in enumerate(st.ids):
        j = old.get(float(pid))
        if j is None or not np.array_equal(st.obs[i], before.obs[j]):
            rows.append(i)
            if j is not None:
                was.append(j)
    gone = [j for pid, j in old.items() if pid not in set(st.ids.tolist())]
    rows = np.array(rows, dtype=int)
    places = np.concatenate([st.obs[rows, -1], before.obs[was, -1], before.obs[gone, -1]]).reshape(-1, 2)
    return rows, places


def predict_around(st: FrameState, models: dict, previous: FramePrediction | None = None,
                   before: FrameState | None = None, radius: float = NEIGHBOUR_RADIUS) -> FramePrediction:
    """Every model's prediction for ``st``, an edit of ``before`` (whose prediction is
    ``previous``), re-computing only what the edit can change.

    The per-person models (cv, tf, tf-multi) see one pedestrian at a time: only the moved or
    added people are predicted again. Star's people attend to neighbours within ``radius``:
    everyone within ``radius`` of where an edit happened (:func:`changes`) is predicted again
    by star, with everyone within ``2 * radius`` as context. Everyone else keeps their row
    of ``previous``. Without ``previous`` and ``before`` the whole scene is predicted.

    >>> from tfviz.core.traj.synthetic import SceneConfig, simulate
    >>> from tfviz.core.traj.playback import Playback
    >>> st = Playback(simulate(SceneConfig(n_people=6, seed=1, seconds=20, spread=0))).state(12)
    >>> before = predict_state(st, {"cv": None})
    >>> ed = SceneEditor(st); ed.begin(); ed.move_now(st.ids[0], (50.0, 50.0))  # far from all
    >>> after = predict_around(ed.state(), {"cv": None}, before, st)
    >>> bool(np.allclose(after.preds["cv"][1:], before.preds["cv"][1:]))  # the others: as before
    True
    >>> after.preds["cv"][0, 0].round(1).tolist() != before.preds["cv"][0, 0].round(1).tolist()
    True
    """
    n = len(st.ids)
    if previous is None or before is None or n == 0 or not previous.preds:
        return predict_state(st, models)
    rows, places = changes(st, before)
    here = st.obs[:, -1]  # (N, 2)
    near = np.union1d(rows, np.nonzero(_near(here, places, radius))[0]).astype(int)  # star again
    context = np.union1d(near, np.nonzero(_near(here, places, 2 * radius))[0]).astype(int)  # star sees
    old = {float(pid): i for i, pid in enumerate(before.ids)}
    social = {k: m for k, m in models.items() if k == "star"}
    alone = {k: m for k, m in models.items() if k != "star"}
    # (model group, rows of st predicted again, the rows the group's prediction sees)
    jobs = [(alone, rows, rows), (social, near, context)]
    preds, temporal = {}, {}
    samples = None
    spatial = np.zeros((n, n)) if previous.spatial is not None or social else None
    for group, again, seen in jobs:
        if not group:
            continue
        keep = np.setdiff1d(np.arange(n), again)  # rows of st kept from `previous` ...
        keep_src = np.array([old[float(st.ids[i])] for i in keep], dtype=int)  # ... from these rows
        fresh = None
        if len(seen):
            sub = FrameState(st.index, st.present_ids, st.present_xy, st.ids[seen], st.obs[seen], st.fut[seen])
            fresh = predict_state(sub, group)
        src = np.nonzero(np.isin(seen, again))[0]  # rows of `fresh` to take ...
        take = seen[src]  # ... and the rows of st they fill

        def merge(new, old_rows):
            ref = new if new is not None else old_rows
            if ref is None:
                return None
            out = np.zeros((n,) + ref.shape[1:], dtype=ref.dtype)
            if new is not None:
                out[take] = new[src]
            if old_rows is not None and keep.size:
                out[keep] = old_rows[keep_src]
            return out

        for k in group:
            preds[k] = merge(None if fresh is None else fresh.preds.get(k), previous.preds.get(k))
            t = merge(None if fresh is None else fresh.temporal.get(k), previous.temporal.get(k))
            if t is not None:
                temporal[k] = t
        if "tf-multi" in group:
            samples = merge(None if fresh is None else fresh.samples, previous.samples)
        if "star" in group and spatial is not None:
            if previous.spatial is not None and keep.size:
                spatial[np.ix_(keep, keep)] = previous.spatial[np.ix_(keep_src, keep_src)]
            if fresh is not None and fresh.spatial is not None:
                spatial[np.ix_(take, seen)] = fresh.spatial[src]
    return FramePrediction(st.index, preds, samples, temporal, spatial if social else None)
