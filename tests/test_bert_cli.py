"""``tfviz attention`` on the command line, and the GPU-to-CPU fallback of the analysis."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from tfviz.cli import main

TEXT = "The animal didn't cross the street because it was too tired."


def _json(capsys, *argv):
    assert main(["attention", *argv]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_has_every_layer_and_head(capsys):
    out = _json(capsys, "--json", "--model", "minilm", TEXT)
    assert " ".join(out["tokens"]) == "[CLS] the animal didn ' t cross the street because it was too tired . [SEP]"
    w = np.array(out["attentions"])  # (L, H, T, T)
    assert w.shape == (6, 12, 16, 16)
    assert np.allclose(w.sum(-1), 1.0, atol=1e-5)
    assert out["layers"] == list(range(6)) and out["heads"] == list(range(12))


def test_json_one_layer_and_head_matches_the_full_output(capsys):
    full = np.array(_json(capsys, "--json", "hello world")["attentions"])
    one = _json(capsys, "--json", "--layer", "3", "--head", "7", "hello", "world")
    assert np.array(one["attentions"]).shape == (1, 1, 4, 4)
    assert np.allclose(one["attentions"][0][0], full[3, 7])
    layer = _json(capsys, "--json", "--layer", "5", "hello world")
    assert np.array(layer["attentions"]).shape == (1, 12, 4, 4)


def test_causal_json(capsys):
    w = np.array(_json(capsys, "--json", "--causal", TEXT)["attentions"])
    t = w.shape[-1]
    assert (w[..., np.triu(np.ones((t, t), bool), 1)] == 0).all()


def test_table_output(capsys):
    assert main(["attention", "--layer", "0", "--head", "0", "The cat sat."]) == 0
    text = capsys.readouterr().out
    assert "tokens: [CLS] the cat sat . [SEP]" in text and "layer 0, head 0" in text
    assert main(["attention", "--layer", "1", "hi"]) == 0
    assert "L1 H11:" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [(["   "], "empty"), (["--head", "12", "x"], "out of range"), (["--layer", "-1", "x"], "out of range"),
     (["--model", "/nonexistent/folder", "x"], "not a folder")],
)
def test_bad_input_gives_a_clear_message(capsys, argv, message):
    assert main(["attention", *argv]) == 2
    assert message in capsys.readouterr().err


def test_truncation_is_reported(capsys):
    assert main(["attention", "--json", "--layer", "0", "--head", "0", "word " * 600]) == 0
    cap = capsys.readouterr()
    assert len(json.loads(cap.out)["tokens"]) == 512 and "512" in cap.err


def test_stdin_and_no_qt_in_the_process():
    code = ("import sys, runpy; sys.argv=['tfviz','attention','--json','--layer','0','-'];"
            "import tfviz.cli as c; rc=c.main(sys.argv[1:]);"
            "assert not [m for m in sys.modules if m.startswith(('PySide6','pyqtgraph','transformers'))], 'heavy import';"
            "sys.exit(rc)")
    out = subprocess.run([sys.executable, "-c", code], input="piped text", capture_output=True, text=True,
                         timeout=300, env={**__import__("os").environ, "TFVIZ_DEVICE": "cpu"})
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["tokens"] == ["[CLS]", "pipe", "##d", "text", "[SEP]"]


def test_analysis_falls_back_to_cpu_when_the_gpu_fails(monkeypatch):
    """A GPU out-of-memory error is redone on the CPU with a notice (simulated here)."""
    import torch

    import tfviz.core.bert.analysis as analysis
    from tfviz.core.bert import load_bert
    from tfviz.gui.panels.attention import run_analysis

    bert = load_bert()
    real = analysis.analyze
    calls = []

    def flaky(b, texts, **kw):
        calls.append(b.device)
        if b.device == "cuda":
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return real(b, texts, **kw)

    monkeypatch.setattr(analysis, "analyze", flaky)
    monkeypatch.setattr(bert.model, "to", lambda dev: bert.model)  # no CUDA here: pretend the move works
    bert.device = "cuda"
    res, notes = run_analysis(bert, ["hello"], False, [[]], True)
    assert calls == ["cuda", "cpu"] and res.weights.shape[1] == 1
    assert notes and "redone on the CPU" in notes[0]
