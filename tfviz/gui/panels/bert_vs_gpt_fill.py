"""The "Fill the blank" tab: one sentence, BERT on the left, GPT on the right.

Click a token: BERT hides it and guesses it from both sides; GPT guesses it from the tokens
before it only. Each column shows its attention for the chosen layer and head (BERT: the full
square, GPT: the lower triangle) and its top guesses, the true token marked with ✓.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from tfviz.gui.attention_views.matrix import MatrixView
from tfviz.gui.i18n import tr
from tfviz.gui.panels.bert_vs_gpt_views import Bar, BarList, shown
from tfviz.gui.panels.tokenization_chips import Chip, ChipView
from tfviz.gui.theme import LIGHT


class FillTab(QWidget):
    token_clicked = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.chips = ChipView(LIGHT)
        self.chips.chip_clicked.connect(self.token_clicked)
        self.bert_title, self.gpt_title = QLabel(), QLabel()
        for t in (self.bert_title, self.gpt_title):
            t.setWordWrap(True)
            t.setStyleSheet("font-weight: bold;")
        self.bert_matrix, self.gpt_matrix = MatrixView(), MatrixView()
        self.bert_bars, self.gpt_bars = BarList(), BarList()
        self.bert_matrix.clicked.connect(lambda i, j: i > 0 and self.token_clicked.emit(i - 1))
        self.gpt_matrix.clicked.connect(lambda i, j: i < len(self.chips.chips) and self.token_clicked.emit(i))
        grid = QGridLayout()
        grid.addWidget(self.bert_title, 0, 0)
        grid.addWidget(self.gpt_title, 0, 1)
        grid.addWidget(self.bert_matrix, 1, 0)
        grid.addWidget(self.gpt_matrix, 1, 1)
        grid.addWidget(self.bert_bars, 2, 0)
        grid.addWidget(self.gpt_bars, 2, 1)
        grid.setRowStretch(1, 3)
        grid.setRowStretch(2, 2)
        lay = QVBoxLayout(self)
        lay.addWidget(self.hint)
        lay.addWidget(self.chips)
        lay.addLayout(grid, 1)

    def set_theme(self, theme) -> None:
        self.chips.set_theme(theme)
        for w in (self.bert_matrix, self.gpt_matrix, self.bert_bars, self.gpt_bars):
            w.set_theme(theme)

    def retranslate(self) -> None:
        self.hint.setText(tr("BertVsGpt", "Click a token. BERT hides it behind [MASK] and guesses it from both "
                                          "sides; GPT guesses it from the tokens before it only. ✓ marks the true token."))
        self.bert_title.setText(tr("BertVsGpt", "BERT (encoder): sees both sides"))
        self.gpt_title.setText(tr("BertVsGpt", "GPT (decoder): sees the left only"))
        self.chips.note = tr("BertVsGpt", "Type a sentence above.")

    def show(self, res, position: int, layer: int, head: int, bert_attention=None) -> None:  # noqa: A003
        """Draw analysis ``res`` with token ``position`` chosen (``bert_attention``: with it masked)."""
        if res is None or not res.ids:
            self.chips.set_chips([])
            empty = tr("BertVsGpt", "No tokens yet.")
            self.bert_bars.set_bars("", [], note=empty)
            self.gpt_bars.set_bars("", [], note=empty)
            for m in (self.bert_matrix, self.gpt_matrix):
                m.set_data([], [], _empty(), "")
            return
        chips = [Chip(shown(t), str(i), 0 if i != position else 1) for i, t in enumerate(res.tokens)]
        self.chips.set_chips(chips, selected=position)
        true = res.tokens[position]
        labels = list(res.labels)
        bert_labels = labels.copy()
        bert_att = res.bert_attention if bert_attention is None else bert_attention
        if bert_attention is not None:
            bert_labels[position + 1] = "[MASK]"
        self.bert_matrix.set_data(bert_labels, bert_labels, bert_att[layer, head], tr(
            "BertVsGpt", "BERT attention, layer {l}, head {h}: full square").format(l=layer + 1, h=head + 1))
        self.gpt_matrix.set_data(labels, labels, res.gpt_attention[layer, head], tr(
            "BertVsGpt", "GPT attention, layer {l}, head {h}: lower triangle").format(l=layer + 1, h=head + 1))
        self.bert_matrix.set_selected_row(position + 1)
        self.gpt_matrix.set_selected_row(position)  # the query that predicts token `position`
        left = "".join(res.tokens[:position])
        self.bert_bars.set_bars(
            tr("BertVsGpt", "BERT's guesses for [MASK] (true: ‘{t}’)").format(t=shown(true)),
            _bars(res.bert[position], res.ids[position]), _extra(res.bert[position], true))
        self.gpt_bars.set_bars(
            tr("BertVsGpt", "GPT's next token after ‘{left}’").format(left=shown(left[-24:]) if left else "∅"),
            _bars(res.gpt[position], res.ids[position]), _extra(res.gpt[position], true))


def _empty():
    import numpy as np

    return np.zeros((0, 0), np.float32)


def _bars(g, true_id: int) -> list[Bar]:
    return [Bar(tok, p, true=i == true_id) for i, tok, p in g.top]


def _extra(g, true: str) -> str:
    if g.true_rank <= len(g.top):
        return tr("BertVsGpt", "The true token is guess {rank}.").format(rank=g.true_rank)
    return tr("BertVsGpt", "✓ ‘{t}’ is only guess {rank} ({p:.2f}%).").format(
        t=shown(true), rank=g.true_rank, p=100 * g.true_prob)
