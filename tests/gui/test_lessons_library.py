"""The Lessons panel as a teacher uses it: play, add a view, edit, reorder, save, reopen,
export, import, revert."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from tfviz.core.lessons import store


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TFVIZ_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def window(main_window):
    if not hasattr(main_window, "workspace"):
        from tfviz.gui.workspace import install

        install(main_window)
    return main_window


@pytest.fixture
def library(window, qtbot):
    if "lessons" in window.panel_names:
        window.show_panel("lessons")
        return window.panel("lessons")
    from tfviz.gui.panels.lessons import Panel

    panel = Panel(window.ctx)
    qtbot.addWidget(panel)
    panel.show()
    return panel


def _select(library, lesson_id: str, step_row: int = 0) -> None:
    library.reload(lesson_id)
    library.step_list.setCurrentRow(step_row)


def _answer_dialog(fill) -> None:
    """Fill the modal dialog that is about to open, then press OK."""
    def act():
        dialog = QApplication.activeModalWidget()
        assert dialog is not None
        fill(dialog)
        dialog.accept()
    QTimer.singleShot(0, act)


def test_lists_the_eleven_lessons_and_plays_one(library, window):
    assert library.lesson_list.count() == 11
    assert library.lesson_list.item(4).text() == "5. Trajectory prediction with Transformers"
    _select(library, "family", 2)
    library.play_from_btn.click()
    c = window.ctx.lessons
    assert c.lesson.id == "family" and c.index == 2 and c.dock.isVisible()


def test_edit_reorder_save_and_reopen(library, window, qtbot):
    _select(library, "masks", 1)
    _answer_dialog(lambda d: (d.title_en.setText("Padding, edited"), d.title_zh.setText("填充（改）")))
    assert library.edit_step()
    assert library.lesson().steps[1].title.en == "Padding, edited"
    assert "(unsaved)" in library.lesson_list.currentItem().text()
    assert library.move_step(-1)  # now the first step
    assert library.lesson().steps[0].title.en == "Padding, edited"
    library.step_list.setCurrentRow(6)
    assert library.delete_step()
    assert len(library.lesson().steps) == 6
    assert library.save()
    saved = json.loads((store.user_lessons_dir() / "masks.json").read_text(encoding="utf-8"))
    assert saved["steps"][0]["title"]["zh"] == "填充（改）" and len(saved["steps"]) == 6

    # a new Lessons panel (the app started again) reads the teacher's version
    from tfviz.gui.panels.lessons import Panel

    again = Panel(window.ctx)
    qtbot.addWidget(again)
    again.reload("masks")
    assert "(yours)" in again.lesson_list.currentItem().text()
    assert again.lesson().steps[0].title.en == "Padding, edited"
    assert again.revert()
    assert again.lesson() == store.bundled_lesson("masks")


def test_a_step_with_a_wrong_code_reference_is_refused(library):
    _select(library, "bpe", 1)
    seen = {}

    def fill(d):
        d.object.setText("no_such_function")
        problems = d.check()
        seen["problems"] = problems
        d.object.setText("naive_merges")  # fixed before OK

    _answer_dialog(fill)
    assert library.edit_step()
    assert seen["problems"] == ["code: tfviz.core.bpe.naive has no function or class named 'no_such_function'"]


def test_add_this_view_and_new_lesson(library, window):
    window.show_panel("overview")
    window.panel("overview").select_entry("elmo")
    _select(library, "family", 0)
    assert library.add_view()
    step = library.lesson().steps[1]
    assert step.panel == "overview" and step.state["selected"] == "elmo"
    assert library.new_lesson()
    assert library.current_id == "my-lesson-1" and len(library.lesson().steps) == 1
    assert library.save()
    assert store.find_lesson("my-lesson-1").steps[0].state["selected"] == "elmo"


def test_export_and_import(library, tmp_path):
    _select(library, "bert-vs-gpt")
    assert library.export_to(str(tmp_path / "shared.json"))
    data = json.loads((tmp_path / "shared.json").read_text(encoding="utf-8"))
    data["id"] = "class-bert-gpt"
    (tmp_path / "shared.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert library.import_from(str(tmp_path / "shared.json"))
    assert library.current_id == "class-bert-gpt"
    assert library.lesson_list.count() == 12


def test_lesson_editing_while_playing_updates_the_dock(library, window):
    c = window.ctx.lessons
    _select(library, "transformer", 0)
    library.play(0)
    library.step_list.setCurrentRow(0)
    _answer_dialog(lambda d: d.text_en.setPlainText("A **new** first explanation."))
    assert library.edit_step()
    assert "A new first explanation." in c.pane.text.toPlainText()
    c.add_current_view()  # from the dock: the library shows the draft
    assert len(library.lesson().steps) == 9 and "(unsaved)" in library.lesson_list.currentItem().text()
