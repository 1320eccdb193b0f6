"""The window's workspace and lessons: what :class:`MainWindow` gets from issue 13.

:func:`install` adds, to a main window,

* the lesson dock and its controller (``ctx.lessons``), with Page Down / Page Up (what a
  presenter's clicker sends) for Next / Previous;
* File > Save workspace… / Open workspace… (``.tfviz.json``);
* the workspace kept between sessions: saved on exit (:func:`save_on_exit`), restored at the
  next start. A panel's saved state is applied when the panel is first opened, so starting the
  app does not build every panel; states of panels not opened in a session are kept.

The workspace file lives next to the settings file (``TFVIZ_SETTINGS`` moves both), so tests
and ``tfviz shot`` never read or write the user's.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox

from tfviz.core import workspace as wsfile
from tfviz.core.lessons.model import LessonError
from tfviz.core.lessons.states import PANEL_FIELDS
from tfviz.gui.i18n import tr
from tfviz.gui.lessons import panel_states
from tfviz.gui.lessons.controller import LessonController

log = logging.getLogger(__name__)


def workspace_path(settings) -> Path | None:
    """The workspace kept between sessions, beside the settings file (None: no settings)."""
    if settings is None:
        return None
    return Path(settings.fileName()).with_name("last-workspace.tfviz.json")


class WorkspaceKeeper(QObject):
    """Pending panel states, applied when each panel is first created."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.pending: dict[str, dict] = {}
        self.warnings: list[str] = []

    def capture(self) -> wsfile.Workspace:
        panels = dict(self.pending)
        for name, panel in self.window.panels.items():
            if name in PANEL_FIELDS:
                state = panel_states.capture(panel)
                state.pop("_error", None)
                panels[name] = state
        c = self.window.ctx.lessons
        lesson = {"id": c.lesson.id, "step": c.index} if c.lesson is not None and not c.modified else None
        return wsfile.Workspace(self.window.current_name() or None, panels, lesson)

    def restore(self, ws: wsfile.Workspace) -> list[str]:
        """Apply ``ws``: states of open panels now, the others when they open. The warnings."""
        warnings: list[str] = []
        self.pending = {}
        for name, state in ws.panels.items():
            if name not in self.window.panel_names:
                warnings.append(tr("Lessons", "The workspace has a state for the {panel} panel, which "
                                              "this version does not have.").format(panel=name))
            elif name in self.window.panels:
                warnings += panel_states.apply(self.window.panels[name], state)
            else:
                self.pending[name] = state
        if ws.current in self.window.panel_names:
            self.window.show_panel(ws.current)
        if ws.lesson is not None:
            from tfviz.core.lessons.store import find_lesson

            try:
                self.window.ctx.lessons.resume(find_lesson(ws.lesson["id"]), ws.lesson["step"])
            except LessonError as exc:
                warnings.append(str(exc))
        return warnings

    def on_panel_shown(self) -> None:
        name = self.window.current_name()
        self.window.ctx.lessons.note_panel_shown(name)
        state = self.pending.pop(name, None)
        if state is not None and name in self.window.panels:
            for w in panel_states.apply(self.window.panels[name], state):
                self.window.ctx.notify(w)


def _action(window, text_fn, slot, shortcut=None) -> QAction:
    act = QAction(window)
    act.triggered.connect(lambda _=False: slot())
    if shortcut is not None:
        act.setShortcut(QKeySequence(shortcut))
        act.setShortcutContext(Qt.WindowShortcut)
    act._text_fn = text_fn  # re-read on a language switch (see retranslate)
    window.addAction(act)
    return act


class _SaveOnClose(QObject):
    """Writes the workspace when the window is about to close, while its panels still live."""

    def eventFilter(self, obj, event):  # noqa: N802
        if obj is self.parent() and event.type() == QEvent.Close:
            save_on_exit(obj)
        return False


