"""SmolLM2's tokenizer, from its GGUF metadata, in tfviz's own byte-level BPE.

The GGUF stores 49,152 tokens spelled with GPT-2's byte-to-character map (``Ġ`` is a space,
``Ċ`` a newline), 48,900 merges in training order, and a type per token (3 = control, such as
``<|im_start|>``). Every merge makes a token whose id is larger than the ids of all earlier
merges, so "lowest id first" (tfviz's rule, the same as tiktoken's) replays the merges in their
training order; :func:`from_gguf` checks that before trusting it.

The pre-tokenizer is llama.cpp's ``smollm`` (each digit alone, then GPT-2's pattern); see
``tfviz.core.bpe.patterns``. Twenty-one byte values have no token (``0xC0``, ``0xC1``,
``0xF1``, ``0xF2``, ``0xF5``-``0xFF`` and six control characters such as ``0x04``): like the
reference tokenizer, encoding skips them.

The chat template in the file is ChatML::

    <|im_start|>system\\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\\n
    <|im_start|>user\\nWhat is 2+2?<|im_end|>\\n
    <|im_start|>assistant\\n
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tfviz.core.bpe.merge import bpe_ids
from tfviz.core.bpe.patterns import split_pieces
from tfviz.core.bpe.tokenizer import Tokenizer
from tfviz.core.bpe.vocab import gpt2_byte_chars
from tfviz.core.lm.base import WeightsError
from tfviz.core.lm.gguf_file import TokenizerData

IM_START, IM_END, END_OF_TEXT = "<|im_start|>", "<|im_end|>", "<|endoftext|>"
DEFAULT_SYSTEM = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"
CONTROL = 3  # llama.cpp's token type for special tokens


class ByteSkippingTokenizer(Tokenizer):
    """A :class:`Tokenizer` whose vocabulary lacks some byte values: those bytes are dropped
    from each piece before merging (what the reference BPE does with a character it cannot
    spell). Text without them takes the ordinary path."""

    missing: bytes = b""

    def encode_ordinary(self, text: str) -> list[int]:
        data = text.encode("utf-8")
        if len(data.translate(None, self.missing)) == len(data):
            return super().encode_ordinary(text)
        ids: list[int] = []
        for piece in split_pieces(text, self.pattern):
            kept = piece.encode("utf-8").translate(None, self.missing)  # the bytes it can spell
            ids += bpe_ids(kept, self.ranks) if kept else []
        return ids

    def _trace_piece(self, data, offset, index, steps):
        if len(data.translate(None, self.missing)) != len(data):
            raise ValueError(f"the {self.name} vocabulary has no token for some bytes of {data!r}; they are skipped")
        return super()._trace_piece(data, offset, index, steps)


def from_gguf(data: TokenizerData, name: str = "smollm2") -> ByteSkippingTokenizer:
    """Build the tokenizer; refuses a vocabulary this rule cannot replay exactly."""
    if data.model != "gpt2":
        raise WeightsError(f"tokenizer model {data.model!r}: tfviz reads byte-level BPE ('gpt2') only")
    to_byte = {c: b for b, c in gpt2_byte_chars().items()}
    ranks: dict[bytes, int] = {}
    specials: dict[str, int] = {}
    for i, (token, kind) in enumerate(zip(data.tokens, data.token_types)):
        if kind == CONTROL:
            specials[token] = i
            continue
        try:
            ranks[bytes(to_byte[c] for c in token)] = i  # "Ġthe" -> b" the"
        except KeyError:
            raise WeightsError(f"token {i} {token!r} is not spelled in GPT-2's byte alphabet") from None
    _check_merge_order(data, ranks, to_byte)
    tok = ByteSkippingTokenizer(name, "smollm", ranks, specials)
    tok.missing = bytes(b for b in range(256) if bytes([b]) not in ranks)
    return tok


def load_tokenizer(path: Path | None = None) -> ByteSkippingTokenizer:
    """SmolLM2's tokenizer alone (no weights), e.g. for the Tokenization panel; the GGUF is
    found and hash-checked as for the model."""
    from tfviz.core.lm.fetch import find_gguf, verify_gguf
    from tfviz.core.lm.gguf_file import open_reader, read_tokenizer

    path = Path(path) if path is not None else find_gguf()
    verify_gguf(path)
    return from_gguf(read_tokenizer(open_reader(path), path))


def _check_merge_order(data: TokenizerData, ranks: dict[bytes, int], to_byte: dict[str, int]) -> None:
    """Merge k must make a token with a larger id than merge k - 1 (ids follow training order)."""
    previous = -1
    for k, merge in enumerate(data.merges):
        left, _, right = merge.partition(" ")
        made = ranks.get(bytes(to_byte[c] for c in left + right))
        if made is None or made <= previous:
            raise WeightsError(f"merge {k} ({merge!r}) does not follow the vocabulary order")
        previous = made


# --- chat template ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Message:
    role: str  # "system", "user" or "assistant"
    content: str


def chat_text(messages: Sequence[Message], add_generation_prompt: bool = True) -> str:
    """The ChatML text SmolLM2's template renders (a default system message comes first).

    >>> print(chat_text([Message("user", "Hi")]), end="")
    <|im_start|>system
    You are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>
    <|im_start|>user
    Hi<|im_end|>
    <|im_start|>assistant
    """
    return "".join(f"{IM_START}{role}\n{content}{IM_END}\n" for role, content in _with_system(messages)) + (
        f"{IM_START}assistant\n" if add_generation_prompt else ""
    )


def chat_ids(tok: Tokenizer, messages: Sequence[Message], add_generation_prompt: bool = True) -> list[int]:
    """Ids of :func:`chat_text`. Message text is encoded as ordinary text, so a message that
    contains ``<|im_end|>`` cannot end its turn early; the markers come from the template only."""
    start, end = tok.special_tokens[IM_START], tok.special_tokens[IM_END]
    ids: list[int] = []
    for role, content in _with_system(messages):
        ids += [start, *tok.encode_ordinary(f"{role}\n{content}"), end, *tok.encode_ordinary("\n")]
    if add_generation_prompt:
        ids += [start, *tok.encode_ordinary("assistant\n")]
    return ids


def _with_system(messages: Sequence[Message]) -> list[tuple[str, str]]:
    pairs = [(m.role, m.content) for m in messages]
    if not pairs or pairs[0][0] != "system":
        pairs.insert(0, ("system", DEFAULT_SYSTEM))
    return pairs
