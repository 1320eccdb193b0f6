"""The "Can BERT generate?" tab: BERT appends [MASK] and fills it, again and again, beside GPT."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget

from tfviz.gui.i18n import tr


class BertGenerateTab(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.result = None  # (prompt ids, BERT's ids, GPT's ids, decode)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.n_label = QLabel()
        self.n_spin = QSpinBox()
        self.n_spin.setRange(1, 60)
        self.n_spin.setValue(16)
        self.run_button = QPushButton()
        self.bert_title, self.gpt_title = QLabel(), QLabel()
        self.bert_text, self.gpt_text = QLabel(), QLabel()
        for w in (self.bert_title, self.gpt_title):
            w.setStyleSheet("font-weight: bold;")
        for w in (self.bert_text, self.gpt_text):
            w.setWordWrap(True)
            w.setMinimumWidth(200)
            w.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        self.why = QLabel()
        self.why.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.n_label)
        row.addWidget(self.n_spin)
        row.addWidget(self.run_button)
        row.addStretch(1)
        grid = QGridLayout()
        grid.addWidget(self.bert_title, 0, 0)
        grid.addWidget(self.gpt_title, 0, 1)
        grid.addWidget(self.bert_text, 1, 0)
        grid.addWidget(self.gpt_text, 1, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.intro)
        lay.addLayout(row)
        lay.addLayout(grid)
        lay.addWidget(self.why)
        lay.addStretch(1)
        self.theme = None

    def retranslate(self) -> None:
        self.intro.setText(tr("BertVsGpt", "Append [MASK] to the sentence and let BERT fill it with its top guess; "
                                           "append another [MASK] and repeat. GPT continues the same sentence "
                                           "with its most likely next token each time."))
        self.n_label.setText(tr("BertVsGpt", "Tokens to add:"))
        self.run_button.setText(tr("BertVsGpt", "Write with both"))
        self.bert_title.setText(tr("BertVsGpt", "BERT, filling [MASK] at the end"))
        self.gpt_title.setText(tr("BertVsGpt", "GPT, next token (greedy)"))
        self.why.setText(tr("BertVsGpt", "Why BERT fails: it learnt to fill a blank with words on both sides, so a "
                                         "[MASK] with nothing to its right is a question it never practised; GPT "
                                         "learnt exactly this, the next token from the left."))
        self.draw()

    def set_theme(self, theme) -> None:
        self.theme = theme
        for w in (self.bert_text, self.gpt_text):
            w.setStyleSheet(f"font-size: {theme.font_pt(13):.0f}pt;")
        self.draw()

    def set_result(self, result) -> None:
        self.result = result
        self.draw()

    def draw(self) -> None:
        if self.result is None:
            note = tr("BertVsGpt", "Press “Write with both”.")
            self.bert_text.setText(note)
            self.gpt_text.setText(note)
            return
        import html

        prompt, bert_new, gpt_new, decode = self.result
        colour = self.theme.highlight if self.theme is not None else "#D55E00"
        start = decode(prompt)
        for label, new in ((self.bert_text, bert_new), (self.gpt_text, gpt_new)):
            full = decode(list(prompt) + list(new))
            added = full[len(start):] if full.startswith(start) else decode(new)
            label.setText(f"{html.escape(start)}<b style='color:{colour}'>{html.escape(added)}</b>".replace("\n", "<br>"))
