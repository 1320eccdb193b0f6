"""Saving and loading the tiny GPT / BERT: safetensors weights + the tokenizer JSON.

Files for language ``xx`` in a folder (``resources/weights/lm/`` for the shipped ones)::

    gpt-xx.safetensors     weights (float16 on disk, float32 in memory) + config in the metadata
    bert-xx.safetensors
    tokenizer-xx.json      the BPE tokenizer both models share (tfviz-bpe format)
    gpt-xx.eval.json       validation figures from `tfviz lm eval` / `compare`

float16 halves the files (about 5 MB each); every value is converted back to float32 when
loaded, so the arithmetic is float32. Any problem names the file.

>>> weights_name("bert", "zh"), tokenizer_name("zh")
('bert-zh.safetensors', 'tokenizer-zh.json')
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from tfviz.core.lm.base import WeightsError

FORMAT = "tfviz-lm"


def weights_name(kind: str, lang: str) -> str:
    return f"{kind}-{lang}.safetensors"


def tokenizer_name(lang: str) -> str:
    return f"tokenizer-{lang}.json"


def shipped_dir() -> Path:
    from tfviz.core.assets import asset_path

    return asset_path("weights", "lm")


def user_dir() -> Path:
    """Where the Train tab keeps models the user chose to keep (never the shipped folder)."""
    from tfviz.core.userdata import user_data_dir

    return user_data_dir() / "weights" / "lm"


def tokenizer_digest(tok) -> str:
    """A short hash of a tokenizer's merges and special tokens (stored with the weights)."""
    from tfviz.core.bpe.store import to_json

    return hashlib.sha256(to_json(tok).encode("utf-8")).hexdigest()[:16]


def save_model(model, tok, path: str | os.PathLike, info: dict | None = None) -> Path:
    """Write ``model`` (a :class:`~tfviz.core.lm.model.TinyLM`) in float16, atomically."""
    import torch
    from safetensors.torch import save_file

    from tfviz.core.io import atomic_write

    tensors = {k: v.detach().to("cpu", torch.float16).contiguous() for k, v in model.state_dict().items()}
    meta = {
        "format": FORMAT,
        "config": json.dumps(model.cfg.to_dict()),
        "tokenizer": tokenizer_digest(tok),
        "info": json.dumps(info or {}),
    }
    return atomic_write(path, lambda tmp: save_file(tensors, str(tmp), metadata=meta))


def save_tokenizer(tok, path: str | os.PathLike) -> Path:
    from tfviz.core.bpe.store import to_json
    from tfviz.core.io import atomic_write

    return atomic_write(path, to_json(tok))


def load_tokenizer(path: str | os.PathLike):
    from tfviz.core.bpe.store import TokenizerFileError, load
    from tfviz.core.lm.tokenizer import check_specials

    try:
        tok = load(path)
        check_specials(tok, str(path))
    except (TokenizerFileError, ValueError) as exc:
        raise WeightsError(str(exc)) from None
    return tok


def read_config(path: str | os.PathLike) -> tuple[dict, dict, str]:
    """``(config, info, tokenizer digest)`` from a weights file's metadata."""
    from tfviz.core.checkpoint import read_metadata

    meta = read_metadata(path, WeightsError)
    if meta.get("format") != FORMAT:
        raise WeightsError(f"{path}: not a tfviz language-model file (no \"format\": \"{FORMAT}\" in its metadata)")
    try:
        return json.loads(meta["config"]), json.loads(meta.get("info", "{}")), meta.get("tokenizer", "")
    except (KeyError, ValueError):
        raise WeightsError(f"{path}: damaged metadata (config)") from None


def load_model(path: str | os.PathLike, tok, device: str = "cpu"):
    """Build the :class:`TinyLM` a weights file describes, check it against ``tok``, load it."""
    import torch

    from tfviz.core.checkpoint import check_fits, read_tensors
    from tfviz.core.lm.model import LMConfig, TinyLM

    cfg_dict, info, digest = read_config(path)
    try:
        cfg = LMConfig(**cfg_dict)
    except (TypeError, ValueError) as exc:
        raise WeightsError(f"{path}: damaged metadata ({exc})") from None
    if digest and digest != tokenizer_digest(tok):
        raise WeightsError(f"{path}: trained with another tokenizer than {tok.name!r} (digest {digest})")
    if cfg.vocab_size != tok.vocab_size:
        raise WeightsError(f"{path}: vocabulary of {cfg.vocab_size} tokens, the tokenizer has {tok.vocab_size}")
    with torch.device("meta"):
        skeleton = TinyLM(cfg)
    tensors = read_tensors(path, WeightsError)
    check_fits(skeleton, {k: tuple(v.shape) for k, v in tensors.items()}, path, WeightsError)
    model = TinyLM(cfg)
    model.load_state_dict({k: v.float() for k, v in tensors.items()})
    return model.to(device).eval(), info
