"""The lesson player driven like a user: Play, Next, Page Down, Back to the step, languages."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tfviz.core.lessons.model import Lesson, Step, Text
from tfviz.core.lessons.store import find_lesson


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TFVIZ_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def window(main_window):
    if not hasattr(main_window, "workspace"):  # before the main window installs it itself
        from tfviz.gui.workspace import install

        install(main_window)
    return main_window


def test_next_previous_and_page_keys(window, qtbot):
    c = window.ctx.lessons
    lesson = find_lesson("transformer")
    c.play(lesson)
    assert c.dock.isVisible() and window.current_name() == "overview"
    assert c.pane.step_title.text() == lesson.steps[0].title.en
    assert not c.pane.prev_btn.isEnabled()
    qtbot.mouseClick(c.pane.next_btn, Qt.LeftButton)
    assert c.index == 1
    overview = window.panel("overview")
    assert overview.info_key == "input_embedding"  # the step's highlighted block
    qtbot.keyClick(window, Qt.Key_PageDown)
    assert c.index == 2 and overview.info_key == "enc_attention"
    assert c.pane.code.isVisible() and "self.attn(x, x" in c.pane.code.toPlainText()
    qtbot.keyClick(window, Qt.Key_PageUp)
    assert c.index == 1
    for _ in range(20):
        qtbot.keyClick(window, Qt.Key_PageDown)
    assert c.index == len(lesson.steps) - 1 and not c.pane.next_btn.isEnabled()


def test_back_to_the_step_restores_the_panel(window, qtbot):
    c = window.ctx.lessons
    c.play(find_lesson("family"), 3)  # BERT, encoder-only branch only
    overview = window.panel("overview")
    assert overview.tree.selected_key == "bert"
    assert not overview.filters["decoder-only"].isChecked()
    overview.filters["decoder-only"].setChecked(True)  # the panel stays interactive
    overview.select_entry("gpt3")
    qtbot.mouseClick(c.pane.reset_btn, Qt.LeftButton)
    assert overview.tree.selected_key == "bert" and not overview.filters["decoder-only"].isChecked()


def test_step_text_follows_the_language(window, qtbot):
    c = window.ctx.lessons
    lesson = find_lesson("transformer")
    c.play(lesson, 2)
    window.lang_actions["zh"].trigger()
    qtbot.waitUntil(lambda: c.pane.step_title.text() == lesson.steps[2].title.zh)
    assert "自注意力" in c.pane.text.toPlainText()
    assert c.pane.next_btn.text() == "下一步 ▶"
    window.lang_actions["en"].trigger()
    qtbot.waitUntil(lambda: c.pane.step_title.text() == lesson.steps[2].title.en)


def test_a_step_whose_panel_is_missing_says_so_and_goes_on(window):
    c = window.ctx.lessons
    ok = Step(Text("a", "甲"), Text("a", "甲"), {"panel": "overview", "version": 1, "highlight": "linear"})
    missing = Step(Text("b", "乙"), Text("b", "乙"), {"panel": "future-panel", "version": 1})
    c.play(Lesson("t", Text("T", "T"), (ok, missing, ok)))
    c.next()
    assert c.pane.note.isVisible() and "future-panel" in c.pane.note.text()
    c.next()
    assert c.index == 2 and not c.pane.note.isVisible()


def test_add_this_view_as_a_step(window):
    c = window.ctx.lessons
    c.play(find_lesson("family"), 0)
    window.panel("overview").select_entry("gpt2")
    assert c.add_current_view()
    assert c.modified and c.index == 1 and len(c.lesson.steps) == 9
    assert c.lesson.steps[1].state["selected"] == "gpt2"


def test_presenter_mode_enlarges_the_lesson_pane(window, qtbot):
    c = window.ctx.lessons
    c.play(find_lesson("masks"), 0)
    title_pt, code_pt = c.pane.step_title.font().pointSizeF(), c.pane.code.font().pointSizeF()
    window.toggle_presenter(True)
    try:
        assert c.pane.step_title.font().pointSizeF() > title_pt * 1.3
        assert c.pane.code.font().pointSizeF() > code_pt * 1.3
        qtbot.keyClick(window, Qt.Key_PageDown)  # the clicker still moves on
        assert c.index == 1
    finally:
        window.toggle_presenter(False)
    assert c.pane.step_title.font().pointSizeF() == pytest.approx(title_pt)