def install(window) -> LessonController:
    """Add the lesson dock, the workspace actions and the saved workspace to ``window``.

    :func:`tfviz.gui.app.build_window` calls it for every window; the workspace is then saved
    when the window closes.
    """
    ctx = window.ctx
    controller = LessonController(window, ctx)
    ctx.lessons = controller
    window.addDockWidget(Qt.RightDockWidgetArea, controller.dock)
    keeper = WorkspaceKeeper(window)
    window.workspace = keeper
    window.act_lesson_next = _action(window, lambda: tr("Lessons", "Next lesson step"),
                                     controller.next, Qt.Key_PageDown)
    window.act_lesson_prev = _action(window, lambda: tr("Lessons", "Previous lesson step"),
                                     controller.previous, Qt.Key_PageUp)
    window.act_save_workspace = _action(window, lambda: tr("Lessons", "Save workspace…"),
                                        lambda: save_workspace_dialog(window))
    window.act_open_workspace = _action(window, lambda: tr("Lessons", "Open workspace…"),
                                        lambda: open_workspace_dialog(window))
    menu = getattr(window, "menu_file", None)
    if menu is not None:
        first = menu.actions()[0] if menu.actions() else None
        menu.insertAction(first, window.act_open_workspace)
        menu.insertAction(first, window.act_save_workspace)
        menu.insertSeparator(first)
    go = getattr(window, "menu_go", None)
    if go is not None:
        go.addSeparator()
        go.addAction(window.act_lesson_prev)
        go.addAction(window.act_lesson_next)
    retranslate(window)
    controller.pane.language_changed.connect(lambda: retranslate(window))
    window.nav.currentRowChanged.connect(lambda _row: keeper.on_panel_shown())
    path = workspace_path(window.settings)
    if path is not None:
        ws, warnings = wsfile.read_workspace(path)
        warnings += keeper.restore(ws)
        for w in warnings:
            log.warning(w)
            ctx.notify(w)
    keeper.on_panel_shown()
    window._save_on_close = _SaveOnClose(window)
    window.installEventFilter(window._save_on_close)
    window._saves_workspace_itself = True
    return controller


def retranslate(window) -> None:
    for act in (window.act_lesson_next, window.act_lesson_prev, window.act_save_workspace,
                window.act_open_workspace):
        act.setText(act._text_fn())
    window.ctx.lessons.retranslate()


def save_on_exit(window) -> None:
    """Write the workspace kept between sessions (nothing when the window has no settings)."""
    path = workspace_path(window.settings)
    keeper = getattr(window, "workspace", None)
    if path is None or keeper is None:
        return
    try:
        wsfile.save_workspace(keeper.capture(), path)
    except OSError as exc:  # never block quitting
        log.warning("could not save the workspace to %s: %s", path, exc)


def save_workspace_to(window, path: str) -> Path:
    return wsfile.save_workspace(window.workspace.capture(), path)


def open_workspace_from(window, path: str) -> list[str]:
    ws, warnings = wsfile.read_workspace(path)
    return warnings + window.workspace.restore(ws)


def save_workspace_dialog(window) -> None:
    path, _ = QFileDialog.getSaveFileName(window, tr("Lessons", "Save workspace"), "class.tfviz.json",
                                          tr("Lessons", "tfviz workspaces (*.tfviz.json)"))
    if not path:
        return
    if not path.endswith(wsfile.SUFFIX):
        path += wsfile.SUFFIX
    try:
        save_workspace_to(window, path)
    except OSError as exc:
        QMessageBox.warning(window, tr("Lessons", "Cannot save the workspace"), str(exc))
        return
    window.ctx.notify(tr("Lessons", "Workspace saved to {path}").format(path=path))


def open_workspace_dialog(window) -> None:
    path, _ = QFileDialog.getOpenFileName(window, tr("Lessons", "Open workspace"), "",
                                          tr("Lessons", "tfviz workspaces (*.tfviz.json);;JSON (*.json)"))
    if not path:
        return
    warnings = open_workspace_from(window, path)
    if warnings:
        QMessageBox.information(window, tr("Lessons", "Workspace opened with warnings"), "\n".join(warnings))
