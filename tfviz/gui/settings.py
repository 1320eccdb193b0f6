"""Persistent settings (language, theme, device, last panel, window geometry).

Stored with QSettings. ``TFVIZ_SETTINGS=/path/file.ini`` points tfviz at another file (the
tests and ``tfviz shot`` use this so they never touch the user's settings). A settings file
written by a newer tfviz, or with values that make no sense, is ignored with a warning and
the defaults are used.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field

from PySide6.QtCore import QByteArray, QSettings

from tfviz.core.device import CHOICES as DEVICE_CHOICES
from tfviz.gui.i18n import LANGUAGES
from tfviz.gui.theme import THEMES

log = logging.getLogger(__name__)

SETTINGS_VERSION = 1


def open_settings() -> QSettings:
    path = os.environ.get("TFVIZ_SETTINGS")
    if path:
        return QSettings(path, QSettings.IniFormat)
    return QSettings(QSettings.IniFormat, QSettings.UserScope, "tfviz", "tfviz")


@dataclass
class Prefs:
    language: str = "en"
    theme: str = "light"
    device: str = "auto"
    panel: str = "overview"
    geometry: QByteArray | None = None
    warnings: list[str] = field(default_factory=list)


def load_prefs(settings: QSettings) -> Prefs:
    prefs = Prefs()
    try:
        version = int(settings.value("settings_version", SETTINGS_VERSION))
    except (TypeError, ValueError):
        version = -1
    if version != SETTINGS_VERSION:
        msg = (f"settings file {settings.fileName()} has version {settings.value('settings_version')!r}, "
               f"this tfviz understands {SETTINGS_VERSION}; using defaults")
        log.warning(msg)
        prefs.warnings.append(msg)
        return prefs
    checks = (("language", LANGUAGES), ("theme", THEMES), ("device", DEVICE_CHOICES))
    for key, valid in checks:
        value = settings.value(key)
        if value is None:
            continue
        if value in valid:
            setattr(prefs, key, value)
        else:
            msg = f"ignored setting {key}={value!r} (valid: {', '.join(valid)})"
            log.warning(msg)
            prefs.warnings.append(msg)
    panel = settings.value("panel")
    if isinstance(panel, str):
        prefs.panel = panel
    geometry = settings.value("geometry")
    if isinstance(geometry, QByteArray):
        prefs.geometry = geometry
    return prefs


def write_problem(settings: QSettings) -> str | None:
    """Why ``settings`` could not be saved (one line naming the file), or ``None`` if it can.

    Checked at start-up, so the user hears it while the window is open, not after closing it.
    """
    from tfviz.core.io import WriteError, check_writable

    try:
        check_writable(settings.fileName())
    except WriteError as exc:
        return str(exc)
    return None


def save_prefs(settings: QSettings, prefs: Prefs) -> None:
    settings.setValue("settings_version", SETTINGS_VERSION)
    settings.setValue("language", prefs.language)
    settings.setValue("theme", prefs.theme)
    settings.setValue("device", prefs.device)
    settings.setValue("panel", prefs.panel)
    if prefs.geometry is not None:
        settings.setValue("geometry", prefs.geometry)
    settings.sync()
    if settings.status() != QSettings.NoError:  # the window is closing: the log is all that is left
        log.warning("could not save settings to %s (%s)", settings.fileName(), settings.status().name)
