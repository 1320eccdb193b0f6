"""A recording seen frame by frame, with every model's prediction (what the panel draws).

At frame index ``i`` of the recording's frame list, the *agents* are the people seen in
all 8 frames ``i-7 .. i`` (their observed past ends now); a model predicts their next 12
steps. Their true future (frames ``i+1 .. i+12``) is known where they stay in view (NaN
after they leave)::

    >>> from tfviz.core.traj.synthetic import SceneConfig, simulate
    >>> pb = Playback(simulate(SceneConfig(n_people=5, seed=1, seconds=20, spread=0)))
    >>> st = pb.state(10); st.obs.shape[1:], st.fut.shape[1:]
    ((8, 2), (12, 2))

:func:`predict_frames` runs the models on frames in the background (a generator of
:class:`FramePrediction`); the GUI stores them and draws what it has.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from tfviz.core.traj.data import OBS, PRED, Recording, TrackIndex
from tfviz.core.traj.geometry import ade_fde, constant_velocity


@dataclass(frozen=True)
class FrameState:
    """Who is where at one frame."""

    index: int
    present_ids: np.ndarray  # (M,) everyone in view
    present_xy: np.ndarray  # (M, 2)
    ids: np.ndarray  # (N,) agents: seen in the last 8 frames
    obs: np.ndarray  # (N, 8, 2)
    fut: np.ndarray  # (N, 12, 2) NaN where the person is no longer in view

    def complete(self) -> np.ndarray:
        """(N,) agents whose whole 12-step future is known (they can be scored)."""
        return np.isfinite(self.fut).all(axis=(1, 2))


@dataclass(frozen=True)
class FramePrediction:
    """Every enabled model's output for the agents of one frame."""

    index: int
    preds: dict = field(repr=False)  # model name -> (N, 12, 2)
    samples: np.ndarray | None = field(default=None, repr=False)  # (N, K, 12, 2) by score
    temporal: dict = field(default_factory=dict, repr=False)  # model -> (N, 8) attention
    spatial: np.ndarray | None = field(default=None, repr=False)  # (N, N) star, last step


class Playback:
    """A :class:`Recording` for random access by frame index (memory O(rows))."""

    def __init__(self, rec: Recording) -> None:
        self.recording = rec
        self.index = TrackIndex.of(rec)
        self.frame_ids = self.index.frame_list  # (F,)
        self.bounds = (rec.xy.min(0), rec.xy.max(0)) if rec.n_rows else (np.zeros(2), np.ones(2))

    def __len__(self) -> int:
        return int(self.frame_ids.shape[0])

    def state(self, i: int) -> FrameState:
        rec, ti = self.recording, self.index
        here = ti.rows_at(i, rec.peds)  # everyone in view, by id
        agents = here[ti.back[here] >= OBS]  # seen in frames i-7..i
        obs = rec.xy[ti.steps(agents, np.arange(-OBS + 1, 1))]  # (N, 8, 2)
        ahead = np.arange(1, PRED + 1)
        fut = rec.xy[ti.steps(agents, ahead)]  # (N, 12, 2)
        known = ti.fwd[agents][:, None] > ahead[None, :]  # (N, 12) still in view, no gap
        fut = np.where(known[..., None], fut, np.nan)
        return FrameState(i, rec.peds[here], rec.xy[here], rec.peds[agents], obs, fut)


def _run_model(name: str, model, obs: np.ndarray) -> dict:
    """One model on one frame's agents (numpy in, numpy out)."""
    import torch

    x = torch.from_numpy(obs).float()
    with torch.no_grad():
        if name == "star":
            out = model(x[None], torch.ones(1, obs.shape[0], dtype=torch.bool))
            out = {k: v[0] for k, v in out.items() if isinstance(v, torch.Tensor)}
        else:
            out = {k: v for k, v in model(x).items() if isinstance(v, torch.Tensor)}
    return {k: v.double().numpy() for k, v in out.items()}


def predict_state(st: FrameState, models: dict) -> FramePrediction:
    """Run ``models`` (name -> model; ``"cv"`` -> None) on one frame's agents."""
    preds, temporal, samples, spatial = {}, {}, None, None
    if st.obs.shape[0] == 0:
        return FramePrediction(st.index, {})
    for name, model in models.items():
        if name == "cv" or model is None:
            preds[name] = constant_velocity(st.obs)
            continue
        out = _run_model(name, model, st.obs)
        preds[name] = out["pred"]
        temporal[name] = out["temporal"]
        if name == "tf-multi":
            order = np.argsort(-out["scores"], axis=1)  # best-scored proposal first
            samples = np.take_along_axis(out["samples"], order[:, :, None, None], 1)
            samples = samples.astype(np.float32)  # (N, K, 12, 2): the biggest thing kept
        if name == "star":
            spatial = out["spatial"]
    return FramePrediction(st.index, preds, samples, temporal, spatial)


def predict_frames(pb: Playback, models: dict, order: Iterable[int]) -> Iterator[FramePrediction]:
    """Predictions for the frames in ``order`` (a generator: stop iterating to cancel)."""
    for i in order:
        yield predict_state(pb.state(i), models)


def scores_for(st: FrameState, fp: FramePrediction, row: int) -> dict[str, tuple[float, float]]:
    """ADE/FDE of each model for agent ``row`` (only when its future is complete).

    ``tf-multi`` is scored on its top proposal and best of its samples (``"tf-multi@K"``).
    """
    if not st.complete()[row]:
        return {}
    fut = st.fut[row : row + 1]
    res = {}
    for name, pred in fp.preds.items():
        a, f = ade_fde(pred[row : row + 1], fut)
        res[name] = (float(a[0]), float(f[0]))
    if fp.samples is not None:
        a, f = ade_fde(fp.samples[row : row + 1], fut)
        res[f"tf-multi@{fp.samples.shape[1]}"] = (float(a[0]), float(f[0]))
    return res
