"""The Transformer maps tab of the encoder-decoder panel: every attention map of one decode.

Encoder self-attention, decoder masked self-attention (the future drawn as masked) or
cross-attention (decoder rows, input columns): a grid of small maps, layers by heads, and the
one clicked, enlarged with its labels. Shown for the Transformer's decode whatever model the
panel shows (only the Transformer has these maps).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from tfviz.core.maths_np import hide_future
from tfviz.gui.attention_views import MatrixView, ModelGrid
from tfviz.gui.i18n import tr

MAPS = ("enc_self", "dec_self", "cross")


def display_maps(maps: dict, kind: str) -> np.ndarray:
    """The maps of ``kind`` as drawn: (L, H, T_q, T_k), −∞ (drawn as masked) above the
    diagonal of the decoder's self-attention, where the causal mask blocked the future.

    >>> maps = {"dec_self": np.full((1, 1, 2, 2), 0.5)}
    >>> display_maps(maps, "dec_self")[0, 0].tolist()
    [[0.5, -inf], [0.5, 0.5]]
    """
    return hide_future(maps[kind]) if kind == "dec_self" else maps[kind]


class MapsTab(QWidget):
    """Map choice, a layers × heads grid, and the chosen map enlarged."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.kind, self.cell = "cross", (0, 0)  # which maps; (layer, head) enlarged
        self.result = None  # the Transformer's DecodeResult, or None
        self.combo = QComboBox()
        for kind in MAPS:
            self.combo.addItem("", kind)
        self.combo.setCurrentIndex(MAPS.index(self.kind))
        self.combo.currentIndexChanged.connect(self._on_kind)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.grid = ModelGrid()
        self.grid.selected.connect(self.select_cell)
        self.matrix = MatrixView()
        split = QSplitter(Qt.Horizontal)
        split.addWidget(self.grid)
        split.addWidget(self.matrix)
        split.setSizes([420, 560])
        head = QHBoxLayout()
        head.addWidget(self.combo)
        head.addWidget(self.hint, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(head)
        lay.addWidget(split, 1)

    def retranslate(self) -> None:
        self.combo.setItemText(0, tr("EncoderDecoder", "Encoder self-attention"))
        self.combo.setItemText(1, tr("EncoderDecoder", "Decoder masked self-attention"))
        self.combo.setItemText(2, tr("EncoderDecoder", "Cross-attention (decoder → encoder)"))
        self.show_result(self.result)

    def set_theme(self, theme) -> None:
        self.grid.set_theme(theme)
        self.matrix.set_theme(theme)

    def _on_kind(self, i: int) -> None:
        self.kind = MAPS[i]
        self.show_result(self.result)

    def select_cell(self, layer: int, head: int) -> None:
        self.cell = (layer, head)
        self.grid.set_current(layer, head)
        self._show_cell()

    def show_result(self, result) -> None:
        """Show the maps of ``result`` (a Transformer DecodeResult; None: no decode yet)."""
        self.result = result if result is not None and result.maps else None
        if self.result is None:
            self.hint.setText(tr("EncoderDecoder", "No Transformer decode yet."))
            return
        self.hint.setText(tr("EncoderDecoder", "Rows: layers; columns: heads. Click one to enlarge. Shown for the Transformer, whatever model is selected."))
        self.grid.set_data(display_maps(self.result.maps, self.kind), current=self.cell)
        self._show_cell()

    def _show_cell(self) -> None:
        res = self.result
        if res is None:
            return
        mats = display_maps(res.maps, self.kind)  # (L, H, T_q, T_k)
        layer, head = min(self.cell[0], mats.shape[0] - 1), min(self.cell[1], mats.shape[1] - 1)
        ins = [c if c != " " else "·" for c in res.columns]
        fed = ["<s>"] + [s.char for s in res.steps][:-1]  # what the decoder was fed
        rows, cols = {"enc_self": (ins, ins), "dec_self": (fed, fed), "cross": (fed, ins)}[self.kind]
        self.matrix.set_data(rows, cols, mats[layer, head],
                             title=tr("EncoderDecoder", "layer {l}, head {h}").format(l=layer + 1, h=head + 1))
