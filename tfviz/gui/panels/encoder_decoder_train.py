"""The Train tab of the encoder-decoder panel: retrain the chosen model in the background.

Training runs through a :class:`~tfviz.gui.jobs.LatestJob` with a progress bar, live loss and
accuracy plots, and Cancel. When it ends the user keeps the new weights (saved atomically to
the user's data folder, never over the shipped ones) or discards them; :attr:`TrainTab.kept`
tells the panel, which then decodes with them.
"""

from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget

from tfviz.gui.i18n import tr
from tfviz.gui.jobs import LatestJob, format_failure
from tfviz.gui.panels.encoder_decoder_labels import kind_label, task_label
from tfviz.gui.theme import style_plot
from tfviz.gui.widgets import JobProgress

REPAINT_EVERY = 5  # training steps between two repaints of the plots


def user_weights_path(kind: str, task: str):
    """Where weights the user keeps go (the user's data folder, never the package)."""
    from tfviz.core.seq2seq.paths import user_path

    return user_path(kind, task)


class TrainTab(QWidget):
    """Steps, Train / Keep / Discard, progress, status, loss and accuracy plots.

    ``target()`` gives the ``(task, kind)`` the panel shows: what Train retrains. Emits
    ``kept(task, kind, path, model)`` once the new weights are saved.
    """

    kept = Signal(str, str, str, object)

    def __init__(self, ctx, target: Callable[[], tuple[str, str]], parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._target = target
        self.trainer = None  # a finished trainer waiting for Keep or Discard
        self.train_log: list = []  # TrainStep records of the current run
        self._training_for: tuple[str, str] | None = None
        self._cancelled = False
        self._slot = LatestJob(ctx.jobs, "seq2seq-train", self)
        self._slot.item.connect(self._on_step)
        self._slot.result.connect(self._on_done)
        self._slot.failed.connect(self._on_error)
        self._slot.idle.connect(self._on_idle)
        self._build()

    def _build(self) -> None:
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.steps_label = QLabel()
        self.steps_spin = QSpinBox()
        self.steps_spin.setRange(10, 20000)
        self.steps_spin.setSingleStep(100)
        self.steps_spin.setValue(2000)
        self.train_button = QPushButton()
        self.train_button.clicked.connect(self.start)
        self.keep_button = QPushButton()
        self.keep_button.clicked.connect(self.keep)
        self.discard_button = QPushButton()
        self.discard_button.clicked.connect(self.discard)
        self.keep_button.setEnabled(False)
        self.discard_button.setEnabled(False)
        self.progress = JobProgress()
        self.progress.cancel_requested.connect(self.cancel)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.loss_plot = pg.PlotWidget()
        self.loss_curve = self.loss_plot.plot([], [])
        self.acc_plot = pg.PlotWidget()
        self.acc_plot.setYRange(0, 1.02)
        self.acc_curve = self.acc_plot.plot([], [])
        self.val_curve = self.acc_plot.plot([], [], symbol="o", symbolSize=6)
        self.empty_notes = []  # "No data yet" in each plot until the first training step
        for plot in (self.loss_plot, self.acc_plot):
            note = pg.TextItem(anchor=(0.5, 0.5))
            plot.addItem(note, ignoreBounds=True)
            self.empty_notes.append(note)
        self._show_empty(True)
        row = QHBoxLayout()
        for w in (self.steps_label, self.steps_spin, self.train_button, self.keep_button, self.discard_button):
            row.addWidget(w)
        row.addStretch(1)
        plots = QGridLayout()
        plots.addWidget(self.loss_plot, 0, 0)
        plots.addWidget(self.acc_plot, 0, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.info)
        lay.addLayout(row)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        lay.addLayout(plots, 1)

    def _show_empty(self, empty: bool) -> None:
        """Before the first step: fixed axes (0 to the steps asked for) and "No data yet"."""
        for plot, note in zip((self.loss_plot, self.acc_plot), self.empty_notes):
            note.setVisible(empty)
            if empty:
                plot.setXRange(0, self.steps_spin.value(), padding=0.02)
                top = 1.02 if plot is self.acc_plot else 4.0
                plot.setYRange(0, top, padding=0)
                note.setPos(self.steps_spin.value() / 2, top / 2)
            elif plot is self.loss_plot:
                plot.enableAutoRange()
            else:
                plot.enableAutoRange(axis="x")

    def retranslate(self) -> None:
        for note in self.empty_notes:
            note.setText(tr("EncoderDecoder", "No data yet"))
        self.steps_label.setText(tr("EncoderDecoder", "Steps:"))
        self.train_button.setText(tr("EncoderDecoder", "Train"))
        self.keep_button.setText(tr("EncoderDecoder", "Keep new weights"))
        self.discard_button.setText(tr("EncoderDecoder", "Discard"))
        self.loss_plot.setTitle(tr("EncoderDecoder", "Loss (cross-entropy)"))
        self.loss_plot.setLabel("bottom", tr("EncoderDecoder", "step"))
        self.acc_plot.setTitle(tr("EncoderDecoder", "Accuracy: characters (line), validation exact match (dots)"))
        self.acc_plot.setLabel("bottom", tr("EncoderDecoder", "step"))
        self.progress.retranslate()
        self.update_info()

    def set_theme(self, theme) -> None:
        for plot in (self.loss_plot, self.acc_plot):
            style_plot(plot, theme, theme.scale)
        self.loss_curve.setPen(pg.mkPen(theme.categorical(0), width=theme.pen_width(1.5)))
        self.acc_curve.setPen(pg.mkPen(theme.categorical(0), width=theme.pen_width(1.5)))
        self.val_curve.setPen(pg.mkPen(theme.categorical(1), width=theme.pen_width(1.5)))
        self.val_curve.setSymbolBrush(theme.categorical(1))

    def update_info(self) -> None:
        task, kind = self._target()
        self.info.setText(tr("EncoderDecoder", "Retrain {model} on “{task}”. The shipped weights are never overwritten; kept weights go to {path}.")
                          .format(model=kind_label(kind), task=task_label(task), path=str(user_weights_path(kind, task))))  # fmt: skip

    # ------------------------------------------------------------------ training
    def is_training(self) -> bool:
        return self._slot.busy()

    def start(self) -> None:
        """Train the panel's model on its task in a worker (Cancel stops at the next step)."""
        if self.is_training():
            return
        self.discard()
        task, kind = self._target()
        steps, device = self.steps_spin.value(), self.ctx.device
        self.train_log = []
        for curve in (self.loss_curve, self.acc_curve, self.val_curve):
            curve.setData([], [])
        self._show_empty(True)
        self._training_for = (task, kind)
        self._cancelled = False
        holder: dict = {}  # the worker leaves its trainer here, for Keep

        def run():
            from tfviz.core.device import interactive_threads
            from tfviz.core.seq2seq.train import Trainer, default_config

            interactive_threads()
            config = default_config(task, kind, steps=steps, eval_every=max(10, min(250, steps // 8)))
            holder["trainer"] = trainer = Trainer(config, device=device)
            yield from trainer.steps()

        self._holder = holder
        self.progress.start(tr("EncoderDecoder", "training…"))
        self.train_button.setEnabled(False)
        self.status.setText(tr("EncoderDecoder", "Training {model} on “{task}” in the background…")
                            .format(model=kind_label(kind), task=task_label(task)))  # fmt: skip
        self._slot.submit(run, generator=True)

    def cancel(self) -> None:
        if self.is_training():
            self._cancelled = True
            self._slot.cancel()

    def shutdown(self) -> None:
        self._slot.cancel()

    def _on_step(self, rec) -> None:
        if not self.train_log:
            self._show_empty(False)
        self.train_log.append(rec)
        if len(self.train_log) % REPAINT_EVERY and rec.val_exact is None and not rec.done:
            return  # repaint every few steps only
        steps = [r.step for r in self.train_log]
        self.loss_curve.setData(steps, [r.loss for r in self.train_log])
        self.acc_curve.setData(steps, [r.accuracy for r in self.train_log])
        vals = [(r.step, r.val_exact) for r in self.train_log if r.val_exact is not None]
        self.val_curve.setData([s for s, _ in vals], [v for _, v in vals])
        self.progress.update(rec.progress, tr("EncoderDecoder", "step {s} / {n} · loss {loss:.3f}").format(s=rec.step, n=rec.total, loss=rec.loss))

    def _on_done(self, last) -> None:
        self.trainer = self._holder.get("trainer")
        val = "—" if last is None or last.val_exact is None else f"{100 * last.val_exact:.1f}%"
        self.status.setText(tr("EncoderDecoder", "Done: validation exact match {val}. Keep the new weights or discard them.").format(val=val))
        self.keep_button.setEnabled(True)
        self.discard_button.setEnabled(True)

    def _on_error(self, exc: BaseException) -> None:
        self.status.setText(tr("EncoderDecoder", "Training failed: {msg}. The previous weights are kept.").format(msg=format_failure(exc)))

    def _on_idle(self) -> None:
        self.progress.finish()
        self.train_button.setEnabled(True)
        if self._cancelled:
            self.status.setText(tr("EncoderDecoder", "Training cancelled. The previous weights are kept."))

    # ------------------------------------------------------------------ keep / discard
    def keep(self) -> None:
        """Save the new weights (atomically) to the user folder and hand them to the panel."""
        if self.trainer is None:
            return
        task, kind = self._training_for
        path = user_weights_path(kind, task)
        try:
            self.trainer.save(path)
        except OSError as exc:
            self.status.setText(tr("EncoderDecoder", "Could not save: {msg}").format(msg=str(exc)))
            return
        model, self.trainer = self.trainer.model, None
        self.keep_button.setEnabled(False)
        self.discard_button.setEnabled(False)
        self.status.setText(tr("EncoderDecoder", "Saved to {path}; now in use.").format(path=str(path)))
        self.kept.emit(task, kind, str(path), model)

    def discard(self) -> None:
        self.trainer = None
        self.keep_button.setEnabled(False)
        self.discard_button.setEnabled(False)
