"""One registry of panels (tfviz/panels_registry.py) feeds the CLI, the navigation, Ctrl+1..9
and every panel's title; adding a panel is a module plus one entry."""

from __future__ import annotations

import importlib.machinery
import sys
import types

import pytest

from tfviz import panels_registry as registry
from tfviz.core.assets import asset


def test_every_title_has_a_chinese_translation():
    import json

    catalog: dict[str, str] = {}
    for entry in asset("i18n", "zh_CN").iterdir():
        if entry.name.endswith(".json"):
            catalog.update(json.loads(entry.read_text(encoding="utf-8")).get(registry.TITLE_CONTEXT, {}))
    missing = [p.title for p in registry.PANELS if not catalog.get(p.title)]
    assert not missing, f"panel titles without zh_CN in [{registry.TITLE_CONTEXT}]: {missing}"


def test_names_and_modules_are_unique_and_cli_reads_the_registry():
    names = [p.name for p in registry.PANELS]
    assert len(set(names)) == len(names)
    assert len({p.module for p in registry.PANELS}) == len(names)
    from tfviz.cli import build_parser

    parser = build_parser()
    for name in names:
        assert parser.parse_args(["shot", "--panel", name, "--out", "x.png"]).shot_panel == name
    with pytest.raises(SystemExit):
        parser.parse_args(["--panel", "no-such-panel"])


def test_each_panel_class_matches_its_entry(qapp):
    from tfviz.gui.i18n import set_language
    from tfviz.gui.panels import available_panels, panel_class, panel_title

    assert available_panels() == [p.name for p in registry.PANELS]
    for p in registry.PANELS:
        cls = panel_class(p.name)
        assert cls.name == p.name
        assert cls.title() == p.title  # English: the source text
    set_language("zh")
    try:
        assert panel_title("overview") == "总览"
        assert panel_class("tokenization").title() == panel_title("tokenization") != "Tokenization (BPE)"
    finally:
        set_language("en")


def test_shortcuts_follow_the_registry_order():
    assert [registry.shortcut(p.name) for p in registry.PANELS[:9]] == [f"Ctrl+{i}" for i in range(1, len(registry.PANELS[:9]) + 1)]
    with pytest.raises(KeyError, match="valid: overview"):
        registry.entry("nope")


@pytest.fixture
def extra_panel(monkeypatch):
    """A sixth panel made of exactly what the checklist asks: a module and one registry entry."""
    from tfviz.gui.base import BasePanel
    from PySide6.QtWidgets import QLabel, QVBoxLayout

    class Panel(BasePanel):
        name = "extra"

        def __init__(self, ctx, parent=None):
            super().__init__(ctx, parent)
            QVBoxLayout(self).addWidget(QLabel("extra"))

    mod_name = "tfviz.gui.panels.extra_demo"
    module = types.ModuleType(mod_name)
    module.__spec__ = importlib.machinery.ModuleSpec(mod_name, loader=None)
    module.Panel = Panel
    monkeypatch.setitem(sys.modules, mod_name, module)
    entries = registry.PANELS[:2] + (registry.PanelEntry("extra", "extra_demo", "Extra"),) + registry.PANELS[2:]
    monkeypatch.setattr(registry, "PANELS", entries)
    yield entries
    # delete the window qtbot closed while "extra" is still registered (a later language
    # switch would retranslate it against the restored registry)
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)


def test_a_new_entry_appears_in_navigation_and_shortcuts(extra_panel, main_window, qtbot):
    from PySide6.QtCore import Qt

    window = main_window  # built after extra_panel patched the registry
    assert window.panel_names == [p.name for p in extra_panel]
    assert window.nav.item(2).text() == "Extra"
    qtbot.keyClick(window, Qt.Key_3, Qt.ControlModifier)
    assert window.current_name() == "extra"
    assert window.windowTitle().endswith("Extra")
    qtbot.keyClick(window, Qt.Key_4, Qt.ControlModifier)  # the panels after it move one down
    assert window.current_name() == "attention"


def test_registry_examples_run():
    import doctest

    result = doctest.testmod(registry)
    assert result.attempted >= 3 and result.failed == 0
