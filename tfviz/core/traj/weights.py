"""Saving and loading trajectory weights as safetensors (never pickle).

One file per model and leave-one-scene-out fold: ``resources/weights/traj/<kind>_<scene>.safetensors``
(the ``eth`` fold was trained on the other four scenes). The model's sizes and how it was
trained travel in the file's metadata as JSON.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

from tfviz.core.checkpoint import CheckpointError, check_fits, read_metadata, read_tensors, tensor_shapes
from tfviz.core.io import atomic_write, parse_json
from tfviz.core.traj.models import ModelConfig, build


class WeightsError(CheckpointError):
    """A trajectory weights file that cannot be used; the message names the file."""


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


def user_weights_dir() -> Path:
    """Where ``tfviz traj train`` writes by default: the user data folder, never the package."""
    from tfviz.core.seq2seq.paths import user_weights_dir as seq2seq_dir

    return seq2seq_dir().parent / "traj"


def save_model(model, path: str | os.PathLike, info: dict | None = None) -> None:
    """Write ``model`` to ``path`` with :func:`tfviz.core.io.atomic_write` (never half a file)."""
    from safetensors.torch import save_file

    tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    meta = {"config": json.dumps(asdict(model.cfg)), "info": json.dumps(info or {})}
    atomic_write(path, lambda tmp: save_file(tensors, str(tmp), metadata=meta))


def read_config(path: str | os.PathLike) -> tuple[ModelConfig, dict]:
    """The checked model config and training facts of a weights file (its header only)."""
    meta = read_metadata(path, WeightsError)
    if "config" not in meta:
        raise WeightsError(f"{path}: no model config in the file's metadata; not a tfviz trajectory weights file")
    try:
        cfg = ModelConfig.from_dict(parse_json(meta["config"]))
        info = parse_json(meta.get("info", "{}"))
    except (ValueError, TypeError) as exc:
        raise WeightsError(f"{path}: bad model config in the metadata ({exc})") from None
    if not isinstance(info, dict):
        raise WeightsError(f"{path}: the training facts in the metadata must be a JSON object")
    return cfg, info


def load_model(path: str | os.PathLike):
    """Read a model written by :func:`save_model`; returns ``(model, info)``.

    Checked in this order, so a bad file is refused before anything large is allocated: the
    config's bounds, the tensors' shapes against a model built on the meta device (no memory),
    then the values (no NaN or infinity).
    """
    import torch

    cfg, info = read_config(path)
    with torch.device("meta"):
        check_fits(build(cfg), tensor_shapes(path, WeightsError), path, WeightsError)
    tensors = read_tensors(path, WeightsError)
    model = build(cfg)
    model.load_state_dict(tensors)
    model.eval()
    return model, info


def load_shipped(kind: str, scene: str):
    """The shipped model for a fold, or ``None`` when it is not there."""
    p = shipped_path(kind, scene)
    return load_model(p)[0] if p.exists() else None
