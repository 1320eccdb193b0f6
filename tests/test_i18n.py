"""Every tr("Context", "text") in the code has a Simplified Chinese translation."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import tfviz
from tfviz.core.assets import asset

PKG = Path(tfviz.__file__).resolve().parent


def _tr_calls():
    for path in sorted(PKG.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            is_tr = isinstance(f, ast.Name) and f.id == "tr"
            is_qt = (isinstance(f, ast.Attribute) and f.attr == "translate"
                     and isinstance(f.value, ast.Name) and f.value.id == "QCoreApplication")
            if not (is_tr or is_qt):
                continue
            if len(node.args) < 2:
                continue
            ctx, text = node.args[0], node.args[1]
            yield path, node.lineno, ctx, text


def _catalog() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for entry in asset("i18n", "zh_CN").iterdir():
        if entry.name.endswith(".json"):
            data = json.loads(entry.read_text(encoding="utf-8"))
            assert isinstance(data, dict), entry.name
            for context, table in data.items():
                assert isinstance(table, dict), (entry.name, context)
                merged.setdefault(context, {}).update(table)
    return merged


def test_tr_arguments_are_literals():
    bad = []
    for path, line, ctx, text in _tr_calls():
        if not (isinstance(ctx, ast.Constant) and isinstance(ctx.value, str)
                and isinstance(text, ast.Constant) and isinstance(text.value, str)):
            if path.name == "i18n.py":
                continue  # the definition of tr itself
            if path.relative_to(PKG).as_posix() == "gui/panels/__init__.py":
                continue  # panel titles: registry data, checked by tests/test_panels_registry.py
            bad.append(f"{path.relative_to(PKG)}:{line}")
    assert not bad, "tr() needs literal context and text (format after translating):\n" + "\n".join(bad)


def test_every_string_has_a_chinese_translation():
    catalog = _catalog()
    missing = []
    for path, line, ctx, text in _tr_calls():
        if not (isinstance(ctx, ast.Constant) and isinstance(text, ast.Constant)):
            continue
        target = catalog.get(ctx.value, {}).get(text.value)
        if not target:
            missing.append(f"{path.relative_to(PKG)}:{line} [{ctx.value}] {text.value!r}")
    assert not missing, f"{len(missing)} strings lack a zh_CN translation:\n" + "\n".join(missing[:80])


def test_translations_keep_format_fields():
    import string

    fmt = string.Formatter()
    catalog = _catalog()
    bad = []
    for ctx, table in catalog.items():
        for src, dst in table.items():
            fields_src = {f for _, f, _, _ in fmt.parse(src) if f is not None}
            try:
                fields_dst = {f for _, f, _, _ in fmt.parse(dst) if f is not None}
            except ValueError:
                bad.append((ctx, src))
                continue
            if fields_src != fields_dst:
                bad.append((ctx, src, sorted(fields_src), sorted(fields_dst)))
    assert not bad, bad


def test_language_switch_translates(qapp):
    from tfviz.gui.i18n import set_language, tr

    set_language("zh")
    try:
        assert tr("MainWindow", "Quit") == "退出"
    finally:
        set_language("en")
    assert tr("MainWindow", "Quit") == "Quit"


def test_qt_own_strings_survive_chinese(qapp):
    """Strings tfviz does not translate (Qt's own, e.g. key names) keep their text."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QKeySequence

    from tfviz.gui.i18n import set_language

    set_language("zh")
    try:
        assert QCoreApplication.translate("NoSuchContext", "hello") == "hello"
        assert QKeySequence("Ctrl+E").toString(QKeySequence.NativeText) == "Ctrl+E"
    finally:
        set_language("en")


def test_qt_dialogs_speak_chinese(qapp):
    """Qt's own dialog strings (Cancel, Open) come from the catalogues shipped with PySide6."""
    from PySide6.QtWidgets import QDialogButtonBox

    from tfviz.gui.i18n import set_language

    set_language("zh")
    try:
        box = QDialogButtonBox(QDialogButtonBox.Cancel | QDialogButtonBox.Open)
        texts = {b.text().replace("&", "") for b in box.buttons()}
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in texts), texts
    finally:
        set_language("en")
    box = QDialogButtonBox(QDialogButtonBox.Cancel)
    assert box.buttons()[0].text().replace("&", "") == "Cancel"
