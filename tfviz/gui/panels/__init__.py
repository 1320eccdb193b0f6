"""The panels, in navigation order. Each module defines ``class Panel(BasePanel)``."""

from __future__ import annotations

import importlib
import importlib.util

# CLI name -> module under tfviz.gui.panels
PANEL_MODULES: dict[str, str] = {
    "overview": "overview",
    "tokenization": "tokenization",
    "attention": "attention",
    "encoder-decoder": "encoder_decoder",
    "trajectories": "trajectories",
}

PANEL_NAMES = tuple(PANEL_MODULES)


def panel_class(name: str):
    """The Panel class for ``name`` (imports its module)."""
    module = importlib.import_module(f"tfviz.gui.panels.{PANEL_MODULES[name]}")
    return module.Panel


def available_panels() -> list[str]:
    """Panel names whose module exists in this installation."""
    found = []
    for name, mod in PANEL_MODULES.items():
        if importlib.util.find_spec(f"tfviz.gui.panels.{mod}") is not None:
            found.append(name)
    return found


def panel_title(name: str) -> str:
    """The translated title of a panel, without importing its module (fast start-up)."""
    from tfviz.gui.i18n import tr

    titles = {
        "overview": tr("Panels", "Overview"),
        "tokenization": tr("Panels", "Tokenization (BPE)"),
        "attention": tr("Panels", "Attention and masks"),
        "encoder-decoder": tr("Panels", "Encoder-decoder"),
        "trajectories": tr("Panels", "Trajectories"),
    }
    return titles[name]
