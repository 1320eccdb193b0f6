"""Token chips (coloured boxes with the token's text and its id beneath) and a small line plot.

:class:`ChipView` lays chips out in wrapped rows and paints them itself: a 200-character
sentence is a few hundred rectangles, far cheaper than one QLabel per token.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from tfviz.gui.i18n import tr
from tfviz.gui.theme import Theme


def _luminance(c: QColor) -> float:
    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF())


def _contrast(a: QColor, b: QColor) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    return QColor.fromRgbF(a.redF() + (b.redF() - a.redF()) * t, a.greenF() + (b.greenF() - a.greenF()) * t,
                           a.blueF() + (b.blueF() - a.blueF()) * t)


def readable_on(color: QColor, fill: QColor, fg: QColor, ratio: float = 4.5) -> QColor:
    """``color`` moved towards ``fg`` until it reaches ``ratio`` contrast on ``fill`` (opaque).

    The muted text of raw-byte chips and ids was near-unreadable on the stronger fills of
    the dark theme (grey on olive, about 2:1).
    """
    for t in (0.0, 0.25, 0.5, 0.75):
        c = _mix(color, fg, t)
        if _contrast(c, fill) >= ratio:
            return c
    return QColor(fg)


@dataclass(frozen=True)
class Chip:
    label: str  # what the token looks like: "·the", "<E6 88>", "我"
    caption: str  # beneath: the id ("15339"), or "" for raw bytes with no id
    color_index: int  # which palette colour
    hexed: bool = False  # label shows raw bytes in hex (painted in a muted colour)
    new_piece: bool = False  # first token of a pre-tokenized piece: drawn after a wider gap
    tooltip: str = ""


class ChipView(QWidget):
    """Chips in wrapped rows. ``highlight`` marks chips (e.g. the pair about to merge);
    clicking a chip emits ``chip_clicked(index)``."""

    chip_clicked = Signal(int)

    PAD_X, PAD_Y, GAP, ROW_GAP, PIECE_GAP = 5.0, 3.0, 4.0, 6.0, 10.0

    def __init__(self, theme: Theme, parent: QWidget | None = None, font_pt: float = 12.0) -> None:
        super().__init__(parent)
        self.theme = theme
        self.chips: list[Chip] = []
        self.highlight: set[int] = set()
        self.selected: int | None = None
        self.note = ""  # shown when there are no chips
        self._rects: list[QRectF] = []
        self._laid_width = -1.0
        self._font_pt = font_pt
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        self.setMouseTracking(False)

    # data -----------------------------------------------------------------
    def set_chips(self, chips: list[Chip], highlight=(), selected: int | None = None) -> None:
        self.chips = chips
        self.highlight = set(highlight)
        self.selected = selected
        self._laid_width = -1.0
        self.updateGeometry()
        self.update()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.update()

    def chip_rect(self, i: int) -> QRectF:
        self._layout(self.width())
        return self._rects[i]

    # layout ---------------------------------------------------------------
    def _fonts(self) -> tuple[QFont, QFont]:
        main = QFont(self.font())
        main.setPointSizeF(self.theme.font_pt(self._font_pt))
        small = QFont(self.font())
        small.setPointSizeF(self.theme.font_pt(self._font_pt * 0.7))
        return main, small

    def _layout(self, width: float) -> float:
        """Place the chips for ``width``; return the height needed."""
        if width == self._laid_width and len(self._rects) == len(self.chips):
            return self._height
        main, small = self._fonts()
        fm, fs = QFontMetricsF(main), QFontMetricsF(small)
        chip_h = fm.height() + fs.height() + 2 * self.PAD_Y
        x, y = self.GAP, self.GAP
        rects = []
        for chip in self.chips:
            w = max(fm.horizontalAdvance(chip.label), fs.horizontalAdvance(chip.caption), 8.0) + 2 * self.PAD_X
            w = min(w, max(width - 2 * self.GAP, 20.0))
            if chip.new_piece and x > self.GAP:
                x += self.PIECE_GAP  # BPE never merges across this gap
            if x + w > width - self.GAP and x > self.GAP:
                x = self.GAP
                y += chip_h + self.ROW_GAP
            rects.append(QRectF(x, y, w, chip_h))
            x += w + self.GAP
        self._rects = rects
        self._laid_width = width
        self._height = (y + chip_h + self.GAP) if self.chips else 2 * chip_h
        return self._height

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return int(self._layout(float(width))) + 1

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(400, self.heightForWidth(max(self.width(), 400)))

    def resizeEvent(self, event) -> None:  # noqa: N802
        h = self.heightForWidth(event.size().width())
        if self.minimumHeight() != h:
            self.setMinimumHeight(h)
        super().resizeEvent(event)

    # painting -------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802
        self._layout(float(self.width()))
        if self.minimumHeight() != int(self._height) + 1:
            self.setMinimumHeight(int(self._height) + 1)
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        main, small = self._fonts()
        fm = QFontMetricsF(main)
        theme = self.theme
        fg, muted = QColor(theme.fg), QColor(theme.muted)
        if not self.chips and self.note:
            p.setPen(muted)
            p.drawText(self.rect().adjusted(8, 8, -8, -8), Qt.AlignLeft | Qt.AlignTop | Qt.TextWordWrap, self.note)
            return
        visible = QRectF(event.rect())
        for i, (chip, r) in enumerate(zip(self.chips, self._rects)):
            if not r.intersects(visible):
                continue
            fill = theme.categorical(chip.color_index)
            alpha = 70 if theme.name == "light" else 110
            opaque = _mix(QColor(theme.bg), fill, alpha / 255)  # the fill as seen on the background
            fill.setAlpha(alpha)
            path = QPainterPath()
            path.addRoundedRect(r, 4, 4)
            p.fillPath(path, fill)
            if i in self.highlight or i == self.selected:
                pen = QPen(QColor(theme.highlight) if i in self.highlight else QColor(theme.accent))
                pen.setWidthF(theme.pen_width(2.5))
                p.setPen(pen)
                p.drawPath(path)
            top = QRectF(r.x(), r.y() + self.PAD_Y, r.width(), fm.height())
            p.setFont(main)
            soft = readable_on(muted, opaque, fg)
            p.setPen(soft if chip.hexed else fg)
            p.drawText(top, Qt.AlignHCenter | Qt.AlignVCenter, chip.label)
            p.setFont(small)
            p.setPen(soft)
            bottom = QRectF(r.x(), top.bottom(), r.width(), r.bottom() - top.bottom() - self.PAD_Y / 2)
            p.drawText(bottom, Qt.AlignHCenter | Qt.AlignVCenter, chip.caption)
        p.end()

    def chip_at(self, pos) -> int | None:
        for i, r in enumerate(self._rects):
            if r.contains(pos):
                return i
        return None

    def event(self, event) -> bool:
        if event.type() == QEvent.ToolTip:
            i = self.chip_at(QPointF(event.pos()))
            if i is not None and self.chips[i].tooltip:
                QToolTip.showText(event.globalPos(), self.chips[i].tooltip, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        pos = event.position()
        for i, r in enumerate(self._rects):
            if r.contains(pos):
                self.chip_clicked.emit(i)
                return
        super().mousePressEvent(event)


class LinePlot(QWidget):
    """A minimal line chart: one series against merges, y axis from 0 (or ``log``)."""

    def __init__(self, theme: Theme, color_index: int = 0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.color_index = color_index
        self.title = ""
        self.xs: list[float] = []
        self.ys: list[float] = []
        self.setMinimumSize(220, 150)

    def set_data(self, xs: list[float], ys: list[float]) -> None:
        self.xs, self.ys = xs, ys
        self.update()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        theme = self.theme
        p.fillRect(self.rect(), QColor(theme.bg))
        font = QFont(self.font())
        font.setPointSizeF(theme.font_pt(9))
        p.setFont(font)
        fm = QFontMetricsF(font)
        left, top, right, bottom = fm.horizontalAdvance("00000.0") + 8, fm.height() + 8, 10, fm.height() + 8
        area = QRectF(left, top, self.width() - left - right, self.height() - top - bottom)
        p.setPen(QColor(theme.fg))
        p.drawText(QRectF(0, 2, self.width(), fm.height()), Qt.AlignHCenter, self.title)
        p.setPen(QPen(QColor(theme.grid), 1))
        p.drawRect(area)
        if len(self.xs) >= 1 and area.width() > 10 and area.height() > 10:
            x_max = max(self.xs[-1], 1.0)
            y_max = max(max(self.ys), 1e-9)
            p.setPen(QColor(theme.muted))
            p.drawText(QRectF(0, area.top() - fm.height() / 2, left - 4, fm.height()), Qt.AlignRight, _short(y_max))
            p.drawText(QRectF(0, area.bottom() - fm.height() / 2, left - 4, fm.height()), Qt.AlignRight, "0")
            p.drawText(QRectF(area.right() - 80, area.bottom() + 2, 80, fm.height()), Qt.AlignRight, _short(x_max))
            step = max(1, len(self.xs) // max(int(area.width()), 1))
            pts = [
                QPointF(area.left() + area.width() * x / x_max, area.bottom() - area.height() * y / y_max)
                for x, y in zip(self.xs[::step] + self.xs[-1:], self.ys[::step] + self.ys[-1:])
            ]
            pen = QPen(theme.categorical(self.color_index))
            pen.setWidthF(theme.pen_width(2.0))
            p.setPen(pen)
            p.drawPolyline(pts)
        elif area.width() > 10 and area.height() > 10:  # the axes are there before the first point
            p.setPen(QColor(theme.muted))
            p.drawText(QRectF(0, area.bottom() - fm.height() / 2, left - 4, fm.height()), Qt.AlignRight, "0")
            p.drawText(area, Qt.AlignCenter, tr("TokenizationTrain", "No data yet"))
        p.end()


def _short(v: float) -> str:
    return f"{v:,.0f}" if v >= 100 else f"{v:.2f}"
