"""``tfviz lesson list / check / export / import`` as a user types them."""

from __future__ import annotations

import json

import pytest

from tfviz.cli import main


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TFVIZ_DATA_DIR", str(tmp_path / "data"))


def test_list_json(capsys):
    assert main(["lesson", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 11
    assert rows[0]["id"] == "transformer" and rows[0]["title"]["zh"] == "什么是 Transformer"
    assert all(4 <= r["steps"] <= 10 and r["source"] == "bundled" for r in rows)


def test_list_text(capsys):
    assert main(["lesson", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 11 and "BERT vs GPT / BERT 与 GPT" in lines[9]


def test_check_good_and_bad(tmp_path, capsys):
    assert main(["lesson", "export", "masks", str(tmp_path / "m.json")]) == 0
    capsys.readouterr()
    assert main(["lesson", "check", str(tmp_path / "m.json")]) == 0
    assert "OK, lesson 'masks' with 7 steps" in capsys.readouterr().out

    data = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    data["steps"][2]["state"]["layer"] = "three"
    data["steps"][4]["code"]["object"] = "vanished_function"
    (tmp_path / "bad.json").write_text(json.dumps(data), encoding="utf-8")
    assert main(["lesson", "check", str(tmp_path / "bad.json")]) == 1
    out = capsys.readouterr()
    assert "step 3: field 'state.layer' must be an integer" in out.out
    assert "1 problem(s)" in out.err  # schema problems come first; live checks need a valid file

    data["steps"][2]["state"]["layer"] = 3
    (tmp_path / "bad.json").write_text(json.dumps(data), encoding="utf-8")
    assert main(["lesson", "check", str(tmp_path / "bad.json")]) == 1
    assert "step 5: code: tfviz.core.attention has no function or class named 'vanished_function'" in capsys.readouterr().out


def test_check_unreadable(tmp_path, capsys):
    assert main(["lesson", "check", str(tmp_path / "nothing.json")]) == 1
    assert "cannot read the file" in capsys.readouterr().out


def test_import_then_listed_as_yours(tmp_path, capsys):
    main(["lesson", "export", "bpe", str(tmp_path / "b.json")])
    data = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    data["id"] = "my-bpe"
    (tmp_path / "b.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert main(["lesson", "import", str(tmp_path / "b.json")]) == 0
    capsys.readouterr()
    main(["lesson", "list"])
    assert "my-bpe" in capsys.readouterr().out.splitlines()[-1]
    (tmp_path / "x.json").write_text("[]")
    assert main(["lesson", "import", str(tmp_path / "x.json")]) == 1
    assert main(["lesson", "export", "no-such", str(tmp_path / "y.json")]) == 2


def test_shot_of_one_lesson_step_through_the_cli(tmp_path, capsys):
    """``tfviz shot --lesson ID --step N --out FILE.png``: the step as an image (a slide)."""
    from PySide6.QtGui import QImage

    out = tmp_path / "step2.png"
    assert main(["shot", "--lesson", "masks", "--step", "2", "--out", str(out), "--size", "1400x860"]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    image = QImage(str(out))
    assert not image.isNull() and image.width() >= 1400


@pytest.mark.parametrize("argv, needle", [
    (["shot", "--lesson", "no-such-lesson", "--out", "x.png"], "no lesson 'no-such-lesson'"),
    (["shot", "--lesson", "masks", "--step", "99", "--out", "x.png"], "has steps 1..7"),
    (["shot", "--lesson", "masks", "--step", "two", "--out", "x.png"], "give a step number"),
    (["--lesson", "no-such-lesson"], "no lesson 'no-such-lesson'"),  # refused before any window opens
])
def test_bad_lesson_arguments_are_one_line(argv, needle, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1 and not list(tmp_path.iterdir())
