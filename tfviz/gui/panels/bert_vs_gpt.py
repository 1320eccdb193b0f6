"""BERT vs GPT panel: a masked language model and an autoregressive one, side by side.

The tiny BERT and GPT of a language (same tokenizer, size and data; they differ in the mask
and the objective) load in a worker; each sentence is analysed in a worker (both models'
guesses at every token and their attention), so clicking a token or changing layer and head
only repaints. Tabs: fill the blank, generate (tiny GPT or SmolLM2), can BERT generate?, train.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QSpinBox, QTabWidget, QVBoxLayout, QWidget

from tfviz.gui.base import BasePanel
from tfviz.gui.context import AppContext
from tfviz.gui.i18n import tr
from tfviz.gui.jobs import Debouncer, LatestJob, format_failure
from tfviz.gui.panels.bert_vs_gpt_bertgen import BertGenerateTab
from tfviz.gui.panels.bert_vs_gpt_fill import FillTab
from tfviz.gui.panels.bert_vs_gpt_generate import GenerateTab
from tfviz.gui.panels.bert_vs_gpt_texts import DEFAULT_TEXT, guide_html
from tfviz.gui.panels.bert_vs_gpt_train import TrainTab
from tfviz.gui.panels.bert_vs_gpt_work import analyse, bert_vs_gpt_writing, load_pair, masked_attention

MODES = ("fill", "generate", "bert-generate", "train")
LANGS = ("en", "zh")


class Panel(BasePanel):
    name = "bert-vs-gpt"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.lang = "en"
        self.pairs: dict[str, tuple] = {}  # lang -> (gpt, bert)
        self.analysis = None
        self.position = 0
        self.layer = self.head = 0
        self.masked = None  # (position, BERT attention with that token masked)
        self.error = ""
        self._pending_generated: list[int] | None = None
        self._loader = LatestJob(ctx.jobs, "bvg-load", self)
        self._loader.result.connect(self._on_loaded)
        self._loader.failed.connect(self._on_failed)
        self._analyser = LatestJob(ctx.jobs, "bvg-analyse", self)
        self._analyser.result.connect(self._on_analysis)
        self._analyser.failed.connect(self._on_failed)
        self._clicker = LatestJob(ctx.jobs, "bvg-mask", self)
        self._clicker.result.connect(self._on_masked)
        self._writer = LatestJob(ctx.jobs, "bvg-bert-writes", self)
        self._writer.result.connect(self._on_written)
        self._writer.failed.connect(self._on_failed)
        self._typing = Debouncer(250, self._text_settled, parent=self)
        self._build()
        self.on_theme_changed()
        self.retranslate()

    def _build(self) -> None:
        self.text_label = QLabel()
        self.text_edit = QLineEdit(DEFAULT_TEXT["en"])
        self.lang_label = QLabel()
        self.lang_combo = QComboBox()
        self.lang_combo.addItems(["", ""])
        self.layer_label, self.head_label = QLabel(), QLabel()
        self.layer_spin, self.head_spin = QSpinBox(), QSpinBox()
        for s in (self.layer_spin, self.head_spin):
            s.setRange(1, 4)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.tabs = QTabWidget()
        self.fill = FillTab()
        self.gen = GenerateTab(self.ctx)
        self.bertgen = BertGenerateTab()
        self.train = TrainTab(self.ctx, lambda: self.lang)
        for w in (self.fill, self.gen, self.bertgen, self.train):
            self.tabs.addTab(w, "")
        row = QHBoxLayout()
        for w in (self.text_label, self.text_edit, self.lang_label, self.lang_combo, self.layer_label,
                  self.layer_spin, self.head_label, self.head_spin):
            row.addWidget(w)
        row.setStretch(1, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        lay.addWidget(self.status)
        lay.addWidget(self.tabs, 1)
        self.text_edit.textChanged.connect(lambda _: self._typing.trigger())
        self.text_edit.returnPressed.connect(self._typing.flush)
        self.lang_combo.currentIndexChanged.connect(lambda i: self.set_lang(LANGS[i]))
        self.layer_spin.valueChanged.connect(lambda v: self.select(v - 1, self.head))
        self.head_spin.valueChanged.connect(lambda v: self.select(self.layer, v - 1))
        self.fill.token_clicked.connect(self.click_token)
        self.gen.model_changed.connect(self.set_writer)
        self.gen.smol.loaded.connect(self._on_smol_loaded)
        self.bertgen.run_button.clicked.connect(self.write_with_both)
        self.tabs.currentChanged.connect(lambda _: (self._update_ranges(), self._auto_write()))

    # ------------------------------------------------------------------ texts
    guide_html = staticmethod(guide_html)

    def retranslate(self) -> None:
        self.text_label.setText(tr("BertVsGpt", "Sentence:"))
        self.text_edit.setPlaceholderText(tr("BertVsGpt", "Type a sentence in the models' language"))
        self.lang_label.setText(tr("BertVsGpt", "Models:"))
        self.lang_combo.setItemText(0, tr("BertVsGpt", "English (Shakespeare)"))
        self.lang_combo.setItemText(1, tr("BertVsGpt", "Chinese (classical)"))
        self.lang_combo.setToolTip(tr("BertVsGpt", "The language of the models, independent of the interface language"))
        self.layer_label.setText(tr("BertVsGpt", "Layer:"))
        self.head_label.setText(tr("BertVsGpt", "Head:"))
        for i, text in enumerate((tr("BertVsGpt", "Fill the blank"), tr("BertVsGpt", "Generate"),
                                  tr("BertVsGpt", "Can BERT generate?"), tr("BertVsGpt", "Train"))):
            self.tabs.setTabText(i, text)
        for tab in (self.fill, self.gen, self.bertgen, self.train):
            tab.retranslate()
        self._update_status()
        self.refresh()

    def _update_status(self) -> None:
        if self.error:
            text = tr("BertVsGpt", "Problem: {error}").format(error=self.error)
        elif self.lang not in self.pairs:
            text = tr("BertVsGpt", "Loading the tiny BERT and GPT…")
        else:
            gpt, _bert = self.pairs[self.lang]
            cfg = gpt.net.cfg
            text = tr("BertVsGpt", "Tiny BERT and GPT: {layers} layers × {heads} heads, d = {d}, context {ctx} tokens, "
                                   "the same tokenizer ({vocab} tokens); they differ only in the mask and the objective.").format(
                layers=cfg.n_layers, heads=cfg.n_heads, d=cfg.d_model, ctx=cfg.context_length, vocab=cfg.vocab_size)
            if self.analysis is not None and self.analysis.cut:
                text += " " + tr("BertVsGpt", "The sentence is longer than the context: {n} tokens at the end are left out.").format(
                    n=self.analysis.cut)
        self.status.setText(text)

    # ------------------------------------------------------------------ models
    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self.lang not in self.pairs and not self._loader.busy():
            self.load(self.lang)

    def _device(self) -> str:
        return self.ctx.device if self.ctx.device in ("cpu", "cuda", "mps") else "cpu"

    def load(self, lang: str) -> None:
        device = self._device()
        self._loader.submit(lambda: load_pair(lang, device))
        self._update_status()

    def _on_loaded(self, result) -> None:
        lang, gpt, bert = result
        self.pairs[lang] = (gpt, bert)
        if lang == self.lang:
            self.error = ""
            self._models_ready()

    def _models_ready(self) -> None:
        self._update_status()
        self.request_analysis()
        self._auto_write()
        if self.gen.model_key == "tiny":
            self._give_writer("tiny")

    def _on_failed(self, exc: BaseException) -> None:
        self.error = format_failure(exc)
        self._update_status()

    def set_lang(self, lang: str) -> None:
        """Switch the models' language (the interface language stays)."""
        if lang == self.lang:
            return
        old, self.lang = self.lang, lang
        self.lang_combo.blockSignals(True)
        self.lang_combo.setCurrentIndex(LANGS.index(lang))
        self.lang_combo.blockSignals(False)
        if self.text_edit.text() in ("", DEFAULT_TEXT[old]):
            self.text_edit.blockSignals(True)
            self.text_edit.setText(DEFAULT_TEXT[lang])
            self.text_edit.blockSignals(False)
        self.analysis, self.masked, self.position = None, None, 0
        self.bertgen.set_result(None)
        self.train.update_info()
        if lang in self.pairs:
            self._models_ready()
        else:
            self.load(lang)
        self.refresh()

    def set_writer(self, key: str) -> None:
        """The generating model: ``"tiny"`` (the tiny GPT) or ``"smollm2"``."""
        if key == "smollm2" and self.gen.smol.model is None:
            self.gen.set_model(None, "smollm2", self.text_edit.text())
            self.gen.smol.load()
        else:
            self._give_writer(key)
        self._update_ranges()

    def _give_writer(self, key: str, generated=None) -> None:
        generated = self._pending_generated if generated is None else generated
        self._pending_generated = None
        if key == "smollm2":
            model = self.gen.smol.model
        else:
            model = self.pairs.get(self.lang, (None, None))[0]
        if model is None:
            self._pending_generated = generated
            self.gen.set_model(None, key, self.text_edit.text())
            return
        self.gen.set_model(model, key, self.text_edit.text(), generated or ())
        self._update_ranges()

    def _on_smol_loaded(self, model) -> None:
        if self.gen.model_key == "smollm2":
            self._give_writer("smollm2")

    # ------------------------------------------------------------------ analysis
    def _text_settled(self) -> None:
        self.position, self.masked = 0, None
        self.request_analysis()
        self.bertgen.set_result(None)
        self._auto_write()
        if self.gen.model is not None:
            self.gen.set_prompt(self.text_edit.text())

    def request_analysis(self) -> None:
        if self.lang not in self.pairs:
            return
        gpt, bert = self.pairs[self.lang]
        lang, text = self.lang, self.text_edit.text()
        self._analyser.submit(lambda: analyse(lang, gpt, bert, text))

    def _on_analysis(self, res) -> None:
        if res.lang != self.lang:
            return
        self.analysis, self.error = res, ""
        self.position = max(0, min(self.position, len(res.ids) - 1))
        self._update_status()
        self._request_masked()
        self.refresh()

    def click_token(self, i: int) -> None:
        """Choose token ``i``: both models' guesses for it (BERT's attention with it masked)."""
        if self.analysis is None or not 0 <= i < len(self.analysis.ids):
            return
        self.position = i
        self._request_masked()
        self.refresh()

    def _request_masked(self) -> None:
        res = self.analysis
        if res is None or not res.ids or self.lang not in self.pairs:
            return
        bert, ids, pos = self.pairs[self.lang][1], res.ids, self.position
        self._clicker.submit(lambda: (ids, masked_attention(bert, ids, pos)))

    def _on_masked(self, result) -> None:
        ids, (pos, att) = result
        if self.analysis is not None and ids == self.analysis.ids:
            self.masked = (pos, att)
            self.refresh()

    def write_with_both(self) -> None:
        if self.lang not in self.pairs:
            return
        gpt, bert = self.pairs[self.lang]
        text, n = self.text_edit.text(), self.bertgen.n_spin.value()
        self._writer.submit(lambda: bert_vs_gpt_writing(gpt, bert, text, n) + (bert.decode,))

    def _auto_write(self) -> None:
        """The "Can BERT generate?" tab shows its answer as soon as it is opened."""
        if self.mode() == "bert-generate" and self.bertgen.result is None and not self._writer.busy():
            self.write_with_both()

    def _on_written(self, result) -> None:
        self.bertgen.set_result(result)

    # ------------------------------------------------------------------ stepping and drawing
    def mode(self) -> str:
        return MODES[self.tabs.currentIndex()]

    def set_mode(self, mode: str) -> None:
        self.tabs.setCurrentIndex(MODES.index(mode))

    def _shape(self) -> tuple[int, int]:
        """Layers and heads of the model the current tab shows."""
        m = self.gen.model if self.mode() == "generate" else None
        if m is not None and hasattr(m, "kv_head_of"):
            return m.config.n_layers, m.config.n_heads
        if self.lang in self.pairs:
            cfg = self.pairs[self.lang][0].net.cfg
            return cfg.n_layers, cfg.n_heads
        return 4, 4

    def _update_ranges(self) -> None:
        n_l, n_h = self._shape()
        for spin, n in ((self.layer_spin, n_l), (self.head_spin, n_h)):
            spin.blockSignals(True)
            spin.setMaximum(n)
            spin.blockSignals(False)
        self.select(self.layer, self.head)

    def select(self, layer: int, head: int) -> None:
        n_l, n_h = self._shape()
        self.layer, self.head = max(0, min(layer, n_l - 1)), max(0, min(head, n_h - 1))
        for spin, v in ((self.layer_spin, self.layer), (self.head_spin, self.head)):
            spin.blockSignals(True)
            spin.setValue(v + 1)
            spin.blockSignals(False)
        self.gen.select(self.layer, self.head)
        self.refresh()

    def refresh(self) -> None:
        res = self.analysis
        masked = self.masked[1] if self.masked is not None and self.masked[0] == self.position else None
        self.fill.show(res, self.position, min(self.layer, 3), min(self.head, 3), masked)

    def step(self, delta: int) -> None:
        mode = self.mode()
        if mode == "generate":
            self.gen.step(delta)
        elif mode == "fill" and self.analysis is not None and self.analysis.ids:
            self.click_token(max(0, min(self.position + delta, len(self.analysis.ids) - 1)))

    def go_first(self) -> None:
        if self.mode() == "fill":
            self.click_token(0)

    def go_last(self) -> None:
        if self.mode() == "fill" and self.analysis is not None:
            self.click_token(len(self.analysis.ids) - 1)

    def toggle_play(self) -> None:
        if self.mode() == "generate":
            self.gen.toggle_play()

    # ------------------------------------------------------------------ shell hooks
    def export_target(self) -> QWidget:
        return self.tabs.currentWidget()

    def on_theme_changed(self) -> None:
        theme = self.ctx.theme
        for tab in (self.fill, self.gen, self.bertgen, self.train):
            tab.set_theme(theme)
        self.refresh()
        self.gen.draw()

    def settle(self, timeout_ms: int = 120_000) -> bool:
        """Block until the models are loaded and every request is answered (shots, tests)."""
        ok = self._loader.wait_idle(timeout_ms)
        self._typing.flush()
        for slot in (self._analyser, self._clicker, self._writer):
            ok = slot.wait_idle(timeout_ms) and ok
        ok = self.gen.wait_idle(timeout_ms) and ok
        ok = self._clicker.wait_idle(timeout_ms) and ok
        self.refresh()
        return ok

    def prepare_shot(self) -> None:
        """A real fill-in (a word in the middle chosen) and a few generated tokens."""
        if self.lang not in self.pairs and not self._loader.busy():
            self.load(self.lang)
        self.settle()
        if self.analysis is not None and len(self.analysis.ids) > 5 and self.position == 0:
            self.click_token(5)
        if not self.gen.generated:  # a half-written sentence on the Generate tab
            for _ in range(6):
                self.gen.step(1)
                self.gen.wait_idle(60_000)
        self.settle()

    def shutdown(self) -> None:
        self._typing.cancel()
        for slot in (self._loader, self._analyser, self._clicker, self._writer):
            slot.cancel()
        self.gen.shutdown()
        self.train.shutdown()
