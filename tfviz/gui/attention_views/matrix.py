"""Reusable attention views: matrix heatmap, lines, layer x head grid, computation steps.

None of these views knows about BERT. They take token lists and numpy arrays, so the
attention panel, the encoder-decoder panel (encoder self-attention, decoder masked
self-attention, cross-attention) and anything else can use them::

    from tfviz.gui.attention_views import MatrixView, LinesView, ModelGrid, ComputationView
    from tfviz.core.attention_head import head_from_trace

    m = MatrixView()                                   # heatmap + colour bar + hover
    m.set_data(query_tokens, key_tokens, weights)      # weights: (T_q, T_k) numpy
    m.hovered.connect(lambda i, j: ...)                # -1, -1 when the mouse leaves
    m.set_data(rows, cols, mat, "title", levels=(0, 1))  # fixed colour range; else min..max
    m.square, m.show_numbers = False, False            # stretch cells (T x 64 dims); no numbers

    lines = LinesView()                                # bertviz-style lines
    lines.set_data(query_tokens, key_tokens, weights)  # opacity = weight

    grid = ModelGrid()                                 # every layer x head as a thumbnail
    grid.set_data(all_weights)                         # (L, H, T_q, T_k) numpy
    grid.selected.connect(lambda layer, head: ...)     # clicked thumbnail

    comp = ComputationView()                           # Q, K, V, QKᵀ, /√d_k, +mask, softmax, ·V
    comp.set_head(head_from_trace(trace, b=0, h=3), query_tokens, key_tokens)

For cross-attention the query tokens are the decoder's and the key tokens the encoder's;
``T_q`` and ``T_k`` may differ. ``-inf`` (masked) cells are drawn grey with a hatch and
reported as "masked" on hover; ``NaN`` never reaches the screen. Colours: viridis (default)
or cividis, both perceptually uniform and colour-blind safe. Call ``set_theme(ctx.theme)``
on theme changes and ``retranslate()`` on language changes. Every view paints with
QPainter, so ``export_widget`` renders it to PNG or SVG.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from tfviz.core.attention_head import STAGES, HeadView
from tfviz.gui.i18n import tr
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


class _Themed(QWidget):
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


# ------------------------------------------------------------------------- matrix heatmap


class MatrixView(_Themed):
    """A labelled heatmap: rows = queries, columns = keys, with a colour bar.

    Hovering a cell highlights its row and column tokens and shows the value; a click
    emits ``clicked(row, col)``. ``set_selected_row(i)`` outlines one query row.
    """

    hovered = Signal(int, int)
    clicked = Signal(int, int)

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


# ------------------------------------------------------------------------- lines view


class LinesView(_Themed):
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


# ------------------------------------------------------------------------- model grid


class ModelGrid(_Themed):
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


# ------------------------------------------------------------------------- computation


class ComputationView(QWidget):
    """One head's attention computed stage by stage, with the actual numbers.

    Stages (``STAGES``): Q, K, V → Q·Kᵀ → ÷ √d_k → + mask → softmax → · V. Q, K, V and
    the output show ``dims_per_page`` feature dimensions at a time (page with the spin box).
    The selected query row (click a row) is outlined everywhere and explained in words.
    """

    stage_changed = Signal(int)

    def __init__(self, parent=None, dims_per_page: int = 8) -> None:
        super().__init__(parent)
        self.head: HeadView | None = None
        self.queries: list[str] = []
        self.keys: list[str] = []
        self.stage = 0
        self.row = 0
        self.page = 0
        self.dims_per_page = dims_per_page
        self.prev_btn = QPushButton()
        self.next_btn = QPushButton()
        self.stage_label = QLabel()
        self.page_label = QLabel()
        self.page_spin = QSpinBox()
        self.page_spin.setMinimum(1)
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        self.explain.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.views = [MatrixView() for _ in range(3)]
        top = QHBoxLayout()
        for w in (self.prev_btn, self.stage_label, self.next_btn):
            top.addWidget(w)
        top.addStretch(1)
        top.addWidget(self.page_label)
        top.addWidget(self.page_spin)
        row = QHBoxLayout()
        for v in self.views:
            row.addWidget(v, 1)
            v.clicked.connect(self._on_cell_clicked)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(row, 1)
        lay.addWidget(self.explain)
        self.prev_btn.clicked.connect(lambda: self.step(-1))
        self.next_btn.clicked.connect(lambda: self.step(1))
        self.page_spin.valueChanged.connect(self._on_page)
        self.retranslate()

    # public -----------------------------------------------------------------
    def set_theme(self, theme: Theme) -> None:
        for v in self.views:
            v.set_theme(theme)

    def set_colormap(self, name: str) -> None:
        for v in self.views:
            v.set_colormap(name)

    def set_head(self, head: HeadView, queries, keys) -> None:
        self.head, self.queries, self.keys = head, list(queries), list(keys)
        self.row = min(self.row, len(self.queries) - 1)
        pages = max(1, math.ceil(head.d_k / self.dims_per_page))
        self.page_spin.blockSignals(True)
        self.page_spin.setMaximum(pages)
        self.page = min(self.page, pages - 1)
        self.page_spin.setValue(self.page + 1)
        self.page_spin.blockSignals(False)
        self.refresh()

    def set_stage(self, stage: int) -> None:
        stage = max(0, min(len(STAGES) - 1, stage))
        if stage != self.stage:
            self.stage = stage
            self.stage_changed.emit(stage)
        self.refresh()

    def step(self, delta: int) -> None:
        self.set_stage(self.stage + delta)

    def set_row(self, i: int) -> None:
        self.row = max(0, min(len(self.queries) - 1, i))
        self.refresh()

    def stage_names(self) -> list[str]:
        return [
            tr("AttentionViews", "1. Q, K, V"),
            tr("AttentionViews", "2. Q·Kᵀ"),
            tr("AttentionViews", "3. ÷ √d_k"),
            tr("AttentionViews", "4. + mask"),
            tr("AttentionViews", "5. softmax"),
            tr("AttentionViews", "6. · V"),
        ]

    def retranslate(self) -> None:
        self.prev_btn.setText(tr("AttentionViews", "◀ Previous stage"))
        self.next_btn.setText(tr("AttentionViews", "Next stage ▶"))
        self.page_label.setText(tr("AttentionViews", "Dimensions page:"))
        self.refresh()

    # internals --------------------------------------------------------------
    def _on_page(self, value: int) -> None:
        self.page = value - 1
        self.refresh()

    def _on_cell_clicked(self, i: int, j: int) -> None:
        self.set_row(i)

    def _dims(self) -> tuple[slice, list[str]]:
        a = self.page * self.dims_per_page
        b = min(self.head.d_k, a + self.dims_per_page)
        return slice(a, b), [str(d) for d in range(a, b)]

    def refresh(self) -> None:
        self.stage_label.setText(self.stage_names()[self.stage])
        self.prev_btn.setEnabled(self.stage > 0)
        self.next_btn.setEnabled(self.stage < len(STAGES) - 1)
        h = self.head
        if h is None:
            for v in self.views:
                v.setVisible(v is self.views[0])
            self.views[0].set_data([], [], np.zeros((0, 0)), "")
            self.explain.setText(tr("AttentionViews", "No head selected yet."))
            return
        dims, dim_labels = self._dims()
        q, k = self.queries, self.keys
        name = STAGES[self.stage]
        shown: list[tuple[list[str], list[str], np.ndarray, str, tuple | None]] = []
        if name == "qkv":
            shown = [(q, dim_labels, h.q[:, dims], "Q", None), (k, dim_labels, h.k[:, dims], "K", None),
                     (k, dim_labels, h.v[:, dims], "V", None)]
        elif name == "scores":
            shown = [(q, dim_labels, h.q[:, dims], "Q", None), (k, dim_labels, h.k[:, dims], "K", None),
                     (q, k, h.scores, "Q·Kᵀ", None)]
        elif name == "scaled":
            shown = [(q, k, h.scores, "Q·Kᵀ", None), (q, k, h.scaled, "Q·Kᵀ / √d_k", None)]
        elif name == "masked":
            shown = [(q, k, h.mask, tr("AttentionViews", "mask M (0 or −∞)"), (-1.0, 0.0)),
                     (q, k, h.masked, "Q·Kᵀ / √d_k + M", None)]
        elif name == "softmax":
            shown = [(q, k, h.masked, tr("AttentionViews", "before softmax"), None),
                     (q, k, h.weights, tr("AttentionViews", "after softmax (weights)"), (0.0, 1.0))]
        else:
            shown = [(q, k, h.weights, tr("AttentionViews", "weights"), (0.0, 1.0)),
                     (k, dim_labels, h.v[:, dims], "V", None),
                     (q, dim_labels, h.context[:, dims], tr("AttentionViews", "output = weights · V"), None)]
        for view, item in zip(self.views, shown + [None] * (3 - len(shown))):
            view.setVisible(item is not None)
            if item is None:
                continue
            rows, cols, mat, title, levels = item
            view.set_data(rows, cols, mat, title, levels)
            view.set_selected_row(self.row if rows is q else -1)
        self.explain.setText(self._explanation(name))

    def _explanation(self, name: str) -> str:
        h, i = self.head, self.row
        tok = self.queries[i] if self.queries else ""
        row = h.weights[i]
        j = int(np.argmax(row)) if row.size else 0
        key = self.keys[j] if self.keys else ""
        if name == "qkv":
            return tr("AttentionViews",
                      "Each token's vector is multiplied by three learned matrices: its query q (what it looks for), "
                      "its key k (what it offers) and its value v (what it passes on). d_k = {dk}; "
                      "showing dimensions {a}–{b}.").format(dk=h.d_k, a=self._dims()[0].start, b=self._dims()[0].stop - 1)
        if name == "scores":
            return tr("AttentionViews", "score(“{q}”, “{k}”) = q · k = {s}: one dot product per query–key pair.").format(
                q=tok, k=key, s=fmt_value(float(h.scores[i, j])))
        if name == "scaled":
            return tr("AttentionViews",
                      "Divide by √d_k = {r}: {s} / {r} = {v}. Without it, long vectors give huge scores and a "
                      "softmax that picks one key only.").format(
                r=f"{math.sqrt(h.d_k):.3f}", s=fmt_value(float(h.scores[i, j])), v=fmt_value(float(h.scaled[i, j])))
        if name == "masked":
            blocked = int((~np.isfinite(h.mask[i])).sum())
            return tr("AttentionViews",
                      "Add the mask: 0 keeps a score, −∞ removes it. Row “{q}” has {n} blocked key(s); "
                      "exp(−∞) = 0, so they will get exactly zero weight.").format(q=tok, n=blocked)
        if name == "softmax":
            return tr("AttentionViews",
                      "softmax turns each row into weights that are ≥ 0 and sum to 1: "
                      "w = exp(s) / Σ exp(s). “{q}” gives most weight to “{k}”: {w}.").format(
                q=tok, k=key, w=f"{float(row[j]):.3f}")
        return tr("AttentionViews",
                  "The output for “{q}” is the weighted sum of the value vectors: Σ w·v. "
                  "The heads' outputs are then concatenated and projected.").format(q=tok)
