"""Lessons without Qt: the format, its checks, live code excerpts, the store, the workspace file."""

from __future__ import annotations

import copy
import json

import pytest

from tfviz.core.lessons.check import check_file, live_problems
from tfviz.core.lessons.excerpts import ExcerptError, read_excerpt
from tfviz.core.lessons.model import LessonError, parse_lesson, to_json
from tfviz.core.lessons.schema import validate
from tfviz.core.lessons.states import check_state, sanitize_state
from tfviz.core.lessons import store
from tfviz.core import workspace as wsmod

#: The study note's eleven topics, in order (issue 13).
TOPIC_ORDER = ["transformer", "attention-code", "embeddings", "bpe", "trajectories", "self-attention",
               "encoder-decoder", "bert-encoder", "masks", "bert-vs-gpt", "family"]


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TFVIZ_DATA_DIR", str(tmp_path / "data"))


def small_lesson(**over) -> dict:
    data = {
        "format": "tfviz-lesson", "version": 1, "id": "demo",
        "title": {"en": "Demo", "zh": "示例"},
        "steps": [
            {"title": {"en": "One", "zh": "一"}, "text": {"en": "**bold**", "zh": "粗体"},
             "state": {"panel": "overview", "version": 1, "highlight": "enc_attention"}},
            {"title": {"en": "Two", "zh": "二"}, "text": {"en": "x", "zh": "x"},
             "state": {"panel": "attention", "version": 1, "layer": 2, "head": 3},
             "highlight": {"cell": [1, 2]},
             "code": {"module": "tfviz.core.attention", "object": "scaled_dot_product",
                      "lines": ["scores = q @ k"]}},
            {"title": {"en": "Three", "zh": "三"}, "text": {"en": "y", "zh": "y"},
             "state": {"panel": "tokenization", "version": 1, "step": 4}},
        ],
    }
    data.update(over)
    return data


# --------------------------------------------------------------------------- bundled lessons

def test_eleven_bundled_lessons_follow_the_study_note():
    entries = store.bundled_entries()
    assert [e.id for e in entries] == TOPIC_ORDER
    for e in entries:
        assert e.lesson is not None, (e.path, e.problems)
        assert 4 <= len(e.lesson.steps) <= 10, e.id
        for step in e.lesson.steps:
            for text in (step.title, step.text):
                assert text.en.strip() and text.zh.strip()
                assert any("\u4e00" <= c <= "\u9fff" for c in text.zh), (e.id, text.zh)
                assert "$" not in text.en + text.zh  # Qt's Markdown has no TeX


def test_bundled_lessons_use_the_panels_the_issue_names():
    panels = {e.id: {s.panel for s in e.lesson.steps} for e in store.bundled_entries()}
    assert "overview" in panels["transformer"]
    assert "trajectories" in panels["trajectories"]
    assert "bert-vs-gpt" in panels["bert-vs-gpt"]
    assert "tokenization" in panels["bpe"]
    assert panels["family"] == {"overview"}


@pytest.mark.parametrize("lesson_id", TOPIC_ORDER)
def test_every_code_excerpt_resolves_in_this_installation(lesson_id):
    """Excerpts are read live: when tfviz.core changes, this names the step to fix."""
    e = next(e for e in store.bundled_entries() if e.id == lesson_id)
    lesson, problems = check_file(e.path)
    assert lesson is not None and problems == []


def test_most_lessons_show_code():
    with_code = [e.id for e in store.bundled_entries() if any(s.code for s in e.lesson.steps)]
    assert len(with_code) >= 10


def test_consecutive_steps_differ():
    for e in store.bundled_entries():
        steps = e.lesson.steps
        for a, b in zip(steps, steps[1:]):
            assert (a.state, a.highlight, a.code) != (b.state, b.highlight, b.code) or a.text != b.text


# --------------------------------------------------------------------------- schema

def test_valid_lesson_round_trips():
    lesson = parse_lesson(json.dumps(small_lesson()))
    assert parse_lesson(to_json(lesson)) == lesson
    assert lesson.steps[1].code.lines == ("scores = q @ k",)


def test_messages_name_step_and_field():
    data = small_lesson()
    data["steps"][2]["state"]["layer"] = 1  # not a tokenization field
    data["steps"][1]["state"]["layer"] = "2"
    data["steps"][0]["text"] = {"en": "only English"}
    del data["steps"][2]["title"]
    got = [str(p) for p in validate(data)]
    assert "step 2: field 'state.layer' must be an integer" in got
    assert "step 1: field 'text.zh' must be a non-empty string" in got
    assert "step 3: field 'title' is missing" in got
    assert any(m.startswith("step 3: field 'state.layer' is not part of the tokenization panel's state")
               for m in got)


