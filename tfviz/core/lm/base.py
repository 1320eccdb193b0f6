"""What every language model in tfviz offers the CLI and the GUI.

A :class:`CausalLM` predicts the next token from the left context; its :meth:`generate`
yields one :class:`GenStep` per new token so a panel can draw each step as it happens.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from tfviz.core.lm.sampling import Sampling


class ModelNotAvailable(RuntimeError):
    """The model's files are not on this machine; the message says what to run."""


class WeightsError(ValueError):
    """A weights or tokenizer file is corrupt or does not match the model; names the file."""


class BadInput(ValueError):
    """Text a model cannot take as asked (``[MASK]`` in a GPT prompt, no ``[MASK]`` to fill)."""


@dataclass(frozen=True)
class TopToken:
    """One bar of a next-token (or fill-in) bar chart."""

    id: int
    token: str
    prob: float


@dataclass(frozen=True)
class GenStep:
    """One generated token."""

    position: int              # index of the new token in the full id list
    token_id: int
    token: str                 # display text of the token (bytes shown as <E6 88> if partial UTF-8)
    top: tuple[TopToken, ...]  # the shaped distribution's top 10 before sampling
    seconds: float             # wall time of this step


@runtime_checkable
class CausalLM(Protocol):
    """A left-to-right language model."""

    name: str
    context_length: int
    eot_id: int                # end-of-text id (generation from an empty prompt starts from it)

    def encode(self, text: str) -> list[int]: ...
    def decode(self, ids: Sequence[int]) -> str: ...
    def token_str(self, token_id: int) -> str: ...
    def next_logits(self, ids: Sequence[int]) -> np.ndarray: ...   # (V,) float32 logits after ids
    def generate(self, ids: Sequence[int], max_new_tokens: int, sampling: Sampling,
                 seed: int = 0, use_cache: bool = True) -> Iterator[GenStep]: ...


def display_bytes(data: bytes) -> str:
    """Text of a token's bytes; bytes that are not whole UTF-8 characters shown as ``<E6 88>``.

    >>> display_bytes("我".encode())
    '我'
    >>> display_bytes("我".encode()[:2])
    '<E6 88>'
    >>> display_bytes(b"a" + "我".encode()[:1])
    'a<E6>'
    """
    out: list[str] = []
    pending: list[int] = []
    i = 0
    while i < len(data):
        for width in (4, 3, 2, 1):
            chunk = data[i:i + width]
            try:
                text = chunk.decode("utf-8")
            except UnicodeDecodeError:
                continue
            if len(text) == 1:
                break
        else:
            pending.append(data[i])
            i += 1
            continue
        if pending:
            out.append("<" + " ".join(f"{b:02X}" for b in pending) + ">")
            pending = []
        out.append(text)
        i += len(chunk)
    if pending:
        out.append("<" + " ".join(f"{b:02X}" for b in pending) + ">")
    return "".join(out)
