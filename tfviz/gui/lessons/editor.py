"""Dialogs of the lesson editor: one step (titles, texts, code excerpt), the lesson's details."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from tfviz.core.lessons.model import CodeRef, Lesson, Step, Text
from tfviz.core.lessons.schema import Problem, validate
from tfviz.gui.i18n import tr


def _problems_of(lesson_dict: dict) -> list[Problem]:
    return validate(lesson_dict)


class StepDialog(QDialog):
    """Edit the texts and the code excerpt of one step; the panel state is kept as captured."""

    def __init__(self, step: Step, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("LessonEditor", "Edit step"))
        self.step = step
        self.title_en = QLineEdit(step.title.en)
        self.title_zh = QLineEdit(step.title.zh)
        self.text_en = QPlainTextEdit(step.text.en)
        self.text_zh = QPlainTextEdit(step.text.zh)
        code = step.code
        self.module = QLineEdit(code.module if code else "")
        self.module.setPlaceholderText("tfviz.core.attention")
        self.object = QLineEdit((code.object or "") if code else "")
        self.object.setPlaceholderText("scaled_dot_product")
        self.lines = QPlainTextEdit("\n".join(code.lines) if code else "")
        self.lines.setPlaceholderText(tr("LessonEditor", "one snippet per line, e.g. scores = q @ k"))
        self.lines.setMaximumHeight(80)
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setObjectName("step_dialog_problems")
        form = QFormLayout()
        form.addRow(tr("LessonEditor", "Title (English)"), self.title_en)
        form.addRow(tr("LessonEditor", "Title (Chinese)"), self.title_zh)
        form.addRow(tr("LessonEditor", "Explanation (English, Markdown)"), self.text_en)
        form.addRow(tr("LessonEditor", "Explanation (Chinese, Markdown)"), self.text_zh)
        form.addRow(tr("LessonEditor", "Code: module"), self.module)
        form.addRow(tr("LessonEditor", "Code: function or class"), self.object)
        form.addRow(tr("LessonEditor", "Code: lines to highlight"), self.lines)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.problems)
        lay.addWidget(buttons)
        self.resize(720, 620)

    def result_step(self) -> Step:
        module, obj = self.module.text().strip(), self.object.text().strip()
        lines = tuple(s.strip() for s in self.lines.toPlainText().splitlines() if s.strip())
        marker = self.step.code.marker if self.step.code and not obj else None  # kept as written
        code = CodeRef(module, None if marker else obj, marker, lines) if module else None
        return Step(Text(self.title_en.text().strip(), self.title_zh.text().strip()),
                    Text(self.text_en.toPlainText().strip(), self.text_zh.toPlainText().strip()),
                    dict(self.step.state), self.step.highlight, code)

    def check(self) -> list[str]:
        """Problems of the edited step, as the schema and the live excerpt check see them."""
        from tfviz.core.lessons.check import live_problems
        from tfviz.core.lessons.model import from_dict

        step = self.result_step()
        data = Lesson("draft", Text("x", "x"), (step,)).to_dict()
        problems = [p.message for p in _problems_of(data)]
        if not problems:
            problems = [p.message for p in live_problems(from_dict(data))]
        return problems

    def accept(self) -> None:
        problems = self.check()
        if problems:
            self.problems.setText("\n".join(problems))
            return
        super().accept()


class LessonDialog(QDialog):
    """The id, titles and summary of a lesson."""

    def __init__(self, lesson: Lesson, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("LessonEditor", "Lesson details"))
        self.lesson = lesson
        self.id = QLineEdit(lesson.id)
        self.title_en = QLineEdit(lesson.title.en)
        self.title_zh = QLineEdit(lesson.title.zh)
        self.summary_en = QLineEdit(lesson.summary.en if lesson.summary else "")
        self.summary_zh = QLineEdit(lesson.summary.zh if lesson.summary else "")
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        form = QFormLayout()
        form.addRow(tr("LessonEditor", "Id (file name)"), self.id)
        form.addRow(tr("LessonEditor", "Title (English)"), self.title_en)
        form.addRow(tr("LessonEditor", "Title (Chinese)"), self.title_zh)
        form.addRow(tr("LessonEditor", "Summary (English)"), self.summary_en)
        form.addRow(tr("LessonEditor", "Summary (Chinese)"), self.summary_zh)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.problems)
        lay.addWidget(buttons)

    def result_lesson(self) -> Lesson:
        from dataclasses import replace

        en, zh = self.summary_en.text().strip(), self.summary_zh.text().strip()
        return replace(self.lesson, id=self.id.text().strip(),
                       title=Text(self.title_en.text().strip(), self.title_zh.text().strip()),
                       summary=Text(en, zh) if en or zh else None)

    def accept(self) -> None:
        problems = [str(p) for p in validate(self.result_lesson().to_dict()) if p.step is None]
        if problems:
            self.problems.setText("\n".join(problems))
            return
        super().accept()
