"""Playing a lesson: for each step, open its panel, restore its state, show its explanation.

The controller drives the main window through a small interface (``panel_names``,
``show_panel(name)``, ``panel(name)``, ``current_name()``) and owns the dock that holds the
:class:`~tfviz.gui.lessons.pane.LessonPane`. The panel stays fully interactive; "Back to the
step" restores the step's state again. A step whose panel is missing, or whose state cannot be
fully restored (an unfetched model), says so in the pane and the lesson goes on.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDockWidget

from tfviz.core.lessons.check import step_excerpt
from tfviz.core.lessons.excerpts import ExcerptError
from tfviz.core.lessons.model import Lesson, Step, Text
from tfviz.gui.i18n import current_language, tr
from tfviz.gui.lessons import panel_states
from tfviz.gui.lessons.pane import LessonPane
from tfviz.gui.panels import panel_title

LIBRARY = "lessons"  # the Lessons panel itself: never a step's panel


class LessonController(QObject):
    step_changed = Signal(int)
    lesson_changed = Signal(object)  # the edited Lesson
    stopped = Signal()

    def __init__(self, window, ctx) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = ctx
        self.lesson: Lesson | None = None
        self.index = 0
        self.modified = False
        self.last_warnings: list[str] = []
        self.last_view = ""  # the last panel shown that is not the Lessons panel
        self.pane = LessonPane(ctx.theme)
        self.dock = QDockWidget()
        self.dock.setObjectName("lesson_dock")
        self.dock.setWidget(self.pane)
        self.dock.setAllowedAreas(Qt.LeftDockWidgetArea | Qt.RightDockWidgetArea)
        self.dock.setFeatures(QDockWidget.DockWidgetMovable)  # closed with the pane's Close button
        self.dock.hide()
        self.pane.previous_requested.connect(self.previous)
        self.pane.next_requested.connect(self.next)
        self.pane.reset_requested.connect(self.reset)
        self.pane.add_view_requested.connect(self.add_current_view)
        self.pane.close_requested.connect(self.stop)
        self.pane.language_changed.connect(self.refresh)
        ctx.theme_changed.connect(lambda: self.pane.set_theme(ctx.theme))
        self.retranslate()

    def retranslate(self) -> None:
        self.dock.setWindowTitle(tr("Lessons", "Lesson"))

    # playing ----------------------------------------------------------------
    @property
    def playing(self) -> bool:
        return self.lesson is not None

    def play(self, lesson: Lesson, index: int = 0) -> None:
        self.lesson = lesson
        self.modified = False
        self._show_dock()
        self.goto(index)

    def _show_dock(self) -> None:
        """Show the pane wide enough for a code excerpt (about a third of the window)."""
        if not self.dock.isVisible():
            self.dock.show()
            width = max(380, int(self.window.width() * 0.36))
            self.window.resizeDocks([self.dock], [width], Qt.Horizontal)

    def resume(self, lesson: Lesson, index: int) -> None:
        """Show the pane at ``index`` without touching the panels (a restored workspace)."""
        self.lesson = lesson
        self.modified = False
        self.index = max(0, min(len(lesson.steps) - 1, index))
        self.last_warnings = []
        self._show_dock()
        self._show([])
        self.step_changed.emit(self.index)

    def goto(self, index: int) -> None:
        if self.lesson is None:
            return
        self.index = max(0, min(len(self.lesson.steps) - 1, index))
        self._apply()
        self.step_changed.emit(self.index)

    def next(self) -> None:
        if self.lesson is not None and self.index < len(self.lesson.steps) - 1:
            self.goto(self.index + 1)

    def previous(self) -> None:
        if self.lesson is not None and self.index > 0:
            self.goto(self.index - 1)

    def reset(self) -> None:
        """Back to the step: the panel as the step set it up, whatever the user changed since."""
        self.goto(self.index)

    def stop(self) -> None:
        self.lesson = None
        self.dock.hide()
        self.stopped.emit()

    @property
    def step(self) -> Step | None:
        return None if self.lesson is None else self.lesson.steps[self.index]

    def _apply(self) -> None:
        """Restore the step's panel state, then show the explanation with any notes."""
        step = self.step
        notes: list[str] = []
        name = step.panel
        if name in self.window.panel_names:
            self.window.show_panel(name)
            panel = self.window.panel(name)
            notes += panel_states.apply(panel, dict(step.state))
            if step.highlight is not None:
                panel_states.highlight(panel, dict(step.highlight))
        else:
            notes.append(tr("Lessons", "This step needs the {panel} panel, which this version of tfviz "
                                       "does not have; the explanation is shown without it.")
                         .format(panel=name))
        self.last_warnings = notes
        self._show(notes)

    def _show(self, notes: list[str]) -> None:
        step, lang = self.step, current_language.value
        try:
            excerpt = step_excerpt(step)
        except ExcerptError as exc:
            excerpt = None
            notes = notes + [tr("Lessons", "The code of this step cannot be shown: {error}").format(error=exc)]
        self.pane.show_step(self.lesson.title.get(lang), self.index, len(self.lesson.steps),
                            step.title.get(lang), step.text.get(lang), excerpt, notes)

    def refresh(self) -> None:
        """Show the current step again in the current language (the panel is left as it is)."""
        self.retranslate()
        if self.lesson is not None:
            self._show(self.last_warnings)

    # authoring --------------------------------------------------------------
    def note_panel_shown(self, name: str) -> None:
        if name != LIBRARY:
            self.last_view = name

    def view_to_capture(self) -> str:
        """The panel "this view" means: the current one, or the last one before the Lessons panel."""
        current = self.window.current_name()
        return current if current and current != LIBRARY else self.last_view

    def new_step_from_view(self) -> Step | None:
        name = self.view_to_capture()
        if not name:
            return None
        state = panel_states.capture(self.window.panel(name))
        state.pop("_error", None)
        title = panel_title(name)
        return Step(Text(title, title), Text(tr("Lessons", "Describe what to look at."),
                                             "说明这一步要看什么。"), state)

    def add_current_view(self) -> bool:
        """Insert the current view as a step after the current one (of the lesson being played)."""
        if self.lesson is None:
            return False
        step = self.new_step_from_view()
        if step is None:
            return False
        steps = list(self.lesson.steps)
        steps.insert(self.index + 1, step)
        self.set_lesson(replace(self.lesson, steps=tuple(steps)), self.index + 1)
        return True

    def set_lesson(self, lesson: Lesson, index: int | None = None) -> None:
        """Replace the lesson being played by an edited version (marks it modified)."""
        self.lesson = lesson
        self.modified = True
        self.lesson_changed.emit(lesson)
        self._show_dock()
        self.goto(self.index if index is None else index)
