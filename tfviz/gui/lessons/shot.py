"""``tfviz shot --lesson ID --step N|all``: a lesson's steps as images, one per step.

Each image is the whole window: the panel as the step sets it up, with the lesson pane
(explanation and code) beside it. A teacher can turn a lesson into slides this way.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from tfviz.core.io import atomic_write, check_writable
from tfviz.core.lessons.store import find_lesson


def lesson_targets(lesson_id: str, n_steps: int, step: str, out: Path) -> dict[int, Path]:
    """Step index (0-based) -> file. ``step`` is "all" or a 1-based number. Raises ValueError."""
    from tfviz.gui.app import SHOT_FORMATS

    out = Path(out)
    if step == "all":
        if out.suffix.lower() in SHOT_FORMATS and not out.is_dir():
            raise ValueError(f"--step all writes {n_steps} images; --out {out} must be a folder")
        targets = {i: out / f"{lesson_id}-{i + 1:02d}.png" for i in range(n_steps)}
    else:
        try:
            n = int(step)
        except ValueError:
            raise ValueError(f"--step {step!r}: give a step number (1..{n_steps}) or 'all'") from None
        if not 1 <= n <= n_steps:
            raise ValueError(f"--step {n}: lesson {lesson_id!r} has steps 1..{n_steps}")
        suffix = out.suffix.lower()
        if out.is_dir() or not suffix:
            out = out / f"{lesson_id}-{n:02d}.png"
        elif suffix not in SHOT_FORMATS:
            raise ValueError(f"--out {out}: unknown image format {suffix!r}; use .png, .jpg or a folder")
        targets = {n - 1: out}
    for target in targets.values():
        check_writable(target)
    return targets


def shot_lesson(lesson_id: str, step: str, out: Path, lang: str = "en", theme: str = "light",
                size: tuple[int, int] = (1600, 900)) -> list[Path]:
    """Render the chosen steps; return the files written. Raises LessonError / ValueError."""
    lesson = find_lesson(lesson_id)
    targets = lesson_targets(lesson.id, len(lesson.steps), step, out)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings

    from tfviz.gui.app import SHOT_FORMATS, _qapp, build_window
    from tfviz.gui.i18n import current_language, set_language
    from tfviz.gui.lessons.panel_states import settle

    app = _qapp()
    language_before = current_language.value
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "shot.ini"), QSettings.IniFormat)
        first = lesson.steps[min(targets)].panel
        window = build_window(lang=lang, theme=theme, device="cpu", settings=settings,
                              panel=first if first else None)
        if not hasattr(window, "workspace"):
            from tfviz.gui.workspace import install

            install(window)
        window.resize(*size)
        window.show()
        controller = window.ctx.lessons
        try:
            for index, target in sorted(targets.items()):
                if controller.lesson is None:
                    controller.play(lesson, index)
                else:
                    controller.goto(index)
                panel = window.current_panel()
                if panel is not None and panel.name == lesson.steps[index].panel:
                    settle(panel)
                for _ in range(5):
                    app.processEvents()
                pixmap = window.grab()
                fmt = SHOT_FORMATS[target.suffix.lower()]

                def write(tmp_path: Path, pixmap=pixmap, fmt=fmt, target=target) -> None:
                    if not pixmap.save(str(tmp_path), fmt):
                        raise OSError(f"{target}: could not encode the image as {fmt}")

                target.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(target, write)
                written.append(target)
        finally:
            window.settings = None  # never persist shot state
            window.close()
            app.processEvents()
            # Leave the process as it was (a caller, or the next test, keeps its language and
            # does not inherit a closed window with live panels).
            window.deleteLater()
            from PySide6.QtCore import QCoreApplication, QEvent

            QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
            if current_language.value != language_before:
                set_language(language_before)
    return written
