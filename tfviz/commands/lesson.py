"""``tfviz lesson``: list the lessons, check a lesson file.

    tfviz lesson list                 # id, steps, title in English and Chinese
    tfviz lesson list --json          # [{"id", "title": {"en", "zh"}, "steps", "source", ...}]
    tfviz lesson check my-lesson.json # each problem with its step; exit 1 if any
    tfviz lesson export masks masks.json
    tfviz lesson import masks.json    # validated, then saved among the user's lessons

Imports neither Qt nor torch.
"""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers) -> None:
    p = subparsers.add_parser("lesson", help="list, check, export and import lessons")
    sub = p.add_subparsers(dest="lesson_command", metavar="ACTION", required=True)
    ls = sub.add_parser("list", help="list the lessons (bundled and yours)")
    ls.add_argument("--json", action="store_true", help="print a JSON list")
    ls.set_defaults(func=run_list)
    ck = sub.add_parser("check", help="validate a lesson file; print each problem with its step")
    ck.add_argument("file", metavar="FILE")
    ck.set_defaults(func=run_check)
    ex = sub.add_parser("export", help="write a lesson to a file to share it")
    ex.add_argument("id", metavar="ID")
    ex.add_argument("file", metavar="FILE")
    ex.set_defaults(func=run_export)
    im = sub.add_parser("import", help="check a lesson file and add it to your lessons")
    im.add_argument("file", metavar="FILE")
    im.set_defaults(func=run_import)


def run_list(args: argparse.Namespace) -> int:
    from tfviz.core.lessons.store import list_lessons

    entries = list_lessons()
    if args.json:
        rows = []
        for e in entries:
            row = {"id": e.id, "source": e.source, "edited": e.edited, "path": e.path}
            if e.lesson is None:
                row["problems"] = list(e.problems)
            else:
                row["title"] = e.lesson.title.to_dict()
                row["steps"] = len(e.lesson.steps)
            rows.append(row)
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    width = max((len(e.id) for e in entries), default=2)
    for e in entries:
        if e.lesson is None:
            print(f"{e.id:<{width}}  BROKEN  {e.path}: {'; '.join(e.problems)}")
            continue
        mark = " (yours)" if e.source == "user" else ""
        print(f"{e.id:<{width}}  {len(e.lesson.steps):>2} steps  {e.lesson.title.en} / {e.lesson.title.zh}{mark}")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from tfviz.core.lessons.check import check_file

    lesson, problems = check_file(args.file)
    for p in problems:
        print(f"{args.file}: {p}")
    if problems:
        print(f"tfviz lesson check: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"{args.file}: OK, lesson {lesson.id!r} with {len(lesson.steps)} steps")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from tfviz.core.io import WriteError
    from tfviz.core.lessons.model import LessonError
    from tfviz.core.lessons.store import export_lesson, find_lesson

    try:
        path = export_lesson(find_lesson(args.id), args.file)
    except (LessonError, WriteError, OSError) as exc:
        print(f"tfviz lesson export: {exc}", file=sys.stderr)
        return 2
    print(path)
    return 0


def run_import(args: argparse.Namespace) -> int:
    from tfviz.core.io import WriteError
    from tfviz.core.lessons.model import LessonError
    from tfviz.core.lessons.store import import_lesson, user_lessons_dir

    try:
        lesson = import_lesson(args.file)
    except LessonError as exc:
        for p in exc.problems:
            print(f"{args.file}: {p}", file=sys.stderr)
        return 1
    except (WriteError, OSError) as exc:
        print(f"tfviz lesson import: {exc}", file=sys.stderr)
        return 2
    print(user_lessons_dir() / f"{lesson.id}.json")
    return 0
