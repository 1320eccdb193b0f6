"""Attention panel: step through every layer and head of a real pretrained BERT.

Type a sentence (or up to four, one per line, to see padding). The model (MiniLM-L6 by
default, any local BERT folder through File > Open or the folder button) loads in a worker;
each new text is analysed in a worker too, and every number is kept as numpy, so switching
layer, head or view only repaints. Tabs: matrix, lines, model grid, computation, masks,
embeddings, and "self-attention vs attention".
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSlider,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from tfviz.gui.attention_views import ComputationView, LinesView, MatrixView, ModelGrid
from tfviz.gui.base import BasePanel
from tfviz.gui.context import AppContext
from tfviz.gui.i18n import tr
from tfviz.gui.jobs import format_failure
from tfviz.gui.panels.attention_embeddings import EmbeddingsTab
from tfviz.gui.panels.attention_masks import MasksTab

DEFAULT_TEXT = "The animal didn't cross the street because it was too tired."
MAX_SENTENCES = 4
BATCH_MAX_TOKENS = 128  # per sentence in batch mode: keeps 4 x 72 attention maps small
TABS = ("matrix", "lines", "model", "computation", "masks", "embeddings", "explain")


def load_model(spec: str, device: str):
    """Worker: load the model and prepare the numpy tables the embeddings tab needs."""
    import torch  # noqa: F401  (first import happens here, off the UI thread)

    from tfviz.core.bert import load_bert
    from tfviz.core.bert.embeddings import normalize_rows

    bert = load_bert(spec, device="cpu")
    table = bert.model.embeddings.word.weight.detach().numpy()  # (V, D)
    positions = bert.model.embeddings.position.weight.detach().numpy()  # (P, D)
    if device != "cpu":
        bert.model.to(device)
        bert.device = device
    return bert, table, normalize_rows(table), positions


def run_analysis(bert, texts, causal, mask_positions, pad_mask, device: str | None = None):
    """Worker: one forward pass with all traces on ``device``; falls back to the CPU if the GPU fails."""
    from tfviz.core.bert.analysis import analyze
    from tfviz.core.device import run_with_fallback

    notes: list[str] = []

    def work(dev: str):
        if dev != bert.device:
            bert.model.to(dev)
            bert.device = dev
        return analyze(bert, texts, causal=causal, mask_positions=mask_positions, pad_mask=pad_mask,
                       max_length=BATCH_MAX_TOKENS if len(texts) > 1 else None)

    res, _ = run_with_fallback(work, device or bert.device, notify=notes.append)
    return res, notes


class Panel(BasePanel):
    name = "attention"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.bert = None
        self.model_spec = "minilm"
        self.analysis = None
        self.analysis_error = ""
        self.load_error = ""
        self.layer = self.head = self.sent = 0
        self.masked_tokens: dict[int, set[int]] = {}
        self._load_job = None
        self._job = None
        self._loading = False  # a load job is running
        self._busy = False  # an analysis job is running
        self._dirty = False
        self._requested_load = False
        self._failed_device = ""  # a device that failed (out of memory): use the CPU until the user switches

        # input row -----------------------------------------------------------
        self.text_edit = QPlainTextEdit(DEFAULT_TEXT)
        self.text_edit.setMaximumHeight(78)
        self.model_label = QLabel()
        self.model_combo = QComboBox()
        self.folder_btn = QPushButton()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("font-weight: bold;")

        # stepping and masks --------------------------------------------------
        self.sent_label = QLabel()
        self.sent_combo = QComboBox()
        self.layer_label = QLabel()
        self.layer_slider = QSlider(Qt.Horizontal)
        self.head_label = QLabel()
        self.head_slider = QSlider(Qt.Horizontal)
        for s in (self.layer_slider, self.head_slider):
            s.setMinimum(0)
            s.setMaximum(0)
            s.setPageStep(1)
        self.pad_check = QCheckBox()
        self.pad_check.setChecked(True)
        self.causal_check = QCheckBox()
        self.mask_mode = QCheckBox()
        self.clear_masks_btn = QPushButton()
        self.cmap_combo = QComboBox()
        self.cmap_combo.addItems(["viridis", "cividis"])

        # views ---------------------------------------------------------------
        self.matrix = MatrixView()
        self.lines = LinesView()
        self.grid = ModelGrid()
        self.mini_grid = ModelGrid()  # next to the matrix: the whole model at a glance
        matrix_page = QWidget()
        mp = QHBoxLayout(matrix_page)
        mp.setContentsMargins(0, 0, 0, 0)
        mp.addWidget(self.matrix, 3)
        mp.addWidget(self.mini_grid, 2)
        self.computation = ComputationView()
        self.masks = MasksTab()
        self.embeddings = EmbeddingsTab()
        self.explain = QTextBrowser()
        self.explain.setOpenLinks(False)
        self.explain.anchorClicked.connect(self._on_link)
        self.tabs = QTabWidget()
        for w in (matrix_page, self.lines, self.grid, self.computation, self.masks, self.embeddings, self.explain):
            self.tabs.addTab(w, "")

        top = QGridLayout()
        top.addWidget(self.text_edit, 0, 0, 2, 1)
        model_row = QHBoxLayout()
        model_row.addWidget(self.model_label)
        model_row.addWidget(self.model_combo, 1)
        model_row.addWidget(self.folder_btn)
        top.addLayout(model_row, 0, 1)
        top.addWidget(self.status, 1, 1)
        top.setColumnStretch(0, 3)
        top.setColumnStretch(1, 2)
        # two rows: on one row the layer and head sliders shrank to nothing below ~1250 px
        steps = QHBoxLayout()
        for w in (self.sent_label, self.sent_combo, self.layer_label, self.layer_slider, self.head_label,
                  self.head_slider, self.cmap_combo):
            steps.addWidget(w)
        steps.setStretch(3, 1)
        steps.setStretch(5, 1)
        for s in (self.layer_slider, self.head_slider):
            s.setMinimumWidth(80)
        mask_row = QHBoxLayout()
        for w in (self.pad_check, self.causal_check, self.mask_mode, self.clear_masks_btn):
            mask_row.addWidget(w)
        mask_row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(steps)
        lay.addLayout(mask_row)
        lay.addWidget(self.warning)
        lay.addWidget(self.tabs, 1)

        # signals ---------------------------------------------------------------
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(0)  # coalesce edits of one event-loop turn; one job in flight at a time
        self._typing.timeout.connect(self.request_analysis)
        self.text_edit.textChanged.connect(self._on_text_changed)
        self.layer_slider.valueChanged.connect(lambda v: self.select(v, self.head))
        self.head_slider.valueChanged.connect(lambda v: self.select(self.layer, v))
        self.sent_combo.currentIndexChanged.connect(self._on_sentence)
        self.pad_check.toggled.connect(lambda _: self.request_analysis())
        self.causal_check.toggled.connect(lambda _: self.request_analysis())
        self.clear_masks_btn.clicked.connect(self.clear_masks)
        self.cmap_combo.currentTextChanged.connect(self._on_cmap)
        self.model_combo.activated.connect(self._on_model_combo)
        self.folder_btn.clicked.connect(self._choose_folder)
        self.tabs.currentChanged.connect(lambda _: self.refresh())
        self.grid.selected.connect(self._on_grid)
        self.mini_grid.selected.connect(self.select)
        self.matrix.clicked.connect(lambda i, j: self.click_token(i))
        self.lines.token_clicked.connect(self.click_token)
        self._play = QTimer(self)
        self._play.setInterval(700)
        self._play.timeout.connect(lambda: self.step(1))
        self.on_theme_changed()
        self.retranslate()

    # ------------------------------------------------------------------ texts
    @staticmethod
    def title() -> str:
        return tr("Panels", "Attention and masks")

    @staticmethod
    def guide_html() -> str:
        return tr(
            "AttentionPanel",
            "<h3>Attention</h3><p>Type a sentence, or up to four sentences (one per line) to see padding. "
            "tfviz runs a real pretrained BERT (MiniLM-L6: 6 layers × 12 heads) and keeps every number.</p>"
            "<ul><li><b>Left / Right</b> step through heads (then layers); <b>Home / End</b> jump to the first "
            "and last head; <b>Space</b> plays.</li>"
            "<li><b>Matrix</b>: rows are queries, columns are keys; hover a cell for its value.</li>"
            "<li><b>Lines</b>: line opacity is the weight; hover a token to isolate its lines.</li>"
            "<li><b>Model</b>: every layer × head; click one to open it.</li>"
            "<li><b>Computation</b>: Q, K, V, Q·Kᵀ, ÷ √d_k, + mask, softmax, · V with the actual numbers.</li>"
            "<li><b>Masks</b>: padding (batch), causal, and [MASK] tokens (tick “Click a token to [MASK] it”, "
            "then click a row).</li>"
            "<li><b>Embeddings</b>: token and position vectors, PCA, nearest neighbours.</li></ul>"
            "<p>Any BERT folder with config.json, model.safetensors and vocab.txt can be opened "
            "(File &gt; Open, or the folder button).</p>",
        )

    def retranslate(self) -> None:
        self.text_edit.setPlaceholderText(tr("AttentionPanel", "Type a sentence; up to 4 sentences, one per line, to see padding"))
        self.model_label.setText(tr("AttentionPanel", "Model:"))
        current = self.model_combo.currentIndex()
        self.model_combo.blockSignals(True)
        self.model_combo.clear()
        self.model_combo.addItem(tr("AttentionPanel", "MiniLM-L6 (bundled, 6 layers × 12 heads)"), "minilm")
        if self.model_spec != "minilm":
            self.model_combo.addItem(self.model_spec, self.model_spec)
        self.model_combo.setCurrentIndex(max(0, min(current, self.model_combo.count() - 1)))
        self.model_combo.blockSignals(False)
        self.folder_btn.setText(tr("AttentionPanel", "Open BERT folder…"))
        self.sent_label.setText(tr("AttentionPanel", "Sentence:"))
        self.pad_check.setText(tr("AttentionPanel", "Padding mask"))
        self.causal_check.setText(tr("AttentionPanel", "Causal mask"))
        self.mask_mode.setText(tr("AttentionPanel", "Click a token to [MASK] it"))
        self.clear_masks_btn.setText(tr("AttentionPanel", "Clear [MASK]s"))
        self.cmap_combo.setToolTip(tr("AttentionPanel", "Colour map (both are readable with colour blindness)"))
        names = [tr("AttentionPanel", "Matrix"), tr("AttentionPanel", "Lines"), tr("AttentionPanel", "Model view"),
                 tr("AttentionPanel", "Computation"), tr("AttentionPanel", "Masks"), tr("AttentionPanel", "Embeddings"),
                 tr("AttentionPanel", "Self-attention vs attention")]
        for i, n in enumerate(names):
            self.tabs.setTabText(i, n)
        self.explain.setHtml(self._explain_html())
        self.computation.retranslate()
        self.embeddings.retranslate()
        self._update_status()
        self.refresh()

    def _explain_html(self) -> str:
        link = ""
        if self.ctx.has_panel("encoder-decoder"):
            link = tr("AttentionPanel", '<p><a href="panel:encoder-decoder">Open the encoder-decoder panel</a> '
                                        "to see cross-attention at work.</p>")
        return tr(
            "AttentionPanel",
            "<h3>Self-attention vs attention</h3>"
            "<p><b>Attention</b> lets a set of queries read from a set of keys and values: each query is compared "
            "with every key (dot product, divided by √d_k), the scores go through a softmax, and the weights mix "
            "the values.</p>"
            "<p><b>Self-attention</b>: Q, K and V all come from the <i>same</i> sentence, each through its own "
            "learned projection. Every token can look at every other token of its sentence; this is what BERT "
            "does in all its layers, and what this panel shows.</p>"
            "<p><b>Encoder-decoder (cross-) attention</b>: the queries come from the <i>decoder</i> (the output "
            "being produced) while the keys and values come from the <i>encoder</i>'s output (the input "
            "sentence). That is how a translation model looks at the source sentence while writing.</p>"
            "<p><b>Masked (causal) self-attention</b> in a decoder: position i may only look at positions ≤ i, "
            "so the model cannot read the word it must predict.</p>",
        ) + link

    def _on_link(self, url) -> None:
        if url.scheme() == "panel":
            self.ctx.request_panel(url.path())

    def _update_status(self) -> None:
        if self.load_error:
            self.status.setText(tr("AttentionPanel", "Could not load the model: {error}").format(error=self.load_error))
        elif self.bert is None:
            self.status.setText(tr("AttentionPanel", "Loading the model…") if self._requested_load
                                else tr("AttentionPanel", "The model loads when the panel is shown."))
        else:
            cfg = self.bert.config
            self.status.setText(tr("AttentionPanel", "{name}: {layers} layers × {heads} heads, d_k = {dk}, on {device}").format(
                name=cfg.name, layers=cfg.num_layers, heads=cfg.num_heads, dk=cfg.head_dim, device=self.bert.device))

    # ------------------------------------------------------------------ model
    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self.bert is None and not self._requested_load:
            self.load(self.model_spec)

    def load(self, spec: str) -> None:
        """Load ``"minilm"`` or a BERT folder in a worker; the panel keeps working meanwhile."""
        if self._loading:
            return
        self._loading = True
        self._requested_load = True
        self.load_error = ""
        self._update_status()
        self._load_job = self.ctx.jobs.run_call(
            lambda: load_model(spec, self._device()),
            on_done=lambda r: self._on_loaded(spec, r),
            on_error=self._on_load_error, name="attention-load")
        self._load_job.finished.connect(self._after_load)

    def _after_load(self) -> None:
        self._loading = False
        self._load_job = None

    def load_now(self, spec: str = "minilm") -> None:
        """Blocking load (screenshots, tests)."""
        self._requested_load = True
        try:
            self._on_loaded(spec, load_model(spec, "cpu"))
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self._on_load_error(exc)

    def _on_loaded(self, spec: str, result) -> None:
        bert, table, normed, positions = result
        self.bert, self.model_spec, self.load_error = bert, spec, ""
        self.embeddings.set_model(bert, table, normed, positions)
        cfg = bert.config
        self.layer_slider.setMaximum(cfg.num_layers - 1)
        self.head_slider.setMaximum(cfg.num_heads - 1)
        self.layer = min(self.layer, cfg.num_layers - 1)
        self.head = min(self.head, cfg.num_heads - 1)
        self.masked_tokens.clear()
        self.retranslate()
        self.request_analysis()

    def _on_load_error(self, exc: BaseException) -> None:
        self.load_error = format_failure(exc)
        self._update_status()
        self.ctx.notify(tr("AttentionPanel", "Attention panel: could not load the model: {error}").format(
            error=self.load_error))

    def open_path(self, path: str) -> bool:
        """File > Open: a BERT folder (or a file inside one)."""
        from pathlib import Path

        p = Path(path)
        folder = p if p.is_dir() else p.parent
        if not (folder / "config.json").exists() and not (folder / "vocab.txt").exists():
            return False
        self.load(str(folder))
        return True

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("AttentionPanel", "Open a BERT folder"))
        if folder:
            self.load(folder)

    def _on_model_combo(self, index: int) -> None:
        spec = self.model_combo.itemData(index)
        if spec and spec != self.model_spec:
            self.load(spec)

    # ------------------------------------------------------------------ analysis
    def texts(self) -> list[str]:
        lines = [ln for ln in self.text_edit.toPlainText().split("\n") if ln.strip()]
        return lines[:MAX_SENTENCES]

    def _on_text_changed(self) -> None:
        self.masked_tokens.clear()  # token positions change with the text
        self._typing.start()

    def request_analysis(self) -> None:
        if self.bert is None:
            return
        texts = self.texts()
        if not texts:
            self.analysis = None
            self.refresh()
            return
        if self._busy:
            self._dirty = True  # run again with the newest text when this one ends
            return
        self._dirty = False
        self._busy = True
        masks = [sorted(self.masked_tokens.get(b, ())) for b in range(len(texts))]
        args = (self.bert, texts, self.causal_check.isChecked(), masks, self.pad_check.isChecked(), self._device())
        self._job = self.ctx.jobs.run_call(lambda: run_analysis(*args), on_done=self._on_analysis,
                                           on_error=self._on_analysis_error, name="attention-analyse")
        self._job.finished.connect(self._after_job)

    def analyse_now(self) -> None:
        """Blocking analysis of the current text (screenshots, benchmarks)."""
        texts = self.texts()
        masks = [sorted(self.masked_tokens.get(b, ())) for b in range(len(texts))]
        self._on_analysis(run_analysis(self.bert, texts, self.causal_check.isChecked(), masks,
                                       self.pad_check.isChecked()))

    def _after_job(self) -> None:
        self._busy = False
        self._job = None
        if self._dirty:
            self.request_analysis()

    def _on_analysis(self, result) -> None:
        res, notes = result
        for n in notes:
            self.ctx.notify(n)
        if notes:
            self._failed_device = self.ctx.device
        self.analysis, self.analysis_error = res, ""
        self._update_status()
        self.sent_combo.blockSignals(True)
        self.sent_combo.clear()
        for b in range(len(res.texts)):
            self.sent_combo.addItem(str(b + 1))
        self.sent = min(self.sent, len(res.texts) - 1)
        self.sent_combo.setCurrentIndex(self.sent)
        self.sent_combo.blockSignals(False)
        self.refresh()

    def _on_analysis_error(self, exc: BaseException) -> None:
        self.analysis_error = f"{type(exc).__name__}: {format_failure(exc)}"
        self.refresh()

    # ------------------------------------------------------------------ stepping
    def select(self, layer: int, head: int) -> None:
        """Show ``layer`` / ``head``: a repaint, no computation."""
        if self.bert is None:
            return
        cfg = self.bert.config
        self.layer = max(0, min(cfg.num_layers - 1, layer))
        self.head = max(0, min(cfg.num_heads - 1, head))
        for s, v in ((self.layer_slider, self.layer), (self.head_slider, self.head)):
            s.blockSignals(True)
            s.setValue(v)
            s.blockSignals(False)
        self.refresh()

    def step(self, delta: int) -> None:
        if self.tabs.currentIndex() == TABS.index("computation"):
            self.computation.step(delta)
            return
        if self.bert is None:
            return
        n_h = self.bert.config.num_heads
        flat = (self.layer * n_h + self.head + delta) % (self.bert.config.num_layers * n_h)
        self.select(flat // n_h, flat % n_h)

    def go_first(self) -> None:
        self.select(0, 0)

    def go_last(self) -> None:
        if self.bert is not None:
            self.select(self.bert.config.num_layers - 1, self.bert.config.num_heads - 1)

    def toggle_play(self) -> None:
        if self._play.isActive():
            self._play.stop()
        else:
            self._play.start()

    def _on_sentence(self, index: int) -> None:
        if index >= 0:
            self.sent = index
            self.refresh()

    def _on_grid(self, layer: int, head: int) -> None:
        self.select(layer, head)
        self.tabs.setCurrentIndex(TABS.index("matrix"))

    def click_token(self, i: int) -> None:
        """With "[MASK] mode" on, replace query token ``i`` with [MASK] (click again to restore)."""
        if not self.mask_mode.isChecked() or self.analysis is None:
            return
        toks = self.analysis.tokens[self.sent]
        if not 0 < i < len(toks) - 1:
            return  # [CLS], [SEP] and padding stay
        chosen = self.masked_tokens.setdefault(self.sent, set())
        chosen.symmetric_difference_update({i})
        self.request_analysis()

    def clear_masks(self) -> None:
        self.masked_tokens.clear()
        self.request_analysis()

    def _on_cmap(self, name: str) -> None:
        for v in (self.matrix, self.lines, self.grid):
            v.set_colormap(name)
        self.masks.set_colormap(name)
        self.mini_grid.set_colormap(name)
        self.computation.set_colormap(name)
        self.refresh()

    # ------------------------------------------------------------------ drawing
    def warnings(self) -> list[str]:
        out = []
        if self.analysis_error:
            out.append(tr("AttentionPanel", "The analysis failed: {error}").format(error=self.analysis_error))
        res = self.analysis
        if self.causal_check.isChecked():
            out.append(tr("AttentionPanel", "Causal mask on a bidirectional model: this shows what a decoder would be "
                                            "allowed to see, not how this model was trained (BERT always sees both sides)."))
        if res is None:
            if self.bert is not None and not self.texts():
                out.append(tr("AttentionPanel", "The text is empty: type a sentence."))
            return out
        if res.truncated and len(res.texts) > 1:
            out.append(tr("AttentionPanel", "In batch mode each sentence is cut to {n} tokens.").format(n=BATCH_MAX_TOKENS))
        elif res.truncated:
            out.append(tr("AttentionPanel", "The text is longer than the model's {n} positions: only the first {n} "
                                            "tokens are used.").format(n=self.bert.config.max_positions))
        unk = sum(t.count("[UNK]") for t in res.tokens)
        if unk:
            out.append(tr("AttentionPanel", "{n} token(s) are [UNK]: the vocabulary lacks those characters.").format(n=unk))
        if len(self.text_edit.toPlainText().split("\n")) > MAX_SENTENCES and len(self.texts()) == MAX_SENTENCES:
            out.append(tr("AttentionPanel", "Only the first 4 sentences are used."))
        return out

    def _tokens(self) -> list[str]:
        return self.analysis.padded_tokens(self.sent)

    def refresh(self) -> None:
        """Redraw the visible tab from the stored numpy arrays (cheap)."""
        self.warning.setText("  ".join(self.warnings()))
        self.warning.setVisible(bool(self.warning.text()))  # no empty line above the tabs
        res = self.analysis
        self.layer_label.setText(tr("AttentionPanel", "Layer {n}").format(n=self.layer + 1))
        self.head_label.setText(tr("AttentionPanel", "Head {n}").format(n=self.head + 1))
        self.sent_combo.setEnabled(res is not None and len(res.texts) > 1)
        self.pad_check.setEnabled(res is not None and len(set(res.lengths)) > 1)
        if res is None:
            return
        toks = self._tokens()
        b, layer, head = self.sent, self.layer, self.head
        w = res.weights[layer, b, head]  # (T, T)
        title = tr("AttentionPanel", "Layer {layer}, head {head}: rows attend to columns").format(
            layer=layer + 1, head=head + 1)
        tab = TABS[self.tabs.currentIndex()]
        if tab == "matrix":
            self.matrix.set_data(toks, toks, w, title, levels=(0.0, float(w.max()) or 1.0))
            self._update_grid(self.mini_grid)
        elif tab == "lines":
            self.lines.set_data(toks, toks, w, title)
        elif tab == "model":
            self._update_grid(self.grid)
        elif tab == "computation":
            self.computation.set_head(res.head(layer, b, head), toks, toks)
        elif tab == "masks":
            self.masks.show_head(res, b, layer, head)
        elif tab == "embeddings" and getattr(self, "_embeddings_of", None) != (id(res), b):
            self.embeddings.set_analysis(res, b)  # does not depend on layer or head
            self._embeddings_of = (id(res), b)

    def _update_grid(self, grid: ModelGrid) -> None:
        """Thumbnails are rebuilt only for a new analysis; otherwise only the outline moves."""
        res, b = self.analysis, self.sent
        key = (id(res), b, self.cmap_combo.currentText(), self.ctx.theme.name)
        if getattr(grid, "_shown_key", None) != key:
            n = res.lengths[b]
            grid.set_data(res.weights[:, b, :, :n, :n])
            grid._shown_key = key
        grid.set_current(self.layer, self.head)

    # ------------------------------------------------------------------ shell hooks
    def export_target(self) -> QWidget:
        return self.tabs.currentWidget()

    def _device(self) -> str:
        """The app's device once resolved ("…" while it is still being resolved at start-up)."""
        dev = self.ctx.device if self.ctx.device in ("cpu", "cuda", "mps") else "cpu"
        return "cpu" if dev == self._failed_device else dev  # after a GPU failure: stay on the CPU

    def on_device_changed(self, device: str) -> None:
        self._failed_device = ""
        if self.bert is not None:
            self.request_analysis()  # the analysis moves the model (falling back to the CPU)

    def on_theme_changed(self) -> None:
        theme = self.ctx.theme
        for v in (self.matrix, self.lines, self.grid):
            v.set_theme(theme)
        self.masks.set_theme(theme)
        self.computation.set_theme(theme)
        self.embeddings.set_theme(theme)
        self.mini_grid.set_theme(theme)
        self.warning.setStyleSheet(f"font-weight: bold; color: {theme.highlight};")

    def prepare_shot(self) -> None:
        """Load synchronously and show a real sentence's attention (layer 3, head 4: a clear pattern)."""
        self._finish_jobs()  # a load started by showEvent: use it rather than loading twice
        if self.bert is None:
            self.load_now("minilm")
        if self.bert is None:
            return
        if not self.texts():
            self.text_edit.setPlainText(DEFAULT_TEXT)
        self._typing.stop()
        self._finish_jobs()
        self.analyse_now()
        self.tabs.setCurrentIndex(TABS.index("matrix"))
        self.select(2, 3)

    def _finish_jobs(self) -> None:
        """Blocking: wait for this panel's running jobs and deliver their results."""
        from PySide6.QtCore import QCoreApplication

        for _ in range(1000):
            job = self._load_job if self._loading else (self._job if self._busy else None)
            if job is None:
                return
            job.wait()
            QCoreApplication.processEvents()

    def shutdown(self) -> None:
        self._play.stop()
        self._typing.stop()
        for job in (self._job, self._load_job):
            if job is not None:
                job.cancel()

    def current_tokens(self) -> list[str]:
        """The tokens shown for the selected sentence (tests, export names)."""
        return self._tokens() if self.analysis is not None else []

    def current_weights(self) -> np.ndarray:
        return self.analysis.weights[self.layer, self.sent, self.head]
