"""The scene view of the trajectories panel: one reused pyqtgraph item per layer.

Each frame calls :meth:`SceneView.show_frame`, which only calls ``setData`` on the items
made once here (observed paths, true futures, one item per model, the fan of possible
futures, the people, the selection, the attention lines). Many paths go into one item by
separating them with NaN (``connect="finite"``), which keeps drawing fast with 100 people.

*Focus* (the default) draws only the selected pedestrian's past, true future and
predictions, bold; everyone else is a faded dot with a short tail. *Everyone* draws every
person's paths. Between two recorded frames :meth:`SceneView.move_people` only moves the dots
and tails (smooth motion). The view fits what is drawn, with a margin, and follows the
selected pedestrian; once the user pans or zooms it only follows, until :meth:`reset_view`.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal

MODEL_ORDER = ("cv", "tf", "tf-multi", "star")
N_ATTENTION_LINES = 8  # strongest neighbours drawn for the selected person
TAIL = 3  # observed steps (1.2 s) behind each faded person in focus mode
MARGIN = 1.5  # metres around what is drawn when the view fits it
FADED_ALPHA = 120


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


def bounds(points: list[np.ndarray], margin: float = MARGIN) -> tuple[np.ndarray, np.ndarray] | None:
    """(lo, hi) corners of every finite point in ``points`` (arrays of (..., 2)), plus ``margin``.

    >>> lo, hi = bounds([np.array([[0.0, 1.0], [np.nan, np.nan]]), np.array([[[4.0, -2.0]]])], 1.0)
    >>> lo.tolist(), hi.tolist()
    ([-1.0, -3.0], [5.0, 2.0])
    >>> bounds([np.zeros((0, 2))]) is None
    True
    """
    flat = [p.reshape(-1, 2) for p in points if p is not None and p.size]
    if not flat:
        return None
    xy = np.concatenate(flat)
    xy = xy[np.isfinite(xy).all(1)]
    if not len(xy):
        return None
    return xy.min(0) - margin, xy.max(0) + margin


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
        self.tails = path()  # focus: everyone else's last steps, faded
        self.observed = path()
        self.truth = path()
        self.fan = path()
        self.models = {name: path() for name in MODEL_ORDER}
        self.attention = [pg.PlotCurveItem() for _ in range(N_ATTENTION_LINES)]
        self.attention_key = pg.PlotCurveItem()  # the legend's sample of an attention line
        self.people = pg.ScatterPlotItem(size=8, pxMode=True)  # faded: not the focus
        self.agents = pg.ScatterPlotItem(size=9, pxMode=True)  # everyone mode: bold dots
        self.selected = pg.ScatterPlotItem(size=20, pxMode=True, brush=None)
        self.handles = pg.ScatterPlotItem(size=11, pxMode=True, symbol="s")  # drag: start of the past
        for item in (self.walls, self.tails, self.fan, self.observed, self.truth, *self.models.values(),
                     *self.attention, self.people, self.agents, self.handles, self.selected):
            self.addItem(item)
        self.scale_bar = pg.ScaleBar(size=1.0, suffix="m")
        self.scale_bar.setParentItem(self.getPlotItem().getViewBox())
        self.scale_bar.anchor((1, 1), (1, 1), offset=(-30, -30))
        self.auto_view = True  # fit what is drawn; False once the user pans or zooms
        self._fit_wanted = True
        self._drawn: list[np.ndarray] = []  # what the last frame drew: arrays of (..., 2)
        self._legend_key: tuple = ()
        self.getPlotItem().getViewBox().sigRangeChangedManually.connect(self._on_manual_range)
        self.state = None  # the FrameState shown
        self.selected_row: int | None = None
        self.everyone = False

    # colours ---------------------------------------------------------------
    def apply_theme(self, theme, colours: dict[str, object]) -> None:
        """Pens and brushes for ``theme``; ``colours`` maps a model name (and "attention") to
        its QColor."""
        w = theme.pen_width
        self.setBackground(theme.bg)
        fg, muted = pg.mkColor(theme.fg), pg.mkColor(theme.muted)
        faded = pg.mkColor(theme.muted)
        faded.setAlpha(FADED_ALPHA)
        self._pens = {
            "observed": pg.mkPen(fg, width=w(2)), "observed_bold": pg.mkPen(fg, width=w(3.5)),
            "truth": pg.mkPen(fg, width=w(1.5), style=Qt.DashLine),
            "truth_bold": pg.mkPen(fg, width=w(2.5), style=Qt.DashLine),
        }
        self._model_pens = {name: (pg.mkPen(colours[name], width=w(1.6)), pg.mkPen(colours[name], width=w(3.2)))
                            for name in MODEL_ORDER}
        self.walls.setPen(pg.mkPen(fg, width=w(4)))
        self.tails.setPen(pg.mkPen(faded, width=w(1.5)))
        fan = pg.mkColor(colours["tf-multi"])
        fan.setAlpha(130)
        self.fan.setPen(pg.mkPen(fan, width=w(1.2)))
        self.people.setPen(pg.mkPen(None))
        self.people.setBrush(pg.mkBrush(faded))
        self.agents.setPen(pg.mkPen(theme.bg, width=1))
        self.agents.setBrush(pg.mkBrush(fg))
        self.selected.setPen(pg.mkPen(fg, width=w(3)))
        self.handles.setPen(pg.mkPen(fg, width=w(1.5)))
        self.handles.setBrush(pg.mkBrush(theme.bg))
        self._attention_colour = pg.mkColor(colours["attention"])
        self._attention_style = Qt.DashDotLine
        self.attention_key.setPen(pg.mkPen(self._attention_colour, width=w(2.5), style=self._attention_style))
        for ax in ("left", "bottom"):
            self.getAxis(ax).setPen(fg)
            self.getAxis(ax).setTextPen(fg)
        self.scale_bar.bar.setBrush(pg.mkBrush(fg))
        self.scale_bar.text.setColor(fg)
        # legend rows take these when set_legend() rebuilds them (else a theme switch left
        # black labels on the dark background, and presenter mode left them small)
        self.legend.setLabelTextColor(fg)
        self.legend.setLabelTextSize(f"{theme.font_pt(9):g}pt")
        back = pg.mkColor(theme.bg)
        back.setAlpha(215)  # paths under the legend stay faintly visible
        self.legend.setBrush(pg.mkBrush(back))
        self.legend.setPen(pg.mkPen(muted, width=1))
        self._legend_key = ()  # rebuild with the new colours
        self._style_paths()

    def _style_paths(self) -> None:
        bold = not self.everyone
        self.observed.setPen(self._pens["observed_bold" if bold else "observed"])
        self.truth.setPen(self._pens["truth_bold" if bold else "truth"])
        for name, item in self.models.items():
            item.setPen(self._model_pens[name][1 if bold else 0])

    def set_legend(self, names: dict[str, str], visible: dict[str, bool], fan: bool, attention: bool) -> None:
        """Legend rows: observed, true future, each shown model, the fan, star's attention
        links and the faded people (translated ``names``); rebuilt only when they change."""
        key = (tuple(sorted(names.items())), tuple(sorted(visible.items())), fan, attention, self.everyone)
        if key == self._legend_key:
            return
        self._legend_key = key
        self.legend.clear()
        self.legend.addItem(self.observed, names["observed"])
        self.legend.addItem(self.truth, names["truth"])
        for name, item in self.models.items():
            if visible.get(name):
                self.legend.addItem(item, names[name])
        if fan:
            self.legend.addItem(self.fan, names["fan"])
        if attention:
            self.legend.addItem(self.attention_key, names["attention"])
        if not self.everyone:
            self.legend.addItem(self.people, names["others"])

    def legend_labels(self) -> list[str]:
        """The texts of the legend rows, top to bottom (for tests and screenshots)."""
        return [label.text for _sample, label in self.legend.items]

    def set_walls(self, walls: np.ndarray | None) -> None:
        if walls is None or len(walls) == 0:
            self.walls.setData([], [])
        else:
            self.walls.setData(*paths_xy(walls))

    # frames ----------------------------------------------------------------
    def show_frame(self, st, fp, visible: dict[str, bool], fan: int, selected_row: int | None,
                   everyone: bool = False) -> None:
        """Draw frame state ``st`` with predictions ``fp`` (or None while computing): in focus
        mode the paths of ``selected_row`` only, with ``everyone`` every person's."""
        if everyone != self.everyone:
            self.everyone = everyone
            self._style_paths()
        self.state, self.selected_row = st, selected_row
        rows = np.arange(len(st.ids)) if everyone else np.array([] if selected_row is None else [selected_row], int)
        obs, fut = st.obs[rows], st.fut[rows]
        start = obs[:, -1:]  # (R, 1, 2): futures are drawn from where people are now
        drawn = [st.present_xy, obs, fut]
        self.observed.setData(*paths_xy(obs))
        self.truth.setData(*paths_xy(np.concatenate([start, fut], 1)))
        for name, item in self.models.items():
            shown = visible.get(name, False)
            item.setVisible(shown)
            pred = None if fp is None else fp.preds.get(name)
            if shown and pred is not None and len(rows):
                item.setData(*paths_xy(np.concatenate([start, pred[rows]], 1)))
                drawn.append(pred[rows])
            else:
                item.setData([], [])
        samples = None if fp is None else fp.samples
        self.fan.setVisible(visible.get("tf-multi", False) and fan > 0)
        if self.fan.isVisible() and samples is not None and len(rows):
            k = samples[rows, :fan]  # (R, F, 12, 2) top-scored proposals
            n, f = k.shape[:2]
            paths = np.concatenate([np.repeat(start[:, None], f, 1), k], 2).reshape(n * f, -1, 2)
            self.fan.setData(*paths_xy(paths))
            drawn.append(k)
        else:
            self.fan.setData([], [])
        self._drawn = drawn
        self.move_people(st.present_xy, st.obs[:, -1] if len(st.ids) else np.zeros((0, 2)))
        self._show_attention(st, fp, selected_row, visible.get("star", False))
        self._keep_in_view()

    def move_people(self, present_xy: np.ndarray, agents_xy: np.ndarray) -> None:
        """Put the dots (and the tails' and the selected path's ends) at these positions: the
        recorded ones, or positions between two frames while playing."""
        st, row = self.state, self.selected_row
        if st is None:
            return
        mask = st.present_ids != (st.ids[row] if row is not None else np.nan)
        if self.everyone:
            self.people.setData(pos=present_xy[mask], data=st.present_ids[mask])
            self.agents.setData(pos=agents_xy, data=st.ids)
            self.tails.setData([], [])
        else:
            self.people.setData(pos=present_xy[mask], data=st.present_ids[mask])
            self.agents.setData([], [])
            others = np.arange(len(st.ids)) != (row if row is not None else -1)
            tails = np.concatenate([st.obs[others, -TAIL:], agents_xy[others, None]], 1)
            self.tails.setData(*paths_xy(tails))
        if row is None:
            self.selected.setData([], [])
            self.handles.setData([], [])
        else:
            self.selected.setData(pos=agents_xy[row][None])
            self.handles.setData(pos=st.obs[row, :1])

    def _show_attention(self, st, fp, row: int | None, star: bool) -> None:
        weights = None if (row is None or fp is None or fp.spatial is None or not star) else fp.spatial[row]
        order = [] if weights is None else [j for j in np.argsort(-weights) if j != row]
        for k, line in enumerate(self.attention):
            if k < len(order) and weights[order[k]] > 0.02:
                j = order[k]
                here, other = st.obs[row, -1], st.obs[j, -1]
                colour = pg.mkColor(self._attention_colour)
                colour.setAlpha(int(90 + 165 * min(1.0, weights[j] * 2)))
                line.setPen(pg.mkPen(colour, width=1.5 + 8 * float(weights[j]), style=self._attention_style))
                line.setData([here[0], other[0]], [here[1], other[1]])
            else:
                line.setData([], [])

    def attention_shown(self) -> int:
        """How many attention links are drawn now."""
        return sum(1 for line in self.attention if line.getData()[0] is not None and len(line.getData()[0]))

    # the view's range ---------------------------------------------------------
    def drawn_bounds(self, margin: float = 0.0):
        """(lo, hi) of everything the last frame drew (dots, tails, paths), or None."""
        return bounds(self._drawn, margin)

    def request_fit(self) -> None:
        """Fit the next frame's drawing (a new scene, a new selection, a mode switch)."""
        self._fit_wanted = True

    def reset_view(self) -> None:
        """Home: back to fitting what is drawn (after the user panned or zoomed)."""
        self.auto_view = True
        self._fit_wanted = True
        self._keep_in_view()

    def _keep_in_view(self) -> None:
        vb = self.getPlotItem().getViewBox()
        (x0, x1), (y0, y1) = vb.viewRange()
        if self.auto_view:
            box = self.drawn_bounds(MARGIN)
            if box is None:
                return
            lo, hi = box
            inside = x0 <= lo[0] and hi[0] <= x1 and y0 <= lo[1] and hi[1] <= y1
            if self._fit_wanted or not inside:
                self._fit_wanted = False
                vb.setRange(xRange=(lo[0], hi[0]), yRange=(lo[1], hi[1]), padding=0)
            return
        if self.state is None or self.selected_row is None:
            return
        here = self.state.obs[self.selected_row, -1]  # follow: recentre when they walk out
        if not (x0 <= here[0] <= x1 and y0 <= here[1] <= y1):
            vb.translateBy(x=here[0] - (x0 + x1) / 2, y=here[1] - (y0 + y1) / 2)

    def _on_manual_range(self, *_args) -> None:
        self.auto_view = False

    # mouse --------------------------------------------------------------------
    def to_view(self, pos) -> np.ndarray:
        """A viewport pixel position (QPoint or QPointF) -> metres."""
        pos = pos.toPoint() if hasattr(pos, "toPoint") else pos  # mapToScene takes a QPoint
        p = self.getPlotItem().getViewBox().mapSceneToView(self.mapToScene(pos))
        return np.array([p.x(), p.y()])

    def to_pixels(self, xy) -> tuple[float, float]:
        """Metres -> a viewport pixel position (QPoint-like x, y)."""
        from PySide6.QtCore import QPointF

        p = self.mapFromScene(self.getPlotItem().getViewBox().mapViewToScene(QPointF(float(xy[0]), float(xy[1]))))
        return p.x(), p.y()
