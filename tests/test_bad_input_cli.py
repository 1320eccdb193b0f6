"""Bad input through the real command line: one clear line on stderr, a non-zero exit, no
traceback, and nothing written that should not be (issue 12, sections 1 to 4)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from tfviz.core.seq2seq.models import shipped_path as seq2seq_shipped
from tfviz.core.traj.weights import shipped_path as traj_shipped

REPO = Path(__file__).resolve().parents[1]


def tfviz(*args: str | bytes, stdin: bytes | None = None, env: dict | None = None, cwd=None,
          timeout: float = 300) -> subprocess.CompletedProcess:  # fmt: skip
    """Run ``python -m tfviz ARGS`` (bytes arguments are passed as they are)."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    argv = [os.fsencode(sys.executable), b"-m", b"tfviz", *(a if isinstance(a, bytes) else a.encode() for a in args)]
    return subprocess.run(argv, input=stdin or b"", capture_output=True, env=full_env, cwd=cwd, timeout=timeout)


def one_line_error(res: subprocess.CompletedProcess, *needles: str, code: int | None = None) -> str:
    """The run failed with a message naming ``needles`` and no Python traceback."""
    err = res.stderr.decode("utf-8", "replace")
    assert res.returncode != 0, err
    if code is not None:
        assert res.returncode == code, (res.returncode, err)
    assert "Traceback" not in err, err
    for n in needles:
        assert n in err, (n, err)
    return err


def no_temp_files(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if ".tfviz-tmp-" in p.name]


# --------------------------------------------------------------------- text that is not UTF-8


def test_argument_that_is_not_utf8():
    res = tfviz("bpe", "encode", b"abc\xff")
    one_line_error(res, "argument 3 is not valid UTF-8", "0xFF", code=2)


def test_stdin_that_is_not_utf8():
    res = tfviz("bpe", "encode", "-", stdin=b"hello \xc3\x28 world")
    one_line_error(res, "standard input is not valid UTF-8", "offset 6")


def test_lone_surrogate_from_python_argv_is_refused(capsys):
    from tfviz.cli import main

    assert main(["bpe", "encode", "a\ud800b"]) == 2
    assert "lone surrogate U+D800" in capsys.readouterr().err


# --------------------------------------------------------------------- tokenizer files


def test_tokenizer_json_nested_200000_deep(tmp_path):
    f = tmp_path / "deep.json"
    f.write_text("[" * 200_000 + "]" * 200_000)
    one_line_error(tfviz("bpe", "encode", "--tokenizer", str(f), "hi"), "deep.json", "nested too deeply")


def test_special_token_id_out_of_range(tmp_path):
    f = tmp_path / "sp.json"
    f.write_text('{"format": "tfviz-bpe", "version": 1, "pattern": "gpt4", "merges": [],'
                 ' "special_tokens": {"<x>": 1000000000000000000000000000000}}')  # fmt: skip
    one_line_error(tfviz("bpe", "encode", "--tokenizer", str(f), "hi"), "sp.json", "above the largest id")


# --------------------------------------------------------------------- --out targets


@pytest.mark.parametrize("kind", ["folder", "fifo", "parent-is-file", "device"])
def test_bpe_train_out_is_checked_before_training(tmp_path, kind):
    corpus = tmp_path / "c.txt"
    corpus.write_text("hello world " * 50)
    out = {"folder": tmp_path / "d.json", "fifo": tmp_path / "p.json", "parent-is-file": tmp_path / "f" / "x.json",
           "device": Path("/dev/null")}[kind]  # fmt: skip
    if kind == "folder":
        out.mkdir()
    elif kind == "fifo":
        os.mkfifo(out)
    elif kind == "parent-is-file":
        (tmp_path / "f").write_text("x")
    res = tfviz("bpe", "train", str(corpus), "--vocab-size", "300", "--out", str(out))
    err = one_line_error(res, "--out", str(out))
    assert "pre-tokenizing" not in err  # refused before any work
    if kind == "fifo":
        assert stat.S_ISFIFO(out.stat().st_mode)
    if kind == "device":
        assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_bpe_train_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("hello world " * 50)
    out = tmp_path / "tok.json"
    out.write_text("old")
    os.chmod(out, 0o640)
    res = tfviz("bpe", "train", str(corpus), "--vocab-size", "260", "--out", str(out), "--quiet")
    assert res.returncode == 0, res.stderr
    assert json.loads(out.read_text())["format"] == "tfviz-bpe" and stat.S_IMODE(out.stat().st_mode) == 0o640


def test_seq2seq_train_refuses_dev_null_before_training(tmp_path):
    res = tfviz("seq2seq", "train", "--task", "dates", "--model", "rnn", "--out", "/dev/null", "--steps", "5")
    err = one_line_error(res, "/dev/null", "device")
    assert "step" not in err.replace("--steps", "")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_traj_train_refuses_an_out_folder_that_cannot_exist(tmp_path):
    (tmp_path / "f").write_text("x")
    res = tfviz("traj", "train", "--data", str(tmp_path), "--scene", "eth", "--out", str(tmp_path / "f" / "w"))
    one_line_error(res, "not a folder", code=2)


