"""ModelGrid: every layer x head of a model as a thumbnail heatmap; click one to open it."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QImage, QPainter, QPen, QPixmap

from tfviz.gui.attention_views.common import ThemedView, to_image
from tfviz.gui.i18n import tr


class ModelGrid(ThemedView):
    """Every layer (rows) x head (columns) as a small heatmap; click one to select it."""

    selected = Signal(int, int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setMinimumSize(200, 150)
        self.weights = np.zeros((0, 0, 0, 0), np.float32)
        self.current = (0, 0)
        self.hover = (-1, -1)
        self._thumbs: list[list[QImage]] = []

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(640, 360)

    def set_data(self, weights, current: tuple[int, int] | None = None) -> None:
        """``weights`` (L, H, T_q, T_k); each thumbnail is scaled to its own maximum."""
        w = np.nan_to_num(np.asarray(weights, dtype=np.float32), nan=0.0, neginf=0.0)
        if w.ndim != 4:
            raise ValueError(f"expected (layers, heads, T_q, T_k) weights, got shape {w.shape}")
        self.weights = w
        if current is not None:
            self.current = current
        self._rebuild()
        self.update()

    def set_current(self, layer: int, head: int) -> None:
        self.current = (layer, head)
        self.update()

    def _sheet(self, left: float, top: float, size: float) -> QPixmap:
        """All labels and thumbnails as one pixmap, cached until the data, theme or size change."""
        key = (self.width(), self.height(), self._version)
        if getattr(self, "_sheet_key", None) == key:
            return self._sheet_pixmap
        pm = QPixmap(self.size())
        pm.fill(QColor(self.theme.bg))
        p = QPainter(pm)
        p.setFont(self._font(8))
        p.setPen(QColor(self.theme.muted))
        for h in range(self.weights.shape[1]):
            p.drawText(QRectF(left + h * size, 0, size, top), Qt.AlignCenter, f"H{h + 1}")
        for l, row in enumerate(self._thumbs):
            p.drawText(QRectF(0, top + l * size, left - 4, size), Qt.AlignRight | Qt.AlignVCenter, f"L{l + 1}")
            for h, img in enumerate(row):
                p.drawImage(QRectF(left + h * size + 1, top + l * size + 1, size - 2, size - 2), img)
        p.end()
        self._sheet_key, self._sheet_pixmap = key, pm
        return pm

    def _rebuild(self) -> None:
        self._version = getattr(self, "_version", 0) + 1
        self._thumbs = [
            [to_image(self.weights[l, h], 0.0, max(1e-6, float(self.weights[l, h].max())), self.cmap)
             for h in range(self.weights.shape[1])]
            for l in range(self.weights.shape[0])
        ]

    def _geometry(self):
        fm = QFontMetrics(self._font(8))
        left, top = fm.horizontalAdvance("L00") + 8, fm.height() + 4
        n_l, n_h = max(1, self.weights.shape[0]), max(1, self.weights.shape[1])
        size = max(4.0, min((self.width() - left) / n_h, (self.height() - top) / n_l))
        return left, top, size

    def thumb_at(self, pos: QPointF) -> tuple[int, int]:
        left, top, size = self._geometry()
        layer, head = int((pos.y() - top) // size), int((pos.x() - left) // size)
        if pos.x() >= left and pos.y() >= top and 0 <= layer < self.weights.shape[0] and 0 <= head < self.weights.shape[1]:
            return layer, head
        return -1, -1

    def thumb_center(self, layer: int, head: int) -> QPointF:
        left, top, size = self._geometry()
        return QPointF(left + (head + 0.5) * size, top + (layer + 0.5) * size)

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        left, top, size = self._geometry()
        p.drawPixmap(0, 0, self._sheet(left, top, size))  # thumbnails drawn once per data/size
        for (l, h), color, width in ((self.hover, self.theme.accent, 1), (self.current, self.theme.highlight, 3)):
            if l >= 0:
                p.setPen(QPen(QColor(color), width))
                p.setBrush(Qt.NoBrush)
                p.drawRect(QRectF(left + h * size, top + l * size, size, size))
        p.end()

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        hit = self.thumb_at(event.position())
        if hit != self.hover:
            self.hover = hit
            self.setToolTip(tr("AttentionViews", "Layer {layer}, head {head}").format(layer=hit[0] + 1, head=hit[1] + 1)
                            if hit[0] >= 0 else "")
            self.update()

    def leaveEvent(self, event) -> None:  # noqa: N802
        self.hover = (-1, -1)
        self.update()

    def mousePressEvent(self, event) -> None:  # noqa: N802
        layer, head = self.thumb_at(event.position())
        if layer >= 0:
            self.current = (layer, head)
            self.update()
            self.selected.emit(layer, head)
