"""How tokens look on screen: partial UTF-8 in hex, whitespace made visible.

A byte-level token can hold part of a character. ``我`` is three bytes (E6 88 91), and a
tokenizer may cut it as ``E6 88`` + ``91``. Web tools print such pieces as ``�``; tfviz shows
the bytes themselves:

>>> token_label(b"\\xe6\\x88")
'<E6 88>'
>>> token_label("我".encode())
'我'
>>> token_label(b" hi\\n")
'·hi↵'
"""

from __future__ import annotations

VISIBLE_WHITESPACE = {" ": "·", "\n": "↵", "\t": "→", "\r": "␍"}


def hex_bytes(data: bytes) -> str:
    """``b"\\xe6\\x88"`` -> ``'<E6 88>'``."""
    return "<" + " ".join(f"{b:02X}" for b in data) + ">"


def split_utf8(data: bytes) -> list[tuple[bool, bytes]]:
    """Cut bytes into runs of whole characters (``True``) and undecodable bytes (``False``).

    >>> split_utf8(b"a\\xe6\\x88b")
    [(True, b'a'), (False, b'\\xe6\\x88'), (True, b'b')]
    >>> split_utf8(b"\\xad\\xe6")  # the end of one character, the start of another
    [(False, b'\\xad\\xe6')]
    """
    runs: list[tuple[bool, bytes]] = []
    rest = data
    while rest:
        try:
            rest.decode("utf-8")
        except UnicodeDecodeError as err:
            if err.start:
                runs.append((True, rest[: err.start]))
            bad = rest[err.start : err.end]
            if runs and not runs[-1][0] and not err.start:
                runs[-1] = (False, runs[-1][1] + bad)  # one hex group for neighbouring bad bytes
            else:
                runs.append((False, bad))
            rest = rest[err.end :]
        else:
            runs.append((True, rest))
            break
    return runs


def visible(text: str) -> str:
    """Replace spaces, newlines, tabs and carriage returns with visible marks."""
    return "".join(VISIBLE_WHITESPACE.get(c, c) for c in text)


def token_label(data: bytes, show_whitespace: bool = True) -> str:
    """A label for one token: its text where it is whole UTF-8, hex bytes where it is not."""
    parts = []
    for whole, chunk in split_utf8(data):
        if whole:
            text = chunk.decode("utf-8")
            parts.append(visible(text) if show_whitespace else text)
        else:
            parts.append(hex_bytes(chunk))
    return "".join(parts)
