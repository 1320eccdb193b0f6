"""Reading a Llama-architecture GGUF file with the ``gguf`` package (llama.cpp's own reader).

A GGUF file is a header of typed key/value metadata (architecture sizes, the tokenizer's
tokens and merges, the chat template) followed by tensors, here mostly quantized: Q4_1 keeps
32 weights as 4-bit integers with one float16 scale and one float16 minimum
(``w = d * q + m``), Q8_0 keeps 32 weights as 8-bit integers with one scale. ``gguf``
dequantizes them to float32; tfviz never parses the format by hand.

Two facts a reader of the weights must know:

- A tensor's GGUF shape lists the fastest axis first (``[576, 1536]`` for the up projection);
  the dequantized numpy array has the usual (out, in) layout of ``torch.nn.Linear``.
- llama.cpp's converter reorders the rows of ``attn_q`` and ``attn_k`` inside each head so
  that RoPE rotates *adjacent* pairs ``(x0, x1), (x2, x3), ...`` (the layout of the original
  LLaMA code). tfviz keeps that layout and rotates adjacent pairs (``rope.py``); Hugging Face
  undoes the reordering and rotates the two halves instead. Both give the same q·k.

Loading is a generator: it yields :class:`ReadStep` records (one per tensor) and returns the
:class:`GGUFContents` (``contents = yield from read_steps(path)``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tfviz.core.lm.base import WeightsError


@dataclass(frozen=True)
class LlamaConfig:
    """The sizes of a Llama-style decoder (SmolLM2-135M: 30 layers, d 576, 9 / 3 heads).

    >>> cfg = LlamaConfig(); cfg.head_dim, cfg.group_size
    (64, 3)
    """

    vocab_size: int = 49152
    d_model: int = 576
    n_layers: int = 30
    n_heads: int = 9          # query heads
    n_kv_heads: int = 3       # key/value heads, each shared by n_heads // n_kv_heads query heads
    d_ff: int = 1536          # SwiGLU hidden width
    rope_base: float = 100000.0
    rms_eps: float = 1e-5
    context_length: int = 8192

    @property
    def head_dim(self) -> int:
        return self.d_model // self.n_heads

    @property
    def group_size(self) -> int:
        """How many query heads share one key/value head (3 for SmolLM2)."""
        return self.n_heads // self.n_kv_heads


@dataclass(frozen=True)
class TokenizerData:
    """What a GGUF says about its tokenizer (llama.cpp key names in comments)."""

    model: str                 # tokenizer.ggml.model, "gpt2" = byte-level BPE
    pre: str                   # tokenizer.ggml.pre, the pre-tokenizer's name ("smollm")
    tokens: tuple[str, ...]    # tokenizer.ggml.tokens, in GPT-2's byte-to-character spelling
    token_types: tuple[int, ...]  # 1 normal, 3 control (special), 4 user-defined
    merges: tuple[str, ...]    # tokenizer.ggml.merges, "Ġ t" = join "Ġ" and "t"
    bos_id: int
    eos_id: int
    chat_template: str


@dataclass(frozen=True)
class ReadStep:
    """One tensor read and dequantized (``done`` of ``total``)."""

    name: str
    done: int
    total: int


@dataclass(frozen=True)
class GGUFContents:
    config: LlamaConfig
    tokenizer: TokenizerData
    tensors: dict[str, np.ndarray]  # GGUF tensor name -> float32 array, (out, in) for matrices
    metadata: dict[str, object]     # every scalar / string key, for display


def _field(reader, key: str, path: Path):
    field = reader.fields.get(key)
    if field is None:
        raise WeightsError(f"{path}: the GGUF has no {key!r} entry; is it a Llama model?")
    return field.contents()


def read_config(reader, path: Path) -> LlamaConfig:
    arch = _field(reader, "general.architecture", path)
    if arch != "llama":
        raise WeightsError(f"{path}: architecture {arch!r}, tfviz's decoder reads 'llama' only")
    get = lambda key: _field(reader, f"llama.{key}", path)  # noqa: E731
    n_tokens = len(reader.fields["tokenizer.ggml.tokens"].data) if "tokenizer.ggml.tokens" in reader.fields else 0
    return LlamaConfig(
        vocab_size=int(reader.fields["llama.vocab_size"].contents()) if "llama.vocab_size" in reader.fields else n_tokens,
        d_model=int(get("embedding_length")),
        n_layers=int(get("block_count")),
        n_heads=int(get("attention.head_count")),
        n_kv_heads=int(get("attention.head_count_kv")),
        d_ff=int(get("feed_forward_length")),
        rope_base=float(get("rope.freq_base")),
        rms_eps=float(get("attention.layer_norm_rms_epsilon")),
        context_length=int(get("context_length")),
    )


def read_tokenizer(reader, path: Path) -> TokenizerData:
    get = lambda key: _field(reader, key, path)  # noqa: E731
    return TokenizerData(
        model=str(get("tokenizer.ggml.model")),
        pre=str(get("tokenizer.ggml.pre")),
        tokens=tuple(get("tokenizer.ggml.tokens")),
        token_types=tuple(int(t) for t in get("tokenizer.ggml.token_type")),
        merges=tuple(get("tokenizer.ggml.merges")),
        bos_id=int(get("tokenizer.ggml.bos_token_id")),
        eos_id=int(get("tokenizer.ggml.eos_token_id")),
        chat_template=str(get("tokenizer.chat_template")),
    )


def scalar_metadata(reader) -> dict[str, object]:
    """Every metadata entry except the long token / merge lists."""
    out: dict[str, object] = {}
    for key, field in reader.fields.items():
        if key.startswith("tokenizer.ggml.") and len(field.data) > 64:
            out[key] = f"<{len(field.data)} entries>"
            continue
        try:
            out[key] = field.contents()
        except Exception:  # noqa: BLE001 - a field gguf cannot decode is shown, not fatal
            out[key] = "<unreadable>"
    return out


def open_reader(path: Path):
    """A ``gguf.GGUFReader`` for ``path``; a file that is not GGUF gives a clear error."""
    from gguf import GGUFReader

    try:
        return GGUFReader(str(path))
    except (ValueError, OSError, IndexError, KeyError) as err:
        raise WeightsError(f"{path}: not a readable GGUF file ({err})") from None


def read_steps(path: Path) -> Iterator[ReadStep]:
    """Read ``path``: yield one :class:`ReadStep` per tensor, return :class:`GGUFContents`."""
    from gguf.quants import dequantize

    path = Path(path)
    reader = open_reader(path)
    config = read_config(reader, path)
    tokenizer = read_tokenizer(reader, path)
    tensors: dict[str, np.ndarray] = {}
    total = len(reader.tensors)
    for k, t in enumerate(reader.tensors):
        try:
            w = dequantize(t.data, t.tensor_type)             # float32, numpy (out, in) order
        except (NotImplementedError, ValueError) as err:
            raise WeightsError(f"{path}: cannot dequantize {t.name} ({t.tensor_type.name}: {err})") from None
        w = np.ascontiguousarray(w, dtype=np.float32)  # (out, in) for a matrix
        tensors[t.name] = w if w.flags.writeable else w.copy()  # F32 tensors are read-only file views
        yield ReadStep(t.name, k + 1, total)
    return GGUFContents(config, tokenizer, tensors, scalar_metadata(reader))


def read(path: Path) -> GGUFContents:
    """:func:`read_steps` without the progress records."""
    steps = read_steps(path)
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            return stop.value
