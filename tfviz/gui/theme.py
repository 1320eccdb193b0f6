"""Light and dark themes, colour-blind-safe colours, and presenter mode.

Categorical colours are the Okabe-Ito palette (distinguishable with the common forms of
colour blindness); heatmaps use viridis or cividis, which are perceptually uniform and
colour-blind safe. Presenter mode scales fonts and line widths for a projector.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)

THEMES = ("light", "dark")


@dataclass(frozen=True)
class Theme:
    name: str
    bg: str
    panel_bg: str
    fg: str
    muted: str
    grid: str
    accent: str
    highlight: str
    scale: float = 1.0  # presenter mode: fonts and pens multiply by this

    def categorical(self, i: int) -> QColor:
        """The i-th colour of the colour-blind-safe palette (black/yellow adjusted per theme)."""
        palette = [c for c in OKABE_ITO if not (self.name == "dark" and c == "#000000")]
        if self.name == "light":
            palette = [c for c in palette if c != "#F0E442"]
        return QColor(palette[i % len(palette)])

    def color(self, name: str) -> QColor:
        return QColor(getattr(self, name))

    def pen_width(self, base: float = 1.0) -> float:
        return base * (1.6 if self.scale > 1.0 else 1.0)

    def font_pt(self, base: float) -> float:
        return base * self.scale


LIGHT = Theme("light", bg="#ffffff", panel_bg="#f5f6f8", fg="#1d1f23", muted="#5f6670",
              grid="#d5d8dd", accent="#0072B2", highlight="#D55E00")
DARK = Theme("dark", bg="#1e1f22", panel_bg="#26282c", fg="#e8e8e8", muted="#a0a5ad",
             grid="#3c3f44", accent="#56B4E9", highlight="#E69F00")


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21; text wants at least 4.5).

    >>> round(contrast_ratio("#ffffff", "#000000"), 1), round(contrast_ratio("#0072B2", "#ffffff"), 2)
    (21.0, 5.19)
    """
    def luminance(c: str) -> float:
        col = QColor(c)
        chans = []
        for v in (col.redF(), col.greenF(), col.blueF()):
            chans.append(v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4)
        return 0.2126 * chans[0] + 0.7152 * chans[1] + 0.0722 * chans[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def text_on(background: str) -> str:
    """White or near-black, whichever reads better on ``background``.

    >>> text_on("#0072B2"), text_on("#56B4E9")
    ('#ffffff', '#111111')
    """
    return max(("#ffffff", "#111111"), key=lambda c: contrast_ratio(c, background))


def make_theme(name: str, presenter: bool = False) -> Theme:
    if name not in THEMES:
        raise ValueError(f"unknown theme {name!r}; valid: {', '.join(THEMES)}")
    base = LIGHT if name == "light" else DARK
    if presenter:
        return Theme(**{**base.__dict__, "scale": 1.5})
    return base


def configure_pyqtgraph(theme: Theme) -> None:
    """pyqtgraph's defaults for ``theme``. pyqtgraph is imported only when a panel needs it
    (it costs about half a second at start-up)."""
    import pyqtgraph as pg

    pg.setConfigOptions(background=theme.bg, foreground=theme.fg, antialias=True)


def style_plot(plot, theme: Theme, scale: float = 1.0) -> None:
    """Restyle a pyqtgraph plot for ``theme``: background, axis lines, tick labels.

    ``plot`` is a ``PlotWidget`` (its background is set too) or a ``PlotItem`` inside a
    ``GraphicsLayoutWidget`` (set that widget's background yourself). ``scale`` multiplies the
    tick font, for presenter mode (pass ``theme.scale``). Call it again after every theme
    switch: pyqtgraph keeps the pens it was given, so axes drawn for the light theme would stay
    dark on the dark background.
    """
    import pyqtgraph as pg
    from PySide6.QtGui import QFont

    if hasattr(plot, "getPlotItem"):  # a PlotWidget
        plot.setBackground(theme.bg)
        plot = plot.getPlotItem()
    fg = pg.mkColor(theme.fg)
    font = QFont(QApplication.font())
    if font.pointSizeF() > 0:  # -1 when the font is sized in pixels
        font.setPointSizeF(font.pointSizeF() * scale)
    for side in ("left", "bottom", "right", "top"):
        axis = plot.getAxis(side)
        axis.setPen(fg)
        axis.setTextPen(fg)
        axis.setTickFont(font)


def _indicator_style(theme: Theme) -> str:
    """Check boxes and radio buttons with a visible outline in both themes (Fusion draws an
    unticked box in the window colour, which vanishes on a dark background)."""
    from tfviz.core.assets import asset_path

    check = asset_path("icons", "check.svg").as_posix()
    return (
        f"QCheckBox::indicator, QGroupBox::indicator {{ width: 14px; height: 14px; border-radius: 3px;"
        f" border: 1px solid {theme.muted}; background: {theme.bg}; }}"
        f"QCheckBox::indicator:checked, QGroupBox::indicator:checked {{ background: {theme.accent};"
        f" border-color: {theme.accent}; image: url({check}); }}"
        f"QCheckBox::indicator:disabled {{ border-color: {theme.grid}; }}"
        f"QRadioButton::indicator {{ width: 14px; height: 14px; border-radius: 8px;"
        f" border: 1px solid {theme.muted}; background: {theme.bg}; }}"
        f"QRadioButton::indicator:checked {{ background: qradialgradient(cx:0.5, cy:0.5, radius:0.5,"
        f" fx:0.5, fy:0.5, stop:0 {theme.accent}, stop:0.55 {theme.accent}, stop:0.65 {theme.bg});"
        f" border-color: {theme.accent}; }}"
    )


def apply_palette(app: QApplication, theme: Theme) -> None:
    """Set the Qt palette for ``theme`` (and pyqtgraph's defaults if it is loaded)."""
    import sys

    app.setStyle("Fusion")
    pal = QPalette()
    bg, fg = QColor(theme.bg), QColor(theme.fg)
    panel = QColor(theme.panel_bg)
    pal.setColor(QPalette.Window, panel)
    pal.setColor(QPalette.WindowText, fg)
    pal.setColor(QPalette.Base, bg)
    pal.setColor(QPalette.AlternateBase, panel)
    pal.setColor(QPalette.Text, fg)
    pal.setColor(QPalette.Button, panel)
    pal.setColor(QPalette.ButtonText, fg)
    pal.setColor(QPalette.ToolTipBase, bg)
    pal.setColor(QPalette.ToolTipText, fg)
    pal.setColor(QPalette.PlaceholderText, QColor(theme.muted))
    pal.setColor(QPalette.Highlight, QColor(theme.accent))
    pal.setColor(QPalette.HighlightedText, QColor("#ffffff"))
    pal.setColor(QPalette.Link, QColor(theme.accent))
    pal.setColor(QPalette.Disabled, QPalette.Text, QColor(theme.muted))
    pal.setColor(QPalette.Disabled, QPalette.ButtonText, QColor(theme.muted))
    pal.setColor(QPalette.Disabled, QPalette.WindowText, QColor(theme.muted))
    app.setPalette(pal)
    app.setStyleSheet(_indicator_style(theme))
    if "pyqtgraph" in sys.modules:
        configure_pyqtgraph(theme)
