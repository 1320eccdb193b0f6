"""Random bytes and random JSON given to the lesson and workspace readers: a clean answer every time."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from tfviz.core import workspace as wsmod
from tfviz.core.lessons.model import Lesson, LessonError, parse_lesson
from tfviz.core.lessons.store import bundled_entries

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=30,
)
VALID = bundled_entries()[8].lesson.to_dict()  # the masks lesson: code, highlights, several panels


def _read_lesson(raw) -> None:
    try:
        assert isinstance(parse_lesson(raw), Lesson)
    except LessonError as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes(raw):
    _read_lesson(raw)
    ws, warnings = wsmod.parse_workspace(raw)
    assert isinstance(ws, wsmod.Workspace) and all(isinstance(w, str) for w in warnings)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_random_json(value):
    raw = json.dumps(value)
    _read_lesson(raw)
    ws, _ = wsmod.parse_workspace(raw)
    assert isinstance(ws, wsmod.Workspace)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


PATHS = [p for p in _paths(VALID) if p]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PATHS), json_values)
def test_one_field_of_a_real_lesson_replaced(path, value):
    """The hard case: a file that is almost right."""
    data = json.loads(json.dumps(VALID))
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    _read_lesson(json.dumps(data))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["attention", "overview", "trajectories", "x"]), json_values, max_size=4),
       json_values, json_values)
def test_workspace_shapes(panels, current, lesson):
    raw = json.dumps({"format": "tfviz-workspace", "version": 1, "panels": panels,
                      "current": current, "lesson": lesson})
    ws, warnings = wsmod.parse_workspace(raw)
    for name, state in ws.panels.items():
        assert state["panel"] == name and state["version"] == 1
    assert ws.current is None or isinstance(ws.current, str)
