"""The reference solver decides right and wrong answers, and what lies outside the task."""

from __future__ import annotations

import datetime
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tfviz.core.seq2seq.reference import judge, parse_date, wrong_positions
from tfviz.core.seq2seq.tasks import DATE_FORMATS, format_date, get_task, sample_date_pair


def test_every_training_pair_is_judged_correct():
    rng = random.Random(7)
    for _ in range(3000):
        text, iso = sample_date_pair(rng)
        assert judge("dates", text, iso).__dict__ == {"in_domain": True, "expected": iso, "correct": True}, text


@given(st.dates(datetime.date(1000, 1, 1), datetime.date(3000, 12, 31)), st.sampled_from(sorted(DATE_FORMATS)),
       st.booleans())
def test_every_format_parses_back(d, fmt, pad):
    assert parse_date(format_date(d, fmt, pad)) == d


@pytest.mark.parametrize("text,output,expected", [
    ("next Tuesday", "2070-06-05", {"in_domain": False, "expected": None, "correct": None}),
    ("1 January 1850", "1805-01-01", {"in_domain": False, "expected": "1850-01-01", "correct": False}),
    ("hello", "0070-07-00", {"in_domain": False, "expected": None, "correct": None}),
    ("February 30, 2026", "2026-03-02", {"in_domain": False, "expected": None, "correct": None}),
    ("Nov 29, 2026", "2026-11-29", {"in_domain": True, "expected": "2026-11-29", "correct": True}),
    ("Nov 29, 2026", "2026-11-28", {"in_domain": True, "expected": "2026-11-29", "correct": False}),
    ("二〇二六年十一月二十九日", "2026-11-29", {"in_domain": True, "expected": "2026-11-29", "correct": True}),
    ("2100/01/01", "2100-01-01", {"in_domain": False, "expected": "2100-01-01", "correct": True}),
])
def test_issue_examples(text, output, expected):
    assert judge("dates", text, output).__dict__ == expected


def test_reverse_lengths_and_symbols():
    assert judge("reverse", "abcd", "dcba").correct is True
    assert judge("reverse", "a" * 50, "a" * 50).in_domain is False  # longer than any training input
    assert judge("reverse", "a" * 50, "a" * 50).correct is True
    assert judge("reverse", "ABC", "CBA").expected is None
    assert wrong_positions("dcba", "dxba") == [1]


def test_task_examples_have_a_verdict():
    dates = {text: judge("dates", text, "").in_domain for text in get_task("dates").examples}
    assert [t for t, ok in dates.items() if not ok] == ["February 30, 2026"]  # the panel's trick example
    reverse = {text: judge("reverse", text, "").in_domain for text in get_task("reverse").examples}
    assert all(ok == (len(t) <= 40) for t, ok in reverse.items())
