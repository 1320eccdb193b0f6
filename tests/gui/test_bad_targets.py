"""GUI saves that cannot happen: settings that cannot be written, Export into a bad place.

The tests run as root in CI, where a read-only folder does not stop writes; a folder that
cannot exist (its parent is a regular file) gives the same "cannot write here" path.
"""

from __future__ import annotations

import os
import stat

import pytest
from PySide6.QtCore import QSettings


def test_unwritable_settings_warn_once_in_the_status_bar(qtbot, tmp_path):
    from tfviz.gui.app import build_window

    (tmp_path / "file").write_text("a regular file, not a folder")
    path = tmp_path / "file" / "settings.ini"
    seen: list[str] = []
    from tfviz.gui import context

    original = context.AppContext.__init__

    def spying_init(self, *a, **kw):
        original(self, *a, **kw)
        self.notice.connect(seen.append)

    context.AppContext.__init__ = spying_init
    try:
        w = build_window(settings=QSettings(str(path), QSettings.IniFormat), device="cpu")
    finally:
        context.AppContext.__init__ = original
    qtbot.addWidget(w)
    try:
        warnings = [m for m in seen if "Settings cannot be saved" in m]
        assert len(warnings) == 1 and str(tmp_path / "file") in warnings[0]
        assert "Settings cannot be saved" in w.statusBar().currentMessage()
        w.theme_actions["dark"].trigger()  # still works for this session
        assert w.prefs.theme == "dark"
    finally:
        w.close()  # the save fails quietly (logged): no exception, no dialog
    assert (tmp_path / "file").read_text() == "a regular file, not a folder"


def test_writable_settings_give_no_warning(qtbot, tmp_path):
    from tfviz.gui.settings import write_problem

    assert write_problem(QSettings(str(tmp_path / "ok.ini"), QSettings.IniFormat)) is None


@pytest.fixture
def window(qtbot, tmp_path):
    from tfviz.gui.app import build_window

    w = build_window(settings=QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat), device="cpu",
                     panel="overview")  # fmt: skip
    qtbot.addWidget(w)
    yield w
    w.close()


def test_export_into_a_folder_that_cannot_exist(window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: shown.append(a[2]))
    (tmp_path / "file").write_text("x")
    with pytest.raises(OSError, match="not a folder"):
        window.export_current(str(tmp_path / "file" / "view.png"))
    assert shown and "not a folder" in shown[0]
    assert (tmp_path / "file").read_text() == "x"


def test_export_refuses_a_fifo_and_keeps_a_files_mode(window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "warning", lambda *a: None)
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="FIFO"):
        window.export_current(str(fifo))
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    png = tmp_path / "view.png"
    png.write_bytes(b"old")
    os.chmod(png, 0o640)
    window.export_current(str(png))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and stat.S_IMODE(png.stat().st_mode) == 0o640
    assert not [p for p in tmp_path.iterdir() if ".tfviz-tmp-" in p.name]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_export_into_a_read_only_folder(window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "warning", lambda *a: None)
    ro = tmp_path / "ro"
    ro.mkdir()
    os.chmod(ro, 0o500)
    try:
        with pytest.raises(OSError, match="cannot write"):
            window.export_current(str(ro / "view.png"))
    finally:
        os.chmod(ro, 0o700)
