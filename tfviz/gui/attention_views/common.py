"""What every attention view shares: colour tables, value formatting, the themed base widget."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtGui import QColor, QFont, QImage
from PySide6.QtWidgets import QWidget

from tfviz.gui.theme import LIGHT, Theme


COLORMAPS = ("viridis", "cividis")
_LUTS: dict[str, np.ndarray] = {}


def lut(name: str = "viridis") -> np.ndarray:
    """A (256, 3) uint8 colour table from pyqtgraph's bundled colormaps."""
    if name not in _LUTS:
        import pyqtgraph as pg

        table = pg.colormap.get(name).getLookupTable(0.0, 1.0, 256, alpha=False)
        _LUTS[name] = np.ascontiguousarray(table[:, :3], dtype=np.uint8)
    return _LUTS[name]


def levels_of(mat: np.ndarray) -> tuple[float, float]:
    """Min and max of the finite values (0, 1 when there are none)."""
    finite = mat[np.isfinite(mat)]
    if finite.size == 0:
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    return (lo, hi if hi > lo else lo + 1.0)


def to_image(mat: np.ndarray, lo: float, hi: float, cmap: str, blocked_rgb=(160, 160, 160)) -> QImage:
    """Map a matrix through the colour table; non-finite cells get ``blocked_rgb``."""
    finite = np.isfinite(mat)
    norm = np.where(finite, (np.nan_to_num(mat, nan=lo, posinf=hi, neginf=lo) - lo) / (hi - lo), 0.0)  # (R, C) in 0..1
    idx = np.clip((norm * 255).round(), 0, 255).astype(np.uint8)
    rgb = lut(cmap)[idx]  # (R, C, 3)
    rgb[~finite] = blocked_rgb
    rgb = np.ascontiguousarray(rgb)
    h, w = mat.shape
    return QImage(rgb.data, w, h, 3 * w, QImage.Format_RGB888).copy()  # copy: own the pixels


def text_color_for(mat_value: float, lo: float, hi: float) -> QColor:
    """Black on the bright end of viridis/cividis, white on the dark end."""
    t = 0.0 if not math.isfinite(mat_value) else (mat_value - lo) / (hi - lo)
    return QColor("#000000") if t > 0.55 else QColor("#ffffff")


def fmt_value(x: float) -> str:
    if math.isinf(x):
        return "-∞" if x < 0 else "∞"
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


class ThemedView(QWidget):
    """Base of the views: a theme, a colour map, and a cache rebuilt when either changes."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.theme: Theme = LIGHT
        self.cmap = "viridis"

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self._rebuild()
        self.update()

    def set_colormap(self, name: str) -> None:
        if name not in COLORMAPS:
            raise ValueError(f"unknown colormap {name!r}; valid: {', '.join(COLORMAPS)}")
        self.cmap = name
        self._rebuild()
        self.update()

    def _rebuild(self) -> None:
        """Recompute cached images (data, theme or colormap changed)."""

    def _font(self, base: float = 9.0, bold: bool = False) -> QFont:
        f = QFont(self.font())
        f.setPointSizeF(self.theme.font_pt(base))
        f.setBold(bold)
        return f
