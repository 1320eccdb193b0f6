"""`tfviz seq2seq run --json` says whether the answer is right, and what the model hesitated between."""

from __future__ import annotations

import json
import subprocess
import sys


def _run(*args: str) -> list[dict]:
    proc = subprocess.run([sys.executable, "-m", "tfviz.cli", "seq2seq", "run", "--json", *args],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_run_json_carries_verdict_and_candidates():
    (inside,) = _run("--task", "dates", "--model", "rnn-attn", "Nov 29, 2026")
    assert (inside["in_domain"], inside["expected"], inside["correct"]) == (True, "2026-11-29", True)
    assert len(inside["top"]) == len(inside["output"]) + 1  # one list per step, with </s>
    first = inside["top"][0]
    assert first[0][0] == "2" and 0.5 < first[0][1] <= 1.0
    assert [p for _, p in first] == sorted((p for _, p in first), reverse=True)

    (outside,) = _run("--task", "dates", "--model", "rnn", "next Tuesday")
    assert (outside["in_domain"], outside["expected"], outside["correct"]) == (False, None, None)
    assert outside["output"]  # the output is still shown

    (old,) = _run("--task", "dates", "--model", "transformer", "1 January 1850")
    assert old["in_domain"] is False and old["expected"] == "1850-01-01"
    assert old["correct"] == (old["output"] == "1850-01-01")

    (rev,) = _run("--task", "reverse", "--model", "rnn", "abcdefghijklmnopqrstuvwxyz")
    assert rev["expected"] == "zyxwvutsrqponmlkjihgfedcba"
    assert rev["correct"] == (rev["output"] == rev["expected"])
