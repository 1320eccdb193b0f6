"""Where lessons live: bundled with tfviz, or written by the user; saving, export, import.

* Bundled lessons are ``resources/lessons/NN-<id>.json`` inside the package, in file order.
* User lessons are ``<data dir>/lessons/<id>.json`` (the data dir is ``$TFVIZ_DATA_DIR``, else
  ``%APPDATA%/tfviz`` or ``~/.local/share/tfviz``). A user lesson with the id of a bundled one
  replaces it in the list: that is how a teacher's edits of a bundled lesson are kept.
* Every write is atomic (:func:`tfviz.core.io.atomic_write`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tfviz.core.lessons.model import Lesson, LessonError, parse_lesson, to_json

MAX_FILE_BYTES = 2_000_000  # a lesson is text; anything larger is not one


@dataclass(frozen=True)
class Entry:
    """One lesson file found: the lesson, or the problems that keep it from loading."""

    id: str
    source: str  # "bundled" | "user"
    path: str
    lesson: Lesson | None
    problems: tuple[str, ...] = ()
    edited: bool = False  # a user lesson replacing a bundled one of the same id


def data_dir() -> Path:
    """tfviz's user data folder (:func:`tfviz.core.userdata.user_data_dir`)."""
    from tfviz.core.userdata import user_data_dir

    return user_data_dir()


def user_lessons_dir() -> Path:
    return data_dir() / "lessons"


def read_lesson_file(path: str | os.PathLike) -> Lesson:
    """Read and validate one lesson file; raises :class:`LessonError` (also for I/O problems)."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise LessonError(str(path), [f"the file is larger than {MAX_FILE_BYTES // 1_000_000} MB"])
        raw = path.read_bytes()
    except OSError as exc:
        raise LessonError(str(path), [f"cannot read the file ({exc.strerror or exc})"]) from None
    return parse_lesson(raw, str(path))


def _entry(path, source: str) -> Entry:
    stem = Path(str(path)).stem
    try:
        lesson = read_lesson_file(path)
    except LessonError as exc:
        return Entry(stem.split("-", 1)[-1] if source == "bundled" else stem, source, str(path), None,
                     tuple(exc.problems))
    return Entry(lesson.id, source, str(path), lesson)


def bundled_entries() -> list[Entry]:
    from tfviz.core.assets import asset_path

    folder = asset_path("lessons")
    return [_entry(p, "bundled") for p in sorted(folder.glob("*.json"))] if folder.is_dir() else []


def user_entries() -> list[Entry]:
    folder = user_lessons_dir()
    try:
        files = sorted(folder.glob("*.json"))
    except OSError:
        return []
    return [_entry(p, "user") for p in files if p.is_file()]


def list_lessons() -> list[Entry]:
    """Bundled lessons in their order (a user copy replaces its bundled one), then user lessons."""
    users = {e.id: e for e in user_entries()}
    out = []
    for e in bundled_entries():
        mine = users.pop(e.id, None)
        out.append(e if mine is None else Entry(mine.id, "user", mine.path, mine.lesson, mine.problems, True))
    out += sorted(users.values(), key=lambda e: e.id)
    return out


def find_lesson(lesson_id: str) -> Lesson:
    """The lesson with this id; raises :class:`LessonError` when missing or broken."""
    entries = list_lessons()
    for e in entries:
        if e.id == lesson_id:
            if e.lesson is None:
                raise LessonError(e.path, list(e.problems))
            return e.lesson
    known = ", ".join(e.id for e in entries if e.lesson is not None)
    raise LessonError("", [f"no lesson {lesson_id!r}; known: {known}"])


def bundled_lesson(lesson_id: str) -> Lesson | None:
    """The shipped version of a lesson (to undo a teacher's edits), or None."""
    for e in bundled_entries():
        if e.id == lesson_id:
            return e.lesson
    return None


# --------------------------------------------------------------------------- writing

def export_lesson(lesson: Lesson, path: str | os.PathLike) -> Path:
    """Write ``lesson`` to ``path`` (atomically) to share it."""
    from tfviz.core.io import atomic_write

    return atomic_write(path, to_json(lesson))


def save_user_lesson(lesson: Lesson) -> Path:
    """Save into the user's lessons folder as ``<id>.json``."""
    folder = user_lessons_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return export_lesson(lesson, folder / f"{lesson.id}.json")


def delete_user_lesson(lesson_id: str) -> bool:
    """Remove the user's copy (a bundled lesson of that id shows again). False if none."""
    from tfviz.core.lessons.schema import ID_PATTERN

    if not ID_PATTERN.match(lesson_id or ""):
        return False
    path = user_lessons_dir() / f"{lesson_id}.json"
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def import_lesson(path: str | os.PathLike) -> Lesson:
    """Validate a shared lesson file and save it among the user's lessons."""
    lesson = read_lesson_file(path)
    save_user_lesson(lesson)
    return lesson
