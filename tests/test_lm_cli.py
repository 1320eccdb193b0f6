"""`tfviz lm next|fill|generate|eval|compare|train`: JSON formats, bad input, shipped weights."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tfviz.cli import main

TEXT = (
    "First Citizen: Before we proceed any further, hear me speak.\n"
    "All: Speak, speak.\n"
    "First Citizen: You are all resolved rather to die than to famish?\n"
    "All: Resolved. resolved.\n"
) * 30


@pytest.fixture(scope="module")
def wdir(tmp_path_factory):
    """A folder with a tiny trained gpt-en, bert-en and their tokenizer (written by `lm train`)."""
    from tfviz.core.lm.train import LMTrainConfig, LMTrainer, prepare_data
    from tfviz.core.lm.weights import save_tokenizer

    d = tmp_path_factory.mktemp("lm")
    (d / "corpus.txt").write_text(TEXT, encoding="utf-8")
    data = prepare_data("en", d / "corpus.txt", vocab_size=300)
    save_tokenizer(data.tokenizer, d / "tokenizer-en.json")
    for kind in ("gpt", "bert"):
        cfg = LMTrainConfig(kind=kind, steps=4, batch_size=4, context_length=32, d_model=32, n_layers=2,
                            n_heads=2, d_ff=64, eval_every=2, val_windows=4)
        tr = LMTrainer(cfg, data)
        list(tr.steps())
        tr.save(d / f"{kind}-en.safetensors")
    return d


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tfviz", "lm", *args], capture_output=True, text=True,
                          timeout=300, env={**__import__("os").environ, "OMP_NUM_THREADS": "1"})


def test_json_formats_through_subprocess(wdir):
    w = ["--weights-dir", str(wdir)]
    p = cli("next", "--model", "gpt-en", *w, "--json", "All: Speak")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert set(doc) == {"ids", "tokens", "top"} and len(doc["ids"]) == len(doc["tokens"]) and len(doc["top"]) == 10
    assert set(doc["top"][0]) == {"id", "token", "prob"}
    probs = [t["prob"] for t in doc["top"]]
    assert probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1.0001

    p = cli("fill", "--model", "bert-en", *w, "--json", "All: [MASK], speak. First [MASK]")
    assert p.returncode == 0, p.stderr
    masks = json.loads(p.stdout)["masks"]
    assert len(masks) == 2 and masks[0]["position"] < masks[1]["position"] and len(masks[0]["top"]) == 10

    p = cli("generate", "--model", "gpt-en", *w, "--prompt", "All:", "--max-new-tokens", "7",
            "--temperature", "0.9", "--top-k", "20", "--top-p", "0.95", "--seed", "3", "--json")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert set(doc) == {"ids", "text"} and len(doc["ids"]) == 7

    (wdir / "val.txt").write_text(TEXT[:600], encoding="utf-8")
    p = cli("eval", "--model", "gpt-en", *w, "--text", str(wdir / "val.txt"), "--json")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert set(doc) == {"bits_per_byte", "top1", "tokens"} and doc["bits_per_byte"] > 0 and 0 <= doc["top1"] <= 1
    p = cli("compare", "--lang", "en", *w, "--text", str(wdir / "val.txt"), "--json")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert set(doc) == {"positions", "bert_top1", "gpt_top1"} and doc["positions"] > 0


def test_eval_bert_matches_compare_positions(wdir, capsys):
    (wdir / "v2.txt").write_text(TEXT[:900], encoding="utf-8")
    w = ["--weights-dir", str(wdir), "--text", str(wdir / "v2.txt"), "--json"]
    assert main(["lm", "eval", "--model", "bert-en", *w]) == 0
    ev = json.loads(capsys.readouterr().out)
    assert main(["lm", "compare", "--lang", "en", *w]) == 0
    cmp = json.loads(capsys.readouterr().out)
    assert set(ev) == {"masked_top1", "positions"}
    assert ev["positions"] == cmp["positions"] and ev["masked_top1"] == cmp["bert_top1"]


def test_greedy_generation_is_deterministic_and_seeded_sampling_reproducible(wdir, capsys):
    w = ["--weights-dir", str(wdir), "--json", "--max-new-tokens", "6"]
    outs = []
    for extra in (["--temperature", "0"], ["--temperature", "0", "--seed", "9"], ["--seed", "4"], ["--seed", "4", "--no-cache"]):
        assert main(["lm", "generate", "--model", "gpt-en", *w, *extra]) == 0  # empty prompt: from end-of-text
        outs.append(json.loads(capsys.readouterr().out)["ids"])
    assert outs[0] == outs[1] and outs[2] == outs[3]


@pytest.mark.parametrize(
    "args, message",
    [
        (["next", "--model", "gpt-en", "to be [MASK]"], "[MASK]"),
        (["fill", "--model", "bert-en", "no blank"], "no [MASK]"),
        (["next", "--model", "bert-en", "hello"], "BERT"),
        (["generate", "--model", "bert-en"], "cannot generate"),
        (["generate", "--model", "gpt-en", "--top-p", "0"], "top_p"),
        (["generate", "--model", "gpt-en", "--temperature", "-1"], "temperature"),
        (["fill", "--model", "bert-en", "speak " * 40 + "[MASK]"], "longer than the context"),
    ],
)
def test_bad_input_exits_2_with_one_line(wdir, capsys, args, message):
    assert main(["lm", *args[:3], "--weights-dir", str(wdir), *args[3:]]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_long_text_is_windowed_with_a_notice(wdir, capsys):
    assert main(["lm", "next", "--model", "gpt-en", "--weights-dir", str(wdir), "--json", "speak, " * 60]) == 0
    cap = capsys.readouterr()
    assert "longer than the context" in cap.err and len(json.loads(cap.out)["top"]) == 10


def test_characters_outside_the_vocabulary_fall_back_to_bytes(wdir, capsys):
    assert main(["lm", "next", "--model", "gpt-en", "--weights-dir", str(wdir), "--json", "木兰🦜"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["ids"]) >= len("木兰🦜".encode()) - 2  # mostly single bytes: never seen in training
    assert any(t.startswith("<") for t in doc["tokens"])


def test_corrupt_weights_named_and_shipped_still_load(tmp_path, wdir, capsys):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "tokenizer-en.json").write_bytes((wdir / "tokenizer-en.json").read_bytes())
    (bad / "gpt-en.safetensors").write_bytes((wdir / "gpt-en.safetensors").read_bytes()[:5000])  # cut short
    assert main(["lm", "next", "--model", "gpt-en", "--weights-dir", str(bad), "--json", "All"]) == 2
    err = capsys.readouterr().err
    assert "gpt-en.safetensors" in err and err.count("\n") == 1
    assert main(["lm", "next", "--model", "gpt-en", "--json", "To be, or not to"]) == 0  # shipped
    assert len(json.loads(capsys.readouterr().out)["top"]) == 10


def test_missing_weights_name_the_command(tmp_path, capsys):
    assert main(["lm", "next", "--model", "gpt-zh", "--weights-dir", str(tmp_path), "--json", "子曰"]) == 2
    assert "tfviz lm train --model gpt --lang zh" in capsys.readouterr().err


def test_train_command_writes_weights_and_tokenizer(tmp_path, capsys):
    corpus = tmp_path / "c.txt"
    corpus.write_text(TEXT, encoding="utf-8")
    assert main(["lm", "train", "--model", "bert", "--lang", "en", "--corpus", str(corpus), "--steps", "2",
                 "--vocab-size", "300", "--out", str(tmp_path / "out"), "--device", "cpu"]) == 0
    assert (tmp_path / "out" / "bert-en.safetensors").is_file() and (tmp_path / "out" / "tokenizer-en.json").is_file()
    assert main(["lm", "fill", "--model", "bert-en", "--weights-dir", str(tmp_path / "out"), "--json", "All: [MASK]"]) == 0
    assert main(["lm", "train", "--model", "gpt", "--lang", "en", "--steps", "0", "--out", str(tmp_path)]) == 2


@pytest.mark.parametrize("name", ["gpt-en", "bert-en", "gpt-zh", "bert-zh"])
def test_shipped_models_load_and_are_small(name):
    """The weights are part of the package: their absence is a failure, never a skip."""
    from tfviz.core.lm.registry import load
    from tfviz.core.lm.weights import shipped_dir

    m = load(name)
    assert m.name == name and m.context_length == 128
    assert (shipped_dir() / f"{name}.safetensors").stat().st_size < 8_000_000
    assert (shipped_dir() / f"{name}.eval.json").is_file()
