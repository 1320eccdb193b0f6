"""Starting the GUI, and rendering panels offscreen for ``tfviz shot``."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import threading
from pathlib import Path

from tfviz.core.io import atomic_write, check_writable

log = logging.getLogger(__name__)

# Closing the window waits this long for the background jobs to stop. A job still inside a
# long stretch of core work between two records (a model build, a validation pass) cannot be
# interrupted, and Qt aborts the process if its thread is destroyed while it runs: the process
# then ends at once instead of waiting (issue 12: the process exits within 2 s).
CLOSE_WAIT_MS = 1500


def _qapp(argv: list[str] | None = None):
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
        app.setApplicationName("tfviz")
        app.setOrganizationName("tfviz")
    from tfviz.gui.fonts import ensure_cjk_font

    ensure_cjk_font()
    return app


def _resolve_device_quietly(choice: str) -> tuple[str, str | None]:
    """Resolve a device choice; on failure fall back to the CPU and return a warning."""
    from tfviz.core.device import DeviceError, resolve

    try:
        return resolve(choice), None
    except DeviceError as exc:
        return "cpu", f"{exc}; using the CPU"


def build_window(lang: str | None = None, theme: str | None = None, device: str | None = None,
                 panel: str | None = None, settings=None, resolve_now: bool = False):
    """Create the context and main window (the app must exist). Used by the GUI, shot and tests."""
    from tfviz.gui.context import AppContext
    from tfviz.gui.i18n import set_language
    from tfviz.gui.mainwindow import MainWindow
    from tfviz.gui.settings import Prefs, load_prefs, open_settings
    from tfviz.gui.theme import apply_palette

    from PySide6.QtWidgets import QApplication

    if settings is None:
        settings = open_settings()
    prefs = load_prefs(settings) if settings is not None else Prefs()
    prefs.language = lang or prefs.language
    prefs.theme = theme or prefs.theme
    prefs.device = device or prefs.device
    prefs.panel = panel or prefs.panel
    set_language(prefs.language)
    # Resolving "auto" imports torch (about a second): do it after the first paint unless asked.
    concrete = "cpu" if prefs.device == "cpu" else "…"
    warning = None
    if resolve_now or prefs.device not in ("auto", "cpu"):
        concrete, warning = _resolve_device_quietly(prefs.device)
    ctx = AppContext(device=concrete, theme=prefs.theme)
    apply_palette(QApplication.instance(), ctx.theme)
    window = MainWindow(ctx, prefs, settings, device_choice=prefs.device)
    if warning:
        ctx.notify(warning)
    if concrete == "…":
        # after the first paint: importing torch holds the GIL for seconds
        from PySide6.QtCore import QTimer

        QTimer.singleShot(300, lambda: _resolve_in_background(ctx, prefs.device))
    from tfviz.gui.workspace import install

    install(window)  # lesson dock, File > Save / Open workspace, the workspace kept between sessions
    return window


def _resolve_in_background(ctx, choice: str) -> None:
    """Import torch and pick the device off the UI thread, then tell the context."""

    def work():
        return _resolve_device_quietly(choice)

    def done(result):
        device, warning = result
        ctx.set_device(device)
        if warning:
            ctx.notify(warning)

    ctx.jobs.run_call(work, on_done=done, name="resolve-device")


def run_gui(panel: str | None, device: str | None, lang: str | None, theme: str | None,
            lesson: str | None = None) -> int:
    from tfviz.syscheck import check_gui_libraries

    start_lesson = None
    if lesson is not None:  # a wrong id is refused before any window opens
        from tfviz.core.lessons.model import LessonError
        from tfviz.core.lessons.store import find_lesson

        try:
            start_lesson = find_lesson(lesson)
        except LessonError as exc:
            print(f"tfviz: {exc}", file=sys.stderr)
            return 2
    problem = check_gui_libraries()  # before Qt loads its X11 plugin and aborts
    if problem:
        print(problem, file=sys.stderr)
        return 3
    app = _qapp()
    window = build_window(lang=lang, theme=theme, device=device, panel=panel)
    window.close_timeout_ms = CLOSE_WAIT_MS
    window.show()
    if start_lesson is not None:
        window.ctx.lessons.play(start_lesson, 0)
    if os.environ.get("TFVIZ_EXIT_AFTER_PAINT"):
        _quit_after_first_paint(app, window)
    code = app.exec()
    if window.stuck_jobs:  # still computing after CLOSE_WAIT_MS: end now (settings are saved)
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(int(code))
    return int(code)


def _quit_after_first_paint(app, window) -> None:
    """For benchmarks/bench_startup.py: print a marker and quit once the window has painted."""
    import time

    from PySide6.QtCore import QEvent, QObject, QTimer

    class _Watcher(QObject):
        def eventFilter(self, obj, event):  # noqa: N802
            if event.type() == QEvent.Paint:
                print(f"TFVIZ_PAINTED {time.time():.6f}", flush=True)
                obj.removeEventFilter(self)
                QTimer.singleShot(0, app.quit)
            return False

    window._paint_watcher = _Watcher(window)
    window.centralWidget().installEventFilter(window._paint_watcher)


def shot(panels: list[str], out: Path, lang: str = "en", theme: str = "light",
         size: tuple[int, int] = (1400, 900)) -> list[Path]:
    """Render each panel offscreen to a PNG (or JPEG); return the files written.

    The targets are checked (:func:`shot_targets`) before the window is built.
    """
    targets = shot_targets(panels, out)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = _qapp()
    from PySide6.QtCore import QSettings

    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "shot.ini"), QSettings.IniFormat)
        window = build_window(lang=lang, theme=theme, device="cpu", panel=panels[0], settings=settings)
        window.resize(*size)
        window.show()
        written = []
        try:
            for name in panels:
                window.show_panel(name)
                app.processEvents()
                window.panel(name).prepare_shot()
                for _ in range(5):
                    app.processEvents()
                target = targets[name]
                pixmap = window.grab()
                fmt = SHOT_FORMATS[target.suffix.lower()]

                def write(tmp: Path, pixmap=pixmap, fmt=fmt, target=target) -> None:
                    if not pixmap.save(str(tmp), fmt):
                        raise OSError(f"{target}: could not encode the screenshot as {fmt}")

                atomic_write(target, write)
                written.append(target)
        finally:
            window.settings = None  # never persist shot state
            window.close()
            app.processEvents()
    return written


SHOT_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}


def shot_targets(panels: list[str], out: Path) -> dict[str, Path]:
    """Where each panel's screenshot goes, checked before any rendering.

    ``out`` with an image suffix (.png, .jpg, .jpeg) is one file (one panel only); without a
    suffix, or an existing folder, it is a folder receiving ``<panel>.png``. Any other suffix is
    refused (never a folder named ``x.gif``). Raises ``ValueError`` or
    :class:`tfviz.core.io.WriteError` with one line to show.
    """
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix and not out.is_dir():
        if suffix not in SHOT_FORMATS:
            raise ValueError(f"--out {out}: unknown image format {suffix!r}; use .png, .jpg or a folder")
        if len(panels) != 1:
            raise ValueError(f"--out {out} is one file; {len(panels)} panels need an output folder (--out FOLDER)")
        targets = {panels[0]: out}
    else:
        targets = {name: out / f"{name}.png" for name in panels}
    for target in targets.values():
        check_writable(target)
    return targets


def preload_torch_in_background() -> threading.Thread:
    """Start importing torch in a daemon thread (models load faster once the user asks)."""
    t = threading.Thread(target=lambda: __import__("torch"), name="preload-torch", daemon=True)
    t.start()
    return t
