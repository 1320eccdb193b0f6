"""The scene view of the trajectories panel: one reused pyqtgraph item per layer.

Each frame calls :meth:`SceneView.show_frame`, which only calls ``setData`` on the items
made once here (observed paths, true futures, one item per model, the fan of possible
futures, the people, the selection, the attention lines). Many paths go into one item by
separating them with NaN (``connect="finite"``), which keeps drawing fast with 100 people.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal

MODEL_ORDER = ("cv", "tf", "tf-multi", "star")
N_ATTENTION_LINES = 8  # strongest neighbours drawn for the selected person


def paths_xy(paths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N, T, 2) paths -> x, y arrays with a NaN after each path (one item draws all).

    >>> x, y = paths_xy(np.zeros((2, 2, 2))); x.tolist()
    [0.0, 0.0, nan, 0.0, 0.0, nan]
    """
    n, t, _ = paths.shape
    flat = np.full((n, t + 1, 2), np.nan)
    flat[:, :t] = paths
    flat = flat.reshape(-1, 2)
    return flat[:, 0], flat[:, 1]


class SceneView(pg.PlotWidget):
    """Pedestrians in metres, with every layer the panel shows."""

    person_clicked = Signal(float)  # pedestrian id

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setAspectLocked(True)
        # no grid: the axes and the 1 m scale bar give the scale, and a grid costs ~40% of a frame
        self.legend = self.addLegend(offset=(10, 10))
        # Path layers are drawn without antialiasing: with 100 people, antialiased wide pens
        # cost most of a frame (measured in benchmarks/bench_traj.py).
        path = lambda: pg.PlotCurveItem(connect="finite", antialias=False)  # noqa: E731
        self.walls = path()
        self.observed = path()
        self.truth = path()
        self.fan = path()
        self.models = {name: path() for name in MODEL_ORDER}
        self.attention = [pg.PlotCurveItem() for _ in range(N_ATTENTION_LINES)]
        self.people = pg.ScatterPlotItem(size=9, pxMode=True)
        self.agents = pg.ScatterPlotItem(size=9, pxMode=True)
        self.selected = pg.ScatterPlotItem(size=20, pxMode=True, brush=None)
        for item in (self.walls, self.fan, self.observed, self.truth, *self.models.values(),
                     *self.attention, self.people, self.agents, self.selected):
            self.addItem(item)
        self.agents.sigClicked.connect(self._clicked)
        self.people.sigClicked.connect(self._clicked)
        self.scale_bar = pg.ScaleBar(size=1.0, suffix="m")
        self.scale_bar.setParentItem(self.getPlotItem().getViewBox())
        self.scale_bar.anchor((1, 1), (1, 1), offset=(-30, -30))
        self._ids = np.zeros(0)

    # colours ---------------------------------------------------------------
    def apply_theme(self, theme, colours: dict[str, object]) -> None:
        """Pens and brushes for ``theme``; ``colours`` maps a model name to its QColor."""
        w = theme.pen_width
        self.setBackground(theme.bg)
        fg, muted = pg.mkColor(theme.fg), pg.mkColor(theme.muted)
        self.walls.setPen(pg.mkPen(fg, width=w(4)))
        self.observed.setPen(pg.mkPen(fg, width=w(2)))
        self.truth.setPen(pg.mkPen(fg, width=w(1.5), style=Qt.DashLine))
        for name, item in self.models.items():
            item.setPen(pg.mkPen(colours[name], width=w(2.2)))
        fan = pg.mkColor(colours["tf-multi"])
        fan.setAlpha(110)
        self.fan.setPen(pg.mkPen(fan, width=w(1)))
        self.people.setPen(pg.mkPen(None))
        self.people.setBrush(pg.mkBrush(muted))
        self.agents.setPen(pg.mkPen(theme.bg, width=1))
        self.agents.setBrush(pg.mkBrush(fg))
        self.selected.setPen(pg.mkPen(theme.highlight, width=w(3)))
        self._star_colour = pg.mkColor(colours["star"])
        for ax in ("left", "bottom"):
            self.getAxis(ax).setPen(fg)
            self.getAxis(ax).setTextPen(fg)
        self.scale_bar.bar.setBrush(pg.mkBrush(fg))
        self.scale_bar.text.setColor(fg)
        # legend rows take these when set_legend() rebuilds them (else a theme switch left
        # black labels on the dark background, and presenter mode left them small)
        self.legend.setLabelTextColor(fg)
        self.legend.setLabelTextSize(f"{theme.font_pt(9):g}pt")

    def set_legend(self, names: dict[str, str]) -> None:
        """Legend rows: observed, true future, then each visible model (translated names)."""
        self.legend.clear()
        self.legend.addItem(self.observed, names["observed"])
        self.legend.addItem(self.truth, names["truth"])
        for name, item in self.models.items():
            if item.isVisible():
                self.legend.addItem(item, names[name])
        if self.fan.isVisible():
            self.legend.addItem(self.fan, names["fan"])

    def set_walls(self, walls: np.ndarray | None) -> None:
        if walls is None or len(walls) == 0:
            self.walls.setData([], [])
        else:
            self.walls.setData(*paths_xy(walls))

    # frames ----------------------------------------------------------------
    def show_frame(self, st, fp, visible: dict[str, bool], fan: int, selected_row: int | None) -> None:
        """Draw frame state ``st`` with predictions ``fp`` (or None while computing)."""
        self._ids = st.ids
        self.people.setData(pos=st.present_xy, data=st.present_ids)
        self.agents.setData(pos=st.obs[:, -1] if len(st.ids) else np.zeros((0, 2)), data=st.ids)
        self.observed.setData(*paths_xy(st.obs))
        start = st.obs[:, -1:]  # (N, 1, 2): futures are drawn from where people are now
        self.truth.setData(*paths_xy(np.concatenate([start, st.fut], 1)))
        for name, item in self.models.items():
            shown = visible.get(name, False)
            item.setVisible(shown)
            pred = None if fp is None else fp.preds.get(name)
            if shown and pred is not None:
                item.setData(*paths_xy(np.concatenate([start, pred], 1)))
            else:
                item.setData([], [])
        samples = None if fp is None else fp.samples
        self.fan.setVisible(visible.get("tf-multi", False) and fan > 0)
        if self.fan.isVisible() and samples is not None:
            k = samples[:, :fan]  # (N, F, 12, 2) top-scored proposals
            n, f = k.shape[:2]
            paths = np.concatenate([np.repeat(start[:, None], f, 1), k], 2).reshape(n * f, -1, 2)
            self.fan.setData(*paths_xy(paths))
        else:
            self.fan.setData([], [])
        self._show_selection(st, fp, selected_row, visible.get("star", False))

    def _show_selection(self, st, fp, row: int | None, star: bool) -> None:
        if row is None:
            self.selected.setData([], [])
            for line in self.attention:
                line.setData([], [])
            return
        here = st.obs[row, -1]
        self.selected.setData(pos=here[None])
        weights = None if (fp is None or fp.spatial is None or not star) else fp.spatial[row]
        order = [] if weights is None else [j for j in np.argsort(-weights) if j != row]
        for k, line in enumerate(self.attention):
            if k < len(order) and weights[order[k]] > 0.02:
                j = order[k]
                other = st.obs[j, -1]
                colour = pg.mkColor(self._star_colour)
                colour.setAlpha(int(80 + 175 * min(1.0, weights[j] * 2)))
                line.setPen(pg.mkPen(colour, width=1 + 10 * float(weights[j])))
                line.setData([here[0], other[0]], [here[1], other[1]])
            else:
                line.setData([], [])

    def _clicked(self, item, points, ev=None) -> None:
        if len(points):
            self.person_clicked.emit(float(points[0].data()))
