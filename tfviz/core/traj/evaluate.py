"""ADE / FDE of every model on windows, batched (univ's test split has 24,334 windows).

``predict_windows`` returns, for each window, the deterministic prediction ``(W, 12, 2)`` and,
for multimodal models, the K samples ``(W, K, 12, 2)``. ``evaluate`` turns them into metres.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tfviz.core.traj.data import OBS, PRED, Windows
from tfviz.core.traj.geometry import ade_fde, constant_velocity

MODELS = ("cv", "tf", "tf-multi", "star")


@dataclass(frozen=True)
class SceneScore:
    """One scene's result: windows, mean ADE and mean FDE in metres."""

    scene: str
    windows: int
    ade: float
    fde: float


def predict_windows(model, w: Windows, batch: int = 2048, samples: bool = False):
    """Predictions for all windows of ``w``: ``(W, 12, 2)``, or ``(W, K, 12, 2)`` with ``samples``."""
    import torch

    if model is None:  # constant velocity
        pred = constant_velocity(w.obs)
        return pred[:, None] if samples else pred
    def pick(res: dict):
        """The wanted output; samples ordered best-scored first."""
        if not samples:
            return res["pred"]
        order = res["scores"].argsort(dim=-1, descending=True)  # (..., K)
        idx = order[..., None, None].expand(res["samples"].shape)
        return res["samples"].gather(-3, idx)  # (..., K, 12, 2)

    model.eval()
    out = None
    with torch.no_grad():
        if model.cfg.kind == "star":
            from tfviz.core.traj.batches import group_batches

            for b in group_batches(w, max_agents=4096):
                res = pick(model(b.obs, b.valid))  # (G, N, [K,] 12, 2)
                if out is None:
                    out = np.zeros((len(w),) + tuple(res.shape[2:]), dtype=np.float64)
                sel = b.target
                out[b.window[sel].numpy()] = res[sel].double().numpy()
        else:
            obs = torch.from_numpy(w.obs).float()
            parts = [pick(model(obs[i : i + batch])).double().numpy() for i in range(0, len(w), batch)]
            out = np.concatenate(parts)
    return out


class NoWindowsError(ValueError):
    """Nothing to score: no track is long enough for one complete window."""


def max_samples(model) -> int:
    """How many futures a model proposes: 1 for constant velocity and ``tf``, else its K.

    >>> max_samples(None)
    1
    """
    if model is None or model.cfg.kind == "tf":
        return 1
    return model.cfg.k


def evaluate(model, w: Windows, scene: str = "", samples: int = 1) -> SceneScore:
    """Mean ADE/FDE over the windows; ``samples > 1`` -> best of the model's K samples.

    A model with more proposals than ``samples`` keeps its ``samples`` best-scored ones.
    ``samples`` outside ``1..max_samples(model)`` is refused (``ValueError``), so a score
    never claims more samples than were computed; no complete window raises
    :class:`NoWindowsError` rather than returning NaN.
    """
    most = max_samples(model)
    if type(samples) is not int or not 1 <= samples <= most:
        name = "constant velocity" if model is None else model.cfg.kind
        raise ValueError(f"samples must be from 1 to {most} for {name}, got {samples!r}")
    if len(w) == 0:
        where = f" in {scene}" if scene else ""
        raise NoWindowsError(f"no complete window{where}: no track has {OBS + PRED} consecutive steps")
    if samples > 1 and model is not None:
        pred = predict_windows(model, w, samples=True)  # (W, K, 12, 2)
        pred = pred[:, :samples]
    else:
        pred = predict_windows(model, w)
    ade, fde = ade_fde(pred, w.fut)
    score = SceneScore(scene, len(w), float(ade.mean()), float(fde.mean()))
    if not (np.isfinite(score.ade) and np.isfinite(score.fde)):
        raise ValueError(f"the predictions{' for ' + scene if scene else ''} are not finite numbers; nothing to report")
    return score
