"""The one list of panels: CLI name, module, title, navigation order.

Plain data, importable without Qt or torch: ``tfviz --panel`` and ``tfviz shot --panel`` read
it to build their choices, and the window reads it for the navigation list and Ctrl+1..9.

Adding a panel is a module ``tfviz/gui/panels/<module>.py`` with ``class Panel(BasePanel)``
plus one :class:`PanelEntry` below (docs/ARCHITECTURE.md, "Adding a panel").

>>> PANEL_NAMES[0]
'overview'
>>> entry("encoder-decoder").module
'encoder_decoder'
"""

from __future__ import annotations

from dataclasses import dataclass

#: Translation context of the titles. The GUI translates them when it shows them
#: (``tfviz.gui.panels.panel_title``); their Chinese is in resources/i18n/zh_CN/shell.json.
TITLE_CONTEXT = "Panels"


@dataclass(frozen=True)
class PanelEntry:
    name: str    # CLI / shot name: ``tfviz --panel NAME``
    module: str  # module under tfviz.gui.panels that defines ``class Panel``
    title: str   # English source text of the title (translated at display time)


#: Navigation order; the first nine get Ctrl+1 .. Ctrl+9 in this order.
PANELS: tuple[PanelEntry, ...] = (
    PanelEntry("overview", "overview", "Overview"),
    PanelEntry("tokenization", "tokenization", "Tokenization (BPE)"),
    PanelEntry("attention", "attention", "Attention and masks"),
    PanelEntry("encoder-decoder", "encoder_decoder", "Encoder-decoder"),
    PanelEntry("trajectories", "trajectories", "Trajectories"),
    PanelEntry("bert-vs-gpt", "bert_vs_gpt", "BERT vs GPT"),
    PanelEntry("lessons", "lessons", "Lessons"),
)

PANEL_NAMES: tuple[str, ...] = tuple(p.name for p in PANELS)


def entry(name: str) -> PanelEntry:
    """The registry entry of panel ``name`` (KeyError with the valid names if unknown)."""
    for p in PANELS:
        if p.name == name:
            return p
    raise KeyError(f"unknown panel {name!r}; valid: {', '.join(p.name for p in PANELS)}")


def shortcut(name: str) -> str | None:
    """The keyboard shortcut that opens panel ``name``, by its place in :data:`PANELS`.

    >>> shortcut("tokenization")
    'Ctrl+2'
    """
    i = PANELS.index(entry(name))
    return f"Ctrl+{i + 1}" if i < 9 else None
