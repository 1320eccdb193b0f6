"""What every sub-command checks the same way: counts, standard input, output paths.

No torch, no Qt (imported at start-up).
"""

from __future__ import annotations

import argparse
import sys


def positive_int(text: str) -> int:
    """An argparse type for a count that must be at least 1 (steps, epochs, samples).

    >>> positive_int("3")
    3
    >>> positive_int("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a whole number of at least 1, got '0'
    """
    return _int_at_least(text, 1)


def nonnegative_int(text: str) -> int:
    """An argparse type for a count where 0 means "the default" (``--threads 0``).

    >>> nonnegative_int("0")
    0
    >>> nonnegative_int("-3")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a whole number of at least 0, got '-3'
    """
    return _int_at_least(text, 0)


def _int_at_least(text: str, low: int) -> int:
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < low or value > 2**31 - 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least {low}, got {text!r}")
    return value


def read_stdin() -> str:
    """All of standard input as text; ``ValueError`` naming the byte offset if not UTF-8."""
    if not hasattr(sys.stdin, "buffer"):  # already text (a test's StringIO)
        return sys.stdin.read()
    raw = sys.stdin.buffer.read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"standard input is not valid UTF-8 (byte 0x{raw[exc.start]:02X} at offset {exc.start})") from None
