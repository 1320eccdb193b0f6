"""The attention panel's views, one tab each: matrix (with the whole model beside it), lines,
model grid, computation, masks, embeddings, and the "self-attention vs attention" page.

The panel owns the state (analysis, sentence, layer, head); :meth:`AttentionTabs.draw` paints
the visible tab from it, so switching layer, head or tab only repaints.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QTabWidget, QTextBrowser, QWidget

from tfviz.gui.attention_views import ComputationView, LinesView, MatrixView, ModelGrid
from tfviz.gui.i18n import tr
from tfviz.gui.panels.attention_embeddings import EmbeddingsTab
from tfviz.gui.panels.attention_masks import MasksTab
from tfviz.gui.theme import Theme

TABS = ("matrix", "lines", "model", "computation", "masks", "embeddings", "explain")


class AttentionTabs(QTabWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.matrix = MatrixView()
        self.lines = LinesView()
        self.grid = ModelGrid()
        self.mini_grid = ModelGrid()  # next to the matrix: the whole model at a glance
        matrix_page = QWidget()
        row = QHBoxLayout(matrix_page)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.matrix, 3)
        row.addWidget(self.mini_grid, 2)
        self.computation = ComputationView()
        self.masks = MasksTab()
        self.embeddings = EmbeddingsTab()
        self.explain = QTextBrowser()
        self.explain.setOpenLinks(False)
        for w in (matrix_page, self.lines, self.grid, self.computation, self.masks, self.embeddings, self.explain):
            self.addTab(w, "")
        self._embeddings_of = None  # (analysis, sentence) the embeddings tab shows

    def current(self) -> str:
        """The name of the visible tab (one of :data:`TABS`)."""
        return TABS[self.currentIndex()]

    def show_tab(self, name: str) -> None:
        self.setCurrentIndex(TABS.index(name))

    def retranslate(self, explain_html: str) -> None:
        names = [tr("AttentionPanel", "Matrix"), tr("AttentionPanel", "Lines"), tr("AttentionPanel", "Model view"),
                 tr("AttentionPanel", "Computation"), tr("AttentionPanel", "Masks"), tr("AttentionPanel", "Embeddings"),
                 tr("AttentionPanel", "Self-attention vs attention")]
        for i, n in enumerate(names):
            self.setTabText(i, n)
        self.explain.setHtml(explain_html)
        self.computation.retranslate()
        self.embeddings.retranslate()

    def set_theme(self, theme: Theme) -> None:
        for v in (self.matrix, self.lines, self.grid, self.mini_grid, self.masks, self.computation, self.embeddings):
            v.set_theme(theme)

    def set_colormap(self, name: str) -> None:
        for v in (self.matrix, self.lines, self.grid, self.mini_grid, self.masks, self.computation):
            v.set_colormap(name)

    def draw(self, res, b: int, layer: int, head: int, key: tuple) -> None:
        """Paint the visible tab for sentence ``b``, ``layer``, ``head`` of the analysis ``res``.

        ``key`` names what the model-grid thumbnails depend on besides the analysis (colour
        map, theme): they are rebuilt only when it or the analysis changes.
        """
        toks = res.padded_tokens(b)
        w = res.weights[layer, b, head]  # (T, T)
        title = tr("AttentionPanel", "Layer {layer}, head {head}: rows attend to columns").format(
            layer=layer + 1, head=head + 1)
        tab = self.current()
        if tab == "matrix":
            self.matrix.set_data(toks, toks, w, title, levels=(0.0, float(w.max()) or 1.0))
            self._update_grid(self.mini_grid, res, b, layer, head, key)
        elif tab == "lines":
            self.lines.set_data(toks, toks, w, title)
        elif tab == "model":
            self._update_grid(self.grid, res, b, layer, head, key)
        elif tab == "computation":
            self.computation.set_head(res.head(layer, b, head), toks, toks)
        elif tab == "masks":
            self.masks.show_head(res, b, layer, head)
        elif tab == "embeddings" and self._embeddings_of != (id(res), b):
            self.embeddings.set_analysis(res, b)  # does not depend on layer or head
            self._embeddings_of = (id(res), b)

    @staticmethod
    def _update_grid(grid: ModelGrid, res, b: int, layer: int, head: int, key: tuple) -> None:
        """Thumbnails are rebuilt only for a new analysis; otherwise only the outline moves."""
        shown = (id(res), b, *key)
        if getattr(grid, "_shown_key", None) != shown:
            n = res.lengths[b]
            grid.set_data(res.weights[:, b, :, :n, :n])  # (L, H, n, n)
            grid._shown_key = shown
        grid.set_current(layer, head)
