"""Saving and loading a trained tokenizer as human-readable JSON, and reading corpus files.

The file lists the merges in order, each with the token it makes, so a learner can read it::

    {
      "format": "tfviz-bpe",
      "version": 1,
      "name": "trained",
      "pattern": "gpt4",
      "merges": [
        [32, 116, "·t"],
        [104, 101, "he"],
        ...
      ],
      "special_tokens": {"<|endoftext|>": 4352}
    }

Merge ``i`` joins the two ids into token ``256 + i``; the label is for people and is ignored
when loading. Anything wrong in a file is reported with the file name (and line for JSON
syntax errors); nothing half-loaded is returned.
"""

from __future__ import annotations

import json
from pathlib import Path

from tfviz.core.bpe.display import token_label
from tfviz.core.bpe.patterns import PATTERN_NAMES
from tfviz.core.bpe.tokenizer import Tokenizer
from tfviz.core.bpe.trainer import tokenizer_from_merges
from tfviz.core.io import atomic_write, parse_json

FORMAT = "tfviz-bpe"
VERSION = 1
#: Token ids are stored as 32-bit integers (numpy, torch): a larger id in a file is refused.
MAX_TOKEN_ID = 2**31 - 1


class TokenizerFileError(ValueError):
    """A tokenizer file that cannot be used; the message names the file and the problem."""


class CorpusDecodeError(ValueError):
    """A corpus file that is not valid UTF-8; the message names the file and byte offset."""


def to_json(tok: Tokenizer) -> str:
    if tok.merges is None:
        raise ValueError(f"{tok.name} has no merge list (it comes from a rank file); only trained tokenizers are saved")
    lines = [f"    [{a}, {b}, {json.dumps(token_label(tok.token_bytes(256 + i)), ensure_ascii=False)}]" for i, (a, b) in enumerate(tok.merges)]
    head = {"format": FORMAT, "version": VERSION, "name": tok.name, "pattern": tok.pattern}
    body = ",\n".join(lines)
    return (
        "{\n"
        + "".join(f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)},\n" for k, v in head.items())
        + '  "merges": [\n'
        + body
        + ("\n" if lines else "")
        + "  ],\n"
        + f'  "special_tokens": {json.dumps(tok.special_tokens, ensure_ascii=False)}\n'
        + "}\n"
    )


def save(tok: Tokenizer, path) -> None:
    """Save a trained tokenizer (atomically: a crash never leaves half a file)."""
    atomic_write(path, to_json(tok))


def from_json(text: str, source: str = "<string>") -> Tokenizer:
    """A tokenizer from the text of a tokenizer file; :class:`TokenizerFileError` if anything is off.

    >>> tok = from_json('{"format": "tfviz-bpe", "version": 1, "pattern": "none", "merges": [[104, 105, "hi"]]}')
    >>> tok.encode("hi hi")
    [256, 32, 256]
    >>> from_json('{"format": "tfviz-bpe", "version": 1, "pattern": "none", "merges": [[104, 300]]}')
    Traceback (most recent call last):
    ...
    tfviz.core.bpe.store.TokenizerFileError: <string>: merge 0 must be [left, right, ...] with ids below 256, got [104, 300]
    """
    def bad(problem: str) -> TokenizerFileError:
        return TokenizerFileError(f"{source}: {problem}")

    try:
        data = parse_json(text)
    except ValueError as err:
        raise bad(str(err)) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise bad(f'not a tfviz tokenizer file (expected "format": "{FORMAT}")')
    if data.get("version") != VERSION:
        raise bad(f"unsupported version {data.get('version')!r} (this tfviz reads version {VERSION})")
    pattern = data.get("pattern")
    if pattern not in PATTERN_NAMES:
        raise bad(f"unknown pattern {pattern!r}; expected one of {', '.join(PATTERN_NAMES)}")
    merges_raw = data.get("merges")
    if not isinstance(merges_raw, list):
        raise bad('"merges" must be a list of [left, right, label] entries')
    merges: list[tuple[int, int]] = []
    seen: set[bytes] = {bytes([i]) for i in range(256)}
    vocab = [bytes([i]) for i in range(256)]
    for i, entry in enumerate(merges_raw):
        ok = isinstance(entry, list) and len(entry) >= 2 and all(type(x) is int for x in entry[:2])
        if not ok or not all(0 <= x < 256 + i for x in entry[:2]):
            raise bad(f"merge {i} must be [left, right, ...] with ids below {256 + i}, got {entry!r}")
        a, b = entry[0], entry[1]
        token = vocab[a] + vocab[b]
        if token in seen:
            raise bad(f"merge {i} ({a}, {b}) makes a token that already exists")
        seen.add(token)
        vocab.append(token)
        merges.append((a, b))
    name = data.get("name", "trained")
    if not isinstance(name, str):
        raise bad('"name" must be a string')
    tok = tokenizer_from_merges(merges, pattern, name)
    specials = data.get("special_tokens", {})
    if not isinstance(specials, dict) or not all(isinstance(k, str) and type(v) is int for k, v in specials.items()):
        raise bad('"special_tokens" must map strings to ids')
    for text_, i in specials.items():
        if i < len(vocab) or not text_:
            raise bad(f"special token {text_!r} has id {i}, which is taken by an ordinary token")
        if i > MAX_TOKEN_ID:
            raise bad(f"special token {text_!r} has id {i}, above the largest id allowed ({MAX_TOKEN_ID})")
    if len(set(specials.values())) != len(specials):
        raise bad("two special tokens share an id")
    tok.special_tokens = dict(specials)
    return tok


def load(path) -> Tokenizer:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise TokenizerFileError(f"{path}: cannot read: {err.strerror or err}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise TokenizerFileError(f"{path}: not valid UTF-8 at byte offset {err.start}") from None
    return from_json(text, str(path))


def read_corpus(path, errors: str = "strict") -> str:
    """A text file's content. Not UTF-8: an error naming the file and byte offset, unless
    ``errors="replace"`` (bad bytes become U+FFFD)."""
    path = Path(path)
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8", errors=errors)
    except UnicodeDecodeError as err:
        raise CorpusDecodeError(
            f"{path}: not valid UTF-8 at byte offset {err.start} (byte 0x{raw[err.start]:02X}); "
            f"fix the file or choose to replace bad bytes"
        ) from None
