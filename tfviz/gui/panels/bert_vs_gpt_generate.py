"""The Generate tab: a decoder writes one token per step (Right / Space).

Each step shows the next-token distribution as bars (temperature, top-k and top-p reshape them
live, before anything is sampled), the token drawn from them highlighted, the causal attention
growing by one row and the KV cache (keys and values reused, the new one computed). The model
runs in a worker through :class:`~tfviz.core.lm.stepper.Stepper`; sampling happens here, from
the shaped bars, with a generator seeded by (seed, step), so a step is reproducible.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from tfviz.core.lm.sampling import Sampling, sample, shape_probs, top_tokens
from tfviz.gui.attention_views.matrix import MatrixView
from tfviz.gui.i18n import tr
from tfviz.gui.jobs import LatestJob, format_failure
from tfviz.gui.panels.bert_vs_gpt_smol import SmolBox
from tfviz.gui.panels.bert_vs_gpt_views import Bar, BarList, KVCacheView, shown
from tfviz.gui.panels.bert_vs_gpt_work import make_stepper, prompt_ids, step_view

MAX_NEW = 120  # tokens per generation (the tiny GPT's context is 127)


class GenerateTab(QWidget):
    model_changed = Signal(str)  # "tiny" or "smollm2"

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = None  # the generating model now (tiny GPT or SmolLM2)
        self.model_key = "tiny"
        self._steppers: dict[int, object] = {}
        self.prompt: list[int] = []
        self.generated: list[int] = []
        self.view = None  # StepView of prompt + generated
        self.last = None  # (bars drawn from, chosen id) of the last sampled step
        self.error = ""
        self.layer = self.head = 0
        self._slot = LatestJob(ctx.jobs, "bvg-step", self)
        self._slot.result.connect(self._on_view)
        self._slot.failed.connect(self._on_failed)
        self._play = QTimer(self)
        self._play.setInterval(350)
        self._play.timeout.connect(self._tick)
        self._build()

    def _build(self) -> None:
        self.model_label = QLabel()
        self.model_combo = QComboBox()
        self.model_combo.addItems(["", ""])
        self.model_combo.currentIndexChanged.connect(
            lambda i: self.model_changed.emit("smollm2" if i == 1 else "tiny"))
        self.chat_check = QCheckBox()
        self.chat_check.setChecked(True)
        self.chat_check.toggled.connect(lambda _: self.restart())
        self.smol = SmolBox(self.ctx)
        self.temp_label, self.k_label, self.p_label, self.seed_label = QLabel(), QLabel(), QLabel(), QLabel()
        self.temperature = QDoubleSpinBox()
        self.temperature.setRange(0.0, 3.0)
        self.temperature.setSingleStep(0.1)
        self.temperature.setValue(1.0)
        self.top_k = QSpinBox()
        self.top_k.setRange(0, 500)
        self.top_p = QDoubleSpinBox()
        self.top_p.setRange(0.05, 1.0)
        self.top_p.setSingleStep(0.05)
        self.top_p.setValue(1.0)
        self.seed = QSpinBox()
        self.seed.setRange(0, 999_999)
        for w in (self.temperature, self.top_k, self.top_p):
            w.valueChanged.connect(lambda _: self.draw())
        self.seed.valueChanged.connect(lambda _: self.restart())
        self.step_button, self.back_button, self.play_button, self.reset_button = (
            QPushButton(), QPushButton(), QPushButton(), QPushButton())
        self.step_button.clicked.connect(lambda: self.step(1))
        self.back_button.clicked.connect(lambda: self.step(-1))
        self.play_button.clicked.connect(self.toggle_play)
        self.reset_button.clicked.connect(self.restart)
        self.text_view = QLabel()
        self.text_view.setWordWrap(True)
        self.text_view.setMinimumHeight(40)
        self.next_bars, self.last_bars = BarList(), BarList()
        self.matrix = MatrixView()
        self.cache = KVCacheView()
        top = QHBoxLayout()
        top.addWidget(self.model_label)
        top.addWidget(self.model_combo)
        top.addWidget(self.chat_check)
        top.addStretch(1)
        knobs = QHBoxLayout()
        for w in (self.temp_label, self.temperature, self.k_label, self.top_k, self.p_label, self.top_p,
                  self.seed_label, self.seed, self.back_button, self.step_button, self.play_button, self.reset_button):
            knobs.addWidget(w)
        knobs.addStretch(1)
        grid = QGridLayout()
        grid.addWidget(self.next_bars, 0, 0)
        grid.addWidget(self.last_bars, 1, 0)
        grid.addWidget(self.matrix, 0, 1, 2, 1)
        grid.addWidget(self.cache, 2, 0, 1, 2)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 3)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.smol)
        lay.addLayout(knobs)
        lay.addWidget(self.text_view)
        lay.addLayout(grid, 1)

    def retranslate(self) -> None:
        self.model_label.setText(tr("BertVsGpt", "Writer:"))
        self.model_combo.setItemText(0, tr("BertVsGpt", "Tiny GPT (trained by tfviz)"))
        self.model_combo.setItemText(1, tr("BertVsGpt", "SmolLM2 (real, 135 M)"))
        self.chat_check.setText(tr("BertVsGpt", "Chat (the text is the user's message)"))
        self.temp_label.setText(tr("BertVsGpt", "Temperature:"))
        self.k_label.setText(tr("BertVsGpt", "Top-k:"))
        self.top_k.setSpecialValueText(tr("BertVsGpt", "off"))
        self.p_label.setText(tr("BertVsGpt", "Top-p:"))
        self.seed_label.setText(tr("BertVsGpt", "Seed:"))
        self.step_button.setText(tr("BertVsGpt", "Next token →"))
        self.back_button.setText(tr("BertVsGpt", "← Back"))
        self.reset_button.setText(tr("BertVsGpt", "Start again"))
        self.temperature.setToolTip(tr("BertVsGpt", "0 = always the most likely token; above 1 flattens the bars"))
        self.top_k.setToolTip(tr("BertVsGpt", "Keep only the k most likely tokens (0 = off)"))
        self.top_p.setToolTip(tr("BertVsGpt", "Keep the fewest tokens whose probabilities add up to p"))
        self._play_text()
        self.smol.retranslate()
        self.draw()

    def _play_text(self) -> None:
        self.play_button.setText(tr("BertVsGpt", "Pause") if self._play.isActive() else tr("BertVsGpt", "Play"))

    def set_theme(self, theme) -> None:
        for w in (self.next_bars, self.last_bars, self.matrix, self.cache):
            w.set_theme(theme)

    def sampling(self) -> Sampling:
        return Sampling(round(self.temperature.value(), 2), self.top_k.value(), round(self.top_p.value(), 2))

    # ------------------------------------------------------------------ model and prompt
    def set_model(self, model, key: str, text: str, generated=()) -> None:
        """Generate with ``model`` from ``text`` (``generated``: ids already written, restored)."""
        self.model, self.model_key = model, key
        self.model_combo.blockSignals(True)
        self.model_combo.setCurrentIndex(1 if key == "smollm2" else 0)
        self.model_combo.blockSignals(False)
        self.chat_check.setVisible(key == "smollm2")
        self.smol.setVisible(key == "smollm2")
        self.set_prompt(text, generated)

    def set_prompt(self, text: str, generated=()) -> None:
        self._text = text
        self.generated = [int(i) for i in generated]
        self.last = None
        self.view = None
        self.error = ""
        if self.model is None:
            self.prompt = []
            self.draw()
            return
        self.prompt = prompt_ids(self.model, text, self.chat_check.isChecked())
        self.request()

    def restart(self) -> None:
        self._play.stop()
        self._play_text()
        if getattr(self, "_text", None) is not None:
            self.set_prompt(self._text)

    def stepper(self):
        key = id(self.model)
        if key not in self._steppers:
            self._steppers = {key: make_stepper(self.model)}  # one model's cache at a time
        return self._steppers[key]

    def request(self) -> None:
        if self.model is None:
            return
        stepper, prompt, generated = self.stepper(), list(self.prompt), list(self.generated)
        self._slot.submit(lambda: step_view(stepper, prompt, generated))

    def _on_view(self, result) -> None:
        generated, view = result
        if list(generated) != self.generated:
            return  # an older request
        self.view, self.error = view, ""
        self.draw()

    def _on_failed(self, exc: BaseException) -> None:
        self.error = format_failure(exc)
        self._play.stop()
        self._play_text()
        self.draw()

    def busy(self) -> bool:
        return self._slot.busy()

    def wait_idle(self, timeout_ms: int) -> bool:
        return self.smol.wait_idle(timeout_ms) and self._slot.wait_idle(timeout_ms)

    # ------------------------------------------------------------------ stepping
    def finished(self) -> bool:
        stops = getattr(self.model, "stop_ids", ())
        return len(self.generated) >= MAX_NEW or bool(self.generated and self.generated[-1] in stops)

    def step(self, delta: int) -> None:
        """Right: sample the next token from the shaped bars; Left: take the last one back."""
        if delta < 0:
            if self.generated:
                self.generated.pop()
                self.last = None
                self.request()
            return
        if self.view is None or self.busy() or self.finished():
            return
        probs = shape_probs(self.view.logits, self.sampling())  # (V,)
        rng = np.random.default_rng([self.seed.value(), len(self.generated)])
        token = sample(probs, rng)
        self.last = (self._bars(probs, token), token)
        self.generated.append(token)
        self.request()
        self.draw()

    def toggle_play(self) -> None:
        if self._play.isActive():
            self._play.stop()
        else:
            self._play.start()
        self._play_text()

    def _tick(self) -> None:
        if self.finished() or self.error:
            self._play.stop()
            self._play_text()
        else:
            self.step(1)

    def _bars(self, probs: np.ndarray, chosen: int | None = None) -> list[Bar]:
        top = [(i, p) for i, p in top_tokens(probs, BarList.ROWS) if p > 0]  # cut off by top-k / top-p: gone
        if chosen is not None and chosen not in [i for i, _ in top]:  # drawn from the tail: shown last
            top = top[:-1] + [(chosen, float(probs[chosen]))]
        return [Bar(self.model.token_str(i), p, chosen=i == chosen) for i, p in top]

    # ------------------------------------------------------------------ drawing
    def select(self, layer: int, head: int) -> None:
        self.layer, self.head = layer, head
        self.draw()

    def draw(self) -> None:
        m = self.model
        if m is None:
            note = tr("BertVsGpt", "Loading the model…")
            self.next_bars.set_bars("", [], note=note)
            self.last_bars.set_bars("", [])
            self.text_view.setText(self.error or note)
            return
        gen_text = "".join(m.token_str(i) for i in self.generated)
        prompt_text = self._text if self.model_key != "smollm2" or not self.chat_check.isChecked() else self._text
        html = _html(prompt_text) + "<b style='color:{c}'>{g}</b>".format(c=self.ctx.theme.highlight, g=_html(gen_text))
        status = tr("BertVsGpt", "{n} tokens written.").format(n=len(self.generated))
        if self.finished():
            status += " " + tr("BertVsGpt", "Finished.")
        if self.error:
            status = tr("BertVsGpt", "Could not run the model: {error}").format(error=self.error)
        self.text_view.setText(f"{html}<br><span style='color:{self.ctx.theme.muted}'>{_html(status)}</span>")
        if self.last is not None:
            bars, chosen = self.last
            self.last_bars.set_bars(tr("BertVsGpt", "Last step: drew ‘{t}’ from these bars").format(
                t=shown(m.token_str(chosen))), bars)
        else:
            self.last_bars.set_bars(tr("BertVsGpt", "Last step"), [],
                                    note=tr("BertVsGpt", "Press → (or Space to play) to draw a token."))
        v = self.view
        if v is None:
            self.next_bars.set_bars(tr("BertVsGpt", "Next token"), [], note=tr("BertVsGpt", "Computing…"))
            return
        s = self.sampling()
        self.next_bars.set_bars(
            tr("BertVsGpt", "Next token (T = {t}, top-k {k}, top-p {p})").format(
                t=s.temperature, k=s.top_k or tr("BertVsGpt", "off"), p=s.top_p),
            self._bars(shape_probs(v.logits, s)))
        n_layers, n_heads = v.attention.shape[:2]
        layer, head = min(self.layer, n_layers - 1), min(self.head, n_heads - 1)
        labels = [shown(t) for t in v.labels]
        if self.model_key == "smollm2":
            title = tr("BertVsGpt", "Causal attention, layer {l}, query head {h} (shares key/value head {kv})").format(
                l=layer + 1, h=head + 1, kv=m.kv_head_of(head) + 1)
        else:
            title = tr("BertVsGpt", "Causal attention, layer {l}, head {h}: one row more per token").format(
                l=layer + 1, h=head + 1)
        self.matrix.set_data(labels, labels, v.attention[layer, head], title)
        self.matrix.set_selected_row(len(labels) - 1)
        caption = tr("BertVsGpt", "KV cache: keys and values of {n} positions; {reused} reused, {new} computed").format(
            n=len(labels), reused=v.reused, new=v.new)
        self.cache.set_cache(labels, v.reused, v.new, caption)

    def shutdown(self) -> None:
        self._play.stop()
        self._slot.cancel()
        self.smol.shutdown()


def _html(text: str) -> str:
    import html

    return html.escape(text).replace("\n", "<br>")
