"""The explanation of the current step, shown beside the live panel.

Title, "Step 3 of 8", the Markdown text in the UI language, a note when something is missing,
the code excerpt, and the buttons. It only displays; :mod:`controller` decides what to show.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from tfviz.core.lessons.excerpts import Excerpt
from tfviz.gui.i18n import tr
from tfviz.gui.lessons.code_view import CodeView
from tfviz.gui.theme import Theme


class LessonPane(QWidget):
    previous_requested = Signal()
    next_requested = Signal()
    reset_requested = Signal()  # "back to the step": restore the step's state again
    add_view_requested = Signal()  # authoring: add the current view as a new step
    close_requested = Signal()
    language_changed = Signal()

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lesson_pane")
        self.lesson_title = QLabel()
        self.lesson_title.setObjectName("lesson_title")
        self.lesson_title.setWordWrap(True)
        self.progress = QLabel()
        self.progress.setObjectName("lesson_progress")
        self.step_title = QLabel()
        self.step_title.setObjectName("lesson_step_title")
        self.step_title.setWordWrap(True)
        self._scale_fonts()
        self.text = QTextBrowser()
        self.text.setObjectName("lesson_text")
        self.text.setOpenExternalLinks(False)
        self.note = QLabel()
        self.note.setObjectName("lesson_note")
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.RichText)
        self.note.hide()
        self.code = CodeView(theme)
        self.split = QSplitter(Qt.Vertical)
        self.split.addWidget(self.text)
        self.split.addWidget(self.code)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        self.split.setChildrenCollapsible(False)

        self.prev_btn = QPushButton()
        self.next_btn = QPushButton()
        self.reset_btn = QPushButton()
        self.add_btn = QPushButton()
        self.close_btn = QPushButton()
        for b, sig in ((self.prev_btn, self.previous_requested), (self.next_btn, self.next_requested),
                       (self.reset_btn, self.reset_requested), (self.add_btn, self.add_view_requested),
                       (self.close_btn, self.close_requested)):
            b.setFocusPolicy(Qt.NoFocus)  # Page Up / Down stay with the window
            b.clicked.connect(sig.emit)
        self.prev_btn.setObjectName("lesson_previous")
        self.next_btn.setObjectName("lesson_next")
        self.reset_btn.setObjectName("lesson_reset")
        self.add_btn.setObjectName("lesson_add_view")
        nav = QHBoxLayout()
        nav.addWidget(self.prev_btn)
        nav.addWidget(self.next_btn, 1)
        tools = QHBoxLayout()
        tools.addWidget(self.reset_btn)
        tools.addWidget(self.add_btn)
        tools.addStretch(1)
        tools.addWidget(self.close_btn)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.addWidget(self.lesson_title)
        lay.addWidget(self.progress)
        lay.addWidget(self.step_title)
        lay.addWidget(self.note)
        lay.addWidget(self.split, 1)
        lay.addLayout(nav)
        lay.addLayout(tools)
        self.retranslate()

    def retranslate(self) -> None:
        self.prev_btn.setText(tr("Lessons", "◀ Previous"))
        self.next_btn.setText(tr("Lessons", "Next ▶"))
        self.prev_btn.setToolTip(tr("Lessons", "Previous step (Page Up)"))
        self.next_btn.setToolTip(tr("Lessons", "Next step (Page Down)"))
        self.reset_btn.setText(tr("Lessons", "Back to the step"))
        self.reset_btn.setToolTip(tr("Lessons", "Show the panel again as this step set it up"))
        self.add_btn.setText(tr("Lessons", "Add this view as a step"))
        self.close_btn.setText(tr("Lessons", "Close"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.LanguageChange:
            self.retranslate()
            self.language_changed.emit()
        super().changeEvent(event)

    def show_step(self, lesson_title: str, index: int, count: int, step_title: str, markdown: str,
                  excerpt: Excerpt | None, notes: list[str]) -> None:
        self.lesson_title.setText(lesson_title)
        self.progress.setText(tr("Lessons", "Step {n} of {count}").format(n=index + 1, count=count))
        self.step_title.setText(step_title)
        self.text.setMarkdown(markdown)
        self.note.setVisible(bool(notes))
        self.note.setText("<br>".join(f"⚠ {html.escape(n)}" for n in notes))
        self.code.setVisible(excerpt is not None)
        self.code.show_excerpt(excerpt)
        self.prev_btn.setEnabled(index > 0)
        self.next_btn.setEnabled(index < count - 1)

    def _scale_fonts(self) -> None:
        """The step title a size above the application font (which presenter mode enlarges)."""
        from PySide6.QtWidgets import QApplication

        font = QApplication.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.step_title.setFont(font)

    def set_theme(self, theme: Theme) -> None:
        """A new theme or presenter mode: colours of the code, sizes of the fonts set here."""
        self._scale_fonts()
        self.code.set_theme(theme)