@pytest.mark.parametrize("patch, expected", [
    ({"id": "Has Space"}, "field 'id' must be 1 to 48 lower-case letters"),
    ({"version": 2}, "needs a newer tfviz"),
    ({"format": "x"}, "field 'format' must be"),
    ({"steps": []}, "field 'steps' must be a list of 1 to 50 steps"),
    ({"colour": 1}, "field 'colour' is not known"),
])
def test_top_level_problems(patch, expected):
    got = [str(p) for p in validate(small_lesson(**patch))]
    assert any(expected in m for m in got), got


@pytest.mark.parametrize("highlight, ok", [
    ({"cell": [1, 2]}, True), ({"cell": [1]}, False), ({"token": -1}, False), ({"block": "x"}, True),
    ({"head": [0, 2]}, True), ({"glow": 1}, False), ({"token": 1, "cell": [1, 1]}, False), ({"token": True}, False),
])
def test_highlight_kinds(highlight, ok):
    data = small_lesson()
    data["steps"][0]["highlight"] = highlight
    assert (validate(data) == []) == ok


def test_code_reference_checks():
    data = small_lesson()
    data["steps"][1]["code"] = {"module": "tfviz.core.attention", "object": "x", "marker": "y"}
    assert "step 2: field 'code' needs exactly one of 'object' and 'marker'" in [str(p) for p in validate(data)]


def test_parse_errors_are_lesson_errors():
    with pytest.raises(LessonError, match="not valid JSON"):
        parse_lesson("{", "f.json")
    with pytest.raises(LessonError, match="not UTF-8"):
        parse_lesson(b"\xff\xfe{}")
    with pytest.raises(LessonError) as info:
        parse_lesson("[]")
    assert info.value.problems == ["a lesson file must hold a JSON object ({...})"]


def test_state_checks():
    assert check_state({"panel": "bert-vs-gpt", "mode": "fill", "temperature": 0.7}) == []
    assert check_state({"panel": "bert-vs-gpt", "temperature": float("nan")}) == [
        "field 'state.temperature' must be a number"]
    assert check_state({"panel": "nope"})[0].startswith("field 'state.panel' must be one of")
    assert check_state({"panel": "attention", "masked": {"0": [1, 2]}}) == []
    assert check_state({"panel": "attention", "masked": {"a": [1]}}) != []


def test_sanitize_keeps_what_fits():
    clean, warnings = sanitize_state({"panel": "attention", "version": 3, "layer": 2, "head": "x", "zoom": 2})
    assert clean == {"panel": "attention", "version": 1, "layer": 2}
    assert len(warnings) == 3 and "newer tfviz" in warnings[0]


# --------------------------------------------------------------------------- excerpts

def test_excerpt_of_a_method_with_highlights():
    ex = read_excerpt("tfviz.core.attention", "MultiHeadAttention.forward", lines=["q = split_heads("])
    assert ex.lines[0].startswith("def forward(")
    assert [ex.lines[i].strip().split(" =")[0] for i in ex.highlighted] == ["q"]
    assert ex.missing == ()


def test_excerpt_reports_missing_snippets():
    ex = read_excerpt("tfviz.core.masks", "causal_mask", lines=["torch.tril(", "no such code"])
    assert len(ex.highlighted) == 1 and ex.missing == ("no such code",)


def _fake_core(tmp_path, body: str):
    root = tmp_path / "core"
    root.mkdir(exist_ok=True)
    (root / "__init__.py").write_text("")
    (root / "demo.py").write_text(body)
    return root


def test_excerpt_is_read_live_and_by_marker(tmp_path):
    root = _fake_core(tmp_path, "x = 1\n# lesson: sum\na = 1\nb = a + 1\n# end lesson: sum\n")
    ex = read_excerpt("tfviz.core.demo", marker="sum", lines=["a + 1"], root=root)
    assert ex.lines == ("a = 1", "b = a + 1") and ex.highlighted == (1,) and ex.first_line == 3
    (root / "demo.py").write_text("# lesson: sum\nc = 3\n# end lesson: sum\n")
    assert read_excerpt("tfviz.core.demo", marker="sum", root=root).lines == ("c = 3",)


