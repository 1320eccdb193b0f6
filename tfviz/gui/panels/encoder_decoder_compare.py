"""The Compare tab of the encoder-decoder panel: the three models side by side.

A plot of accuracy against input length on the reverse task (exact match or per character:
the plain RNN falls off as inputs grow, the attention models do not), and a table of parameter
counts, held-out scores and training times. Everything comes from the evaluation JSON files
shipped next to the weights (written by ``tfviz seq2seq eval --out``); nothing runs here.
"""

from __future__ import annotations

import json

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from tfviz.core.assets import asset
from tfviz.gui.i18n import tr
from tfviz.gui.panels.encoder_decoder_labels import KINDS, kind_label
from tfviz.gui.theme import style_plot

TRAIN_MAX_LEN = 40  # the reverse models were trained on strings up to this length


def load_eval(task: str, kind: str) -> dict | None:
    """The shipped evaluation JSON written by ``tfviz seq2seq eval --out`` (None if absent)."""
    node = asset("weights", "seq2seq", f"{task}-{kind}.eval.json")
    try:
        return json.loads(node.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _percent(doc: dict | None, key: str = "exact") -> str:
    """
    >>> _percent({"exact": 0.9876}), _percent(None)
    ('98.8%', '—')
    """
    return "—" if doc is None else f"{100 * doc[key]:.1f}%"


def _minutes(doc: dict | None) -> str:
    """
    >>> _minutes({"train_seconds": 90}), _minutes({})
    ('1.5', '—')
    """
    return "—" if doc is None or doc.get("train_seconds") is None else f"{doc['train_seconds'] / 60:.1f}"


class CompareTab(QWidget):
    """Accuracy-against-length plot and the comparison table; :meth:`refresh` redraws both."""

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.plot = pg.PlotWidget()
        self.plot.setYRange(0, 1.02)
        self.plot.showGrid(x=True, y=True, alpha=0.3)
        self.legend = self.plot.addLegend()
        # The middle-left of the plot stays empty: the RNN has fallen, the others are still high.
        self.legend.anchor(itemPos=(0, 0.5), parentPos=(0.33, 0.6))
        self.metric = QComboBox()
        self.metric.addItem("", "exact")
        self.metric.addItem("", "char")
        self.metric.currentIndexChanged.connect(lambda _i: self.refresh())
        self.table = QLabel()
        self.table.setTextFormat(Qt.RichText)
        self.table.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.table.setWordWrap(True)
        self.table.setMinimumWidth(440)
        side = QVBoxLayout()
        side.addWidget(self.metric)
        side.addWidget(self.table, 1)
        lay = QHBoxLayout(self)
        lay.addWidget(self.plot, 1)
        lay.addLayout(side)

    def retranslate(self) -> None:
        self.metric.setItemText(0, tr("EncoderDecoder", "Exact match"))
        self.metric.setItemText(1, tr("EncoderDecoder", "Per-character accuracy"))
        self.plot.setTitle(tr("EncoderDecoder", "Reverse task: accuracy against input length"))
        self.plot.setLabel("bottom", tr("EncoderDecoder", "input length (characters)"))
        self.plot.setLabel("left", tr("EncoderDecoder", "accuracy"))
        self.refresh()

    def set_theme(self, theme) -> None:
        style_plot(self.plot, theme, theme.scale)
        self.refresh()

    def refresh(self) -> None:
        """Redraw the curves (one per model, in the theme's colours) and the table."""
        self.plot.clear()
        self.legend.clear()
        metric = self.metric.currentData() or "exact"
        theme = self.ctx.theme
        rows = []
        for i, kind in enumerate(KINDS):
            reverse, dates = load_eval("reverse", kind), load_eval("dates", kind)
            if reverse is not None:
                lengths = sorted(int(k) for k in reverse["by_length"])
                scores = [reverse["by_length"][str(n)][metric] for n in lengths]
                pen = pg.mkPen(theme.categorical(i), width=theme.pen_width(2.5))
                self.plot.plot(lengths, scores, pen=pen, name=kind_label(kind), symbol="o", symbolSize=4,
                               symbolBrush=theme.categorical(i), symbolPen=None)  # fmt: skip
            rows.append((kind, reverse, dates))
        line = pg.InfiniteLine(TRAIN_MAX_LEN, angle=90, pen=pg.mkPen(theme.muted, style=Qt.DashLine),
                               label=tr("EncoderDecoder", "longest training length"),
                               labelOpts={"position": 0.1, "color": theme.muted})  # fmt: skip
        self.plot.addItem(line)
        self.table.setText(self._table_html(rows))

    @staticmethod
    def _table_html(rows: list[tuple[str, dict | None, dict | None]]) -> str:
        head = (tr("EncoderDecoder", "model"), tr("EncoderDecoder", "parameters"),
                tr("EncoderDecoder", "dates exact"), tr("EncoderDecoder", "reverse exact (4–60)"),
                tr("EncoderDecoder", "training minutes (dates / reverse)"))  # fmt: skip
        html = "<table cellspacing='0' cellpadding='4' border='1'><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"
        for kind, reverse, dates in rows:
            params = (dates or reverse or {}).get("parameters")
            html += (f"<tr><td>{kind_label(kind)}</td><td>{'—' if params is None else f'{params:,}'}</td>"
                     f"<td>{_percent(dates)}</td><td>{_percent(reverse)}</td>"
                     f"<td>{_minutes(dates)} / {_minutes(reverse)}</td></tr>")  # fmt: skip
        html += "</table><p>" + tr(
            "EncoderDecoder",
            "Held-out sets: 2000 dates drawn uniformly over 1900–2099 and the nine formats; 50 strings of "
            "every length 4–60 for reverse (trained on lengths up to 40). Trained on this 2-core CPU.",
        ) + "</p>"
        return html
