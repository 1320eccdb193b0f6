"""LinesView: queries on the left, keys on the right, one line per pair, opacity = weight."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen

from tfviz.gui.attention_views.common import ThemedView


class LinesView(ThemedView):
    """Queries on the left, keys on the right, one line per pair with opacity = weight.

    Hovering a token isolates its lines (a query's outgoing or a key's incoming);
    clicking a query token emits ``token_clicked(i)``.
    """

    token_clicked = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setMinimumSize(200, 160)
        self.queries: list[str] = []
        self.keys: list[str] = []
        self.weights = np.zeros((0, 0), np.float32)
        self.hover: tuple[str, int] = ("", -1)  # ("q" | "k", index)
        self.title = ""

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(360, 420)

    def set_data(self, queries, keys, weights, title: str = "") -> None:
        w = np.nan_to_num(np.asarray(weights, dtype=np.float32), nan=0.0, neginf=0.0)
        if w.shape != (len(queries), len(keys)):
            raise ValueError(f"weights shape {w.shape} does not match {len(queries)} x {len(keys)}")
        self.queries, self.keys, self.weights, self.title = list(queries), list(keys), w, title
        if self.hover[1] >= max(len(self.queries), len(self.keys)):
            self.hover = ("", -1)
        self.update()

    def _geometry(self):
        fm = QFontMetrics(self._font())
        top = fm.height() + 10
        n = max(len(self.queries), len(self.keys), 1)
        row = max(0.5, min(26.0, (self.height() - top - 6) / n))
        col_w = min(140, max([fm.horizontalAdvance(t) for t in self.queries + self.keys] + [20]) + 10)
        return top, row, col_w

    def _span(self, col_w: float) -> tuple[float, float]:
        """x of the line ends: at most 480 px apart, so lines keep a readable slope."""
        x0 = col_w + 4
        return x0, min(self.width() - col_w - 4, x0 + 480)

    def token_at(self, pos: QPointF) -> tuple[str, int]:
        top, row, col_w = self._geometry()
        x0, x1 = self._span(col_w)
        i = int((pos.y() - top) // row)
        if pos.x() < x0 and 0 <= i < len(self.queries):
            return "q", i
        if x1 < pos.x() < x1 + col_w + 4 and 0 <= i < len(self.keys):
            return "k", i
        return "", -1

    def token_pos(self, side: str, i: int) -> QPointF:
        """Where token ``i`` of ``side`` ("q" or "k") is drawn (for tests and tooltips)."""
        top, row, col_w = self._geometry()
        x0, x1 = self._span(col_w)
        return QPointF(x0 - 10 if side == "q" else x1 + 10, top + (i + 0.5) * row)

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        p.fillRect(self.rect(), QColor(self.theme.bg))
        fg, hl, accent = QColor(self.theme.fg), QColor(self.theme.highlight), QColor(self.theme.accent)
        p.setPen(fg)
        p.setFont(self._font(10, bold=True))
        p.drawText(QRectF(0, 0, self.width(), QFontMetrics(self._font(10)).height() + 4),
                   Qt.AlignLeft | Qt.AlignVCenter, self.title)
        if not self.weights.size:
            p.end()
            return
        top, row, col_w = self._geometry()
        x0, x1 = self._span(col_w)
        side, idx = self.hover
        for i, j in self._visible_pairs():
            if side == "q" and i != idx or side == "k" and j != idx:
                continue
            w = float(self.weights[i, j])
            c = QColor(hl if side else accent)
            c.setAlphaF(min(1.0, w))
            p.setPen(QPen(c, max(1.0, 3.0 * w) * self.theme.pen_width()))
            p.drawLine(QPointF(x0, top + (i + 0.5) * row), QPointF(x1, top + (j + 0.5) * row))
        font, bold = self._font(), self._font(bold=True)
        line = QFontMetrics(font).height()
        every = max(1, math.ceil(line / row))  # thin the labels when crowded
        for i, t in enumerate(self.queries):
            on = side == "q" and i == idx
            if i % every and not on:
                continue
            p.setFont(bold if on else font)
            p.setPen(hl if on else fg)
            p.drawText(QRectF(0, top + (i + 0.5) * row - line / 2, col_w, line), Qt.AlignRight | Qt.AlignVCenter, t)
        for j, t in enumerate(self.keys):
            on = side == "k" and j == idx
            if side == "q" and idx >= 0:
                on = self.weights[idx, j] >= self.weights[idx].max() - 1e-9
            if j % every and not on:
                continue
            p.setFont(bold if on else font)
            p.setPen(hl if on else fg)
            p.drawText(QRectF(x1 + 4, top + (j + 0.5) * row - line / 2, col_w, line), Qt.AlignLeft | Qt.AlignVCenter, t)
        p.end()

    def _visible_pairs(self) -> list[tuple[int, int]]:
        """(query, key) pairs worth a line: weight ≥ 0.01, at most the 16 strongest per query."""
        if getattr(self, "_pairs_of", None) is not self.weights:
            w = self.weights
            k = min(16, w.shape[1])
            top = np.argpartition(-w, k - 1, axis=1)[:, :k] if k else np.zeros((len(w), 0), int)  # (T_q, k)
            self._pairs = [(i, int(j)) for i in range(len(w)) for j in top[i] if w[i, j] >= 0.01]
            self._pairs_of = w
        return self._pairs

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        hit = self.token_at(event.position())
        if hit != self.hover:
            self.hover = hit
            self.update()

    def leaveEvent(self, event) -> None:  # noqa: N802
        self.hover = ("", -1)
        self.update()

    def mousePressEvent(self, event) -> None:  # noqa: N802
        side, i = self.token_at(event.position())
        if side == "q":
            self.token_clicked.emit(i)
