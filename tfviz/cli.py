"""Command line: ``tfviz`` starts the GUI; sub-commands do the same work without it.

Start-up matters: this module imports neither Qt nor torch. Each area's sub-command lives in
``tfviz/commands/<area>.py`` with ``register(subparsers)`` and imports what it needs lazily.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
from pathlib import Path

from tfviz import __version__
from tfviz.panels_registry import PANEL_NAMES as PANELS

LANGS = ("en", "zh")
THEMES = ("light", "dark")
DEVICES = ("auto", "cpu", "cuda", "mps")
COMMAND_MODULES = ("bpe", "attention", "seq2seq", "traj", "lesson", "lm")


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid size {text!r}; expected WIDTHxHEIGHT, e.g. 1400x900") from None
    if not (200 <= w <= 8000 and 200 <= h <= 8000):
        raise argparse.ArgumentTypeError(f"size {text!r} out of range (200..8000 per side)")
    return w, h


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tfviz", description="See how Transformers work.")
    parser.add_argument("--version", action="version", version=f"tfviz {__version__}")
    parser.add_argument("--panel", choices=PANELS, help="panel to open")
    parser.add_argument("--device", choices=DEVICES, help="compute device (default: auto)")
    parser.add_argument("--lang", choices=LANGS, help="UI language")
    parser.add_argument("--theme", choices=THEMES, help="colour theme")
    parser.add_argument("--lesson", metavar="ID", help="start playing this lesson (see `tfviz lesson list`)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    shot = sub.add_parser("shot", help="render panels offscreen to PNG")
    which = shot.add_mutually_exclusive_group(required=True)
    which.add_argument("--panel", dest="shot_panel", choices=PANELS + ("all",))
    which.add_argument("--lesson", dest="shot_lesson", metavar="ID",
                       help="render a lesson's steps (the panel and the explanation beside it)")
    shot.add_argument("--step", default="all", help="with --lesson: a step number (from 1) or 'all' (default)")
    shot.add_argument("--out", required=True, type=Path,
                      help="FILE.png, or a folder with --panel all / --lesson ID --step all")
    shot.add_argument("--lang", dest="shot_lang", choices=LANGS, default="en")
    shot.add_argument("--theme", dest="shot_theme", choices=THEMES, default="light")
    shot.add_argument("--size", type=_size, default=(1400, 900), help="WIDTHxHEIGHT (default 1400x900)")
    shot.set_defaults(func=_run_shot)

    for name in COMMAND_MODULES:
        if importlib.util.find_spec(f"tfviz.commands.{name}") is None:
            continue
        importlib.import_module(f"tfviz.commands.{name}").register(sub)
    return parser


def _run_shot(args: argparse.Namespace) -> int:
    if args.shot_lesson is not None:
        return _run_lesson_shot(args)
    from tfviz.gui.app import shot, shot_targets
    from tfviz.gui.panels import available_panels

    have = available_panels()
    panels = have if args.shot_panel == "all" else [args.shot_panel]
    missing = [p for p in panels if p not in have]
    if missing:
        print(f"tfviz shot: panel {missing[0]!r} is not in this version; available: {', '.join(have)}",
              file=sys.stderr)
        return 2
    try:
        shot_targets(panels, args.out)  # before any window is built
    except (ValueError, OSError) as exc:
        print(f"tfviz shot: {exc}", file=sys.stderr)
        return 2
    files = shot(panels, args.out, lang=args.shot_lang, theme=args.shot_theme, size=args.size)
    for f in files:
        print(f)
    return 0


def _run_lesson_shot(args: argparse.Namespace) -> int:
    from tfviz.core.lessons.model import LessonError
    from tfviz.gui.lessons.shot import shot_lesson

    size = args.size if args.size != (1400, 900) else (1600, 900)  # room for the lesson pane
    try:
        files = shot_lesson(args.shot_lesson, args.step, args.out, lang=args.shot_lang,
                            theme=args.shot_theme, size=size)
    except (LessonError, ValueError, OSError) as exc:
        print(f"tfviz shot: {exc}", file=sys.stderr)
        return 2
    for f in files:
        print(f)
    return 0


def bad_argument(argv: list[str]) -> str | None:
    """A one-line complaint about an argument that is not valid UTF-8, or ``None``.

    Python hands undecodable bytes over as lone surrogates (``\\udcff`` for byte 0xFF); any
    later ``encode`` would fail with a traceback, so they are refused up front.

    >>> bad_argument(["bpe", "encode", "abc\\udcff"])
    'argument 3 is not valid UTF-8 (byte 0xFF at character 4)'
    >>> bad_argument(["bpe", "encode", "我爱 NLP"]) is None
    True
    """
    for n, arg in enumerate(argv, start=1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError as exc:
            ch = ord(arg[exc.start])
            what = f"byte 0x{ch - 0xDC00:02X}" if 0xDC80 <= ch <= 0xDCFF else f"lone surrogate U+{ch:04X}"
            return f"argument {n} is not valid UTF-8 ({what} at character {exc.start + 1})"
    return None


def main(argv: list[str] | None = None) -> int:
    """Run ``tfviz``. Ctrl+C ends any command with exit status 130 and one line on stderr;
    files are written atomically, so an interrupted save leaves no partial file."""
    argv = sys.argv[1:] if argv is None else list(argv)
    problem = bad_argument(argv)
    if problem:
        print(f"tfviz: {problem}", file=sys.stderr)
        return 2
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.command is None:
            from tfviz.gui.app import run_gui

            return run_gui(panel=args.panel, device=args.device, lang=args.lang, theme=args.theme,
                           lesson=args.lesson)
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("tfviz: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `tfviz ... | head`: the reader left; not an error of ours
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
