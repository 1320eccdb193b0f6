"""`tfviz seq2seq train|eval|run` and the quality of the shipped weights."""

from __future__ import annotations

import json

import pytest

from tfviz.cli import main
from tfviz.core.seq2seq.models import MODEL_KINDS, read_info, shipped_path
from tfviz.core.seq2seq.tasks import get_task



def test_shipped_weights_are_in_the_package():
    """The weights are part of the package: their absence is a failure, never a skip."""
    missing = [str(shipped_path(k, t)) for k in MODEL_KINDS for t in ("dates", "reverse")
               if not shipped_path(k, t).is_file()]  # fmt: skip
    assert not missing, f"shipped seq2seq weights missing: {missing}"


def test_run_text_and_json(capsys):
    assert main(["seq2seq", "run", "--task", "dates", "--model", "transformer", "Nov 29, 2026"]) == 0
    assert capsys.readouterr().out.strip() == "2026-11-29"
    assert main(["seq2seq", "run", "--task", "dates", "--model", "rnn-attn", "--json", "二〇二六年十一月二十九日"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["input"] == "二〇二六年十一月二十九日" and doc["output"] == "2026-11-29"
    att = doc["attention"]
    assert len(att) == len(doc["output"]) + 1 and len(att[0]) == 12  # + the </s> step
    assert all(abs(sum(row) - 1) < 1e-3 for row in att)
    assert main(["seq2seq", "run", "--task", "dates", "--model", "rnn", "--json", "11/29/2026"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert "attention" not in doc and doc["valid_date"] in (True, False)


def test_run_input_file_keeps_order_and_bad_lines(tmp_path, capsys):
    f = tmp_path / "in.txt"
    f.write_text("Nov 29, 2026\n\n29.11.2026\nFebruary 30, 2026\n" + "x" * 50 + "\n", encoding="utf-8")
    assert main(["seq2seq", "run", "--task", "dates", "--model", "transformer", "--json", "--input", str(f)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [d["input"] for d in lines] == ["Nov 29, 2026", "", "29.11.2026", "February 30, 2026", "x" * 50]
    assert lines[0]["output"] == lines[2]["output"] == "2026-11-29"
    assert lines[4]["truncated"] and lines[4]["unknown"]
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"Nov 29, 2026\n\xff\xfe oops\n")
    assert main(["seq2seq", "run", "--task", "dates", "--model", "rnn", "--input", str(bad)]) == 2
    assert f"{bad}:2" in capsys.readouterr().err


def test_usage_errors(tmp_path, capsys):
    assert main(["seq2seq", "run", "--task", "dates", "--model", "rnn"]) == 2
    assert "TEXT or --input" in capsys.readouterr().err
    missing = tmp_path / "none.safetensors"
    assert main(["seq2seq", "run", "--task", "dates", "--model", "rnn", "--weights", str(missing), "x"]) == 2
    assert "no weights file" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["seq2seq", "train", "--task", "poems", "--model", "rnn"])


def test_wrong_weights_file_is_refused(capsys):
    path = shipped_path("rnn", "reverse")
    assert main(["seq2seq", "run", "--task", "dates", "--model", "rnn", "--weights", str(path), "x"]) == 2
    assert "trained for task 'reverse'" in capsys.readouterr().err


def test_train_writes_atomically(tmp_path, capsys):
    out = tmp_path / "w" / "m.safetensors"
    assert main(["seq2seq", "train", "--task", "dates", "--model", "rnn", "--steps", "3", "--threads", "1",
                 "--out", str(out)]) == 0  # fmt: skip
    info = read_info(out)
    assert info["steps"] == 3 and info["kind"] == "rnn" and info["config"]["seed"] == 0
    assert "step 3/3" in capsys.readouterr().err
    assert sorted(p.name for p in out.parent.iterdir()) == ["m.safetensors"]
    assert main(["seq2seq", "eval", "--task", "dates", "--model", "rnn", "--weights", str(out), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["n"] == 2000 and 0 <= doc["exact"] <= 1 and doc["by_length"]


@pytest.mark.parametrize("kind", ["transformer", "rnn-attn"])
def test_shipped_dates_models_reach_99_5_percent(kind):
    from tfviz.core.seq2seq.evaluate import evaluate
    from tfviz.core.seq2seq.models import load

    res = evaluate(load(shipped_path(kind, "dates")), get_task("dates"))
    assert res.exact >= 0.995, res.exact


def test_shipped_weights_are_small_and_self_describing():
    for task in ("dates", "reverse"):
        for kind in MODEL_KINDS:
            path = shipped_path(kind, task)
            assert path.stat().st_size < 1_000_000
            info = read_info(path)
            assert info["task"] == task and info["kind"] == kind and info["seconds"] > 0
            ev = json.loads(path.with_name(f"{task}-{kind}.eval.json").read_text(encoding="utf-8"))
            assert ev["model"] == kind and ev["parameters"] == info["parameters"]


def test_length_curves_show_the_bottleneck():
    """Within the training lengths the attention models hold while the plain RNN falls off."""
    ev = {k: json.loads(shipped_path(k, "reverse").with_name(f"reverse-{k}.eval.json").read_text()) for k in MODEL_KINDS}

    def mean_exact(kind, lo, hi):
        rows = [ev[kind]["by_length"][str(n)]["exact"] for n in range(lo, hi + 1)]
        return sum(rows) / len(rows)

    assert mean_exact("rnn", 4, 8) > 0.8
    assert mean_exact("rnn", 30, 40) < 0.2
    for kind in ("rnn-attn", "transformer"):
        assert mean_exact(kind, 30, 40) > 0.9


@pytest.mark.slow
def test_shipped_eval_json_matches_a_fresh_evaluation():
    from tfviz.core.seq2seq.evaluate import evaluate
    from tfviz.core.seq2seq.models import load

    for kind in MODEL_KINDS:
        ev = json.loads(shipped_path(kind, "reverse").with_name(f"reverse-{kind}.eval.json").read_text())
        res = evaluate(load(shipped_path(kind, "reverse")), get_task("reverse"))
        assert abs(res.exact - ev["exact"]) < 1e-9


def test_fuzz_shipped_models_decode_any_text():
    """Any text (unknown characters, empty, too long) decodes to characters of the output vocabulary."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from tfviz.core.seq2seq.decode import decode
    from tfviz.core.seq2seq.models import load

    task = get_task("dates")
    models = {k: load(shipped_path(k, "dates")) for k in MODEL_KINDS}
    allowed = set(task.tgt.itos[4:]) | {"?"}

    @settings(max_examples=15, deadline=None)
    @given(st.text(max_size=40), st.sampled_from(MODEL_KINDS))
    def check(text, kind):
        res = decode(models[kind], task, text)
        assert set(res.output) <= allowed and len(res.output) <= task.max_tgt
        assert res.truncated == (len(text) > task.max_src)
        assert len(res.text) <= task.max_src
        if res.alignment is not None:
            assert res.alignment.shape == (len(res.steps), len(res.columns))

    check()
