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

from tfviz.core.io import atomic_write
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


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def save(model: nn.Module, path: str | os.PathLike, task_name: str, info: dict | None = None) -> None:
    """Write the weights with :func:`tfviz.core.io.atomic_write`: a crash or cancel mid-write
    leaves the previous file untouched."""
    from safetensors.torch import save_file

    tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    meta = {"task": task_name, "kind": model.kind, "info": json.dumps(info or {})}
    atomic_write(path, lambda tmp: save_file(tensors, str(tmp), metadata=meta))


class WeightsError(ValueError):
    """A weights file that is missing, unreadable, or for another task/model."""


def read_info(path: str | os.PathLike) -> dict:
    """The metadata of a weights file: task, kind and training facts."""
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="pt") as f:
            meta = f.metadata() or {}
    except Exception as exc:  # noqa: BLE001 - any unreadable file is reported the same way
        raise WeightsError(f"{path}: not a readable safetensors file ({exc})") from exc
    info = json.loads(meta.get("info", "{}"))
    return {"task": meta.get("task"), "kind": meta.get("kind"), **info}


def load(path: str | os.PathLike, kind: str | None = None, task_name: str | None = None) -> nn.Module:
    """Build the model a weights file describes and load its tensors (eval mode)."""
    from safetensors.torch import load_file

    info = read_info(path)
    if kind is not None and info["kind"] != kind:
        raise WeightsError(f"{path}: holds a {info['kind']!r} model, not {kind!r}")
    if task_name is not None and info["task"] != task_name:
        raise WeightsError(f"{path}: trained for task {info['task']!r}, not {task_name!r}")
    model = build(info["kind"], info["task"])
    model.load_state_dict(load_file(str(path)))
    return model.eval()
