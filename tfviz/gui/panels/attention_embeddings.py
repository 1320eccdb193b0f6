"""The embeddings tab of the attention panel: what enters layer 1, and what words look like.

Heatmaps (first 64 dimensions) of the sentence's token embeddings, the model's learned
position embeddings next to the sinusoidal encoding of the original Transformer, and the
normalised sum that enters layer 1; a few dimensions of both position codes as curves; a
PCA projection of the sentence's tokens plus words the user adds; the nearest neighbours
(cosine similarity) of a word in the vocabulary.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from tfviz.core.maths_np import sinusoidal_positions
from tfviz.gui.attention_views import MatrixView
from tfviz.gui.i18n import tr
from tfviz.gui.theme import LIGHT, Theme, style_plot

DIMS = 64  # dimensions shown in the heatmaps
MAX_LABELS = 60  # sentence tokens labelled in the PCA plot


class EmbeddingsTab(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        import pyqtgraph as pg

        self.theme: Theme = LIGHT
        self.bert = None
        self.table: np.ndarray | None = None  # (V, D) token embeddings
        self.normed: np.ndarray | None = None  # (V, D) unit rows
        self.vocab: list[str] = []
        self.tokens: list[str] = []
        self.token_vecs = np.zeros((0, 0), np.float32)
        self.added: list[tuple[str, np.ndarray]] = []

        self.heat = {k: MatrixView() for k in ("token", "position", "sinusoid", "normed")}
        for v in self.heat.values():
            v.show_numbers = False
            v.square = False
        grid = QGridLayout()
        for i, key in enumerate(self.heat):
            grid.addWidget(self.heat[key], i // 2, i % 2)
        left = QWidget()
        left.setLayout(grid)

        self.curves = pg.GraphicsLayoutWidget()
        self.learned_plot = self.curves.addPlot(row=0, col=0)
        self.sin_plot = self.curves.addPlot(row=1, col=0)
        self.pca_plot = pg.PlotWidget()
        self.scatter = pg.ScatterPlotItem(size=9, pen=None)
        self.pca_plot.addItem(self.scatter)
        self._labels: list = []

        self.word_edit = QLineEdit()
        self.add_btn = QPushButton()
        self.clear_btn = QPushButton()
        self.nn_title = QLabel()
        self.nn_list = QListWidget()
        self.message = QLabel()
        self.message.setWordWrap(True)
        words = QHBoxLayout()
        words.addWidget(self.word_edit, 1)
        words.addWidget(self.add_btn)
        words.addWidget(self.clear_btn)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.addWidget(self.curves, 3)
        rl.addWidget(self.pca_plot, 3)
        rl.addLayout(words)
        rl.addWidget(self.message)
        rl.addWidget(self.nn_title)
        rl.addWidget(self.nn_list, 1)
        split = QSplitter(Qt.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([600, 400])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(split)
        self.word_edit.returnPressed.connect(self.add_word)
        self.add_btn.clicked.connect(self.add_word)
        self.clear_btn.clicked.connect(self.clear_words)
        self.retranslate()

    def retranslate(self) -> None:
        self.word_edit.setPlaceholderText(tr("AttentionEmbeddings", "Add a word to the plot (e.g. king)"))
        self.add_btn.setText(tr("AttentionEmbeddings", "Add"))
        self.clear_btn.setText(tr("AttentionEmbeddings", "Clear words"))
        self.nn_title.setText(tr("AttentionEmbeddings", "Nearest neighbours in the vocabulary (cosine similarity):"))
        # 8 pt: at the default size the titles were wider than the plots and lost their end
        self.learned_plot.setTitle(tr("AttentionEmbeddings", "Learned position embeddings (this model), dimensions 0–3"), size="8pt")
        self.sin_plot.setTitle(tr("AttentionEmbeddings", "Sinusoidal encoding (original Transformer), dimensions 0, 2, 4, 6"), size="8pt")
        self.pca_plot.setTitle(tr("AttentionEmbeddings", "Token embeddings projected on 2 axes (PCA)"))
        self._refresh_heatmaps()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        for v in self.heat.values():
            v.set_theme(theme)
        self.curves.setBackground(theme.bg)
        for plot in (self.learned_plot, self.sin_plot, self.pca_plot):
            style_plot(plot, theme, theme.scale)
        self._refresh_plots()

    def set_model(self, bert, table: np.ndarray, normed: np.ndarray, positions: np.ndarray) -> None:
        """The loaded model's token-embedding table, its unit-length rows, its position table."""
        self.bert, self.table, self.normed, self.position_table = bert, table, normed, positions
        self.vocab = [bert.tokenizer.inv[i] for i in range(len(bert.tokenizer))]
        self.added = []

    def set_analysis(self, res, b: int) -> None:
        """Show sentence ``b`` of an :class:`~tfviz.core.bert.analysis.Analysis`."""
        n = res.lengths[b]
        self.tokens = list(res.tokens[b])
        emb = res.embeddings
        self._mats = {
            "token": emb["token"][b, :n, :DIMS],
            "position": emb["position"][:n, :DIMS],
            "sinusoid": sinusoidal_positions(n, emb["position"].shape[1])[:, :DIMS],
            "normed": emb["normed"][b, :n, :DIMS],
        }
        self.token_vecs = emb["token"][b, :n]
        self._refresh_heatmaps()
        self._refresh_plots()

    # drawing ----------------------------------------------------------------
    def _refresh_heatmaps(self) -> None:
        if not hasattr(self, "_mats"):
            return
        titles = {
            "token": tr("AttentionEmbeddings", "Token embeddings (rows: tokens, first 64 dimensions)"),
            "position": tr("AttentionEmbeddings", "Learned position embeddings (this model)"),
            "sinusoid": tr("AttentionEmbeddings", "Sinusoidal positional encoding (original Transformer)"),
            "normed": tr("AttentionEmbeddings", "Token + position + segment, normalised: the input of layer 1"),
        }
        cols = [str(d) for d in range(DIMS)]
        for key, view in self.heat.items():
            mat = self._mats[key]
            lim = float(np.abs(mat).max()) or 1.0
            view.set_data(self.tokens, cols[: mat.shape[1]], mat, titles[key], levels=(-lim, lim))

    def _refresh_plots(self) -> None:
        import pyqtgraph as pg

        from tfviz.gui.theme import OKABE_ITO

        self.learned_plot.clear()
        self.sin_plot.clear()
        if self.bert is not None and self.tokens:
            learned = self.position_table[: max(len(self.tokens), 64)]  # (P, D)
            sin = sinusoidal_positions(len(learned), learned.shape[1])
            x = np.arange(len(learned))
            for i, d in enumerate((0, 1, 2, 3)):
                self.learned_plot.plot(x, learned[:, d], pen=pg.mkPen(OKABE_ITO[i], width=2), name=f"dim {d}")
            for i, d in enumerate((0, 2, 4, 6)):
                self.sin_plot.plot(x, sin[:, d], pen=pg.mkPen(OKABE_ITO[i], width=2), name=f"dim {d}")
        self._refresh_pca()

    def _refresh_pca(self) -> None:
        import pyqtgraph as pg

        for item in self._labels:
            self.pca_plot.removeItem(item)
        self._labels = []
        names = self.tokens + [w for w, _ in self.added]
        if not names:
            self.scatter.setData([])
            return
        vecs = [self.token_vecs] + ([np.stack([v for _, v in self.added])] if self.added else [])
        from tfviz.core.bert.embeddings import pca_2d  # lazily: tfviz.core.bert loads torch

        xy = pca_2d(np.concatenate(vecs))
        colors = [self.theme.categorical(0)] * len(self.tokens) + [self.theme.categorical(1)] * len(self.added)
        self.scatter.setData(x=xy[:, 0], y=xy[:, 1], brush=[pg.mkBrush(c) for c in colors])
        shown = set(range(min(len(self.tokens), MAX_LABELS))) | set(range(len(self.tokens), len(names)))
        mid_x = float(xy[:, 0].min() + xy[:, 0].max()) / 2
        mid_y = float(xy[:, 1].min() + xy[:, 1].max()) / 2
        for n, ((x, y), name, c) in enumerate(zip(xy, names, colors)):
            if n not in shown:  # long texts: label the first tokens and every added word
                continue
            # labels point inwards (left of the point on the right half, under it on the top
            # half), so the outermost words are not cut by the edge of the plot
            label = pg.TextItem(name, color=c, anchor=(0 if x <= mid_x else 1, 1 if y <= mid_y else 0))
            label.setPos(float(x), float(y))
            self.pca_plot.addItem(label)
            self._labels.append(label)

    # words ------------------------------------------------------------------
    def add_word(self) -> None:
        word = self.word_edit.text().strip()
        if self.table is None:
            self.message.setText(tr("AttentionEmbeddings", "The model is not loaded yet."))
            return
        if not word:
            self.message.setText(tr("AttentionEmbeddings", "Type a word first."))
            return
        from tfviz.core.bert.embeddings import nearest, word_vector  # lazily: tfviz.core.bert loads torch

        vec, pieces = word_vector(self.bert.tokenizer, self.table, word)
        self.added.append((word, vec))
        self.word_edit.clear()  # ready for the next word ("king", then "queen")
        note = tr("AttentionEmbeddings", "“{word}” = {pieces}").format(word=word, pieces=" + ".join(pieces))
        if len(pieces) > 1:
            note += " " + tr("AttentionEmbeddings", "(several wordpieces: their mean is used)")
        if "[UNK]" in pieces:
            note += " " + tr("AttentionEmbeddings", "Contains [UNK]: the vocabulary lacks some characters.")
        self.message.setText(note)
        self.nn_list.clear()
        for tok, sim in nearest(self.normed, vec, self.vocab, k=12, skip=pieces if len(pieces) == 1 else ()):
            self.nn_list.addItem(f"{tok}    {sim:.3f}")
        self._refresh_pca()

    def clear_words(self) -> None:
        self.added = []
        self.nn_list.clear()
        self.message.clear()
        self._refresh_pca()

    def neighbours(self) -> list[str]:
        return [self.nn_list.item(i).text() for i in range(self.nn_list.count())]
