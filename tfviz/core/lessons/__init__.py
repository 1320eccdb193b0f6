"""Lessons: guided tours through the panels, and the panel states they are built on.

No Qt here. The GUI plays lessons (``tfviz/gui/lessons``); ``tfviz lesson`` lists and checks
them. Modules: :mod:`states` (what a panel state may hold), :mod:`schema` (the file format and
its checks), :mod:`model` (the dataclasses), :mod:`excerpts` (code read live from
``tfviz.core``), :mod:`store` (bundled and user lessons), :mod:`check` (checks against this
installation).
"""

from tfviz.core.lessons.model import CodeRef, Lesson, LessonError, Step, Text, parse_lesson, to_json

__all__ = ["CodeRef", "Lesson", "LessonError", "Step", "Text", "parse_lesson", "to_json"]
