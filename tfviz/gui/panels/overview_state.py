"""State of the Overview panel: the explained diagram block, the tree entry, the branches shown.

``{"panel": "overview", "version": 1, "highlight": "enc_attention" | None,
"selected": "bert" | None, "filters": ["predecessor", ...], "tab": "diagram" | "tree"}``.
The diagram and the tree are side by side in this version: ``tab`` is kept and written but
changes nothing on screen.
"""

from __future__ import annotations

from tfviz.core import family_tree as ft
from tfviz.gui.panels.overview_diagram import BY_KEY


def state(panel) -> dict:
    return {
        "panel": "overview",
        "version": 1,
        "tab": getattr(panel, "lesson_tab", "diagram"),
        "highlight": panel.info_key or None,
        "selected": panel.tree.selected_key or None,
        "filters": [b for b, box in panel.filters.items() if box.isChecked()],
    }


def restore(panel, s: dict) -> list[str]:
    warnings: list[str] = []
    if "tab" in s:
        panel.lesson_tab = s["tab"]
    if "filters" in s:
        unknown = [b for b in s["filters"] if b not in panel.filters]
        if unknown:
            warnings.append(f"overview: unknown branches {unknown} ignored (known: {', '.join(panel.filters)})")
        for branch, box in panel.filters.items():
            box.setChecked(branch in s["filters"])
    if "highlight" in s:
        key = s["highlight"]
        if key is not None and key not in BY_KEY:
            warnings.append(f"overview: no diagram block {key!r}")
            key = None
        panel.info_key, panel.info_note = key or "", ""
        panel.diagram.hover_key = key or ""
        panel._refresh_info()
        panel.diagram.update()
    if "selected" in s:
        key = s["selected"]
        if key is not None and key not in ft.MODELS:
            warnings.append(f"overview: no family-tree entry {key!r}")
            key = None
        branch = ft.MODELS[key].branch if key is not None else ""
        if branch in panel.filters and not panel.tree.is_visible(key):
            panel.filters[branch].setChecked(True)
        panel.tree.select(key or "")
        panel._refresh_card()
    return warnings


def show_highlight(panel, h: dict) -> None:
    """A diagram block or a family-tree entry (a step's state usually sets them already)."""
    if "block" in h:
        restore(panel, {"highlight": h["block"]})
    elif "entry" in h:
        restore(panel, {"selected": h["entry"]})
