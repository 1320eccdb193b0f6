"""The "Selected pedestrian" box of the Trajectories panel.

Shows, for the person picked in the scene, each model's errors (ADE = mean distance, FDE =
final distance, in metres) and the temporal attention of one model over the 8 observed steps
as bars (a softmax row: the bars sum to 1). It takes plain data (a frame's state and
prediction, and the person's row in them) and never sees a model.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QGroupBox, QLabel, QPushButton, QVBoxLayout

from tfviz.core.traj.data import OBS
from tfviz.gui.i18n import tr
from tfviz.gui.panels.trajectories_texts import metrics_tooltip
from tfviz.gui.panels.trajectories_view import MODEL_ORDER
from tfviz.gui.theme import Theme, style_plot

PLOT_HEIGHT = 120  # px at scale 1; presenter mode makes room for bigger tick labels


class PersonBox(QGroupBox):
    """Next-person button, the person's errors per model, and the temporal-attention bars."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.next_button = QPushButton()
        self.person_label = QLabel()
        self.person_label.setWordWrap(True)
        self.metrics_label = QLabel()
        self.metrics_label.setTextFormat(Qt.RichText)
        self.attn_title = QLabel()
        self.attn_combo = QComboBox()  # whose attention the bars show
        for name in MODEL_ORDER[1:]:
            self.attn_combo.addItem(name, name)
        self.attn_plot = pg.PlotWidget()
        self.attn_plot.setFixedHeight(PLOT_HEIGHT)
        self.attn_plot.setMouseEnabled(False, False)
        self.attn_plot.setYRange(0, 1)
        # three ticks: the default six (0, 0.2, ... 1.0) overlapped at 120 px, worse in presenter mode
        self.attn_plot.getAxis("left").setTicks([[(0.0, "0"), (0.5, "0.5"), (1.0, "1")]])
        self.attn_bars = pg.BarGraphItem(x=np.arange(-OBS + 1, 1), height=np.zeros(OBS), width=0.7)
        self.attn_plot.addItem(self.attn_bars)
        lay = QVBoxLayout(self)
        for w in (self.next_button, self.person_label, self.metrics_label, self.attn_title,
                  self.attn_combo, self.attn_plot):
            lay.addWidget(w)

    def retranslate(self) -> None:
        self.setTitle(tr("Trajectories", "Selected pedestrian"))
        self.next_button.setText(tr("Trajectories", "Pick next pedestrian"))
        self.attn_title.setText(tr("Trajectories", "Temporal attention over the 8 observed steps"))
        self.attn_plot.setLabel("bottom", tr("Trajectories", "observed step (0 = now)"))
        self.metrics_label.setToolTip(metrics_tooltip())

    def set_theme(self, theme: Theme) -> None:
        style_plot(self.attn_plot, theme, theme.scale)
        self.attn_plot.setFixedHeight(round(PLOT_HEIGHT * theme.scale))
        self.attn_bars.setOpts(brush=pg.mkBrush(theme.accent), pen=pg.mkPen(None))

    def show_person(self, state=None, prediction=None, row: int | None = None,
                    person_id: float | None = None) -> None:
        """Show agent ``row`` of ``state`` (a FrameState) with ``prediction`` (a FramePrediction
        or None while it is computed); without a row, invite a click."""
        from tfviz.core.traj.playback import scores_for

        if state is None or row is None:
            self.person_label.setText(tr("Trajectories", "Click a pedestrian (or pick the next one)."))
            self.metrics_label.setText("")
            self._set_bars(None)
            return
        self.person_label.setText(tr("Trajectories", "Pedestrian {id}").format(id=f"{person_id:g}"))
        if prediction is None:
            self.metrics_label.setText(tr("Trajectories", "Predicting…"))
            self._set_bars(None)
            return
        scores = scores_for(state, prediction, row)  # model -> (ADE, FDE)
        if not scores:
            self.metrics_label.setText(tr("Trajectories", "Leaves the scene before 12 steps: not scored."))
        else:
            head = tr("Trajectories", "model")
            ade, fde = tr("Trajectories", "ADE (m)"), tr("Trajectories", "FDE (m)")
            best = tr("Trajectories", "tf-multi best of {k}")
            rows = "".join(f"<tr><td>{best.format(k=name.split('@')[1]) if '@' in name else name}</td>"
                           f"<td align='right'>{a:.2f}</td><td align='right'>{f:.2f}</td></tr>"
                           for name, (a, f) in scores.items())
            self.metrics_label.setText(
                f"<table cellspacing='4'><tr><th>{head}</th><th>{ade}</th><th>{fde}</th></tr>{rows}</table>")
        attention = prediction.temporal.get(self.attn_combo.currentData())  # (N, 8) or None
        self._set_bars(None if attention is None else attention[row])

    def _set_bars(self, weights: np.ndarray | None) -> None:
        self.attn_bars.setOpts(height=np.zeros(OBS) if weights is None else weights)
