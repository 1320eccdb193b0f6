"""The Lessons panel: every lesson, its steps, Play, and the authoring buttons.

Edits are made on a draft of the selected lesson; Save writes it to the user's lessons folder
(a bundled lesson edited and saved is shown as "yours" and can be reverted). Playing happens in
the lesson dock next to the live panel (:mod:`tfviz.gui.lessons.controller`).
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from tfviz.core.lessons import store
from tfviz.core.lessons.model import Lesson, LessonError, Text
from tfviz.gui.base import BasePanel
from tfviz.gui.context import AppContext
from tfviz.gui.i18n import current_language, tr
from tfviz.gui.lessons.editor import LessonDialog, StepDialog
from tfviz.gui.panels import panel_title


class Panel(BasePanel):
    name = "lessons"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.entries: list[store.Entry] = []
        self.drafts: dict[str, Lesson] = {}  # id -> edited, not yet saved
        self.current_id = ""
        self._build()
        self.reload()
        if self.controller is not None:
            self.controller.lesson_changed.connect(self._on_played_lesson_changed)
        self.retranslate()

    @property
    def controller(self):
        return getattr(self.ctx, "lessons", None)

    # layout -----------------------------------------------------------------
    def _build(self) -> None:
        self.list_label = QLabel()
        self.lesson_list = QListWidget()
        self.lesson_list.setObjectName("lesson_list")
        self.lesson_list.currentRowChanged.connect(self._on_lesson_row)
        self.lesson_list.itemDoubleClicked.connect(lambda _i: self.play())
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(6, 6, 6, 6)
        lv.addWidget(self.list_label)
        lv.addWidget(self.lesson_list, 1)

        self.lesson_title = QLabel()
        self.lesson_title.setObjectName("lesson_library_title")
        font = self.lesson_title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.lesson_title.setFont(font)
        self.lesson_title.setWordWrap(True)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setObjectName("lesson_library_status")
        self.step_list = QListWidget()
        self.step_list.setObjectName("lesson_steps")
        self.step_list.itemDoubleClicked.connect(lambda _i: self.play(self.step_list.currentRow()))

        self.play_btn = QPushButton()
        self.play_btn.setObjectName("lesson_play")
        self.play_from_btn = QPushButton()
        self.play_btn.clicked.connect(lambda: self.play(0))
        self.play_from_btn.clicked.connect(lambda: self.play(max(0, self.step_list.currentRow())))
        self.new_btn, self.details_btn = QPushButton(), QPushButton()
        self.add_btn, self.edit_btn, self.delete_btn = QPushButton(), QPushButton(), QPushButton()
        self.up_btn, self.down_btn = QPushButton(), QPushButton()
        self.save_btn, self.export_btn, self.import_btn = QPushButton(), QPushButton(), QPushButton()
        self.revert_btn = QPushButton()
        self.add_btn.setObjectName("lesson_add_step")
        self.save_btn.setObjectName("lesson_save")
        for btn, slot in ((self.new_btn, self.new_lesson), (self.details_btn, self.edit_details),
                          (self.add_btn, self.add_view), (self.edit_btn, self.edit_step),
                          (self.delete_btn, self.delete_step), (self.up_btn, lambda: self.move_step(-1)),
                          (self.down_btn, lambda: self.move_step(1)), (self.save_btn, self.save),
                          (self.export_btn, self.export_dialog), (self.import_btn, self.import_dialog),
                          (self.revert_btn, self.revert)):
            btn.clicked.connect(slot)
        play_row = QHBoxLayout()
        play_row.addWidget(self.play_btn)
        play_row.addWidget(self.play_from_btn)
        play_row.addStretch(1)
        grid = QGridLayout()
        for i, btn in enumerate((self.add_btn, self.edit_btn, self.delete_btn, self.up_btn, self.down_btn,
                                 self.new_btn, self.details_btn, self.save_btn, self.export_btn,
                                 self.import_btn, self.revert_btn)):
            grid.addWidget(btn, i // 5, i % 5)
        self.author_label = QLabel()
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(6, 6, 6, 6)
        rv.addWidget(self.lesson_title)
        rv.addWidget(self.summary)
        rv.addLayout(play_row)
        rv.addWidget(self.step_list, 1)
        rv.addWidget(self.author_label)
        rv.addLayout(grid)
        rv.addWidget(self.status)

        split = QSplitter(Qt.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setChildrenCollapsible(False)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(split)

    @staticmethod
    def guide_html() -> str:
        return tr("Lessons",
                  "<h3>Lessons</h3><p>Guided tours through the panels, one per topic of the study "
                  "note. Choose a lesson and press Play: each step opens a panel in a prepared "
                  "state and explains it beside the panel, with the code that computes it. Page "
                  "Down / Page Up (or a presenter's clicker) move between steps; the panel stays "
                  "interactive, and \"Back to the step\" sets it up again.</p><p>To write your "
                  "own: open any panel as you want it shown, then \"Add this view as a step\"; "
                  "edit the texts, reorder, save. Lessons are JSON files you can export and "
                  "share.</p>")

    def retranslate(self) -> None:
        self.list_label.setText(tr("Lessons", "Lessons"))
        self.play_btn.setText(tr("Lessons", "▶ Play"))
        self.play_from_btn.setText(tr("Lessons", "Play from the selected step"))
        self.author_label.setText(tr("Lessons", "Write your own:"))
        for btn, text in ((self.new_btn, tr("Lessons", "New lesson")),
                          (self.details_btn, tr("Lessons", "Title and id…")),
                          (self.add_btn, tr("Lessons", "Add this view as a step")),
                          (self.edit_btn, tr("Lessons", "Edit step…")),
                          (self.delete_btn, tr("Lessons", "Delete step")),
                          (self.up_btn, tr("Lessons", "Move up")),
                          (self.down_btn, tr("Lessons", "Move down")),
                          (self.save_btn, tr("Lessons", "Save")),
                          (self.export_btn, tr("Lessons", "Export…")),
                          (self.import_btn, tr("Lessons", "Import…")),
                          (self.revert_btn, tr("Lessons", "Revert to the bundled version"))):
            btn.setText(text)
        self.add_btn.setToolTip(tr("Lessons", "Capture the panel you showed last, as it is now, "
                                              "as a new step after the selected one"))
        self._fill_list()

    # data -------------------------------------------------------------------
    def reload(self, select: str | None = None) -> None:
        self.entries = store.list_lessons()
        self._fill_list(select)

    def lesson(self, lesson_id: str | None = None) -> Lesson | None:
        """The draft if edited, else the saved lesson."""
        lesson_id = lesson_id or self.current_id
        if lesson_id in self.drafts:
            return self.drafts[lesson_id]
        for e in self.entries:
            if e.id == lesson_id:
                return e.lesson
        return None

    def _entry(self, lesson_id: str) -> store.Entry | None:
        return next((e for e in self.entries if e.id == lesson_id), None)

    def _fill_list(self, select: str | None = None) -> None:
        lang = current_language.value
        select = select or self.current_id
        self.lesson_list.blockSignals(True)
        self.lesson_list.clear()
        ids = [e.id for e in self.entries] + [i for i in self.drafts if self._entry(i) is None]
        for n, lesson_id in enumerate(ids, start=1):
            e, lesson = self._entry(lesson_id), self.lesson(lesson_id)
            if lesson is None:
                text = tr("Lessons", "{id} (cannot be read)").format(id=lesson_id)
                tip = "\n".join(e.problems) if e else ""
            else:
                text = f"{n}. {lesson.title.get(lang)}"
                tip = lesson.summary.get(lang) if lesson.summary else ""
                if e is not None and e.source == "user":
                    text += "  " + tr("Lessons", "(yours)")
                if lesson_id in self.drafts:
                    text += "  " + tr("Lessons", "(unsaved)")
            item = QListWidgetItem(text)
            item.setData(Qt.UserRole, lesson_id)
            item.setToolTip(tip)
            if lesson is None:
                item.setForeground(self.palette().mid())
            self.lesson_list.addItem(item)
        self.lesson_list.blockSignals(False)
        row = ids.index(select) if select in ids else (0 if ids else -1)
        self.lesson_list.setCurrentRow(row)
        self._on_lesson_row(row)

    def _on_lesson_row(self, row: int) -> None:
        item = self.lesson_list.item(row) if row >= 0 else None
        self.current_id = item.data(Qt.UserRole) if item else ""
        self._show_lesson()

    def _show_lesson(self, step_row: int | None = None) -> None:
        lang = current_language.value
        lesson = self.lesson()
        keep = self.step_list.currentRow() if step_row is None else step_row
        self.step_list.clear()
        if lesson is None:
            e = self._entry(self.current_id)
            self.lesson_title.setText(self.current_id)
            self.summary.setText("\n".join(e.problems) if e else "")
        else:
            self.lesson_title.setText(lesson.title.get(lang))
            self.summary.setText(lesson.summary.get(lang) if lesson.summary else "")
            for i, step in enumerate(lesson.steps, start=1):
                where = panel_title(step.panel) if step.panel in self.ctx.panel_names else step.panel
                self.step_list.addItem(f"{i}. {step.title.get(lang)}   [{where}]")
            self.step_list.setCurrentRow(min(max(keep, 0), len(lesson.steps) - 1))
        e = self._entry(self.current_id)
        has = lesson is not None
        for btn in (self.play_btn, self.play_from_btn, self.details_btn, self.add_btn, self.edit_btn,
                    self.delete_btn, self.up_btn, self.down_btn, self.export_btn):
            btn.setEnabled(has)
        self.save_btn.setEnabled(self.current_id in self.drafts)
        self.revert_btn.setEnabled(bool(e and e.edited) or self.current_id in self.drafts)

    # playing ----------------------------------------------------------------
    def play(self, index: int = 0) -> bool:
        lesson = self.lesson()
        if lesson is None or self.controller is None:
            return False
        self.controller.play(lesson, index)
        return True

    def _on_played_lesson_changed(self, lesson: Lesson) -> None:
        """A step was added from the lesson dock: it is a draft of that lesson now."""
        self.drafts[lesson.id] = lesson
        self._fill_list(lesson.id)

    # authoring --------------------------------------------------------------
    def _edit(self, lesson: Lesson, step_row: int) -> None:
        """Keep ``lesson`` as the draft, and show it (in the dock too if it is being played)."""
        old_id = self.current_id
        if lesson.id != old_id:
            self.drafts.pop(old_id, None)
        self.drafts[lesson.id] = lesson
        self.current_id = lesson.id
        self._fill_list(lesson.id)
        self._show_lesson(step_row)
        c = self.controller
        if c is not None and c.lesson is not None and c.lesson.id in (old_id, lesson.id):
            c.lesson_changed.disconnect(self._on_played_lesson_changed)
            try:
                c.set_lesson(lesson, min(c.index, len(lesson.steps) - 1))
            finally:
                c.lesson_changed.connect(self._on_played_lesson_changed)

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.ctx.notify(text)

    def add_view(self) -> bool:
        lesson = self.lesson()
        step = self.controller.new_step_from_view() if self.controller is not None and lesson else None
        if step is None:
            self._say(tr("Lessons", "Open the panel you want to show first, then come back here."))
            return False
        row = self.step_list.currentRow() + 1
        steps = list(lesson.steps)
        steps.insert(row, step)
        self._edit(replace(lesson, steps=tuple(steps)), row)
        self._say(tr("Lessons", "Added the {panel} panel as step {n}.").format(
            panel=panel_title(step.panel), n=row + 1))
        return True

    def new_lesson(self) -> bool:
        step = self.controller.new_step_from_view() if self.controller is not None else None
        if step is None:
            self._say(tr("Lessons", "Open the panel you want to show first, then come back here."))
            return False
        taken = {e.id for e in self.entries} | set(self.drafts)
        n = 1
        while f"my-lesson-{n}" in taken:
            n += 1
        lesson = Lesson(f"my-lesson-{n}", Text(tr("Lessons", "My lesson"), "我的课程"), (step,))
        self.drafts[lesson.id] = lesson
        self.current_id = lesson.id
        self._fill_list(lesson.id)
        return True

    def edit_step(self, dialog_factory=StepDialog) -> bool:
        lesson, row = self.lesson(), self.step_list.currentRow()
        if lesson is None or row < 0:
            return False
        dialog = dialog_factory(lesson.steps[row], self)
        if not dialog.exec():
            return False
        steps = list(lesson.steps)
        steps[row] = dialog.result_step()
        self._edit(replace(lesson, steps=tuple(steps)), row)
        return True

    def edit_details(self, dialog_factory=LessonDialog) -> bool:
        lesson = self.lesson()
        if lesson is None:
            return False
        dialog = dialog_factory(lesson, self)
        if not dialog.exec():
            return False
        self._edit(dialog.result_lesson(), self.step_list.currentRow())
        return True

    def delete_step(self) -> bool:
        lesson, row = self.lesson(), self.step_list.currentRow()
        if lesson is None or row < 0:
            return False
        if len(lesson.steps) == 1:
            self._say(tr("Lessons", "A lesson needs at least one step."))
            return False
        steps = list(lesson.steps)
        del steps[row]
        self._edit(replace(lesson, steps=tuple(steps)), min(row, len(steps) - 1))
        return True

    def move_step(self, delta: int) -> bool:
        lesson, row = self.lesson(), self.step_list.currentRow()
        if lesson is None or not 0 <= row + delta < len(lesson.steps) or row < 0:
            return False
        steps = list(lesson.steps)
        steps[row], steps[row + delta] = steps[row + delta], steps[row]
        self._edit(replace(lesson, steps=tuple(steps)), row + delta)
        return True

    def save(self) -> bool:
        lesson = self.drafts.get(self.current_id)
        if lesson is None:
            return False
        try:
            path = store.save_user_lesson(lesson)
        except OSError as exc:
            QMessageBox.warning(self, tr("Lessons", "Cannot save the lesson"), str(exc))
            return False
        del self.drafts[lesson.id]
        if self.controller is not None and self.controller.lesson is not None \
                and self.controller.lesson.id == lesson.id:
            self.controller.modified = False
        self.reload(lesson.id)
        self._say(tr("Lessons", "Saved to {path}").format(path=path))
        return True

    def revert(self) -> bool:
        lesson_id = self.current_id
        self.drafts.pop(lesson_id, None)
        e = self._entry(lesson_id)
        if e is not None and e.edited:
            store.delete_user_lesson(lesson_id)
        self.reload(lesson_id)
        return True

    def export_to(self, path: str) -> bool:
        lesson = self.lesson()
        if lesson is None:
            return False
        try:
            store.export_lesson(lesson, path)
        except OSError as exc:
            QMessageBox.warning(self, tr("Lessons", "Cannot export the lesson"), str(exc))
            return False
        self._say(tr("Lessons", "Exported to {path}").format(path=path))
        return True

    def export_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("Lessons", "Export lesson"), f"{self.current_id}.json",
                                              tr("Lessons", "Lessons (*.json)"))
        if path:
            self.export_to(path)

    def import_from(self, path: str) -> bool:
        try:
            lesson = store.import_lesson(path)
        except LessonError as exc:
            QMessageBox.warning(self, tr("Lessons", "Cannot import the lesson"), "\n".join(exc.problems))
            return False
        except OSError as exc:
            QMessageBox.warning(self, tr("Lessons", "Cannot import the lesson"), str(exc))
            return False
        self.reload(lesson.id)
        self._say(tr("Lessons", "Imported {title}").format(title=lesson.title.get(current_language.value)))
        return True

    def import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Lessons", "Import lesson"), "",
                                              tr("Lessons", "Lessons (*.json)"))
        if path:
            self.import_from(path)

    def open_path(self, path: str) -> bool:
        """A dropped lesson file is imported."""
        return path.lower().endswith(".json") and self.import_from(path)

    def prepare_shot(self) -> None:
        self.reload("masks")
