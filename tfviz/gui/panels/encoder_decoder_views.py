"""Painted views of the encoder-decoder panel: the decoding strip and the context vector.

:class:`DecodeStrip` draws the input characters, shaded by how much the decoder looks at
each one at the current step, and the output so far with the current character marked.
:class:`VectorView` draws the RNN's single context vector c as a row of coloured cells:
everything the plain RNN decoder knows about the input.
Both only repaint on a step (the decode itself is computed in a worker beforehand).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from tfviz.gui.attention_views import lut
from tfviz.gui.theme import LIGHT, Theme


def _blend(a: QColor, b: QColor, t: float) -> QColor:
    t = min(max(t, 0.0), 1.0)
    return QColor(int(a.red() + (b.red() - a.red()) * t), int(a.green() + (b.green() - a.green()) * t),
                  int(a.blue() + (b.blue() - a.blue()) * t))  # fmt: skip


class DecodeStrip(QWidget):
    """Input characters with attention shading and bars; output so far below."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.theme: Theme = LIGHT
        self.inputs: list[str] = []
        self.unknown: set[int] = set()
        self.outputs: list[str] = []
        self.current = -1
        self.weights: np.ndarray | None = None  # (S,) at the current step, None for the plain RNN
        self.labels = ("", "")
        self.setMinimumHeight(150)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(700, 170)

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.update()

    def set_labels(self, input_label: str, output_label: str) -> None:
        self.labels = (input_label, output_label)
        self.update()

    def set_sequence(self, inputs: list[str], outputs: list[str], unknown=()) -> None:
        self.inputs, self.outputs, self.unknown = inputs, outputs, set(unknown)
        self.update()

    def set_step(self, current: int, weights: np.ndarray | None) -> None:
        self.current, self.weights = current, weights
        self.update()

    def _cell(self, n: int) -> float:
        return max(12.0, min(34.0, (self.width() - 90) / max(1, n)))

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        th = self.theme
        p.fillRect(self.rect(), QColor(th.bg))
        fg, muted, accent, hi = QColor(th.fg), QColor(th.muted), QColor(th.accent), QColor(th.highlight)
        font = QFont(self.font())
        font.setPointSizeF(th.font_pt(11))
        p.setFont(font)
        left = 86.0
        w_in = self._cell(len(self.inputs))
        bar_h, y_in = 46.0, 56.0
        p.setPen(muted)
        p.drawText(QRectF(4, y_in, left - 8, w_in), Qt.AlignRight | Qt.AlignVCenter, self.labels[0])
        wmax = float(self.weights.max()) if self.weights is not None and self.weights.size else 0.0
        for j, ch in enumerate(self.inputs):
            x = left + j * w_in
            box = QRectF(x + 1, y_in, w_in - 2, w_in)
            wj = float(self.weights[j]) if self.weights is not None and j < len(self.weights) else 0.0
            fill = _blend(QColor(th.panel_bg), accent, wj / wmax if wmax > 0 else 0.0)
            p.fillRect(box, fill)
            if self.weights is not None:  # a bar: the weight itself, 0..1
                h = bar_h * wj
                p.fillRect(QRectF(x + 3, y_in - 4 - h, w_in - 6, h), accent)
            if j in self.unknown:
                p.setPen(QPen(hi, 2, Qt.DashLine))
                p.drawRect(box)
            p.setPen(fg if (wmax == 0 or wj / wmax < 0.6) else QColor("#ffffff"))
            p.drawText(box, Qt.AlignCenter, "·" if ch == " " else ch)
        # output so far
        y_out = y_in + w_in + 26
        w_out = self._cell(max(len(self.outputs), 1))
        p.setPen(muted)
        p.drawText(QRectF(4, y_out, left - 8, w_out), Qt.AlignRight | Qt.AlignVCenter, self.labels[1])
        for t, ch in enumerate(self.outputs[: self.current + 1]):
            x = left + t * w_out
            box = QRectF(x + 1, y_out, w_out - 2, w_out)
            cur = t == self.current
            p.fillRect(box, hi if cur else QColor(th.panel_bg))
            p.setPen(QColor("#ffffff") if cur else fg)
            small = QFont(font)
            if len(ch) > 1:
                small.setPointSizeF(th.font_pt(7))
            p.setFont(small)
            p.drawText(box, Qt.AlignCenter, ch)
            p.setFont(font)
        p.end()


class VectorView(QWidget):
    """The context vector c as coloured cells (blue < 0 < orange-ish via viridis)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.theme: Theme = LIGHT
        self.values = np.zeros(0, np.float32)
        self.caption = ""
        self.setMinimumHeight(90)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(700, 110)

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.update()

    def set_vector(self, values: np.ndarray, caption: str) -> None:
        self.values = np.asarray(values, np.float32)
        self.caption = caption
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        th = self.theme
        p.fillRect(self.rect(), QColor(th.bg))
        p.setPen(QColor(th.fg))
        font = QFont(self.font())
        font.setPointSizeF(th.font_pt(10))
        p.setFont(font)
        p.drawText(QRectF(8, 2, self.width() - 16, 24), Qt.AlignLeft | Qt.AlignVCenter, self.caption)
        n = len(self.values)
        if n:
            cols = 64 if n > 64 else n
            rows = (n + cols - 1) // cols
            cw = (self.width() - 16) / cols
            ch = min(24.0, (self.height() - 34) / rows)
            m = float(np.abs(self.values).max()) or 1.0
            table = lut("viridis")
            for i, v in enumerate(self.values):
                r, c = divmod(i, cols)
                k = int(round((float(v) / m + 1) / 2 * 255))
                rgb = table[min(max(k, 0), 255)]
                p.fillRect(QRectF(8 + c * cw, 30 + r * ch, cw - 1, ch - 1), QColor(*map(int, rgb)))
        p.end()
