"""The workspace: saved on exit, restored at the next start; File > Save / Open workspace."""

from __future__ import annotations

import json
import os

import pytest
from PySide6.QtCore import QSettings

from tfviz.core import workspace as wsfile
from tfviz.gui import workspace as gws


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TFVIZ_DATA_DIR", str(tmp_path / "data"))


def _window(qtbot):
    from tfviz.gui.app import build_window

    settings = QSettings(os.environ["TFVIZ_SETTINGS"], QSettings.IniFormat)
    window = build_window(lang="en", theme="light", device="cpu", panel="overview", settings=settings)
    if not hasattr(window, "workspace"):
        gws.install(window)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    return window


def _close(window) -> None:
    if not getattr(window, "_saves_workspace_itself", False):
        gws.save_on_exit(window)
    window.close()


def test_saved_on_exit_and_restored_at_start(qtbot):
    first = _window(qtbot)
    overview = first.panel("overview")
    overview.select_entry("roberta")
    overview.filters["predecessor"].setChecked(False)
    first.show_panel("tokenization")
    tok = first.panel("tokenization")
    gws.panel_states.apply(tok, {"panel": "tokenization", "version": 1, "text": "kept between sessions",
                                 "tokenizer": "o200k"})
    _close(first)
    path = gws.workspace_path(first.settings or QSettings(os.environ["TFVIZ_SETTINGS"], QSettings.IniFormat))
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["current"] == "tokenization"
    assert saved["panels"]["overview"]["selected"] == "roberta"

    second = _window(qtbot)
    assert second.current_name() == "tokenization"
    tok2 = second.panel("tokenization")
    assert tok2.editor.toPlainText() == "kept between sessions"
    assert tok2.tok_combo.currentData() == "o200k"
    assert "encoder-decoder" not in second.panels  # panels not opened are not built at start
    second.show_panel("overview")
    assert second.panel("overview").tree.selected_key == "roberta"
    assert not second.panel("overview").filters["predecessor"].isChecked()
    _close(second)


def test_a_broken_workspace_never_stops_the_start(qtbot):
    path = gws.workspace_path(QSettings(os.environ["TFVIZ_SETTINGS"], QSettings.IniFormat))
    path.write_bytes(b"\x00{ not json")
    window = _window(qtbot)
    assert window.current_name() == "overview"
    assert "not readable JSON" in window.statusBar().currentMessage()
    window.settings = None  # leave the broken file alone
    window.close()


def test_save_and_open_workspace_files(qtbot, tmp_path):
    window = _window(qtbot)
    window.panel("overview").select_entry("t5")
    target = gws.save_workspace_to(window, str(tmp_path / "class.tfviz.json"))
    window.panel("overview").select_entry("gpt")
    data = json.loads(target.read_text(encoding="utf-8"))
    data["panels"]["overview"]["zoom"] = 2  # a field of a future version
    data["panels"]["mystery"] = {"panel": "mystery"}
    target.write_text(json.dumps(data), encoding="utf-8")
    warnings = gws.open_workspace_from(window, str(target))
    assert window.panel("overview").tree.selected_key == "t5"
    assert any("'zoom'" in w for w in warnings) and any("mystery" in w for w in warnings)
    window.settings = None
    window.close()


def test_the_lesson_being_played_comes_back(qtbot):
    from tfviz.core.lessons.store import find_lesson

    first = _window(qtbot)
    first.ctx.lessons.play(find_lesson("family"), 4)
    ws = first.workspace.capture()
    assert ws.lesson == {"id": "family", "step": 4}
    _close(first)
    second = _window(qtbot)
    c = second.ctx.lessons
    assert c.lesson.id == "family" and c.index == 4 and c.dock.isVisible()
    assert wsfile.read_workspace(gws.workspace_path(second.settings))[0].lesson == {"id": "family", "step": 4}
    _close(second)


def test_a_panel_gets_its_saved_state_when_first_opened(qtbot):
    path = gws.workspace_path(QSettings(os.environ["TFVIZ_SETTINGS"], QSettings.IniFormat))
    wsfile.save_workspace(wsfile.Workspace("overview", {"encoder-decoder": {
        "panel": "encoder-decoder", "version": 1, "task": "reverse", "text": "lazy", "model": "rnn"}}), path)
    window = _window(qtbot)
    assert "encoder-decoder" not in window.panels
    assert "encoder-decoder" in window.workspace.pending
    window.show_panel("encoder-decoder")
    panel = window.panel("encoder-decoder")
    assert (panel.task_name, panel.input.text(), panel.kind) == ("reverse", "lazy", "rnn")
    assert window.workspace.capture().panels["encoder-decoder"]["text"] == "lazy"
    panel._decoder.wait_idle(60_000)
    window.settings = None
    window.close()
