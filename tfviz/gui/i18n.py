"""Translations: every visible string goes through Qt's translation system.

Use ``tr("Context", "Literal text")``. The Simplified Chinese catalogues are JSON files under
``resources/i18n/zh_CN/`` (one per area, ``{context: {source: translation}}``), loaded by
:class:`CatalogTranslator`, a ``QTranslator`` that Qt consults for every
``QCoreApplication.translate`` call. JSON instead of ``.ts``/``.qm`` keeps the catalogues
readable, diff-able and free of a build step; ``tests/test_i18n.py`` checks that every
``tr(...)`` literal in the code has a translation.
"""

from __future__ import annotations

import json
import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

from tfviz.core.assets import asset

log = logging.getLogger(__name__)

LANGUAGES = {"en": "English", "zh": "简体中文"}
_CATALOG_DIRS = {"zh": "zh_CN"}


def tr(context: str, text: str) -> str:
    """Translate ``text`` in ``context`` into the current UI language."""
    return QCoreApplication.translate(context, text)


def load_catalog(lang: str) -> dict[str, dict[str, str]]:
    """Merge every JSON catalogue of ``lang`` into ``{context: {source: target}}``."""
    folder = _CATALOG_DIRS.get(lang)
    merged: dict[str, dict[str, str]] = {}
    if folder is None:
        return merged
    base = asset("i18n", folder)
    for entry in sorted(base.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        try:
            data = json.loads(entry.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            log.warning("translation catalogue %s is broken and was skipped: %s", entry.name, exc)
            continue
        for context, table in data.items():
            merged.setdefault(context, {}).update(table)
    return merged


class CatalogTranslator(QTranslator):
    """A QTranslator backed by a ``{context: {source: target}}`` dictionary."""

    def __init__(self, catalog: dict[str, dict[str, str]], parent=None) -> None:
        super().__init__(parent)
        self._catalog = catalog

    def translate(self, context, source_text, disambiguation=None, n=-1):  # noqa: D401, N802
        # None (a null QString) means "not translated": Qt then tries the next translator or
        # keeps the source text. An empty string would *be* the translation, blanking Qt's
        # own strings such as the "Ctrl" in shortcut names.
        table = self._catalog.get(context)
        if table is None:
            return None
        return table.get(source_text) or None

    def isEmpty(self) -> bool:  # noqa: N802
        return not self._catalog


_installed: CatalogTranslator | None = None
_qt_installed: QTranslator | None = None
# Qt's own catalogues (file dialogs, message boxes, "Cancel"), shipped with PySide6.
_QT_CATALOGS = {"zh": "qtbase_zh_CN"}


def _qt_translator(lang: str, parent) -> QTranslator | None:
    """Qt's own translations for ``lang`` from the PySide6 installation, or None if absent."""
    name = _QT_CATALOGS.get(lang)
    if name is None:
        return None
    translator = QTranslator(parent)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load(name, folder):
        log.warning("Qt's own %s translations were not found in %s", lang, folder)
        return None
    return translator


def set_language(lang: str) -> None:
    """Install the translator for ``lang`` ("en" or "zh"); widgets get a LanguageChange event."""
    global _installed, _qt_installed
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; valid: {', '.join(LANGUAGES)}")
    app = QCoreApplication.instance()
    for old in (_installed, _qt_installed):
        if old is not None:
            app.removeTranslator(old)
    _installed = _qt_installed = None
    if lang != "en":
        # Installed first, so consulted last: tfviz's own catalogue wins where both translate.
        _qt_installed = _qt_translator(lang, app)
        if _qt_installed is not None:
            app.installTranslator(_qt_installed)
        _installed = CatalogTranslator(load_catalog(lang), app)
        app.installTranslator(_installed)
    current_language.value = lang


class _Current:
    value = "en"


current_language = _Current()