@pytest.mark.parametrize("module, obj, marker, match", [
    ("os.path", "join", None, "not part of tfviz.core"),
    ("tfviz.core.attention", "NoSuchThing", None, "no function or class named"),
    ("tfviz.core.nosuch", "x", None, "no source file"),
    ("tfviz.core.attention", None, "nosuch", "no '# lesson: nosuch' marker"),
    ("tfviz.core.attention", "a", "b", "exactly one"),
    ("tfviz.core.attention", "1bad", None, "not a function or class name"),
])
def test_excerpt_errors(module, obj, marker, match):
    with pytest.raises(ExcerptError, match=match):
        read_excerpt(module, obj, marker)


def test_live_problems_name_the_step():
    data = small_lesson()
    data["steps"][1]["code"]["lines"] = ["this line is not there"]
    data["steps"][2]["code"] = {"module": "tfviz.core.masks", "object": "gone"}
    problems = [str(p) for p in live_problems(parse_lesson(json.dumps(data)))]
    assert problems[0] == ("step 2: code: no line of tfviz.core.attention.scaled_dot_product contains "
                           "'this line is not there'")
    assert problems[1].startswith("step 3: code: tfviz.core.masks has no function or class named 'gone'")


# --------------------------------------------------------------------------- store

def test_user_copy_replaces_bundled_and_delete_restores_it():
    original = store.find_lesson("masks")
    edited = original.with_steps(original.steps[:4])
    path = store.save_user_lesson(edited)
    assert path.parent == store.user_lessons_dir()
    entry = next(e for e in store.list_lessons() if e.id == "masks")
    assert entry.edited and entry.source == "user" and len(entry.lesson.steps) == 4
    assert [e.id for e in store.list_lessons()] == TOPIC_ORDER  # order kept
    assert store.delete_user_lesson("masks") and not store.delete_user_lesson("masks")
    assert store.find_lesson("masks") == original


def test_export_import_and_broken_user_files(tmp_path):
    lesson = parse_lesson(json.dumps(small_lesson()))
    out = store.export_lesson(lesson, tmp_path / "share.json")
    assert store.import_lesson(out) == lesson
    assert [e.id for e in store.list_lessons()][-1] == "demo"
    (store.user_lessons_dir() / "bad.json").write_text("{oops")
    bad = next(e for e in store.list_lessons() if e.id == "bad")
    assert bad.lesson is None and "not valid JSON" in bad.problems[0]
    with pytest.raises(LessonError, match="no lesson 'nothing'"):
        store.find_lesson("nothing")
    with pytest.raises(LessonError, match="cannot read"):
        store.import_lesson(tmp_path / "missing.json")


# --------------------------------------------------------------------------- workspace

def test_workspace_round_trip(tmp_path):
    ws = wsmod.Workspace("attention", {"attention": {"panel": "attention", "version": 1, "layer": 3}},
                         {"id": "masks", "step": 2})
    path = wsmod.save_workspace(ws, tmp_path / "a.tfviz.json")
    assert wsmod.read_workspace(path) == (ws, [])


def test_workspace_keeps_what_it_understands(tmp_path):
    data = {"format": "tfviz-workspace", "version": 7, "current": "attention", "extra": 1,
            "panels": {"attention": {"panel": "attention", "version": 1, "layer": "x", "head": 4},
                       "future-panel": {"panel": "future-panel"},
                       "overview": "not an object"},
            "lesson": {"id": 3}}
    ws, warnings = wsmod.parse_workspace(json.dumps(data))
    assert ws.panels == {"attention": {"panel": "attention", "version": 1, "head": 4}}
    assert ws.current == "attention" and ws.lesson is None
    text = "\n".join(warnings)
    for part in ("newer tfviz", "'extra'", "'future-panel'", "field 'layer' must be an integer",
                 "not an object", "'lesson'"):
        assert part in text


def test_workspace_files_never_raise(tmp_path):
    assert wsmod.read_workspace(tmp_path / "none.json") == (wsmod.Workspace(), [])
    (tmp_path / "bad.json").write_bytes(b"\x00\xff")
    ws, warnings = wsmod.read_workspace(tmp_path / "bad.json")
    assert ws == wsmod.Workspace() and "bad.json" in warnings[0]
    (tmp_path / "dir.json").mkdir()
    ws, warnings = wsmod.read_workspace(tmp_path / "dir.json")
    assert ws == wsmod.Workspace() and warnings


def test_lesson_dicts_are_not_shared():
    data = small_lesson()
    lesson = parse_lesson(json.dumps(data))
    d = lesson.to_dict()
    d["steps"][0]["state"]["highlight"] = "changed"
    assert lesson.steps[0].state["highlight"] == "enc_attention"
    assert copy.deepcopy(lesson) == lesson
