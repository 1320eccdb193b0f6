"""ComputationView: one head's attention stage by stage (Q, K, V, QKᵀ, ÷√d_k, + mask, softmax, · V)."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget

from tfviz.core.attention_head import STAGES, HeadView
from tfviz.gui.attention_views.common import fmt_value
from tfviz.gui.attention_views.matrix import MatrixView
from tfviz.gui.i18n import tr
from tfviz.gui.theme import Theme


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
