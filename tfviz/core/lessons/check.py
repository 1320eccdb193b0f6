"""Checks that need the installed code: do the code excerpts of a lesson still resolve?

The schema (:mod:`schema`) checks a file's shape; this checks it against this tfviz: every
``code`` reference must name an existing function, class or marker of ``tfviz.core``, and each
highlight snippet must still be found in it. ``tfviz lesson check`` runs both.
"""

from __future__ import annotations

import os

from tfviz.core.lessons.excerpts import Excerpt, ExcerptError, read_excerpt
from tfviz.core.lessons.model import Lesson, LessonError, Step
from tfviz.core.lessons.schema import Problem
from tfviz.core.lessons.store import read_lesson_file


def step_excerpt(step: Step) -> Excerpt | None:
    """The live excerpt of ``step`` (None when it has no code). Raises :class:`ExcerptError`."""
    if step.code is None:
        return None
    c = step.code
    return read_excerpt(c.module, c.object, c.marker, c.lines)


def live_problems(lesson: Lesson) -> list[Problem]:
    """Code references that do not resolve, and highlight snippets found on no line."""
    out = []
    for i, step in enumerate(lesson.steps, start=1):
        try:
            ex = step_excerpt(step)
        except ExcerptError as exc:
            out.append(Problem(i, f"code: {exc}"))
            continue
        if ex is not None:
            out += [Problem(i, f"code: no line of {ex.module}.{ex.name} contains {s!r}") for s in ex.missing]
    return out


def check_file(path: str | os.PathLike) -> tuple[Lesson | None, list[str]]:
    """The lesson (None if it cannot be read) and every problem, each naming its step."""
    try:
        lesson = read_lesson_file(path)
    except LessonError as exc:
        return None, exc.problems
    return lesson, [str(p) for p in live_problems(lesson)]
