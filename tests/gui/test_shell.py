"""The main window as a user meets it: panels, menus, shortcuts, languages, themes,
device, export, settings."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QImage, QPalette
from PySide6.QtWidgets import QApplication, QLineEdit

from tfviz.gui.panels import available_panels


def _distinct_colours(path, step=7) -> int:
    img = QImage(str(path))
    assert not img.isNull(), path
    seen = set()
    for y in range(0, img.height(), step):
        for x in range(0, img.width(), step):
            seen.add(img.pixel(x, y))
    return len(seen)


def test_every_panel_opens_with_ctrl_number(main_window, qtbot):
    from tfviz.panels_registry import PANEL_NAMES

    names = main_window.panel_names
    assert names == list(PANEL_NAMES)  # the registry's order
    for i, name in enumerate(names[:9]):
        qtbot.keyClick(main_window, Qt.Key_1 + i, Qt.ControlModifier)
        assert main_window.current_name() == name
        panel = main_window.current_panel()
        assert panel.isVisible()
        assert panel.name == name
        assert main_window.windowTitle().endswith(panel.title())


def test_language_switch_updates_menus_and_navigation(main_window, qtbot):
    assert main_window.menu_file.title() == "&File"
    main_window.lang_actions["zh"].trigger()
    # Qt delivers LanguageChange events through the event loop
    qtbot.waitUntil(lambda: main_window.menu_file.title() == "文件(&F)")
    assert main_window.nav.item(0).text() == "总览"
    assert "设备" in main_window.device_label.text()
    main_window.lang_actions["en"].trigger()
    qtbot.waitUntil(lambda: main_window.menu_file.title() == "&File")
    assert main_window.nav.item(0).text() == "Overview"


def test_theme_switch_recolours(main_window):
    main_window.theme_actions["dark"].trigger()
    assert main_window.ctx.theme.name == "dark"
    assert QApplication.palette().color(QPalette.Window).lightness() < 80
    main_window.theme_actions["light"].trigger()
    assert QApplication.palette().color(QPalette.Window).lightness() > 200


def test_presenter_mode_scales_fonts(main_window, qtbot):
    base = QApplication.font().pointSizeF()
    main_window.toggle_presenter(True)
    try:
        assert main_window.ctx.theme.scale > 1
        assert QApplication.font().pointSizeF() > base
    finally:
        main_window.toggle_presenter(False)
    assert QApplication.font().pointSizeF() == pytest.approx(base)


def test_choosing_cpu_device(main_window):
    main_window.device_actions["cpu"].trigger()
    assert main_window.ctx.device == "cpu"
    assert "cpu" in main_window.device_label.text()


def test_unavailable_device_is_refused_without_crash(main_window, qtbot, monkeypatch):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    main_window.device_actions["cuda"].trigger()
    assert main_window.ctx.device == "cpu"
    assert shown and "not available" in shown[0]
    assert main_window.device_actions["cpu"].isChecked() or main_window.device_actions["auto"].isChecked()


def test_stepping_keys_go_to_the_panel_but_not_from_text_boxes(main_window, qtbot, monkeypatch):
    panel = main_window.current_panel()
    calls = []
    monkeypatch.setattr(panel, "step", lambda d: calls.append(("step", d)))
    monkeypatch.setattr(panel, "toggle_play", lambda: calls.append(("play",)))
    monkeypatch.setattr(panel, "go_first", lambda: calls.append(("first",)))
    monkeypatch.setattr(panel, "go_last", lambda: calls.append(("last",)))
    main_window.nav.setFocus()
    for key in (Qt.Key_Right, Qt.Key_Left, Qt.Key_Space, Qt.Key_Home, Qt.Key_End):
        qtbot.keyClick(main_window, key)
    assert calls == [("step", 1), ("step", -1), ("play",), ("first",), ("last",)]
    edit = QLineEdit("abc")
    main_window.statusBar().addWidget(edit)
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    calls.clear()
    qtbot.keyClick(edit, Qt.Key_Left)
    qtbot.keyClick(edit, Qt.Key_Space)
    assert calls == []
    assert edit.text() == "ab c"


def test_export_png_and_svg(main_window, tmp_path):
    png = main_window.export_current(str(tmp_path / "view.png"))
    assert _distinct_colours(png) > 8, "exported PNG looks blank"
    svg = main_window.export_current(str(tmp_path / "view.svg"))
    text = open(svg, encoding="utf-8").read()
    assert "<svg" in text and len(text) > 2000


def test_about_names_versions_and_device(main_window):
    text = main_window.about_text()
    assert "torch" in text and "Qt" in text and "cpu" in text


def test_settings_persist_and_broken_settings_are_ignored(qtbot, tmp_path):
    from tfviz.gui.app import build_window

    path = str(tmp_path / "persist.ini")
    w = build_window(settings=QSettings(path, QSettings.IniFormat), device="cpu")
    qtbot.addWidget(w)
    w.lang_actions["zh"].trigger()
    w.theme_actions["dark"].trigger()
    last = w.panel_names[-1]
    w.show_panel(last)
    w.close()
    w2 = build_window(settings=QSettings(path, QSettings.IniFormat), device="cpu")
    qtbot.addWidget(w2)
    try:
        assert w2.prefs.language == "zh" and w2.prefs.theme == "dark"
        assert w2.current_name() == last
    finally:
        w2.settings = None
        w2.close()
        from tfviz.gui.i18n import set_language

        set_language("en")

    broken = QSettings(str(tmp_path / "newer.ini"), QSettings.IniFormat)
    broken.setValue("settings_version", 99)
    broken.setValue("language", "klingon")
    broken.sync()
    w3 = build_window(settings=QSettings(str(tmp_path / "newer.ini"), QSettings.IniFormat), device="cpu")
    qtbot.addWidget(w3)
    try:
        assert w3.prefs.language == "en"
        assert w3.prefs.warnings and "version" in w3.prefs.warnings[0]
    finally:
        w3.settings = None
        w3.close()


@pytest.mark.parametrize("args, valid", [
    (["--panel", "nope"], "overview"),
    (["--lang", "fr"], "zh"),
    (["--device", "tpu"], "cuda"),
])
def test_bad_command_line_values_exit_2_listing_valid_values(args, valid):
    out = subprocess.run([sys.executable, "-m", "tfviz", *args], capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert "invalid choice" in out.stderr and valid in out.stderr


def test_version_flag():
    out = subprocess.run([sys.executable, "-m", "tfviz", "--version"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.startswith("tfviz ")


def test_every_panel_has_a_guide_in_both_languages(main_window, qtbot):
    for name in main_window.panel_names:
        main_window.show_panel(name)
        main_window.act_guide.trigger()
        box = main_window._guide_box
        assert len(box.text()) > 80, name
        box.close()
    main_window.lang_actions["zh"].trigger()
    english = main_window._guide_box.text()
    main_window.act_guide.trigger()
    assert main_window._guide_box.text() != english
    main_window._guide_box.close()


def test_theme_change_reaches_panels_after_the_palette(main_window):
    """Panels that restyle on theme_changed must already see the new palette."""
    seen = []
    main_window.ctx.theme_changed.connect(
        lambda: seen.append(QApplication.palette().color(QPalette.Window).lightness()))
    main_window.theme_actions["dark"].trigger()
    main_window.theme_actions["light"].trigger()
    assert seen[0] < 80 and seen[1] > 200


def test_closing_during_two_trainings_joins_every_job_within_2_s(main_window, qtbot, tmp_path):
    """Issue 12: a BPE training and a trajectory training run (the real trainers, small data);
    closing the window cancels both and joins their threads within 2 s."""
    import random
    import time

    rng = random.Random(0)
    corpus = tmp_path / "words.txt"
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 12)))
             for _ in range(50000)]
    corpus.write_text(" ".join(words * 2), encoding="utf-8")  # every pair repeats: long training
    main_window.show_panel("trajectories")
    traj = main_window.current_panel()
    qtbot.mouseClick(traj.train_box.train_button, Qt.LeftButton)
    # in its stepping loop: past simulating the crowds and building the model
    qtbot.waitUntil(lambda: traj.train_box.progress.bar.value() > 0, timeout=120000)
    main_window.show_panel("tokenization")
    tok = main_window.current_panel()
    qtbot.waitUntil(tok.is_ready, timeout=30000)
    tab = tok.train_tab
    tab.set_files([str(corpus)])
    tab.vocab_size.setValue(100000)
    tab.start_training()
    qtbot.waitUntil(lambda: tab.merges_done > 0, timeout=120000)
    assert tab.is_training() and traj.is_training()
    start = time.perf_counter()
    main_window.close()
    elapsed = time.perf_counter() - start
    print(f"closing during two trainings: {elapsed:.3f} s")  # shown with pytest -s
    assert not main_window.ctx.jobs.active() and not main_window.stuck_jobs
    assert elapsed < 2.0, f"closing took {elapsed:.2f} s"
