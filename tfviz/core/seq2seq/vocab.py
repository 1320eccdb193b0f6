"""Character vocabularies with four special tokens.

    >>> v = Vocab("ab")
    >>> v.encode("abz")          # 'z' is not in the vocabulary -> <unk>
    [4, 5, 3]
    >>> v.decode([5, 4, 2, 4])   # stops at </s>
    'ba'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

PAD, BOS, EOS, UNK = 0, 1, 2, 3
SPECIALS = ("<pad>", "<s>", "</s>", "<unk>")


class Vocab:
    """Maps characters to ids and back; ids 0..3 are ``<pad> <s> </s> <unk>``."""

    def __init__(self, chars: Iterable[str]) -> None:
        self.itos: list[str] = list(SPECIALS) + sorted(set(chars))
        self.stoi: dict[str, int] = {s: i for i, s in enumerate(self.itos)}  # char -> id

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, text: str) -> list[int]:
        return [self.stoi.get(c, UNK) for c in text]

    def unknown_positions(self, text: str) -> list[int]:
        """Indices of the characters this vocabulary does not know."""
        return [i for i, c in enumerate(text) if c not in self.stoi]

    def decode(self, ids: Sequence[int]) -> str:
        """Ids to text, stopping at ``</s>`` and skipping other specials (``<unk>`` -> '?')."""
        out = []
        for i in ids:
            if i == EOS:
                break
            if i == UNK:
                out.append("?")
            elif i > UNK:
                out.append(self.itos[i])
        return "".join(out)

    def token_text(self, i: int) -> str:
        return self.itos[i]
