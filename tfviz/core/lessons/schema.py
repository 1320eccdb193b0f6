"""The lesson file format, checked field by field with messages a teacher can act on.

A lesson is a JSON object::

    {
      "format": "tfviz-lesson", "version": 1,
      "id": "masks",                                   # lower-case letters, digits, '-'
      "title": {"en": "Masks", "zh": "掩码"},
      "summary": {"en": "...", "zh": "..."},           # optional
      "steps": [                                       # 1 to 50 steps
        {
          "title": {"en": "...", "zh": "..."},
          "text":  {"en": "Markdown ...", "zh": "Markdown ..."},
          "state": {"panel": "attention", "version": 1, "causal": true},
          "highlight": {"cell": [4, 2]},               # optional: block | entry | token | cell | head
          "code": {"module": "tfviz.core.masks",       # optional, read live (see excerpts.py)
                   "object": "causal_mask",            #   or "marker": "NAME"
                   "lines": ["torch.tril"]}            #   snippets of the lines to highlight
        }
      ]
    }

>>> problems = validate({"format": "tfviz-lesson", "version": 1, "id": "x",
...     "title": {"en": "X", "zh": "X"}, "steps": [{"title": {"en": "a", "zh": "甲"},
...     "text": {"en": "b", "zh": "乙"}, "state": {"panel": "attention", "layer": "2"}}]})
>>> [str(p) for p in problems]
["step 1: field 'state.layer' must be an integer"]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tfviz.core.lessons.states import check_state

FORMAT = "tfviz-lesson"
VERSION = 1
MAX_STEPS = 50
MAX_TEXT = 20_000  # characters of one explanation
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")
LANGS = ("en", "zh")
TOP_FIELDS = ("format", "version", "id", "title", "summary", "author", "steps")
STEP_FIELDS = ("title", "text", "state", "highlight", "code")
HIGHLIGHTS = {
    "block": "an Overview diagram block id, e.g. \"enc_attention\"",
    "entry": "a family-tree entry id, e.g. \"bert\"",
    "token": "a token position (an integer)",
    "cell": "[query, key] (two integers)",
    "head": "[layer, head] (two integers)",
}
CODE_FIELDS = ("module", "object", "marker", "lines")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a lesson; ``step`` counts from 1 (None: the lesson itself)."""

    step: int | None
    message: str

    def __str__(self) -> str:
        return self.message if self.step is None else f"step {self.step}: {self.message}"


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _text(value: object, where: str, required: bool = True) -> list[str]:
    """A bilingual text: {"en": "...", "zh": "..."}, both non-empty."""
    if value is None and not required:
        return []
    if not isinstance(value, dict):
        return [f"field '{where}' must be an object with \"en\" and \"zh\" texts"]
    out = []
    for lang in LANGS:
        v = value.get(lang)
        if not isinstance(v, str) or not v.strip():
            out.append(f"field '{where}.{lang}' must be a non-empty string")
        elif len(v) > MAX_TEXT:
            out.append(f"field '{where}.{lang}' is longer than {MAX_TEXT} characters")
    out += [f"field '{where}.{k}' is not a language (use \"en\" and \"zh\")" for k in value if k not in LANGS]
    return out


def _highlight(value: object) -> list[str]:
    if not isinstance(value, dict) or len(value) != 1:
        return ["field 'highlight' must be an object with exactly one of: " + ", ".join(HIGHLIGHTS)]
    (kind, v), = value.items()
    if kind not in HIGHLIGHTS:
        return [f"field 'highlight.{kind}' is not a kind of highlight (use one of: {', '.join(HIGHLIGHTS)})"]
    ok = {
        "block": isinstance(v, str) and bool(v),
        "entry": isinstance(v, str) and bool(v),
        "token": _is_int(v) and v >= 0,
        "cell": isinstance(v, list) and len(v) == 2 and all(_is_int(x) and x >= 0 for x in v),
        "head": isinstance(v, list) and len(v) == 2 and all(_is_int(x) and x >= 0 for x in v),
    }[kind]
    return [] if ok else [f"field 'highlight.{kind}' must be {HIGHLIGHTS[kind]}"]


def _code(value: object) -> list[str]:
    if not isinstance(value, dict):
        return ["field 'code' must be an object with \"module\" and \"object\" or \"marker\""]
    out = [f"field 'code.{k}' is not known (use: {', '.join(CODE_FIELDS)})" for k in value if k not in CODE_FIELDS]
    if not isinstance(value.get("module"), str):
        out.append("field 'code.module' must be a string, e.g. \"tfviz.core.attention\"")
    has_obj, has_marker = "object" in value, "marker" in value
    if has_obj == has_marker:
        out.append("field 'code' needs exactly one of 'object' and 'marker'")
    for key in ("object", "marker"):
        if key in value and not isinstance(value[key], str):
            out.append(f"field 'code.{key}' must be a string")
    lines = value.get("lines", [])
    if not isinstance(lines, list) or not all(isinstance(s, str) and s.strip() for s in lines):
        out.append("field 'code.lines' must be a list of non-empty strings (snippets of the lines to highlight)")
    return out


def _step(step: object) -> list[str]:
    if not isinstance(step, dict):
        return ["must be an object with 'title', 'text' and 'state'"]
    out = [f"field '{k}' is not known (use: {', '.join(STEP_FIELDS)})" for k in step if k not in STEP_FIELDS]
    for key in ("title", "text", "state"):
        if key not in step:
            out.append(f"field '{key}' is missing")
    if "title" in step:
        out += _text(step["title"], "title")
    if "text" in step:
        out += _text(step["text"], "text")
    if "state" in step:
        out += check_state(step["state"], "state")
    if "highlight" in step:
        out += _highlight(step["highlight"])
    if "code" in step:
        out += _code(step["code"])
    return out


def validate(data: object) -> list[Problem]:
    """Every problem of a decoded lesson file, in reading order (empty: the lesson is valid)."""
    if not isinstance(data, dict):
        return [Problem(None, "a lesson file must hold a JSON object ({...})")]
    out: list[Problem] = []

    def top(msg: str) -> None:
        out.append(Problem(None, msg))

    for k in data:
        if k not in TOP_FIELDS:
            top(f"field '{k}' is not known (use: {', '.join(TOP_FIELDS)})")
    if data.get("format") != FORMAT:
        top(f"field 'format' must be \"{FORMAT}\"")
    version = data.get("version")
    if not _is_int(version) or version < 1:
        top("field 'version' must be an integer of at least 1")
    elif version > VERSION:
        top(f"field 'version' is {version}: this lesson needs a newer tfviz (this one reads version {VERSION})")
    lid = data.get("id")
    if not isinstance(lid, str) or not ID_PATTERN.match(lid):
        top("field 'id' must be 1 to 48 lower-case letters, digits or '-', starting with a letter or digit")
    for msg in _text(data.get("title"), "title"):
        top(msg)
    for msg in _text(data.get("summary"), "summary", required=False):
        top(msg)
    if "author" in data and not isinstance(data["author"], str):
        top("field 'author' must be a string")
    steps = data.get("steps")
    if not isinstance(steps, list) or not 1 <= len(steps) <= MAX_STEPS:
        top(f"field 'steps' must be a list of 1 to {MAX_STEPS} steps")
        return out
    for i, step in enumerate(steps, start=1):
        out += [Problem(i, msg) for msg in _step(step)]
    return out
