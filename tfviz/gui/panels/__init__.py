"""The panels, as listed in :mod:`tfviz.panels_registry`. Each module defines
``class Panel(BasePanel)``; this module finds, imports and titles them for the window."""

from __future__ import annotations

import importlib
import importlib.util

from PySide6.QtCore import QCoreApplication

from tfviz import panels_registry as registry
from tfviz.panels_registry import PANEL_NAMES, entry

# CLI name -> module under tfviz.gui.panels (read from the registry)
PANEL_MODULES: dict[str, str] = {p.name: p.module for p in registry.PANELS}

__all__ = ["PANEL_MODULES", "PANEL_NAMES", "available_panels", "panel_class", "panel_title"]


def panel_class(name: str):
    """The Panel class for ``name`` (imports its module)."""
    module = importlib.import_module(f"tfviz.gui.panels.{entry(name).module}")
    return module.Panel


def available_panels() -> list[str]:
    """Panel names whose module exists in this installation, in registry order."""
    return [p.name for p in registry.PANELS
            if importlib.util.find_spec(f"tfviz.gui.panels.{p.module}") is not None]


def panel_title(name: str) -> str:
    """The translated title of a panel, without importing its module (fast start-up).

    The titles are data in the registry, so this is the one translation call whose text is not
    a literal; tests/test_panels_registry.py checks that each title has its Chinese.
    """
    return QCoreApplication.translate(registry.TITLE_CONTEXT, entry(name).title)
