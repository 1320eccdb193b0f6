"""Reading a Hugging Face BERT ``config.json`` and refusing what tfviz cannot run.

>>> cfg = BertConfig.from_dict({"model_type": "bert", "hidden_size": 384, "num_attention_heads": 12,
...     "num_hidden_layers": 6, "intermediate_size": 1536, "vocab_size": 30522})
>>> cfg.head_dim
32
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


class BertLoadError(ValueError):
    """A model folder that cannot be loaded; the message says why and what to do."""


class UnsupportedModelError(BertLoadError):
    """The checkpoint is not a BERT-family encoder tfviz can run."""


SUPPORTED_TYPES = ("bert",)
SUPPORTED_ACTS = ("gelu", "relu")
# Upper bounds checked before anything is allocated (BERT-large and multilingual BERT fit
# well inside): a config claiming a vocabulary of 10^9 is refused, not attempted.
LIMITS = {"vocab_size": 1_000_000, "hidden_size": 4096, "num_hidden_layers": 96, "num_attention_heads": 128,
          "intermediate_size": 16384, "max_position_embeddings": 65536, "type_vocab_size": 1024}


@dataclass(frozen=True)
class BertConfig:
    """The numbers that define a BERT encoder."""

    vocab_size: int
    hidden_size: int  # D
    num_layers: int  # L
    num_heads: int  # H
    intermediate_size: int  # F, feed-forward width
    max_positions: int = 512
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12
    hidden_act: str = "gelu"
    pad_token_id: int = 0
    do_lower_case: bool = True
    strip_accents: bool | None = None
    name: str = "bert"

    @property
    def head_dim(self) -> int:
        """d_k = D / H."""
        return self.hidden_size // self.num_heads

    @classmethod
    def from_dict(cls, d: dict, source: str = "config.json") -> BertConfig:
        kind = d.get("model_type", "")
        if kind not in SUPPORTED_TYPES:
            raise UnsupportedModelError(
                f"{source}: model_type {kind!r} is not supported; tfviz loads BERT encoders (model_type 'bert')"
            )
        pos = d.get("position_embedding_type", "absolute")
        if pos != "absolute":
            raise UnsupportedModelError(f"{source}: position_embedding_type {pos!r} is not supported (only 'absolute')")
        act = d.get("hidden_act", "gelu")
        if act not in SUPPORTED_ACTS:
            raise UnsupportedModelError(f"{source}: hidden_act {act!r} is not supported ({', '.join(SUPPORTED_ACTS)})")
        if d.get("is_decoder") or d.get("add_cross_attention"):
            raise UnsupportedModelError(f"{source}: decoder BERT configurations are not supported")
        try:
            cfg = cls(
                vocab_size=int(d["vocab_size"]),
                hidden_size=int(d["hidden_size"]),
                num_layers=int(d["num_hidden_layers"]),
                num_heads=int(d["num_attention_heads"]),
                intermediate_size=int(d["intermediate_size"]),
                max_positions=int(d.get("max_position_embeddings", 512)),
                type_vocab_size=int(d.get("type_vocab_size", 2)),
                layer_norm_eps=float(d.get("layer_norm_eps", 1e-12)),
                hidden_act=act,
                pad_token_id=int(d.get("pad_token_id") or 0),
                name=str(d.get("_name_or_path") or kind),
            )
        except KeyError as exc:
            raise BertLoadError(f"{source}: missing key {exc.args[0]!r}") from None
        except (TypeError, ValueError, OverflowError) as exc:
            raise BertLoadError(f"{source}: bad value ({exc})") from None
        sizes = {"vocab_size": cfg.vocab_size, "hidden_size": cfg.hidden_size, "num_hidden_layers": cfg.num_layers,
                 "num_attention_heads": cfg.num_heads, "intermediate_size": cfg.intermediate_size,
                 "max_position_embeddings": cfg.max_positions, "type_vocab_size": cfg.type_vocab_size}
        bad = [k for k, v in sizes.items() if v <= 0]
        if bad:
            raise BertLoadError(f"{source}: {bad[0]} must be a positive number, got {sizes[bad[0]]}")
        big = [k for k, v in sizes.items() if v > LIMITS[k]]
        if big:
            raise BertLoadError(f"{source}: {big[0]} {sizes[big[0]]} is larger than tfviz allows ({LIMITS[big[0]]})")
        if not cfg.layer_norm_eps > 0:
            raise BertLoadError(f"{source}: layer_norm_eps must be positive, got {cfg.layer_norm_eps}")
        if cfg.hidden_size % cfg.num_heads:
            raise BertLoadError(f"{source}: hidden_size {cfg.hidden_size} is not divisible by {cfg.num_heads} heads")
        return cfg

    @classmethod
    def from_folder(cls, folder: str | Path) -> BertConfig:
        """``config.json`` plus the casing rules of ``tokenizer_config.json`` when present."""
        folder = Path(folder)
        path = folder / "config.json"
        d = _read_json(path)
        cfg = cls.from_dict(d, str(path))
        tok = folder / "tokenizer_config.json"
        lower, strip = _guess_casing(cfg.name)
        if tok.is_file():
            t = _read_json(tok)
            lower = bool(t.get("do_lower_case", lower))
            strip = t.get("strip_accents", strip)
        return _replace(cfg, do_lower_case=lower, strip_accents=strip)


def _guess_casing(name: str) -> tuple[bool, bool | None]:
    """Without a tokenizer config, a name containing 'cased' (not 'uncased') keeps case."""
    n = name.lower()
    return ("cased" not in n or "uncased" in n), None


def _replace(cfg: BertConfig, **kw) -> BertConfig:
    from dataclasses import replace

    return replace(cfg, **kw)


def _read_json(path: Path) -> dict:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BertLoadError(f"{path}: file not found") from None
    except OSError as exc:
        raise BertLoadError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BertLoadError(f"{path}: not valid UTF-8 at byte offset {exc.start}") from None
    try:
        d = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BertLoadError(f"{path}, line {exc.lineno}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise BertLoadError(f"{path}: JSON nested too deeply") from None
    if not isinstance(d, dict):
        raise BertLoadError(f"{path}: expected a JSON object")
    return d
