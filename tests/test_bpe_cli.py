"""``tfviz bpe encode`` / ``tfviz bpe train``: output contract, errors, no Qt or torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tfviz.cli import main

REPO = Path(__file__).resolve().parents[1]


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(["bpe", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_encode_json(capsys):
    code, out, _ = run(capsys, "encode", "--json", "hello world")
    assert code == 0
    assert json.loads(out) == {"ids": [15339, 1917], "tokens": ["hello", " world"]}


def test_encode_partial_utf8_tokens_shown_as_bytes(capsys):
    code, out, _ = run(capsys, "encode", "--json", "--tokenizer", "gpt2", "我")
    assert json.loads(out) == {"ids": [22755, 239], "tokens": ["<E6 88>", "<91>"]}


def test_encode_trace_json(capsys):
    code, out, _ = run(capsys, "encode", "--json", "--trace", "--tokenizer", "o200k", "hi")
    data = json.loads(out)
    assert data["ids"] == [3686]
    assert data["steps"] == [{"piece": 0, "start": 0, "mid": 1, "end": 2, "rank": 3686, "left": 71, "right": 72, "token": 3686}]


def test_encode_human_readable_with_trace(capsys):
    code, out, _ = run(capsys, "encode", "--trace", "hi there")
    assert code == 0
    assert "tokens" in out and "rank" in out


def test_encode_batch(capsys, tmp_path):
    batch = tmp_path / "b.json"
    batch.write_text(json.dumps(["hello world", "", "我爱自然语言处理"]), encoding="utf-8")
    code, out, _ = run(capsys, "encode", "--json", "--batch", str(batch))
    data = json.loads(out)
    assert [d["ids"] for d in data] == [[15339, 1917], [], [37046, 76207, 109, 37026, 61994, 73981, 78244, 55642]]


def test_encode_stdin(monkeypatch, capsys):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("hello world"))
    code, out, _ = run(capsys, "encode", "--json", "-")
    assert json.loads(out)["ids"] == [15339, 1917]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["encode", "<|endoftext|>"], "--allow-special"),
        (["encode", "--batch", "x.json"], "--batch needs --json"),
        (["encode", "--tokenizer", "nope.json", "x"], "no such tokenizer"),
        (["encode"], "no text given"),
        (["train", "missing.txt", "--vocab-size", "300", "--out", "o.json"], "missing.txt"),
    ],
)
def test_errors(capsys, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, *argv)
    assert code == 1 and message in err


def test_allow_special(capsys):
    code, out, _ = run(capsys, "encode", "--json", "--allow-special", "<|endoftext|>hi<|endoftext|>")
    assert json.loads(out)["ids"] == [100257, 6151, 100257]


def test_batch_not_a_list(capsys, tmp_path):
    batch = tmp_path / "b.json"
    batch.write_text('{"a": 1}', encoding="utf-8")
    code, _, err = run(capsys, "encode", "--json", "--batch", str(batch))
    assert code == 1 and "list of strings" in err


def test_train_then_encode(capsys, tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("low lower lowest newer wider 低低低 " * 20, encoding="utf-8")
    out = tmp_path / "tok.json"
    code, _, err = run(capsys, "train", str(corpus), "--vocab-size", "270", "--pattern", "gpt2", "--out", str(out))
    assert code == 0 and "270" in err and "merges" in err
    code, stdout, _ = run(capsys, "encode", "--json", "--tokenizer", str(out), "lowest")
    assert len(json.loads(stdout)["ids"]) <= 3


def test_train_stops_early_with_message(capsys, tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("abab", encoding="utf-8")
    code, _, err = run(capsys, "train", str(corpus), "--vocab-size", "1000", "--pattern", "none", "--out", str(tmp_path / "t.json"))
    assert code == 0 and "stopped after 1 merges" in err


def test_train_not_utf8(capsys, tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_bytes(b"abc \xff abc")
    code, _, err = run(capsys, "train", str(corpus), "--vocab-size", "260", "--out", str(tmp_path / "t.json"))
    assert code == 1 and str(corpus) in err and "byte offset 4" in err
    code, _, _ = run(capsys, "train", str(corpus), "--vocab-size", "260", "--out", str(tmp_path / "t.json"), "--replace-errors")
    assert code == 0


def test_train_vocab_too_small(capsys, tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("abc", encoding="utf-8")
    code, _, err = run(capsys, "train", str(corpus), "--vocab-size", "10", "--out", str(tmp_path / "t.json"))
    assert code == 1 and "more than 256" in err


def test_bpe_imports_neither_qt_nor_torch(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("ab ab ab abc abc", encoding="utf-8")
    code = (
        "import sys\n"
        "from tfviz.cli import main\n"
        "assert main(['bpe', 'encode', '--json', 'hello']) == 0\n"
        f"assert main(['bpe', 'train', {str(corpus)!r}, '--vocab-size', '258', '--out', {str(tmp_path / 't.json')!r}, '--quiet']) == 0\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('torch', 'PySide6', 'pyqtgraph', 'shiboken6')]\n"
        "print('LOADED', bad)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "LOADED []" in result.stdout
