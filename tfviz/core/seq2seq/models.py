"""The three models by name, their sizes, and loading/saving them as safetensors.

A weights file stores the tensors plus, in its metadata, the task, the model kind, the
constructor arguments and a few training facts (steps, seconds, accuracy), so a file is
self-describing::

    >>> m = build("rnn", "dates"); count_parameters(m) > 0
    True
"""

from __future__ import annotations

import json
import os

from torch import nn

from tfviz.core.checkpoint import CheckpointError, check_fits, count_parameters, read_metadata, read_tensors, tensor_shapes
from tfviz.core.io import atomic_write, parse_json
from tfviz.core.seq2seq.paths import shipped_path, user_path, user_weights_dir  # noqa: F401 (re-exported)
from tfviz.core.seq2seq.rnn import RNNSeq2Seq
from tfviz.core.seq2seq.rnn_attn import AttnRNNSeq2Seq
from tfviz.core.seq2seq.tasks import get_task
from tfviz.core.seq2seq.transformer import TransformerSeq2Seq

MODEL_KINDS = ("rnn", "rnn-attn", "transformer")

# Sizes chosen so the three models have comparable parameter budgets (~175k).
SIZES: dict[str, dict[str, int]] = {
    "rnn": dict(emb=32, hidden=128),
    "rnn-attn": dict(emb=32, enc_hidden=64, dec_hidden=128, attn_dim=64),
    "transformer": dict(d_model=64, n_heads=4, n_layers=2, d_ff=128),
}
CLASSES = {"rnn": RNNSeq2Seq, "rnn-attn": AttnRNNSeq2Seq, "transformer": TransformerSeq2Seq}


def build(kind: str, task_name: str, **overrides: int) -> nn.Module:
    """A freshly initialised model for ``task_name`` (call torch.manual_seed first)."""
    if kind not in CLASSES:
        raise KeyError(f"unknown model {kind!r}; valid: {', '.join(MODEL_KINDS)}")
    task = get_task(task_name)
    kw = {**SIZES[kind], **overrides}
    if kind == "transformer":
        kw["max_len"] = max(task.max_src, task.max_tgt) + 2
    return CLASSES[kind](len(task.src), len(task.tgt), **kw)


def save(model: nn.Module, path: str | os.PathLike, task_name: str, info: dict | None = None) -> None:
    """Write the weights with :func:`tfviz.core.io.atomic_write`: a crash or cancel mid-write
    leaves the previous file untouched."""
    from safetensors.torch import save_file

    tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    meta = {"task": task_name, "kind": model.kind, "info": json.dumps(info or {})}
    atomic_write(path, lambda tmp: save_file(tensors, str(tmp), metadata=meta))


class WeightsError(CheckpointError):
    """A weights file that is missing, unreadable, damaged, or for another task/model."""


def read_info(path: str | os.PathLike) -> dict:
    """The metadata of a weights file: task, kind and training facts (checked)."""
    meta = read_metadata(path, WeightsError)
    kind, task = meta.get("kind"), meta.get("task")
    if kind not in MODEL_KINDS:
        raise WeightsError(f"{path}: model kind {kind!r} in the metadata is not one of {', '.join(MODEL_KINDS)}")
    try:
        get_task(task)
    except KeyError:
        raise WeightsError(f"{path}: unknown task {task!r} in the metadata") from None
    try:
        info = parse_json(meta.get("info", "{}"))
    except ValueError as exc:
        raise WeightsError(f"{path}: bad training facts in the metadata ({exc})") from None
    if not isinstance(info, dict):
        raise WeightsError(f"{path}: the training facts in the metadata must be a JSON object")
    return {**info, "task": task, "kind": kind}


def load(path: str | os.PathLike, kind: str | None = None, task_name: str | None = None) -> nn.Module:
    """Build the model a weights file describes and load its tensors (eval mode).

    The tensors' names and shapes are compared with the model before they are read, and
    NaN or infinite values are refused: a damaged file never decodes to a plausible answer.
    """
    import torch

    info = read_info(path)
    if kind is not None and info["kind"] != kind:
        raise WeightsError(f"{path}: holds a {info['kind']!r} model, not {kind!r}")
    if task_name is not None and info["task"] != task_name:
        raise WeightsError(f"{path}: trained for task {info['task']!r}, not {task_name!r}")
    with torch.device("meta"):
        check_fits(build(info["kind"], info["task"]), tensor_shapes(path, WeightsError), path, WeightsError)
    tensors = read_tensors(path, WeightsError)
    model = build(info["kind"], info["task"])
    model.load_state_dict(tensors)
    return model.eval()
