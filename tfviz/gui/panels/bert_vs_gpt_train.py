"""The Train tab: train a fresh tiny GPT and BERT side by side on the bundled corpus.

Both models start from random weights with the shipped tokenizer of the language and take one
optimizer step each in turn (``train_side_by_side``); the plots show the training loss of both
in bits per byte (lines) and the validation loss (dots), with tokens per second and a sample
every N steps. Cancel stops at the next step. Keep saves both, atomically, into the user data
folder (never over the shipped weights); Discard forgets them.
"""

from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget

from tfviz.gui.i18n import tr
from tfviz.gui.jobs import LatestJob, format_failure
from tfviz.gui.theme import style_plot
from tfviz.gui.widgets import JobProgress

KINDS = ("gpt", "bert")


def user_folder():
    from tfviz.core.lm.weights import user_dir

    return user_dir()


def train_both(lang: str, steps: int, sample_every: int, device: str, holder: dict):
    """Worker generator: prepare the data (shipped tokenizer), then both trainers' records."""
    from tfviz.core.device import interactive_threads
    from tfviz.core.lm.train import LMTrainer, default_config, prepare_data, train_side_by_side
    from tfviz.core.lm.weights import load_tokenizer, shipped_dir, tokenizer_name

    interactive_threads()
    tok = load_tokenizer(shipped_dir() / tokenizer_name(lang))
    data = prepare_data(lang, tokenizer=tok)
    holder["data"] = data
    every = max(2, min(100, steps // 8))
    trainers = {k: LMTrainer(default_config(k, lang, steps=steps, eval_every=every, val_windows=24,
                                            sample_every=sample_every), data, device) for k in KINDS}
    holder["trainers"] = trainers
    yield from train_side_by_side(trainers["gpt"], trainers["bert"])


def save_both(trainers: dict, data, folder) -> list:
    """Keep: both models and their tokenizer in ``folder`` (atomic writes)."""
    from tfviz.core.lm.weights import save_tokenizer, tokenizer_name, weights_name

    folder.mkdir(parents=True, exist_ok=True)
    save_tokenizer(data.tokenizer, folder / tokenizer_name(data.lang))
    paths = []
    for kind, trainer in trainers.items():
        path = folder / weights_name(kind, data.lang)
        trainer.save(path)
        paths.append(path)
    return paths


class TrainTab(QWidget):
    def __init__(self, ctx, lang: Callable[[], str], parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._lang = lang
        self.log: list = []  # LMTrainStep records of the current run
        self.samples: dict[str, str] = {}
        self.saved: list = []
        self._holder: dict = {}
        self._finished: dict | None = None  # trainers waiting for Keep or Discard
        self._cancelled = False
        self._slot = LatestJob(ctx.jobs, "bvg-train", self)
        self._slot.item.connect(self._on_step)
        self._slot.result.connect(self._on_done)
        self._slot.failed.connect(self._on_error)
        self._slot.idle.connect(self._on_idle)
        self._build()

    def _build(self) -> None:
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.steps_label, self.sample_label = QLabel(), QLabel()
        self.steps_spin = QSpinBox()
        self.steps_spin.setRange(2, 5000)
        self.steps_spin.setSingleStep(50)
        self.steps_spin.setValue(200)
        self.sample_spin = QSpinBox()
        self.sample_spin.setRange(1, 1000)
        self.sample_spin.setValue(50)
        self.train_button, self.keep_button, self.discard_button = QPushButton(), QPushButton(), QPushButton()
        self.train_button.clicked.connect(self.start)
        self.keep_button.clicked.connect(self.keep)
        self.discard_button.clicked.connect(self.discard)
        self.keep_button.setEnabled(False)
        self.discard_button.setEnabled(False)
        self.progress = JobProgress()
        self.progress.cancel_requested.connect(self.cancel)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.plot = pg.PlotWidget()
        self.curves = {k: self.plot.plot([], []) for k in KINDS}
        self.val_curves = {k: self.plot.plot([], [], symbol="o", symbolSize=7) for k in KINDS}
        self.speed = {k: QLabel() for k in KINDS}
        self.sample_views = {k: QLabel() for k in KINDS}
        for w in self.sample_views.values():
            w.setWordWrap(True)
        row = QHBoxLayout()
        for w in (self.steps_label, self.steps_spin, self.sample_label, self.sample_spin, self.train_button,
                  self.keep_button, self.discard_button):
            row.addWidget(w)
        row.addStretch(1)
        side = QGridLayout()
        for col, k in enumerate(KINDS):
            side.addWidget(self.speed[k], 0, col)
            side.addWidget(self.sample_views[k], 1, col)
            side.setColumnStretch(col, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.info)
        lay.addLayout(row)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        lay.addWidget(self.plot, 1)
        lay.addLayout(side)

    def retranslate(self) -> None:
        self.steps_label.setText(tr("BertVsGpt", "Steps:"))
        self.sample_label.setText(tr("BertVsGpt", "Sample every:"))
        self.train_button.setText(tr("BertVsGpt", "Train both"))
        self.keep_button.setText(tr("BertVsGpt", "Keep both"))
        self.discard_button.setText(tr("BertVsGpt", "Discard"))
        self.plot.setTitle(tr("BertVsGpt", "Loss in bits per byte: GPT (blue), BERT (orange); dots = validation"))
        self.plot.setLabel("bottom", tr("BertVsGpt", "step"))
        self.progress.retranslate()
        self.update_info()
        self._draw_side()

    def update_info(self) -> None:
        self.info.setText(tr("BertVsGpt", "Train a new tiny GPT and BERT from random weights on the bundled {corpus} "
                                          "corpus, one step each in turn, same data and tokenizer. The shipped weights "
                                          "are never overwritten; kept models go to {path}.").format(
            corpus=tr("BertVsGpt", "Shakespeare") if self._lang() == "en" else tr("BertVsGpt", "classical Chinese"),
            path=str(user_folder())))

    def set_theme(self, theme) -> None:
        style_plot(self.plot, theme, theme.scale)
        for i, k in enumerate(KINDS):
            colour = theme.categorical(i)
            self.curves[k].setPen(pg.mkPen(colour, width=theme.pen_width(1.5)))
            self.val_curves[k].setPen(pg.mkPen(colour, width=theme.pen_width(1.5)))
            self.val_curves[k].setSymbolBrush(colour)

    # ------------------------------------------------------------------ training
    def is_training(self) -> bool:
        return self._slot.busy()

    def start(self) -> None:
        if self.is_training():
            return
        self.discard()
        self.log, self.samples, self._cancelled = [], {}, False
        lang, steps, every = self._lang(), self.steps_spin.value(), self.sample_spin.value()
        device = self.ctx.device if self.ctx.device in ("cpu", "cuda", "mps") else "cpu"
        self._holder = holder = {}
        self.progress.start(tr("BertVsGpt", "preparing the corpus…"))
        self.train_button.setEnabled(False)
        self.status.setText(tr("BertVsGpt", "Training both models in the background…"))
        self._slot.submit(lambda: train_both(lang, steps, every, device, holder), generator=True)
        self._draw()

    def cancel(self) -> None:
        if self.is_training():
            self._cancelled = True
            self._slot.cancel()

    def shutdown(self) -> None:
        self._slot.cancel()

    def _on_step(self, rec) -> None:
        self.log.append(rec)
        if rec.sample is not None:
            self.samples[rec.kind] = rec.sample
        if rec.val_loss is not None or rec.done or rec.sample is not None or len(self.log) % 4 == 0:
            self._draw()
        self.progress.update(rec.step / rec.total, tr("BertVsGpt", "step {s} / {n}").format(s=rec.step, n=rec.total))

    def _draw(self) -> None:
        for k in KINDS:
            recs = [r for r in self.log if r.kind == k]
            self.curves[k].setData([r.step for r in recs], [r.bits_per_byte for r in recs])
            vals = [r for r in recs if r.val_loss is not None]
            self.val_curves[k].setData([r.step for r in vals], [r.val_bits_per_byte for r in vals])
        self._draw_side()

    def _draw_side(self) -> None:
        names = {"gpt": tr("BertVsGpt", "GPT"), "bert": tr("BertVsGpt", "BERT")}
        for k in KINDS:
            recs = [r for r in self.log if r.kind == k]
            if recs:
                r = recs[-1]
                text = tr("BertVsGpt", "{name}: step {s}, {bpb:.2f} bits per byte, {tps:,.0f} tokens/s").format(
                    name=names[k], s=r.step, bpb=r.bits_per_byte, tps=r.tokens_per_s)
            else:
                text = names[k]
            self.speed[k].setText(text)
            sample = self.samples.get(k)
            self.sample_views[k].setText(tr("BertVsGpt", "Sample: {text}").format(text=sample) if sample else "")

    def _on_done(self, _last) -> None:
        self._finished = dict(self._holder)
        self.status.setText(tr("BertVsGpt", "Done. Keep both models or discard them."))
        self.keep_button.setEnabled(True)
        self.discard_button.setEnabled(True)

    def _on_error(self, exc: BaseException) -> None:
        self.status.setText(tr("BertVsGpt", "Training failed: {msg}").format(msg=format_failure(exc)))

    def _on_idle(self) -> None:
        self.progress.finish()
        self.train_button.setEnabled(True)
        if self._cancelled:
            self.status.setText(tr("BertVsGpt", "Training cancelled; nothing was saved."))

    def wait_idle(self, timeout_ms: int) -> bool:
        return self._slot.wait_idle(timeout_ms)

    def keep(self) -> None:
        if not self._finished:
            return
        try:
            self.saved = save_both(self._finished["trainers"], self._finished["data"], user_folder())
        except OSError as exc:
            self.status.setText(tr("BertVsGpt", "Could not save: {msg}").format(msg=str(exc)))
            return
        self._finished = None
        self.keep_button.setEnabled(False)
        self.discard_button.setEnabled(False)
        self.status.setText(tr("BertVsGpt", "Saved to {path}.").format(path=str(user_folder())))

    def discard(self) -> None:
        self._finished = None
        self.keep_button.setEnabled(False)
        self.discard_button.setEnabled(False)
