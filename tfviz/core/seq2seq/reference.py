"""The right answer, when there is one: a reference solver for each task's own inputs.

The models are judged against this, never against "looks like a date": ``2070-06-05`` is a
real calendar date, but it is the wrong answer to "next Tuesday", and that input is outside
what the models were trained on.

    >>> judge("dates", "29 November 2026", "2026-11-29")
    Verdict(in_domain=True, expected='2026-11-29', correct=True)
    >>> judge("dates", "1 January 1850", "1805-01-01")  # a real format, but a year never trained
    Verdict(in_domain=False, expected='1850-01-01', correct=False)
    >>> judge("dates", "next Tuesday", "2070-06-05")
    Verdict(in_domain=False, expected=None, correct=None)
    >>> judge("reverse", "abcd", "dcbb")
    Verdict(in_domain=True, expected='dcba', correct=False)
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from tfviz.core.seq2seq.tasks import (
    DATE_FORMATS,
    FIRST_DATE,
    LAST_DATE,
    MONTHS,
    REVERSE_MIN,
    REVERSE_SYMBOLS,
    REVERSE_TRAIN_MAX,
    ZH_DIGITS,
    format_date,
    zh_number,
)


@dataclass(frozen=True)
class Verdict:
    in_domain: bool  # the input is one of the task's own formats, within its trained range
    expected: str | None  # the reference answer, or None when there is none
    correct: bool | None  # output == expected, or None without a reference


_MONTH = {name.lower(): i + 1 for i, name in enumerate(MONTHS)} | {
    name[:3].lower(): i + 1 for i, name in enumerate(MONTHS)}
_ZH_NUMBER = {zh_number(n): n for n in range(1, 32)}
_ZH_YEAR = re.compile(f"^([{ZH_DIGITS}]{{4}})年([一二三四五六七八九十]+)月([一二三四五六七八九十]+)日$")

# (regex, how its groups become year, month, day)
_PATTERNS: list[tuple[re.Pattern[str], tuple[str, str, str]]] = [
    (re.compile(r"^([A-Za-z]+) (\d{1,2}), (\d{4})$"), ("3", "m1", "2")),  # Nov 29, 2026 / November 29, 2026
    (re.compile(r"^(\d{1,2}) ([A-Za-z]+) (\d{4})$"), ("3", "m2", "1")),  # 29 Nov 2026 / 29 November 2026
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), ("3", "1", "2")),  # 11/29/2026
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"), ("1", "2", "3")),  # 2026/11/29
    (re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$"), ("3", "2", "1")),  # 29.11.2026
    (re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"), ("1", "2", "3")),  # 2026年11月29日
]


def _field(groups: tuple[str, ...], spec: str) -> int | None:
    if spec.startswith("m"):  # a month name in group N
        return _MONTH.get(groups[int(spec[1:]) - 1].lower())
    return int(groups[int(spec) - 1])


def _candidates(text: str) -> list[tuple[int, int, int]]:
    """(year, month, day) readings of ``text`` by the nine formats' shapes (not yet checked)."""
    out = []
    for pattern, (y, m, d) in _PATTERNS:
        match = pattern.match(text)
        if match:
            fields = [_field(match.groups(), s) for s in (y, m, d)]
            if None not in fields:
                out.append(tuple(fields))  # type: ignore[arg-type]
    match = _ZH_YEAR.match(text)
    if match:
        year = int("".join(str(ZH_DIGITS.index(c)) for c in match.group(1)))
        month, day = _ZH_NUMBER.get(match.group(2)), _ZH_NUMBER.get(match.group(3))
        if month and day:
            out.append((year, month, day))
    return out


def parse_date(text: str) -> datetime.date | None:
    """The date ``text`` names in one of the task's nine formats (any year), else None.

    The reading must write back to exactly ``text`` in that format (with or without zero
    padding), so "Nov 29, 2026" is accepted and "Nov 29,2026" or "February 30, 2026" are not.

    >>> parse_date("二〇二六年十一月二十九日"), parse_date("2026/02/30")
    (datetime.date(2026, 11, 29), None)
    """
    text = text.strip()
    for year, month, day in _candidates(text):
        try:
            d = datetime.date(year, month, day)
        except ValueError:
            continue
        if any(format_date(d, fmt, pad) == text for fmt in DATE_FORMATS for pad in (False, True)):
            return d
    return None


def judge(task: str, text: str, output: str) -> Verdict:
    """Whether ``output`` is the right answer to ``text`` for ``task`` ("dates" or "reverse")."""
    if task == "dates":
        d = parse_date(text)
        if d is None:
            return Verdict(False, None, None)
        expected = d.isoformat()
        return Verdict(FIRST_DATE <= d <= LAST_DATE, expected, output == expected)
    if task == "reverse":
        if not text or any(c not in REVERSE_SYMBOLS for c in text):
            return Verdict(False, None, None)
        expected = text[::-1]
        in_domain = REVERSE_MIN <= len(text) <= REVERSE_TRAIN_MAX
        return Verdict(in_domain, expected, output == expected)
    raise KeyError(f"unknown task {task!r}")


def wrong_positions(expected: str, output: str) -> list[int]:
    """Positions of ``output`` that differ from ``expected`` (extra characters count as wrong).

    >>> wrong_positions("dcba", "dcbb"), wrong_positions("dcba", "dcbaa"), wrong_positions("dcba", "dc")
    ([3], [4], [2, 3])
    """
    n = max(len(expected), len(output))
    return [i for i in range(n) if i >= len(output) or i >= len(expected) or output[i] != expected[i]]
