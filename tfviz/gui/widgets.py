"""Small widgets every panel shares: playback controls and a job progress row."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPixmap, QPolygonF
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSlider,
    QWidget,
)
from PySide6.QtCore import Qt

from tfviz.gui.i18n import tr

SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)

# Media button shapes on a 16 x 16 grid: polygons and bars.
_TRI_R = [(4, 3), (13, 8), (4, 13)]
_TRI_L = [(12, 3), (3, 8), (12, 13)]
MEDIA_SHAPES = {
    "play": ([_TRI_R], []),
    "pause": ([], [(4, 3, 3, 10), (9, 3, 3, 10)]),
    "prev": ([_TRI_L], [(13, 3, 2, 10)]),
    "next": ([_TRI_R], [(1, 3, 2, 10)]),
    "first": ([[(14, 3), (8, 8), (14, 13)], [(8, 3), (2, 8), (8, 13)]], [(0, 3, 2, 10)]),
    "last": ([[(2, 3), (8, 8), (2, 13)], [(8, 3), (14, 8), (8, 13)]], [(14, 3, 2, 10)]),
}


def media_icon(kind: str, color: QColor, size: int = 32) -> QIcon:
    """A flat media-control icon (play, pause, prev, next, first, last) in ``color``."""
    polygons, bars = MEDIA_SHAPES[kind]
    pix = QPixmap(size, size)
    pix.fill(Qt.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.Antialiasing)
    p.scale(size / 16, size / 16)
    p.setPen(Qt.NoPen)
    p.setBrush(color)
    for poly in polygons:
        p.drawPolygon(QPolygonF([QPointF(x, y) for x, y in poly]))
    for x, y, w, h in bars:
        p.drawRect(QRectF(x, y, w, h))
    p.end()
    return QIcon(pix)


class StepControls(QWidget):
    """⏮ ◀ ▶/⏸ ▶ ⏭, a scrub slider, a speed choice and "step i / n".

    The panel owns the data; this widget owns the position. ``position_changed`` fires for
    every change (scrub, step, play). ``base_interval_ms`` is the step time at speed 1×.
    """

    position_changed = Signal(int)

    def __init__(self, base_interval_ms: int = 600, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._count = 0
        self._base = base_interval_ms
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)

        # Icons drawn here in the palette's text colour: readable in both themes, and no
        # dependence on fonts having ⏮/⏭ glyphs.
        self.btn_first = QPushButton()
        self.btn_prev = QPushButton()
        self.btn_play = QPushButton()
        self.btn_next = QPushButton()
        self.btn_last = QPushButton()
        for b in (self.btn_first, self.btn_prev, self.btn_play, self.btn_next, self.btn_last):
            b.setFocusPolicy(Qt.NoFocus)
            b.setFixedWidth(40)
        self._paint_icons()
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setFocusPolicy(Qt.NoFocus)
        self.slider.setRange(0, 0)
        self.speed = QComboBox()
        self.speed.setFocusPolicy(Qt.NoFocus)
        for s in SPEEDS:
            self.speed.addItem(f"{s:g}×", s)
        self.speed.setCurrentIndex(SPEEDS.index(1.0))
        self.label = QLabel()
        self.label.setMinimumWidth(110)

        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        for w in (self.btn_first, self.btn_prev, self.btn_play, self.btn_next, self.btn_last):
            lay.addWidget(w)
        lay.addWidget(self.slider, 1)
        lay.addWidget(self.speed)
        lay.addWidget(self.label)

        self.btn_first.clicked.connect(self.go_first)
        self.btn_prev.clicked.connect(lambda: self.step(-1))
        self.btn_play.clicked.connect(self.toggle_play)
        self.btn_next.clicked.connect(lambda: self.step(1))
        self.btn_last.clicked.connect(self.go_last)
        self.slider.valueChanged.connect(self._on_slider)
        self.speed.currentIndexChanged.connect(self._apply_speed)
        self.retranslate()

    def retranslate(self) -> None:
        self.btn_first.setToolTip(tr("StepControls", "First step (Home)"))
        self.btn_prev.setToolTip(tr("StepControls", "Step back (Left)"))
        self.btn_play.setToolTip(tr("StepControls", "Play / pause (Space)"))
        self.btn_next.setToolTip(tr("StepControls", "Step forward (Right)"))
        self.btn_last.setToolTip(tr("StepControls", "Last step (End)"))
        self.speed.setToolTip(tr("StepControls", "Playback speed"))
        self._update_label()

    def _paint_icons(self) -> None:
        color = self.palette().color(QPalette.ButtonText)
        self._icons = {kind: media_icon(kind, color) for kind in MEDIA_SHAPES}
        self.btn_first.setIcon(self._icons["first"])
        self.btn_prev.setIcon(self._icons["prev"])
        self.btn_play.setIcon(self._icons["pause" if self.timer.isActive() else "play"])
        self.btn_next.setIcon(self._icons["next"])
        self.btn_last.setIcon(self._icons["last"])

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() == QEvent.PaletteChange:
            self._paint_icons()
        super().changeEvent(event)

    # state ----------------------------------------------------------------
    @property
    def position(self) -> int:
        return self.slider.value()

    @property
    def count(self) -> int:
        return self._count

    def set_count(self, n: int, position: int = 0) -> None:
        """``n`` steps (positions 0..n-1); jumps to ``position``."""
        self.pause()
        self._count = max(0, n)
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(0, n - 1))
        self.slider.setValue(min(max(0, position), max(0, n - 1)))
        self.slider.blockSignals(False)
        self._update_label()
        self.position_changed.emit(self.position)

    def set_position(self, i: int) -> None:
        if self._count == 0:
            return
        self.slider.setValue(min(max(0, i), self._count - 1))

    # commands -------------------------------------------------------------
    def step(self, delta: int) -> None:
        self.set_position(self.position + delta)

    def go_first(self) -> None:
        self.set_position(0)

    def go_last(self) -> None:
        self.set_position(self._count - 1)

    def is_playing(self) -> bool:
        return self.timer.isActive()

    def play(self) -> None:
        if self._count <= 1:
            return
        if self.position >= self._count - 1:
            self.set_position(0)
        self._apply_speed()
        self.timer.start()
        self.btn_play.setIcon(self._icons["pause"])

    def pause(self) -> None:
        self.timer.stop()
        self.btn_play.setIcon(self._icons["play"])

    def toggle_play(self) -> None:
        self.pause() if self.is_playing() else self.play()

    # internals ------------------------------------------------------------
    def _apply_speed(self) -> None:
        factor = self.speed.currentData() or 1.0
        self.timer.setInterval(max(1, int(self._base / factor)))

    def _tick(self) -> None:
        if self.position >= self._count - 1:
            self.pause()
            return
        self.step(1)

    def _on_slider(self, value: int) -> None:
        self._update_label()
        self.position_changed.emit(value)

    def _update_label(self) -> None:
        if self._count == 0:
            self.label.setText(tr("StepControls", "no steps"))
        else:
            self.label.setText(tr("StepControls", "step {i} / {n}").format(i=self.position + 1, n=self._count))


class JobProgress(QWidget):
    """A progress bar with text and a Cancel button, for one background job."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(True)
        self.cancel_button = QPushButton()
        self.cancel_button.clicked.connect(self.cancel_requested)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.bar, 1)
        lay.addWidget(self.cancel_button)
        self.retranslate()
        self.hide()

    def retranslate(self) -> None:
        self.cancel_button.setText(tr("JobProgress", "Cancel"))

    def start(self, text: str = "") -> None:
        self.bar.setValue(0)
        self.bar.setFormat(text or "%p%")
        self.cancel_button.setEnabled(True)
        self.show()

    def update(self, fraction: float, text: str = "") -> None:  # noqa: A003 - mirrors Qt naming
        self.bar.setValue(int(round(1000 * min(max(fraction, 0.0), 1.0))))
        if text:
            self.bar.setFormat(text)

    def finish(self) -> None:
        self.hide()