# --------------------------------------------------------------------- counts


@pytest.mark.parametrize("args, needle", [
    (["seq2seq", "train", "--task", "dates", "--model", "rnn", "--steps", "-5"], "--steps"),
    (["seq2seq", "train", "--task", "dates", "--model", "rnn", "--steps", "0"], "--steps"),
    (["seq2seq", "eval", "--task", "dates", "--model", "rnn", "--threads", "-3"], "--threads"),
    (["traj", "eval", "--data", ".", "--samples", "0"], "--samples"),
    (["traj", "eval", "--data", ".", "--samples", "-1"], "--samples"),
    (["traj", "eval", "--data", ".", "--threads", "-3"], "--threads"),
    (["traj", "train", "--data", ".", "--epochs", "0"], "--epochs"),
    (["traj", "train", "--data", ".", "--per-epoch", "-1"], "--per-epoch"),
    (["bpe", "train", "x.txt", "--vocab-size", "-1", "--out", "x.json"], "--vocab-size"),
])  # fmt: skip
def test_negative_and_zero_counts_are_refused(tmp_path, args, needle):
    res = tfviz(*args, env={"TFVIZ_DATA_DIR": str(tmp_path)}, cwd=tmp_path)
    one_line_error(res, needle, "at least", code=2)
    assert list(tmp_path.iterdir()) == []  # nothing trained, nothing written


def test_traj_train_d_model_out_of_bounds(tmp_path):
    res = tfviz("traj", "train", "--data", str(tmp_path), "--d-model", "65536", "--out", str(tmp_path / "w"))
    one_line_error(res, "--d-model", "512", code=2)


# --------------------------------------------------------------------- seq2seq weights


def _seq2seq_file(tmp_path, change) -> Path:
    src = seq2seq_shipped("rnn", "dates")
    from safetensors import safe_open

    with safe_open(str(src), framework="pt") as f:
        meta = dict(f.metadata())
    tensors = load_file(str(src))
    change(tensors, meta)
    out = tmp_path / "bad.safetensors"
    save_file(tensors, str(out), metadata=meta)
    return out


def _set(d, k, v):
    d[k] = v


@pytest.mark.parametrize("change, needle", [
    (lambda t, m: _set(m, "info", "{not json"), "bad training facts"),
    (lambda t, m: _set(m, "kind", "lstm"), "model kind 'lstm'"),
    (lambda t, m: t.pop(sorted(t)[0]), "missing tensor"),
    (lambda t, m: _set(t, sorted(t)[0], torch.zeros(3, 3)), "has shape (3, 3)"),
    (lambda t, m: t[sorted(t)[0]].view(-1).__setitem__(0, float("nan")), "NaN or infinite"),
    (lambda t, m: t[sorted(t)[0]].view(-1).__setitem__(0, float("inf")), "NaN or infinite"),
])  # fmt: skip
def test_seq2seq_bad_weights(tmp_path, change, needle):
    path = _seq2seq_file(tmp_path, change)
    res = tfviz("seq2seq", "run", "--task", "dates", "--model", "rnn", "--weights", str(path), "Nov 29, 2026")
    one_line_error(res, str(path), needle)
    assert res.stdout == b""  # no answer printed


