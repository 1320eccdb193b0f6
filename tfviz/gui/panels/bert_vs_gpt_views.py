"""Painted views of the BERT vs GPT panel: probability bars and the KV cache.

Both paint themselves (a dozen rectangles and labels), so a generation step repaints in a
few milliseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from tfviz.gui.i18n import tr
from tfviz.gui.theme import LIGHT, Theme


def shown(token: str) -> str:
    """A token as a label: spaces as '·', a newline as '↵'; raw bytes (``<E4 B9>``) kept.

    >>> shown(" to"), shown("<E4 B9>之 ")
    ('·to', '<E4 B9>之·')
    """
    parts = re.split(r"(<[0-9A-F]{2}(?: [0-9A-F]{2})*>)", token)
    out = "".join(p if i % 2 else p.replace(" ", "·").replace("\n", "↵").replace("\t", "→")
                  for i, p in enumerate(parts))
    return out or "∅"


@dataclass(frozen=True)
class Bar:
    token: str
    prob: float
    true: bool = False    # the token really at this position
    chosen: bool = False  # the token sampled


class _Themed(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.theme: Theme = LIGHT

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.updateGeometry()
        self.update()

    def _font(self, base: float = 10.0, bold: bool = False) -> QFont:
        f = QFont(self.font())
        f.setPointSizeF(self.theme.font_pt(base))
        f.setBold(bold)
        return f


class BarList(_Themed):
    """Horizontal bars: token, bar, percentage. The true token carries a ✓ and an outline, the
    sampled one is filled in the highlight colour. ``extra`` is one more line under the bars
    (where the true token ranks when it is not among them)."""

    ROWS = 10

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.title = ""
        self.bars: list[Bar] = []
        self.extra = ""
        self.note = ""  # shown when there are no bars
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    def set_bars(self, title: str, bars: list[Bar], extra: str = "", note: str = "") -> None:
        self.title, self.bars, self.extra, self.note = title, list(bars), extra, note
        self.update()

    def _row_h(self) -> float:
        return QFontMetricsF(self._font()).height() + 6

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(300, int(self._row_h() * (self.ROWS + 2.5)))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(180, int(self._row_h() * 4))

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        t = self.theme
        p.fillRect(self.rect(), QColor(t.bg))
        font, bold = self._font(), self._font(bold=True)
        fm = QFontMetricsF(font)
        row = self._row_h()
        p.setFont(bold)
        p.setPen(QColor(t.fg))
        p.drawText(QRectF(4, 2, self.width() - 8, row), Qt.AlignLeft | Qt.AlignVCenter,
                   QFontMetricsF(bold).elidedText(self.title, Qt.ElideRight, self.width() - 8))
        if not self.bars:
            p.setFont(font)
            p.setPen(QColor(t.muted))
            p.drawText(QRectF(4, row + 4, self.width() - 8, self.height() - row - 8),
                       Qt.AlignLeft | Qt.AlignTop | Qt.TextWordWrap, self.note)
            p.end()
            return
        labels = [shown(b.token) for b in self.bars]
        label_w = min(self.width() * 0.4, max(fm.horizontalAdvance(s) for s in labels) + fm.horizontalAdvance("✓ ") + 8)
        pct_w = fm.horizontalAdvance("100.0%") + 8
        bar_x, bar_w = label_w + 8, max(10.0, self.width() - label_w - pct_w - 16)
        top_p = max(b.prob for b in self.bars) or 1.0
        accent, hl, fg = QColor(t.accent), QColor(t.highlight), QColor(t.fg)
        for i, (b, text) in enumerate(zip(self.bars, labels)):
            y = row * (i + 1) + 4
            p.setFont(bold if (b.true or b.chosen) else font)
            p.setPen(hl if b.chosen else fg)
            mark = "✓ " if b.true else ""
            p.drawText(QRectF(4, y, label_w, row), Qt.AlignRight | Qt.AlignVCenter,
                       fm.elidedText(mark + text, Qt.ElideRight, label_w))
            w = bar_w * b.prob / top_p
            rect = QRectF(bar_x, y + 3, max(w, 1.0), row - 6)
            colour = QColor(hl if b.chosen else accent)
            if not b.chosen:
                colour.setAlpha(200)
            p.fillRect(rect, colour)
            if b.true:
                p.setPen(QPen(fg, t.pen_width(2.0), Qt.DashLine))
                p.setBrush(Qt.NoBrush)
                p.drawRect(QRectF(2, y + 1, self.width() - 4, row - 2))  # the whole row: label and bar
            p.setFont(font)
            p.setPen(fg)
            p.drawText(QRectF(bar_x + w + 4, y, pct_w + bar_w - w, row), Qt.AlignLeft | Qt.AlignVCenter,
                       f"{100 * b.prob:.1f}%")
        if self.extra:
            y = row * (len(self.bars) + 1) + 6
            p.setFont(font)
            p.setPen(QColor(t.muted))
            p.drawText(QRectF(4, y, self.width() - 8, self.height() - y), Qt.AlignLeft | Qt.AlignTop | Qt.TextWordWrap,
                       self.extra)
        p.end()


class KVCacheView(_Themed):
    """The KV cache of the last step: one key box and one value box per position read, the
    reused ones in the muted colour, the newly computed ones in the highlight colour."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.labels: list[str] = []
        self.reused = 0
        self.new = 0
        self.caption = ""
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)

    def set_cache(self, labels: list[str], reused: int, new: int, caption: str) -> None:
        self.labels, self.reused, self.new, self.caption = list(labels), reused, new, caption
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        h = QFontMetricsF(self._font(9)).height()
        return QSize(400, int(h * 4.6 + 12))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(200, self.sizeHint().height())

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        t = self.theme
        p.fillRect(self.rect(), QColor(t.bg))
        font = self._font(9)
        fm = QFontMetricsF(font)
        line = fm.height()
        p.setFont(font)
        p.setPen(QColor(t.fg))
        p.drawText(QRectF(4, 2, self.width() - 8, line), Qt.AlignLeft | Qt.AlignVCenter,
                   fm.elidedText(self.caption, Qt.ElideRight, self.width() - 8))
        n = len(self.labels)
        if not n:
            p.end()
            return
        left = fm.horizontalAdvance("V") + 12
        cell = max(2.0, min(line * 1.6, (self.width() - left - 6) / n))
        first_new = n - self.new
        for r, name in enumerate((tr("BertVsGpt", "K"), tr("BertVsGpt", "V"))):
            y = line + 6 + r * (line + 4)
            p.setPen(QColor(t.fg))
            p.drawText(QRectF(2, y, left - 6, line), Qt.AlignRight | Qt.AlignVCenter, name)
            for i in range(n):
                fresh = i >= first_new
                colour = QColor(t.highlight if fresh else t.muted)
                colour.setAlpha(230 if fresh else 110)
                p.fillRect(QRectF(left + i * cell + 1, y, cell - 2 if cell > 4 else cell, line), colour)
        y = line * 3 + 16
        p.setPen(QColor(t.muted))
        legend = tr("BertVsGpt", "grey: reused from the cache · coloured: computed now ({new} of {n})").format(
            new=self.new, n=n)
        p.drawText(QRectF(4, y, self.width() - 8, line), Qt.AlignLeft | Qt.AlignVCenter,
                   fm.elidedText(legend, Qt.ElideRight, self.width() - 8))
        p.end()
