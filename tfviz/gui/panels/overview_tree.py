"""The model family tree of the Overview panel: a timeline with one lane per branch.

x is time (the years before 2017 are drawn narrower, they hold few entries); each branch has
a lane (predecessors, encoder-only, encoder-decoder with the 2017 root, decoder-only);
entries that would overlap in time go to the next row of their lane; curves join each
entry to the ones it builds on. Layout is in widget pixels and redone on every resize, so
text keeps its size (presenter mode makes it larger) and the widget asks for the height it
needs (it sits in a scroll area).

The data is :mod:`tfviz.core.family_tree`; this module only draws it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from tfviz.core import family_tree as ft
from tfviz.gui.i18n import current_language, tr
from tfviz.gui.panels.overview_paint import arrowhead, blend
from tfviz.gui.theme import Theme

FIRST_YEAR, LAST_YEAR = 2013, 2024  # axis from Jan 2013 to Jan 2024
EARLY_WEIGHT = 0.5  # a year before 2017 is this wide relative to a later year
SLIDE = 0.3  # years an entry may be drawn later than its date to avoid opening a new row
LANES = ("predecessor", "encoder-only", "encoder-decoder", "decoder-only")


def lane_of(model: ft.Model) -> str:
    """The lane a model is drawn in: the root shares the encoder-decoder lane."""
    return "encoder-decoder" if model.branch == "root" else model.branch


def branch_titles() -> dict[str, str]:
    """Translated names of the branches (lane headers and filter boxes)."""
    return {
        "predecessor": tr("OverviewTree", "Predecessors (before the Transformer)"),
        "encoder-only": tr("OverviewTree", "Encoder-only: masked language models"),
        "encoder-decoder": tr("OverviewTree", "Encoder-decoder: sequence to sequence"),
        "decoder-only": tr("OverviewTree", "Decoder-only: autoregressive language models"),
    }


def time_units(date: float) -> float:
    """Position on the axis in "late-year" units: 2013.0 -> 0, 2017.0 -> 2.0, 2018.0 -> 3.0."""
    early = min(max(date - FIRST_YEAR, 0.0), 2017 - FIRST_YEAR)
    late = max(date - 2017, 0.0)
    return early * EARLY_WEIGHT + late


@dataclass
class TreeLayout:
    """Where everything goes, for one widget width (widget pixels)."""

    rects: dict[str, QRectF]  # entry key -> its box
    bands: list[tuple[str, QRectF]]  # (lane, band) from top to bottom
    axis_y: float  # the time axis
    height: int  # the height the widget needs
    x_of: Callable[[float], float]  # date -> x


class TreeView(QWidget):
    """Draws the family tree; click an entry to select it (signal :attr:`selected`)."""

    selected = Signal(str)

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.visible_branches: set[str] = set(ft.BRANCHES)
        self.selected_key = ""
        self.hover_key = ""
        self.rects: dict[str, QRectF] = {}  # node rectangles, widget pixels
        self.lane_bands: list[tuple[str, QRectF]] = []
        self.axis_y = 0.0
        self._x_of: Callable[[float], float] = lambda date: 0.0
        self.setMouseTracking(True)
        self.setMinimumWidth(420)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.MinimumExpanding)
        self.setObjectName("overview_tree")

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(700, 460)

    # state ---------------------------------------------------------------
    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.relayout()

    def set_branch_visible(self, branch: str, visible: bool) -> None:
        if visible:
            self.visible_branches.add(branch)
        else:
            self.visible_branches.discard(branch)
        self.relayout()

    def is_visible(self, key: str) -> bool:
        m = ft.MODELS[key]
        return m.branch == "root" or m.branch in self.visible_branches

    def visible_keys(self) -> list[str]:
        """Keys of the entries drawn now, oldest first."""
        return [k for k in ft.MODELS if self.is_visible(k)]

    def select(self, key: str) -> None:
        if key != self.selected_key:
            self.selected_key = key
            self.update()
            self.selected.emit(key)

    def node_rect(self, key: str) -> QRect:
        """Where entry ``key`` is drawn, in widget pixels."""
        return self.rects[key].toRect()

    # layout --------------------------------------------------------------
    def _font(self, factor: float = 1.0, bold: bool = False) -> QFont:
        f = QFont(self.font())
        f.setPointSizeF(max(6.0, f.pointSizeF() * factor))
        f.setBold(bold)
        return f

    def relayout(self) -> None:
        self._apply(self.compute_layout(self.width()))
        self.update()

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() == QEvent.FontChange:  # presenter mode changes the application font
            self.relayout()
        super().changeEvent(event)

    def resizeEvent(self, event) -> None:  # noqa: N802
        self._apply(self.compute_layout(self.width()))
        super().resizeEvent(event)

    def _apply(self, lay: TreeLayout) -> None:
        self.rects, self.lane_bands, self.axis_y, self._x_of = lay.rects, lay.bands, lay.axis_y, lay.x_of
        if self.minimumHeight() != lay.height:
            self.setMinimumHeight(lay.height)

    def compute_layout(self, width: int) -> TreeLayout:
        """Place every visible entry for a widget ``width`` pixels wide (changes nothing)."""
        fm = QFontMetricsF(self._font())
        fm_bold = QFontMetricsF(self._font(bold=True))
        pad_x = fm.height() * 0.5
        node_h = fm.height() * 1.45
        row_gap = fm.height() * 0.35
        header_h = fm.height() * 1.35
        widths = {k: (fm_bold if k == ft.ROOT else fm).horizontalAdvance(ft.MODELS[k].name)
                  + 2 * pad_x for k in ft.MODELS}
        half = max(widths.values()) / 2 + 6
        x0, x1 = half, max(width - half, half + 100)
        unit = (x1 - x0) / time_units(LAST_YEAR)

        def x_of(date: float) -> float:
            return x0 + unit * time_units(date)

        # rows: greedy; an entry may slide right by up to SLIDE years to share a row
        tolerance = SLIDE * unit
        rects: dict[str, QRectF] = {}
        bands: list[tuple[str, QRectF]] = []
        lanes = [ln for ln in LANES if ln in self.visible_branches or ln == "encoder-decoder"]
        y = 4.0
        for lane in lanes:
            members = [m for m in ft.MODELS.values() if lane_of(m) == lane and self.is_visible(m.key)]
            row_ends: list[float] = []  # right end of the last entry of each row
            placed: list[tuple[str, int, float]] = []  # (key, row, left)
            for m in members:
                w = widths[m.key]
                ideal = x_of(m.date) - w / 2
                row = next((i for i, end in enumerate(row_ends)
                            if end + 6 - ideal <= tolerance and max(ideal, end + 6) + w <= width - 2),
                           len(row_ends))
                if row == len(row_ends):
                    row_ends.append(-1e9)
                left = max(ideal, row_ends[row] + 6)
                row_ends[row] = left + w
                placed.append((m.key, row, left))
            top = y
            for key, row, left in placed:
                rects[key] = QRectF(left, top + header_h + row * (node_h + row_gap), widths[key], node_h)
            height = header_h + max(1, len(row_ends)) * (node_h + row_gap) + row_gap
            bands.append((lane, QRectF(0, top, width, height)))
            y = top + height + 3
        axis_y = y + 2
        return TreeLayout(rects, bands, axis_y, int(axis_y + fm.height() * 2.2), x_of)

    # events --------------------------------------------------------------
    def key_at(self, pos: QPointF) -> str:
        for key, rect in self.rects.items():
            if rect.contains(pos):
                return key
        return ""

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        key = self.key_at(event.position())
        if key != self.hover_key:
            self.hover_key = key
            self.setCursor(Qt.PointingHandCursor if key else Qt.ArrowCursor)
            if key:
                m = ft.MODELS[key]
                self.setToolTip(tr("OverviewTree", "{name} · {year} · {organisation}").format(
                    name=m.name, year=m.year,
                    organisation=m.organisation.get(current_language.value)))
            else:
                self.setToolTip("")
            self.update()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:  # noqa: N802
        self.hover_key = ""
        self.update()
        super().leaveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if event.button() == Qt.LeftButton:
            key = self.key_at(event.position())
            if key:
                self.select(key)
        super().mouseReleaseEvent(event)

    # painting ------------------------------------------------------------
    def branch_colour(self, branch: str) -> QColor:
        t = self.theme
        return {
            "predecessor": QColor(t.muted),
            "root": t.categorical(1),  # orange
            "encoder-only": t.categorical(0),  # blue
            "encoder-decoder": t.categorical(2),  # green
            "decoder-only": t.categorical(5),  # vermillion
        }[branch]

    def paintEvent(self, event) -> None:  # noqa: N802
        if not self.rects:
            self.relayout()
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        t = self.theme
        bg, fg, muted, grid = QColor(t.bg), QColor(t.fg), QColor(t.muted), QColor(t.grid)
        p.fillRect(self.rect(), bg)
        lw = t.pen_width(1.2)
        self._paint_lanes(p, bg, fg, muted)
        self._paint_axis(p, fg, muted, grid, lw)
        self._paint_edges(p, muted, lw)
        self._paint_lane_titles(p, bg, fg)  # over the 2017 line and the edges, which crossed them
        for key, rect in self.rects.items():
            self._paint_node(p, key, rect, bg, fg, lw)
        p.end()

    def _lane_tint(self, i: int, lane: str, bg: QColor) -> QColor:
        return blend(self.branch_colour(lane), bg, 0.93 if i % 2 == 0 else 0.96)

    def _paint_lanes(self, p: QPainter, bg: QColor, fg: QColor, muted: QColor) -> None:
        for i, (lane, band) in enumerate(self.lane_bands):
            p.fillRect(band, self._lane_tint(i, lane, bg))

    def _paint_lane_titles(self, p: QPainter, bg: QColor, fg: QColor) -> None:
        titles = branch_titles()
        p.setFont(self._font(0.9, bold=True))
        fm = QFontMetricsF(p.font())
        for i, (lane, band) in enumerate(self.lane_bands):
            title = titles[lane]
            if lane == "encoder-decoder" and lane not in self.visible_branches:
                title = tr("OverviewTree", "The Transformer (2017)")
            box = QRectF(band.left() + 8, band.top() + 2, band.width() - 16, fm.height() * 1.3)
            text_w = min(box.width(), fm.horizontalAdvance(title))
            p.fillRect(QRectF(box.left() - 3, box.top(), text_w + 6, box.height()), self._lane_tint(i, lane, bg))
            p.setPen(blend(self.branch_colour(lane), fg, 0.35))
            p.drawText(box, int(Qt.AlignLeft | Qt.AlignVCenter), title)

    def _paint_axis(self, p: QPainter, fg: QColor, muted: QColor, grid: QColor, lw: float) -> None:
        p.setFont(self._font(0.9))
        fm = QFontMetricsF(p.font())
        y = self.axis_y
        p.setPen(QPen(muted, lw))
        p.drawLine(QPointF(self._x_of(FIRST_YEAR), y), QPointF(self._x_of(LAST_YEAR), y))
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            x = self._x_of(year)
            accent = year == 2017
            p.setPen(QPen(QColor(self.theme.accent) if accent else grid,
                          lw * (1.4 if accent else 0.8), Qt.SolidLine if accent else Qt.DotLine))
            p.drawLine(QPointF(x, 2), QPointF(x, y))
            p.setPen(QPen(muted, lw))
            p.drawLine(QPointF(x, y), QPointF(x, y + 4))
            if year < LAST_YEAR:
                mid = self._x_of(year + 0.5)
                label_w = fm.horizontalAdvance("2020") + 4
                if self._x_of(year + 1) - x >= label_w:  # label every year where there is room
                    p.setPen(fg)
                    p.drawText(QRectF(mid - label_w / 2, y + 4, label_w, fm.height() * 1.4),
                               int(Qt.AlignCenter), str(year))

    def _paint_edges(self, p: QPainter, muted: QColor, lw: float) -> None:
        hi = QColor(self.theme.highlight)
        for parent, child in ft.edges():
            if parent not in self.rects or child not in self.rects:
                continue
            a, b = self.rects[parent], self.rects[child]
            lit = self.selected_key in (parent, child)
            colour = hi if lit else blend(muted, QColor(self.theme.bg), 0.25)
            width = lw * (1.8 if lit else 1.0)
            path = QPainterPath()
            same_row = abs(b.center().y() - a.center().y()) < 1
            if same_row or b.left() >= a.right() + 8:  # child clearly later: left to right
                start, end = QPointF(a.right(), a.center().y()), QPointF(b.left(), b.center().y())
                k = max(4.0 if same_row else 20.0, (end.x() - start.x()) * 0.5)
                c1, c2 = QPointF(start.x() + k, start.y()), QPointF(end.x() - k, end.y())
            else:  # close in time: leave from the top or bottom
                down = b.center().y() > a.center().y()
                start = QPointF(a.center().x(), a.bottom() if down else a.top())
                end = QPointF(b.center().x(), b.top() if down else b.bottom())
                k = max(12.0, abs(end.y() - start.y()) * 0.5) * (1 if down else -1)
                c1, c2 = QPointF(start.x(), start.y() + k), QPointF(end.x(), end.y() - k)
            path.moveTo(start)
            path.cubicTo(c1, c2, end)
            p.setPen(QPen(colour, width))
            p.setBrush(Qt.NoBrush)
            p.drawPath(path)
            arrowhead(p, c2, end, colour, 4.0 + 1.5 * width, 0.5)

    def _paint_node(self, p: QPainter, key: str, rect: QRectF, bg: QColor, fg: QColor,
                    lw: float) -> None:
        m = ft.MODELS[key]
        colour = self.branch_colour(m.branch)
        chosen, hot = key == self.selected_key, key == self.hover_key
        fill = blend(colour, bg, 0.45 if chosen else (0.7 if self.theme.name == "light" else 0.6))
        border = QColor(self.theme.highlight) if (chosen or hot) else colour
        p.setBrush(fill)
        p.setPen(QPen(border, lw * (2.4 if chosen else (1.8 if hot else 1.1))))
        p.drawRoundedRect(rect, rect.height() / 3, rect.height() / 3)
        p.setFont(self._font(bold=key == ft.ROOT))
        p.setPen(fg)
        p.drawText(rect, int(Qt.AlignCenter), m.name)
