"""Painting helpers of the Overview panel, shared by the diagram and the family tree: colour
blending, labels that shrink until they fit their box, arrows with one arrowhead routine."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen, QPolygonF


def blend(a: QColor, b: QColor, t: float) -> QColor:
    """Mix colours: t = 0 gives ``a``, t = 1 gives ``b``."""
    return QColor.fromRgbF(a.redF() + (b.redF() - a.redF()) * t,
                           a.greenF() + (b.greenF() - a.greenF()) * t,
                           a.blueF() + (b.blueF() - a.blueF()) * t)


def fitted_font(base: QFont, text: str, rect: QRectF, px: float, min_px: float = 6.0) -> QFont:
    """``base`` at the largest pixel size <= px at which ``text`` wraps inside ``rect``."""
    font = QFont(base)
    size = px
    while True:
        font.setPixelSize(max(1, round(size)))
        fm = QFontMetricsF(font)
        r = fm.boundingRect(rect, int(Qt.AlignCenter | Qt.TextWordWrap), text)
        if (r.width() <= rect.width() + 0.5 and r.height() <= rect.height() + 0.5) or size <= min_px:
            return font
        size -= 0.5


def uniform_px(base: QFont, items: list[tuple[str, QRectF]], px: float) -> float:
    """One pixel size for a group of labels: the largest <= px at which every label fits."""
    return min((fitted_font(base, text, rect, px).pixelSize() for text, rect in items), default=px)


def draw_text(p: QPainter, rect: QRectF, text: str, px: float, color: QColor,
              align=Qt.AlignCenter, bold: bool = False) -> None:
    base = QFont(p.font())
    base.setBold(bold)
    p.setFont(fitted_font(base, text, rect, px))
    p.setPen(color)
    p.drawText(rect, int(align | Qt.TextWordWrap), text)


def arrow(p: QPainter, points: list[QPointF], color: QColor, width: float, head: bool = True) -> None:
    """A polyline with an arrowhead at its last point."""
    p.setPen(QPen(color, width, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin))
    p.setBrush(Qt.NoBrush)
    for a, b in zip(points, points[1:]):
        p.drawLine(a, b)
    if head and len(points) >= 2:
        arrowhead(p, points[-2], points[-1], color, 4.0 + 2.0 * width, 0.55)


def arrowhead(p: QPainter, frm: QPointF, to: QPointF, color: QColor, size: float, spread: float) -> None:
    """A filled triangle at ``to`` pointing away from ``frm``: ``size`` long, ``spread`` wide."""
    d = to - frm
    n = max((d.x() ** 2 + d.y() ** 2) ** 0.5, 1e-6)
    ux, uy = d.x() / n, d.y() / n
    left = QPointF(to.x() - ux * size - uy * size * spread, to.y() - uy * size + ux * size * spread)
    right = QPointF(to.x() - ux * size + uy * size * spread, to.y() - uy * size - ux * size * spread)
    p.setPen(Qt.NoPen)
    p.setBrush(color)
    p.drawPolygon(QPolygonF([to, left, right]))