def test_seq2seq_truncated_weights(tmp_path):
    src = seq2seq_shipped("rnn", "dates").read_bytes()
    path = tmp_path / "cut.safetensors"
    path.write_bytes(src[: len(src) // 2])
    res = tfviz("seq2seq", "run", "--task", "dates", "--model", "rnn", "--weights", str(path), "x")
    one_line_error(res, str(path), "not a readable safetensors file")


# --------------------------------------------------------------------- trajectory weights


def _traj_folder(tmp_path, kind: str, write) -> Path:
    folder = tmp_path / "w"
    folder.mkdir()
    write(folder / f"{kind}_eth.safetensors")
    return folder


def _traj_data(tmp_path, rows: str) -> Path:
    test = tmp_path / "data" / "eth" / "test"
    test.mkdir(parents=True)
    (test / "a.txt").write_text(rows)
    return tmp_path / "data"


def _walk_rows(n_people: int = 2, steps: int = 20) -> str:
    return "".join(f"{10 * t} {p} {0.4 * t} {float(p)}\n" for t in range(steps) for p in range(n_people))


def _with_meta(src: Path, dst: Path, meta_change=None, tensor_change=None) -> None:
    from safetensors import safe_open

    with safe_open(str(src), framework="pt") as f:
        meta = dict(f.metadata())
    tensors = load_file(str(src))
    if meta_change:
        meta = meta_change(meta)
    if tensor_change:
        tensor_change(tensors)
    save_file(tensors, str(dst), metadata=meta)


@pytest.mark.parametrize("case, needle", [
    ("truncated", "not a readable safetensors file"),
    ("no-metadata", "no model config"),
    ("huge-d-model", "d_model must be a whole number from 4 to 512"),
    ("config-shape-mismatch", "has shape"),
    ("nan", "NaN or infinite"),
])  # fmt: skip
def test_traj_bad_weights(tmp_path, case, needle):
    src = traj_shipped("tf", "eth")

    def write(dst: Path) -> None:
        if case == "truncated":
            dst.write_bytes(src.read_bytes()[:1000])
        elif case == "no-metadata":
            _with_meta(src, dst, meta_change=lambda m: {})
        elif case == "huge-d-model":
            _with_meta(src, dst, meta_change=lambda m: {**m, "config": json.dumps({**json.loads(m["config"]), "d_model": 65536})})
        elif case == "config-shape-mismatch":
            _with_meta(src, dst, meta_change=lambda m: {**m, "config": json.dumps({**json.loads(m["config"]), "d_model": 64})})
        else:
            _with_meta(src, dst, tensor_change=lambda t: t[sorted(t)[-1]].view(-1).__setitem__(0, float("nan")))

    folder = _traj_folder(tmp_path, "tf", write)
    data = _traj_data(tmp_path, _walk_rows())
    res = tfviz("traj", "eval", "--data", str(data), "--scene", "eth", "--model", "tf", "--weights", str(folder))
    one_line_error(res, "tf_eth.safetensors", needle, code=2)
    assert res.stdout == b""


# --------------------------------------------------------------------- traj eval data and options


def test_traj_eval_absurd_coordinate_names_file_and_line(tmp_path):
    rows = _walk_rows().splitlines(keepends=True)
    rows[5] = "20 1 1e308 1.0\n"
    data = _traj_data(tmp_path, "".join(rows))
    res = tfviz("traj", "eval", "--data", str(data), "--scene", "eth", "--model", "cv")
    one_line_error(res, "a.txt:6", "x 1e+308 is out of range", code=2)
    assert res.stdout == b""


def test_traj_eval_only_short_tracks_says_no_complete_window(tmp_path):
    data = _traj_data(tmp_path, _walk_rows(steps=12))
    res = tfviz("traj", "eval", "--data", str(data), "--scene", "eth", "--model", "cv")
    one_line_error(res, "no complete window", code=2)
    assert b"nan" not in res.stdout.lower()


@pytest.mark.parametrize("model, samples, needle", [
    ("cv", "5", "at most 1 future"),
    ("tf", "5", "at most 1 future"),
    ("tf-multi", "100000", "at most 20 futures"),
])  # fmt: skip
def test_traj_eval_samples_beyond_what_the_model_computes(tmp_path, model, samples, needle):
    data = _traj_data(tmp_path, _walk_rows())
    res = tfviz("traj", "eval", "--data", str(data), "--scene", "eth", "--model", model, "--samples", samples)
    one_line_error(res, f"--samples {samples}", needle, code=2)


def test_traj_eval_reports_the_samples_it_computed(tmp_path):
    data = _traj_data(tmp_path, _walk_rows())
    res = tfviz("traj", "eval", "--data", str(data), "--scene", "eth", "--model", "tf-multi", "--samples", "5", "--json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["avg"]["samples"] == 5 and doc["eth"]["windows"] == 2


# --------------------------------------------------------------------- traj train default folder


def test_traj_train_writes_to_the_user_data_dir_not_the_package(tmp_path, shared_dir):
    before = {p: p.stat().st_mtime_ns for p in traj_shipped("tf", "eth").parent.iterdir()}
    res = tfviz("traj", "train", "--data", str(shared_dir / "datasets" / "eth_ucy"), "--scene", "hotel",
                "--model", "tf", "--epochs", "1", "--per-epoch", "64", "--quiet",
                env={"TFVIZ_DATA_DIR": str(tmp_path / "data")})  # fmt: skip
    assert res.returncode == 0, res.stderr
    out = tmp_path / "data" / "weights" / "traj" / "tf_hotel.safetensors"
    assert out.is_file() and str(out) in res.stdout.decode()
    assert {p: p.stat().st_mtime_ns for p in traj_shipped("tf", "eth").parent.iterdir()} == before


# --------------------------------------------------------------------- tfviz shot --out


def test_shot_out_jpg_writes_a_jpeg(tmp_path):
    out = tmp_path / "x.jpg"
    res = tfviz("shot", "--panel", "overview", "--out", str(out), "--size", "400x300")
    assert res.returncode == 0, res.stderr
    assert out.is_file() and out.read_bytes()[:3] == b"\xff\xd8\xff"  # JPEG magic, not a folder
    assert no_temp_files(tmp_path)


@pytest.mark.parametrize("name, needle", [("x.gif", "unknown image format"), ("f/x.png", "not a folder")])
def test_shot_out_refused_before_rendering(tmp_path, name, needle):
    (tmp_path / "f").write_text("x")
    res = tfviz("shot", "--panel", "overview", "--out", str(tmp_path / name))
    one_line_error(res, needle, code=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]


def test_shot_all_panels_into_one_file_is_refused(tmp_path):
    res = tfviz("shot", "--panel", "all", "--out", str(tmp_path / "x.png"))
    one_line_error(res, "--out FOLDER", code=2)
