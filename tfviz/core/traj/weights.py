"""Saving and loading trajectory weights as safetensors (never pickle).

One file per model and leave-one-scene-out fold: ``resources/weights/traj/<kind>_<scene>.safetensors``
(the ``eth`` fold was trained on the other four scenes). The model's sizes and how it was
trained travel in the file's metadata as JSON.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path

from tfviz.core.traj.models import ModelConfig, build


def weights_name(kind: str, scene: str) -> str:
    """The file name of one model and fold.

    >>> weights_name("tf-multi", "eth")
    'tf-multi_eth.safetensors'
    """
    return f"{kind}_{scene}.safetensors"


def shipped_path(kind: str, scene: str) -> Path:
    """Where the shipped weights of ``kind`` for the fold ``scene`` live."""
    from tfviz.core.assets import asset_path

    return asset_path("weights", "traj") / weights_name(kind, scene)


def save_model(model, path: str | os.PathLike, info: dict | None = None) -> None:
    """Write ``model`` to ``path`` atomically (temp file in the same folder, then rename)."""
    from safetensors.torch import save_file

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    meta = {"config": json.dumps(asdict(model.cfg)), "info": json.dumps(info or {})}
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        save_file(tensors, tmp, metadata=meta)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; weights are shipped files
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def load_model(path: str | os.PathLike):
    """Read a model written by :func:`save_model`; returns ``(model, info)``."""
    from safetensors import safe_open
    from safetensors.torch import load_file

    path = str(path)
    with safe_open(path, framework="pt") as fh:
        meta = fh.metadata() or {}
    cfg = ModelConfig(**json.loads(meta["config"]))
    model = build(cfg)
    model.load_state_dict(load_file(path))
    model.eval()
    return model, json.loads(meta.get("info", "{}"))


def load_shipped(kind: str, scene: str):
    """The shipped model for a fold, or ``None`` when it is not there."""
    p = shipped_path(kind, scene)
    return load_model(p)[0] if p.exists() else None
