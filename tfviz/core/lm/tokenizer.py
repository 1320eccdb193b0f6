"""One byte-level BPE tokenizer per language, shared by that language's GPT and BERT.

Trained by tfviz's own trainer (``tfviz.core.bpe``) on the training split only. Three special
tokens follow the ordinary ones: the end-of-text token (also "start of text" for the
models), ``[MASK]`` (what BERT fills) and ``[PAD]`` (fills short rows of a batch). Byte-level
means any text encodes: a character never seen in training falls back to its UTF-8 bytes.

>>> tok = train_tokenizer("the cat sat on the mat. " * 20, 262)
>>> [tok.special_tokens[s] for s in SPECIALS]
[259, 260, 261]
>>> tok.decode(tok.encode("the bat 🦇"))
'the bat 🦇'
"""

from __future__ import annotations

from tfviz.core.bpe import Tokenizer, count_pieces, tokenizer_from_merges, train_merges

EOT = "<|endoftext|>"
MASK = "[MASK]"
PAD = "[PAD]"
SPECIALS = (EOT, MASK, PAD)
PATTERN = "gpt4"


def train_tokenizer(train_text: str, vocab_size: int, name: str = "lm") -> Tokenizer:
    """BPE with ``vocab_size - 259`` merges (256 bytes + merges + 3 special tokens)."""
    n_merges = vocab_size - 256 - len(SPECIALS)
    if n_merges < 0:
        raise ValueError(f"vocabulary size must be at least {256 + len(SPECIALS)}, got {vocab_size}")
    steps = train_merges(count_pieces([train_text], PATTERN), n_merges)
    tok = tokenizer_from_merges([s.pair for s in steps], PATTERN, name)
    with_specials(tok)
    return tok


def with_specials(tok: Tokenizer) -> Tokenizer:
    """Give ``tok`` exactly the three special tokens, right after its ordinary tokens."""
    n = len(tok.ranks)
    tok.special_tokens = {s: n + i for i, s in enumerate(SPECIALS)}
    return tok


def check_specials(tok: Tokenizer, source: str) -> None:
    """Refuse a tokenizer that lacks the LM special tokens (names ``source``)."""
    missing = [s for s in SPECIALS if s not in tok.special_tokens]
    if missing:
        raise ValueError(f"{source}: tokenizer lacks the special tokens {', '.join(missing)}")
