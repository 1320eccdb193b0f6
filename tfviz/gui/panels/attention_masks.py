"""The masks tab of the attention panel: each mask as its own matrix, then its effect.

Top row, one matrix per mask for the selected sentence: the padding mask and the causal mask
in their additive form (0 = may look, −∞ = blocked), and the keys that are ``[MASK]`` tokens
(which BERT does *not* block: the word is replaced in the input instead). Bottom row: the
combined mask actually added to the scores, the scores before the softmax, the weights after it.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from tfviz.core.maths_np import causal_additive, padding_additive
from tfviz.gui.attention_views import MatrixView
from tfviz.gui.i18n import tr
from tfviz.gui.theme import Theme


class MasksTab(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.padding, self.causal, self.mask_keys = MatrixView(), MatrixView(), MatrixView()
        self.combined, self.before, self.after = MatrixView(), MatrixView(), MatrixView()
        self.text = QLabel()
        self.text.setWordWrap(True)
        # a [MASK] shows no guess here (MiniLM has no prediction head): link to the panel that guesses
        self.guess_link = QLabel()
        self.guess_link.linkActivated.connect(self._open_panel)
        self.guess_link.hide()
        grid = QGridLayout()
        for i, v in enumerate(self.views()):
            grid.addWidget(v, i // 3, i % 3)
        lay = QVBoxLayout(self)
        lay.addLayout(grid, 1)
        lay.addWidget(self.text)
        lay.addWidget(self.guess_link)
        self._shown = None

    def views(self) -> list[MatrixView]:
        return [self.padding, self.causal, self.mask_keys, self.combined, self.before, self.after]

    def set_theme(self, theme: Theme) -> None:
        for v in self.views():
            v.set_theme(theme)

    def set_colormap(self, name: str) -> None:
        for v in self.views():
            v.set_colormap(name)

    def retranslate(self) -> None:
        if self._shown is not None:
            self.show_head(*self._shown)

    def show_head(self, res, b: int, layer: int, head: int) -> None:
        """Sentence ``b`` of an :class:`~tfviz.core.bert.analysis.Analysis`, one head."""
        self._shown = (res, b, layer, head)
        toks = res.padded_tokens(b)
        t, n = len(toks), res.lengths[b]
        pad = t - n
        pad_applied = pad > 0 and not res.allowed[b][:, n:].any()
        h = res.head(layer, b, head)
        masked_keys = np.array([[1.0 if k == "[MASK]" else 0.0 for k in toks]] * t, np.float32)  # (T, T)
        self.padding.set_data(toks, toks, padding_additive(t, n, pad_applied),
                              tr("AttentionPanel", "Padding mask alone"), levels=(-1.0, 0.0))
        self.causal.set_data(toks, toks, causal_additive(t, res.causal),
                             tr("AttentionPanel", "Causal mask alone"), levels=(-1.0, 0.0))
        self.mask_keys.set_data(toks, toks, masked_keys,
                                tr("AttentionPanel", "Keys that are [MASK] (1): not blocked"), levels=(0.0, 1.0))
        self.combined.set_data(toks, toks, h.mask, tr("AttentionPanel", "Mask added to the scores (0 or −∞)"),
                               levels=(-1.0, 0.0))
        self.before.set_data(toks, toks, h.masked, tr("AttentionPanel", "Before softmax: scores / √d_k + mask"))
        self.after.set_data(toks, toks, h.weights, tr("AttentionPanel", "After softmax: masked keys get exactly 0"),
                            levels=(0.0, 1.0))
        lines = []
        if pad and pad_applied:
            lines.append(tr("AttentionPanel", "Padding mask: this sentence has {n} real tokens and {p} [PAD] "
                                              "tokens; no query may look at a [PAD] key.").format(n=n, p=pad))
        elif pad:
            lines.append(tr("AttentionPanel", "Padding mask OFF: queries also look at the {p} [PAD] tokens, which "
                                              "changes the real tokens' attention. This is why the mask exists.").format(p=pad))
        else:
            lines.append(tr("AttentionPanel", "No padding: a single sentence, or the longest of the batch."))
        if res.causal:
            lines.append(tr("AttentionPanel", "Causal mask: query i may only look at keys 0..i (the upper triangle is −∞)."))
        masked = [i for i, tok in enumerate(toks) if tok == "[MASK]"]
        if masked:
            lines.append(tr("AttentionPanel", "[MASK] tokens at positions {pos}: the word is replaced in the input, "
                                              "not hidden by the attention mask; the others still attend to it, but "
                                              "it carries no word.").format(pos=", ".join(str(i) for i in masked)))
        self.text.setText("\n".join(lines))
        ctx = self._ctx()
        self.guess_link.setVisible(bool(masked) and ctx is not None and ctx.has_panel("bert-vs-gpt"))
        self.guess_link.setText("<a href='panel:bert-vs-gpt'>{}</a>".format(
            tr("BertVsGpt", "See what a model guesses for a [MASK]: the BERT vs GPT panel")))

    def _ctx(self):
        w = self.parentWidget()
        while w is not None and not hasattr(w, "ctx"):
            w = w.parentWidget()
        return None if w is None else w.ctx

    def _open_panel(self, url: str) -> None:
        ctx = self._ctx()
        if ctx is not None and url.startswith("panel:"):
            ctx.request_panel(url.split(":", 1)[1])
