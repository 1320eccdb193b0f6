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
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from tfviz.gui import filedialogs
from tfviz.gui.base import BasePanel
from tfviz.gui.context import AppContext
from tfviz.gui.i18n import tr
from tfviz.gui.jobs import Debouncer, LatestJob, format_failure
from tfviz.gui.panels.attention_tabs import TABS, AttentionTabs
from tfviz.gui.panels.attention_texts import MAX_SENTENCES, analysis_warnings, explain_html, guide_html
from tfviz.gui.panels.attention_work import load_model, run_analysis

DEFAULT_TEXT = "The animal didn't cross the street because it was too tired."
__all__ = ["DEFAULT_TEXT", "TABS", "Panel", "load_model", "run_analysis"]


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
        self._failed_device = ""  # a device that failed (out of memory): use the CPU until the user switches
        # newest request wins: a new model or text replaces the waiting one; stale results are dropped
        self._loader = LatestJob(ctx.jobs, "attention-load", self)
        self._loader.result.connect(self._on_loaded)
        self._loader.failed.connect(self._on_load_error)
        self._analyser = LatestJob(ctx.jobs, "attention-analyse", self)
        self._analyser.result.connect(self._on_analysis)
        self._analyser.failed.connect(self._on_analysis_error)
        # coalesce the edits of one event-loop turn (a paste, a cleared box) into one request
        self._typing = Debouncer(0, self.request_analysis, parent=self)
        self._play = QTimer(self)
        self._play.setInterval(700)
        self._play.timeout.connect(lambda: self.step(1))
        self._build()
        self._connect()
        self.on_theme_changed()
        self.retranslate()

    def _build(self) -> None:
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

        self.tabs = AttentionTabs()
        # the views, by name (tests and the shell reach them through the panel)
        t = self.tabs
        self.matrix, self.lines, self.grid, self.mini_grid = t.matrix, t.lines, t.grid, t.mini_grid
        self.computation, self.masks, self.embeddings, self.explain = t.computation, t.masks, t.embeddings, t.explain

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

    def _connect(self) -> None:
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
        self.explain.anchorClicked.connect(self._on_link)
        self.grid.selected.connect(self._on_grid)
        self.mini_grid.selected.connect(self.select)
        self.matrix.clicked.connect(lambda i, j: self.click_token(i))
        self.matrix.label_clicked.connect(lambda i, j: self.click_token(max(i, j)))  # a row or a column label
        self.lines.token_clicked.connect(self.click_token)

    # ------------------------------------------------------------------ texts
    guide_html = staticmethod(guide_html)

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
        self.tabs.retranslate(explain_html(self.ctx.has_panel("encoder-decoder")))
        self._update_status()
        self.refresh()

    def _on_link(self, url) -> None:
        if url.scheme() == "panel":
            self.ctx.request_panel(url.path())

    def _update_status(self) -> None:
        if self.load_error:
            self.status.setText(tr("AttentionPanel", "Could not load the model: {error}").format(error=self.load_error))
        elif self.bert is None:
            self.status.setText(tr("AttentionPanel", "Loading the model…") if self._loader.busy()
                                else tr("AttentionPanel", "The model loads when the panel is shown."))
        else:
            cfg = self.bert.config
            self.status.setText(tr("AttentionPanel", "{name}: {layers} layers × {heads} heads, d_k = {dk}, on {device}").format(
                name=cfg.name, layers=cfg.num_layers, heads=cfg.num_heads, dk=cfg.head_dim, device=self.bert.device))

    # ------------------------------------------------------------------ model
    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self.bert is None and self._loader.latest == 0:  # the first showing loads the model
            self.load(self.model_spec)

    def load(self, spec: str) -> None:
        """Load ``"minilm"`` or a BERT folder in a worker; the panel keeps working meanwhile.

        A newer request (another model chosen while one loads) replaces this one.
        """
        self.load_error = ""
        device = self._device()
        self._loader.submit(lambda: load_model(spec, device))
        self._update_status()

    def load_now(self, spec: str = "minilm") -> None:
        """Blocking load (screenshots, tests)."""
        try:
            self._on_loaded(load_model(spec, "cpu"))
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self._on_load_error(exc)

    def is_loading(self) -> bool:
        return self._loader.busy()

    def is_busy(self) -> bool:
        """An analysis runs or waits (tests, benchmarks)."""
        return self._analyser.busy() or self._typing.pending()

    def _on_loaded(self, result) -> None:
        spec, bert, table, normed, positions = result
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
        folder = filedialogs.open_folder(self, "bert", tr("AttentionPanel", "Open a BERT folder"))
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
        self._typing.trigger()

    def request_analysis(self) -> None:
        """Analyse the current text in a worker; a newer request replaces a waiting one."""
        if self.bert is None:
            return
        texts = self.texts()
        if not texts:
            self._analyser.cancel()
            self.analysis = None
            self.refresh()
            return
        masks = [sorted(self.masked_tokens.get(b, ())) for b in range(len(texts))]
        args = (self.bert, texts, self.causal_check.isChecked(), masks, self.pad_check.isChecked(), self._device())
        self._analyser.submit(lambda: run_analysis(*args))

    def analyse_now(self) -> None:
        """Blocking analysis of the current text (screenshots, benchmarks)."""
        texts = self.texts()
        masks = [sorted(self.masked_tokens.get(b, ())) for b in range(len(texts))]
        self._on_analysis(run_analysis(self.bert, texts, self.causal_check.isChecked(), masks,
                                       self.pad_check.isChecked()))

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
        if self.tabs.current() == "computation":
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
        self.tabs.show_tab("matrix")

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
        self.tabs.set_colormap(name)
        self.refresh()

    # ------------------------------------------------------------------ drawing
    def warnings(self) -> list[str]:
        typed = len(self.text_edit.toPlainText().split("\n"))
        return analysis_warnings(
            self.analysis, error=self.analysis_error, causal=self.causal_check.isChecked(),
            empty=self.bert is not None and not self.texts(),
            max_positions=self.bert.config.max_positions if self.bert is not None else 0,
            sentences_dropped=typed > MAX_SENTENCES and len(self.texts()) == MAX_SENTENCES)

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
        self.tabs.draw(res, self.sent, self.layer, self.head, key=(self.cmap_combo.currentText(), self.ctx.theme.name))

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
        self.tabs.set_theme(theme)
        self.warning.setStyleSheet(f"font-weight: bold; color: {theme.highlight};")

    def prepare_shot(self) -> None:
        """Load synchronously and show a real sentence's attention (layer 3, head 4: a clear pattern)."""
        self._loader.wait_idle(120_000)  # a load started by showEvent: use it rather than loading twice
        if self.bert is None:
            self.load_now("minilm")
        if self.bert is None:
            return
        if not self.texts():
            self.text_edit.setPlainText(DEFAULT_TEXT)
        self._typing.flush()
        self._analyser.wait_idle(120_000)
        if self.analysis is None or list(self.analysis.texts) != self.texts():
            self.analyse_now()
        self.tabs.show_tab("matrix")
        self.select(2, 3)

    def shutdown(self) -> None:
        self._play.stop()
        self._typing.cancel()
        self._analyser.cancel()
        self._loader.cancel()

    def current_tokens(self) -> list[str]:
        """The tokens shown for the selected sentence (tests, export names)."""
        return self.analysis.padded_tokens(self.sent) if self.analysis is not None else []

    def current_weights(self) -> np.ndarray:
        return self.analysis.weights[self.layer, self.sent, self.head]
