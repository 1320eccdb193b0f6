"""MatrixView: a labelled attention heatmap with a colour bar, hover and click."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QImage, QPainter, QPen

from tfviz.gui.attention_views.common import ThemedView, fmt_value, levels_of, text_color_for, to_image
from tfviz.gui.export import exporting
from tfviz.gui.i18n import tr


class MatrixView(ThemedView):
    """A labelled heatmap: rows = queries, columns = keys, with a colour bar.

    Hovering a cell highlights its row and column tokens and shows the value; a click
    emits ``clicked(row, col)``. ``set_selected_row(i)`` outlines one query row.
    """

    hovered = Signal(int, int)
    clicked = Signal(int, int)
    label_clicked = Signal(int, int)  # (row, -1) on a row label, (-1, column) on a column label

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setMinimumSize(160, 140)
        self.rows: list[str] = []
        self.cols: list[str] = []
        self.mat = np.zeros((0, 0), np.float32)
        self.levels = (0.0, 1.0)
        self.fixed_levels: tuple[float, float] | None = None
        self.title = ""
        self.show_numbers = True
        self.square = True  # square cells; False stretches to fill (e.g. tokens x 64 dimensions)
        self.hover = (-1, -1)
        self.selected_row = -1
        self._image: QImage | None = None

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(420, 380)

    def set_data(self, rows, cols, mat, title: str = "", levels: tuple[float, float] | None = None) -> None:
        """``mat`` is (len(rows), len(cols)); ``levels`` fixes the colour range (else min..max)."""
        mat = np.asarray(mat, dtype=np.float32)
        if mat.ndim != 2 or mat.shape != (len(rows), len(cols)):
            raise ValueError(f"matrix shape {mat.shape} does not match {len(rows)} rows x {len(cols)} columns")
        self.rows, self.cols, self.mat, self.title = list(rows), list(cols), mat, title
        self.fixed_levels = levels
        if self.hover[0] >= len(self.rows) or self.hover[1] >= len(self.cols):
            self.hover = (-1, -1)
        self._rebuild()
        self.update()

    def set_title(self, title: str) -> None:
        self.title = title
        self.update()

    def set_selected_row(self, i: int) -> None:
        self.selected_row = i
        self.update()

    def _rebuild(self) -> None:
        self.levels = self.fixed_levels or levels_of(self.mat)
        grey = QColor(self.theme.grid)
        self._image = (
            to_image(self.mat, *self.levels, self.cmap, (grey.red(), grey.green(), grey.blue()))
            if self.mat.size else None
        )

    # geometry ---------------------------------------------------------------
    def _layout(self) -> tuple[QRectF, float, float, float, float]:
        """The matrix rectangle, the cell width and height, and the label margins (left, bottom)."""
        fm = QFontMetrics(self._font())
        key = (tuple(self.rows), tuple(self.cols), self.theme.scale)
        if getattr(self, "_margin_key", None) != key:  # label widths: measured once per token list
            self._col_width = max([fm.horizontalAdvance(t) for t in self.cols] + [10])
            self._margins = (min(140, max([fm.horizontalAdvance(t) for t in self.rows] + [10]) + 8),
                             min(120, self._col_width + 8))
            self._margin_key = key
        left, bottom = self._margins
        top = self._title_height() + 6
        right = 70  # colour bar
        n_r, n_c = max(1, len(self.rows)), max(1, len(self.cols))

        def cells(bottom: float) -> tuple[float, float]:
            cw = max(1.0, (self.width() - left - right) / n_c)
            ch = max(1.0, (self.height() - top - bottom - fm.height() - 4) / n_r)
            if self.square:
                cw = ch = min(cw, ch)
            return cw, ch

        cw, ch = cells(bottom)
        # short column labels (single characters, numbers) that fit their cell are written
        # upright: a rotated CJK character is unreadable
        self._upright_cols = self._col_width + 1 <= cw
        if self._upright_cols:
            bottom = min(bottom, fm.height() + 8)
            cw, ch = cells(bottom)
        return QRectF(left, top, cw * n_c, ch * n_r), cw, ch, left, bottom

    def _title_lines(self) -> list[str]:
        """The title in one line, or two when it is wider than the view (the rest elided)."""
        fm = QFontMetrics(self._font(10, bold=True))
        width = max(10, self.width() - 4)
        if fm.horizontalAdvance(self.title) <= width:
            return [self.title]
        layout_text = self.title
        cut = len(layout_text)
        while cut > 1 and fm.horizontalAdvance(layout_text[:cut]) > width:
            cut -= 1
        space = layout_text.rfind(" ", 0, cut + 1)
        if space > cut // 2:  # break at a space when there is one in the second half
            cut = space
        first, rest = layout_text[:cut].rstrip(), layout_text[cut:].lstrip()
        return [first, fm.elidedText(rest, Qt.ElideRight, width)]

    def _title_height(self) -> int:
        return (QFontMetrics(self._font(10, bold=True)).height() + 1) * len(self._title_lines())

    def cell_at(self, pos: QPointF) -> tuple[int, int]:
        rect, cw, ch, _, _ = self._layout()
        if not rect.contains(pos) or not self.mat.size:
            return -1, -1
        i = int((pos.y() - rect.top()) // ch)
        j = int((pos.x() - rect.left()) // cw)
        if 0 <= i < len(self.rows) and 0 <= j < len(self.cols):
            return i, j
        return -1, -1

    def label_at(self, pos: QPointF) -> tuple[int, int]:
        """(row, -1) for a point on a row label (left of the matrix), (-1, column) for a point
        on a column label (under it), else (-1, -1)."""
        rect, cw, ch, left, bottom = self._layout()
        if not self.mat.size:
            return -1, -1
        if 0 <= pos.x() < rect.left() and rect.top() <= pos.y() < rect.bottom():
            i = int((pos.y() - rect.top()) // ch)
            return (i, -1) if 0 <= i < len(self.rows) else (-1, -1)
        if rect.left() <= pos.x() < rect.right() and rect.bottom() <= pos.y() <= rect.bottom() + bottom:
            j = int((pos.x() - rect.left()) // cw)
            return (-1, j) if 0 <= j < len(self.cols) else (-1, -1)
        return -1, -1

    def cell_center(self, i: int, j: int) -> QPointF:
        rect, cw, ch, _, _ = self._layout()
        return QPointF(rect.left() + (j + 0.5) * cw, rect.top() + (i + 0.5) * ch)

    # painting ---------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(self.theme.bg))
        fg, muted, hl = QColor(self.theme.fg), QColor(self.theme.muted), QColor(self.theme.highlight)
        p.setFont(self._font(10, bold=True))
        p.setPen(fg)
        title_line = QFontMetrics(self._font(10, bold=True)).height() + 1
        for n, text in enumerate(self._title_lines()):
            p.drawText(QRectF(0, 2 + n * title_line, self.width(), title_line),
                       Qt.AlignLeft | Qt.AlignVCenter, text)
        if self._image is None:
            p.setPen(muted)
            p.drawText(self.rect(), Qt.AlignCenter, tr("AttentionViews", "Nothing to show yet"))
            p.end()
            return
        rect, cw, ch, left, bottom = self._layout()
        p.drawImage(rect, self._image)
        blocked = ~np.isfinite(self.mat)
        if blocked.any() and min(cw, ch) >= 6:  # hatch masked cells
            p.setPen(QPen(QColor(self.theme.muted), 1))
            for i, j in zip(*np.nonzero(blocked)):
                x, y = rect.left() + j * cw, rect.top() + i * ch
                p.drawLine(QPointF(x + 1, y + ch - 1), QPointF(x + cw - 1, y + 1))
        if self.show_numbers and min(cw, ch) >= 30:
            p.setFont(self._font(7 if min(cw, ch) < 44 else 8))
            lo, hi = self.levels
            for i in range(len(self.rows)):
                for j in range(len(self.cols)):
                    v = float(self.mat[i, j])
                    p.setPen(text_color_for(v, lo, hi) if math.isfinite(v) else fg)
                    p.drawText(QRectF(rect.left() + j * cw, rect.top() + i * ch, cw, ch),
                               Qt.AlignCenter, fmt_value(v))
        # labels: queries down the left, keys rotated along the bottom (thinned when crowded)
        font, bold = self._font(), self._font(bold=True)
        line = QFontMetrics(font).height()
        every_r, every_c = max(1, math.ceil(line / ch)), max(1, math.ceil(line / cw))
        hi_i, hi_j = self.hover
        for i, t in enumerate(self.rows):
            strong = i == hi_i or i == self.selected_row
            if i % every_r and not strong:
                continue
            p.setFont(bold if strong else font)
            p.setPen(hl if strong else fg)
            p.drawText(QRectF(0, rect.top() + (i + 0.5) * ch - line / 2, left - 4, line),
                       Qt.AlignRight | Qt.AlignVCenter, t)
        for j, t in enumerate(self.cols):
            if self._upright_cols:
                p.setFont(bold if j == hi_j else font)
                p.setPen(hl if j == hi_j else fg)
                p.drawText(QRectF(rect.left() + j * cw, rect.bottom() + 3, cw, line), Qt.AlignCenter, t)
                continue
            if j % every_c and j != hi_j:
                continue
            p.save()
            p.translate(QPointF(rect.left() + (j + 0.5) * cw, rect.bottom() + 4))
            p.rotate(90)
            p.setFont(bold if j == hi_j else font)
            p.setPen(hl if j == hi_j else fg)
            p.drawText(QRectF(0, -line / 2, bottom - 6, line), Qt.AlignLeft | Qt.AlignVCenter, t)
            p.restore()
        if 0 <= self.selected_row < len(self.rows):
            p.setPen(QPen(hl, 2))
            p.setBrush(Qt.NoBrush)
            p.drawRect(QRectF(rect.left(), rect.top() + self.selected_row * ch, rect.width(), ch))
        if hi_i >= 0:
            p.setPen(QPen(hl, 1, Qt.DashLine))
            p.drawRect(QRectF(rect.left(), rect.top() + hi_i * ch, rect.width(), ch))
            p.drawRect(QRectF(rect.left() + hi_j * cw, rect.top(), cw, rect.height()))
            p.setPen(QPen(hl, 2))
            p.drawRect(QRectF(rect.left() + hi_j * cw, rect.top() + hi_i * ch, cw, ch))
        self._paint_colorbar(p, rect)
        if exporting() and hi_i < 0:  # an export shows the view, not the "hover a cell" hint
            p.end()
            return
        # hover caption under the labels
        fm = QFontMetrics(font)
        p.setFont(font)
        p.setPen(fg)
        p.drawText(QRectF(4, self.height() - fm.height() - 2, self.width() - 8, fm.height()),
                   Qt.AlignLeft | Qt.AlignVCenter, self.hover_text())
        p.end()

    def _paint_colorbar(self, p: QPainter, rect: QRectF) -> None:
        lo, hi = self.levels
        bar = QRectF(rect.right() + 12, rect.top(), 14, max(40.0, rect.height()))
        ramp = np.linspace(1.0, 0.0, 128, dtype=np.float32)[:, None]  # (128, 1) top = high
        p.drawImage(bar, to_image(ramp, 0.0, 1.0, self.cmap))
        p.setPen(QColor(self.theme.muted))
        p.setBrush(Qt.NoBrush)
        p.drawRect(bar)
        p.setFont(self._font(8))
        p.setPen(QColor(self.theme.fg))
        fm = QFontMetrics(self._font(8))
        p.drawText(QPointF(bar.right() + 4, bar.top() + fm.ascent()), fmt_value(hi))
        p.drawText(QPointF(bar.right() + 4, bar.center().y() + fm.ascent() / 2), fmt_value((lo + hi) / 2))
        p.drawText(QPointF(bar.right() + 4, bar.bottom()), fmt_value(lo))

    def hover_text(self) -> str:
        i, j = self.hover
        if i < 0:
            return tr("AttentionViews", "Hover a cell to read its value.")
        v = float(self.mat[i, j])
        if not math.isfinite(v):
            return tr("AttentionViews", "{query} → {key}: masked (−∞)").format(query=self.rows[i], key=self.cols[j])
        return tr("AttentionViews", "{query} → {key}: {value}").format(
            query=self.rows[i], key=self.cols[j], value=f"{v:.4f}")

    # mouse ------------------------------------------------------------------
    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        cell = self.cell_at(event.position())
        if cell != self.hover:
            self.hover = cell
            self.hovered.emit(*cell)
            self.update()

    def leaveEvent(self, event) -> None:  # noqa: N802
        if self.hover != (-1, -1):
            self.hover = (-1, -1)
            self.hovered.emit(-1, -1)
            self.update()

    def mousePressEvent(self, event) -> None:  # noqa: N802
        i, j = self.cell_at(event.position())
        if i >= 0:
            self.clicked.emit(i, j)
            return
        label = self.label_at(event.position())
        if label != (-1, -1):
            self.label_clicked.emit(*label)
