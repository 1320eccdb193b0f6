"""ADE / FDE of every model on windows, batched (univ's test split has 24,334 windows).

``predict_windows`` returns, for each window, the deterministic prediction ``(W, 12, 2)`` and,
for multimodal models, the K samples ``(W, K, 12, 2)``. ``evaluate`` turns them into metres.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tfviz.core.traj.data import Windows
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


def evaluate(model, w: Windows, scene: str = "", samples: int = 1) -> SceneScore:
    """Mean ADE/FDE over the windows; ``samples > 1`` -> best of the model's K samples.

    A model with more proposals than ``samples`` keeps its ``samples`` best-scored ones.
    """
    if len(w) == 0:
        return SceneScore(scene, 0, float("nan"), float("nan"))
    if samples > 1 and model is not None:
        pred = predict_windows(model, w, samples=True)  # (W, K, 12, 2)
        pred = pred[:, :samples]
    else:
        pred = predict_windows(model, w)
    ade, fde = ade_fde(pred, w.fut)
    return SceneScore(scene, len(w), float(ade.mean()), float(fde.mean()))
