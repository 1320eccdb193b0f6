"""A lesson in memory: frozen dataclasses, read from and written to the JSON format.

>>> lesson = parse_lesson('''{"format": "tfviz-lesson", "version": 1, "id": "demo",
...   "title": {"en": "Demo", "zh": "示例"},
...   "steps": [{"title": {"en": "One", "zh": "一"}, "text": {"en": "*Hi*", "zh": "你好"},
...              "state": {"panel": "overview", "version": 1, "highlight": "enc_attention"}}]}''')
>>> lesson.title.get("zh"), lesson.steps[0].state["panel"]
('示例', 'overview')
>>> parse_lesson(to_json(lesson)) == lesson
True
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from tfviz.core.lessons.schema import FORMAT, VERSION, Problem, validate


class LessonError(ValueError):
    """A lesson file that cannot be used; ``problems`` lists each thing wrong."""

    def __init__(self, origin: str, problems: list[Problem] | list[str]) -> None:
        self.origin = origin
        self.problems = [str(p) for p in problems]
        head = f"{origin}: " if origin else ""
        super().__init__(head + "; ".join(self.problems[:3])
                         + (f" (and {len(self.problems) - 3} more)" if len(self.problems) > 3 else ""))


@dataclass(frozen=True)
class Text:
    """A text in English and Simplified Chinese."""

    en: str
    zh: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def to_dict(self) -> dict:
        return {"en": self.en, "zh": self.zh}


@dataclass(frozen=True)
class CodeRef:
    """Where a step's code excerpt lives: ``module`` and ``object`` or ``marker``."""

    module: str
    object: str | None = None
    marker: str | None = None
    lines: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        out: dict = {"module": self.module}
        out.update({"object": self.object} if self.object is not None else {"marker": self.marker})
        if self.lines:
            out["lines"] = list(self.lines)
        return out


@dataclass(frozen=True)
class Step:
    title: Text
    text: Text
    state: Mapping = field(default_factory=dict, compare=True)  # a panel state (see states.py)
    highlight: Mapping | None = None  # {"token": 3}, {"cell": [q, k]}, {"block": "..."}, ...
    code: CodeRef | None = None

    @property
    def panel(self) -> str:
        return str(self.state.get("panel", ""))

    def to_dict(self) -> dict:
        out = {"title": self.title.to_dict(), "text": self.text.to_dict(), "state": copy.deepcopy(dict(self.state))}
        if self.highlight is not None:
            out["highlight"] = copy.deepcopy(dict(self.highlight))
        if self.code is not None:
            out["code"] = self.code.to_dict()
        return out


@dataclass(frozen=True)
class Lesson:
    id: str
    title: Text
    steps: tuple[Step, ...]
    summary: Text | None = None
    author: str = ""

    def to_dict(self) -> dict:
        out: dict = {"format": FORMAT, "version": VERSION, "id": self.id, "title": self.title.to_dict()}
        if self.summary is not None:
            out["summary"] = self.summary.to_dict()
        if self.author:
            out["author"] = self.author
        out["steps"] = [s.to_dict() for s in self.steps]
        return out

    def with_steps(self, steps) -> Lesson:
        return replace(self, steps=tuple(steps))


# --------------------------------------------------------------------------- reading

def _text(d: Mapping) -> Text:
    return Text(d["en"], d["zh"])


def _step(d: Mapping) -> Step:
    code = d.get("code")
    ref = None if code is None else CodeRef(code["module"], code.get("object"), code.get("marker"),
                                            tuple(code.get("lines", ())))
    return Step(_text(d["title"]), _text(d["text"]), copy.deepcopy(d["state"]),
                copy.deepcopy(d.get("highlight")), ref)


def from_dict(data: object, origin: str = "") -> Lesson:
    """A :class:`Lesson` from decoded JSON; raises :class:`LessonError` listing every problem."""
    problems = validate(data)
    if problems:
        raise LessonError(origin, problems)
    summary = data.get("summary")
    return Lesson(data["id"], _text(data["title"]), tuple(_step(s) for s in data["steps"]),
                  None if summary is None else _text(summary), data.get("author", ""))


def parse_lesson(raw: str | bytes, origin: str = "") -> Lesson:
    """Decode and validate a lesson file's content. Raises only :class:`LessonError`."""
    try:
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8")
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        reason = "is not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else f"is not valid JSON ({exc})"
        raise LessonError(origin, [f"the file {reason}"]) from None
    return from_dict(data, origin)


def to_json(lesson: Lesson) -> str:
    """The file content for ``lesson`` (UTF-8 JSON, Chinese kept readable)."""
    return json.dumps(lesson.to_dict(), ensure_ascii=False, indent=2) + "\n"
