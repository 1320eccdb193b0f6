"""Byte-level BPE: what GPT tokenizers do, readable.

Modules, in reading order:

- ``patterns``: pre-tokenization (cut text into pieces before merging).
- ``merge``: encode one piece with a rank table, tiktoken's lowest-rank-first rule.
- ``tokenizer``: the ``Tokenizer`` class (encode, decode, special tokens, encode traces).
- ``trainer``: learn merges from text with incremental pair counts (``naive`` is the slow way).
- ``vocab``: the real GPT-2 / GPT-4 / GPT-4o vocabularies, read offline and hash-checked.
- ``store``: save / load trained tokenizers as JSON; read corpus files.
- ``display``: token labels (``<E6 88>`` for part of a character, ``·`` for a space).

>>> from tfviz.core.bpe import train
>>> train(["aaabdaaabac"], 259, "none").encode("aaabdaaabac")
[258, 100, 258, 97, 99]
"""

from tfviz.core.bpe.display import token_label
from tfviz.core.bpe.patterns import PATTERN_NAMES, split_pieces
from tfviz.core.bpe.tokenizer import DisallowedSpecialError, EncodeStep, EncodeTrace, Piece, Tokenizer
from tfviz.core.bpe.trainer import MergeStep, count_pieces, tokenizer_from_merges, train, train_merges

__all__ = [
    "PATTERN_NAMES",
    "DisallowedSpecialError",
    "EncodeStep",
    "EncodeTrace",
    "MergeStep",
    "Piece",
    "Tokenizer",
    "count_pieces",
    "split_pieces",
    "token_label",
    "tokenizer_from_merges",
    "train",
    "train_merges",
]
