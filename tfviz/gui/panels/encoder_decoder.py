"""The encoder-decoder panel: one task, three models, decoded step by step.

Views (tabs): **Decode** (input, output so far, what the decoder looks at, the alignment
matrix), **Transformer maps** (encoder self-attention, decoder masked self-attention and
cross-attention per layer and head), **Compare** (accuracy against input length on the
reverse task, parameter counts, training times: ``encoder_decoder_compare.CompareTab``) and
**Train** (retrain in the background: ``encoder_decoder_train.TrainTab``).

All model work runs in workers: a decode job computes the whole greedy decode for the
three models at once, so toggling the model or stepping only repaints. Decodes go through a
:class:`~tfviz.gui.jobs.LatestJob`: typing fast starts one decode per pause, and only the
newest input's result is shown.
"""

from __future__ import annotations

import threading

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from tfviz.core.assets import asset
from tfviz.gui.attention_views import MatrixView
from tfviz.gui.base import BasePanel
from tfviz.gui.context import AppContext
from tfviz.gui.i18n import tr
from tfviz.gui.jobs import Debouncer, LatestJob, format_failure
from tfviz.gui.panels.encoder_decoder_compare import CompareTab
from tfviz.gui.panels.encoder_decoder_labels import KINDS, TASKS, kind_label, task_label
from tfviz.gui.panels.encoder_decoder_maps import MapsTab
from tfviz.gui.panels.encoder_decoder_train import TrainTab, user_weights_path
from tfviz.gui.panels.encoder_decoder_views import DecodeStrip, VectorView
from tfviz.gui.widgets import StepControls

__all__ = ["KINDS", "TASKS", "Panel", "decode_all"]

DEFAULT_INPUT = {"dates": "Nov 29, 2026", "reverse": "attentionisallyouneed"}
DEBOUNCE_MS = 250
SHOT_WAIT_MS = 120_000  # prepare_shot: longest wait for the decode


class ModelStore:
    """Loaded models by (task, kind, path), shared by the worker threads (a lock guards it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._models: dict[tuple[str, str, str], object] = {}

    def get(self, task: str, kind: str, path: str, device: str):
        from tfviz.core.seq2seq.models import load

        key = (task, kind, path)
        with self._lock:
            model = self._models.get(key)
            if model is None:
                model = load(path, kind=kind, task_name=task)
                self._models[key] = model
            return model.to(device)

    def put(self, task: str, kind: str, path: str, model) -> None:
        with self._lock:
            self._models[(task, kind, path)] = model.eval()


def decode_all(store: ModelStore, task_name: str, text: str, paths: dict[str, str], device: str,
               notify=None) -> dict:  # fmt: skip
    """Worker: decode ``text`` with each model -> {kind: DecodeResult or error message}.

    A GPU failure redoes the decode on the CPU (and says so through ``notify``).
    """
    from tfviz.core.device import interactive_threads, run_with_fallback
    from tfviz.core.seq2seq.decode import decode
    from tfviz.core.seq2seq.tasks import get_task

    interactive_threads()
    task = get_task(task_name)
    out = {}
    for kind, path in paths.items():
        try:
            out[kind], _ = run_with_fallback(
                lambda dev, k=kind, p=path: decode(store.get(task_name, k, p, dev), task, text), device, notify)
        except Exception as exc:  # noqa: BLE001 - shown in the panel, the other models still decode
            out[kind] = f"{type(exc).__name__}: {exc}"
    return out


class Panel(BasePanel):
    name = "encoder-decoder"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.task_name = "dates"
        self.kind = "transformer"
        self.results: dict[str, object] = {}  # kind -> DecodeResult | str, for the current input
        self.decoded_text: str | None = None
        self.store = ModelStore()
        self._decoder = LatestJob(ctx.jobs, "seq2seq-decode", self)
        self._decoder.result.connect(self._on_decoded)
        self._decoder.failed.connect(self._on_decode_error)
        self._build()
        self.retranslate()
        self.on_theme_changed()
        self._fill_examples()
        self.input.setText(DEFAULT_INPUT[self.task_name])
        # The first decode imports torch in a worker, which holds the GIL for about a second:
        # start it just after the panel first paints, not before.
        self._debounce.trigger()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        top = QHBoxLayout()
        self.task_label = QLabel()
        self.task_combo = QComboBox()
        for t in TASKS:
            self.task_combo.addItem("", t)
        self.model_label = QLabel()
        self.model_group = QButtonGroup(self)
        self.model_buttons: dict[str, QPushButton] = {}
        top.addWidget(self.task_label)
        top.addWidget(self.task_combo)
        top.addSpacing(12)
        top.addWidget(self.model_label)
        for kind in KINDS:
            b = QPushButton()
            b.setCheckable(True)
            b.setFocusPolicy(Qt.NoFocus)
            self.model_group.addButton(b)
            self.model_buttons[kind] = b
            b.toggled.connect(lambda _on: self._style_model_buttons())
            top.addWidget(b)
        self.model_buttons[self.kind].setChecked(True)
        self.user_weights = QCheckBox()
        top.addWidget(self.user_weights)
        top.addStretch(1)

        row = QHBoxLayout()
        self.input_label = QLabel()
        self.input = QLineEdit()
        self.input.setClearButtonEnabled(True)
        self.examples = QComboBox()
        self.examples.setFocusPolicy(Qt.NoFocus)
        row.addWidget(self.input_label)
        row.addWidget(self.input, 1)
        row.addWidget(self.examples)

        self.result_label = QLabel()
        self.result_label.setTextFormat(Qt.RichText)
        self.notice_label = QLabel()
        self.notice_label.setWordWrap(True)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_decode_tab(), "")
        self.maps_tab = MapsTab()
        self.tabs.addTab(self.maps_tab, "")
        self.compare_tab = CompareTab(self.ctx)
        self.train_tab = TrainTab(self.ctx, lambda: (self.task_name, self.kind))
        self.train_tab.kept.connect(self._on_weights_kept)
        self.tabs.addTab(self.compare_tab, "")
        self.tabs.addTab(self.train_tab, "")

        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(row)
        lay.addWidget(self.result_label)
        lay.addWidget(self.notice_label)
        lay.addWidget(self.tabs, 1)

        self._debounce = Debouncer(DEBOUNCE_MS, self.request_decode, self)
        self.input.textChanged.connect(self._debounce.trigger)
        self.input.returnPressed.connect(self.request_decode)
        self.examples.activated.connect(self._on_example)
        self.task_combo.currentIndexChanged.connect(self._on_task)
        self.model_group.buttonClicked.connect(self._on_model_button)
        self.user_weights.toggled.connect(lambda _on: self.request_decode())

    def _build_decode_tab(self) -> QWidget:
        w = QWidget()
        self.controls = StepControls(base_interval_ms=500)
        self.controls.position_changed.connect(self._show_step)
        self.strip = DecodeStrip()
        self.vector = VectorView()
        self.look_label = QLabel()
        self.look_label.setWordWrap(True)
        self.matrix = MatrixView()
        lay = QVBoxLayout(w)
        lay.addWidget(self.controls)
        lay.addWidget(self.look_label)
        lay.addWidget(self.strip)
        lay.addWidget(self.vector)
        lay.addWidget(self.matrix, 1)
        self.filler = QWidget()  # takes the matrix's room when the plain RNN has no matrix
        lay.addWidget(self.filler, 1)
        return w

    # ------------------------------------------------------------------ texts
    @staticmethod
    def guide_html() -> str:
        return tr(
            "EncoderDecoder",
            "<h3>Encoder-decoder</h3><p>The same task solved by three models. Type an input, "
            "pick a model and step through greedy decoding with Left/Right (Space plays).</p>"
            "<ul><li><b>RNN (no attention)</b>: the encoder squeezes the whole input into one "
            "vector c; that vector is all the decoder gets.</li>"
            "<li><b>RNN + attention</b> (Bahdanau): before each output the decoder scores every "
            "encoder state against its previous state (the query) and reads a weighted mix.</li>"
            "<li><b>Transformer</b>: self-attention in the encoder, masked self-attention and "
            "cross-attention in the decoder.</li></ul>"
            "<p><b>Compare</b> shows accuracy against input length on the reverse task: the "
            "plain RNN falls off as inputs grow. <b>Train</b> retrains any model in the "
            "background; your weights are saved apart from the shipped ones.</p>",
        )

    def retranslate(self) -> None:
        self.task_label.setText(tr("EncoderDecoder", "Task:"))
        for i, t in enumerate(TASKS):
            self.task_combo.setItemText(i, task_label(t))
        self.model_label.setText(tr("EncoderDecoder", "Model:"))
        for kind, b in self.model_buttons.items():
            b.setText(kind_label(kind))
        self.user_weights.setText(tr("EncoderDecoder", "Use my trained weights"))
        self.user_weights.setToolTip(tr("EncoderDecoder", "Weights you trained and kept in the Train tab"))
        self.input_label.setText(tr("EncoderDecoder", "Input:"))
        self.input.setPlaceholderText(tr("EncoderDecoder", "Type an input, e.g. a date"))
        self.examples.setToolTip(tr("EncoderDecoder", "Examples"))
        self.tabs.setTabText(0, tr("EncoderDecoder", "Decode"))
        self.tabs.setTabText(1, tr("EncoderDecoder", "Transformer maps"))
        self.tabs.setTabText(2, tr("EncoderDecoder", "Compare"))
        self.tabs.setTabText(3, tr("EncoderDecoder", "Train"))
        self.strip.set_labels(tr("EncoderDecoder", "input"), tr("EncoderDecoder", "output"))
        self.controls.retranslate()
        self.maps_tab.retranslate()
        self.compare_tab.retranslate()
        self.train_tab.retranslate()
        self._show_result()

    # ------------------------------------------------------------------ choices
    def _fill_examples(self) -> None:
        from tfviz.core.seq2seq.tasks import get_task  # Qt-free and torch-free

        self.examples.blockSignals(True)
        self.examples.clear()
        for ex in get_task(self.task_name).examples:
            self.examples.addItem(ex, ex)
        self.examples.blockSignals(False)

    def _on_example(self, i: int) -> None:
        self.input.setText(self.examples.itemData(i))
        self.request_decode()

    def _on_task(self, i: int) -> None:
        self.set_task(TASKS[i])

    def set_task(self, name: str) -> None:
        if name == self.task_name:
            return
        self.task_name = name
        self.task_combo.blockSignals(True)
        self.task_combo.setCurrentIndex(TASKS.index(name))
        self.task_combo.blockSignals(False)
        self._fill_examples()
        self.results = {}
        self.input.setText(DEFAULT_INPUT[name])
        self.train_tab.update_info()
        self.request_decode()

    def _style_model_buttons(self) -> None:
        """The chosen model's button in bold accent: the style's own checked shade was barely
        visible, and not at all in the dark theme."""
        accent = self.ctx.theme.accent
        for b in self.model_buttons.values():
            b.setStyleSheet(f"font-weight: bold; color: {accent};" if b.isChecked() else "")

    def _on_model_button(self, button) -> None:
        for kind, b in self.model_buttons.items():
            if b is button:
                self.set_model(kind)

    def set_model(self, kind: str) -> None:
        """Switch model on the same input: the three decodes are already computed."""
        self.kind = kind
        self.model_buttons[kind].setChecked(True)
        self.train_tab.update_info()
        self._show_result()

    # ------------------------------------------------------------------ decoding
    def weights_paths(self) -> dict[str, str]:
        """The weights file each model decodes with: shipped, or the user's when chosen and present."""
        paths = {}
        for kind in KINDS:
            shipped = asset("weights", "seq2seq", f"{self.task_name}-{kind}.safetensors")
            path = str(shipped)
            if self.user_weights.isChecked():
                user = user_weights_path(kind, self.task_name)
                if user.is_file():
                    path = str(user)
            paths[kind] = path
        return paths

    def request_decode(self) -> None:
        """Decode the current input with the three models in a worker."""
        self._debounce.cancel()
        store, task, text = self.store, self.task_name, self.input.text()
        paths, device, notify = self.weights_paths(), self.ctx.device, self.ctx.notify
        self._decoder.submit(lambda: (text, decode_all(store, task, text, paths, device, notify)))

    def is_busy(self) -> bool:
        return self._decoder.busy() or self._debounce.pending()

    def _on_decoded(self, payload) -> None:
        text, results = payload  # only the newest request's result arrives here
        self.results = results
        self.decoded_text = text
        self._show_result(go_last=True)

    def _on_decode_error(self, exc: BaseException) -> None:
        self.notice_label.setText(tr("EncoderDecoder", "Decoding failed: {msg}").format(msg=format_failure(exc)))

    def current(self):
        res = self.results.get(self.kind)
        return None if isinstance(res, str) else res

    def _show_result(self, go_last: bool = False) -> None:
        res = self.results.get(self.kind)
        if isinstance(res, str):
            self.notice_label.setText(tr("EncoderDecoder", "This model could not run: {msg}").format(msg=res))
            self.controls.set_count(0)
            return
        if res is None:
            self.result_label.setText("")
            self.notice_label.setText("")
            return
        self.result_label.setText(self._result_html(res))
        self.notice_label.setText(self._notices(res))
        inputs = list(res.columns)
        outputs = [s.char for s in res.steps]
        self.strip.set_sequence(inputs, outputs, res.unknown)
        has_attn = res.alignment is not None
        self.vector.setVisible(not has_attn)
        self.filler.setVisible(not has_attn)
        self.matrix.setVisible(has_attn)
        if has_attn:
            self.matrix.set_data(outputs, [c if c != " " else "·" for c in inputs], res.alignment,
                                 title=tr("EncoderDecoder", "Alignment: output (rows) × input (columns)"))  # fmt: skip
        else:
            self.vector.set_vector(
                res.context,
                tr("EncoderDecoder", "c: the one vector of {n} numbers the decoder gets, whatever the input length")
                .format(n=len(res.context)),
            )  # fmt: skip
        pos = len(outputs) - 1 if go_last else min(self.controls.position, len(outputs) - 1)
        self.controls.set_count(len(outputs), position=pos)
        transformer = self.results.get("transformer")
        self.maps_tab.show_result(None if isinstance(transformer, str) else transformer)

    def _result_html(self, res) -> str:
        """The output (wrong characters marked) and the reference solver's verdict."""
        from tfviz.gui.panels.encoder_decoder_verdict import marked_output, verdict, verdict_html

        bad = self.ctx.theme.highlight
        out = marked_output(res.output, verdict(self.task_name, res.text, res.output).expected, bad) \
            if res.output else tr("EncoderDecoder", "(empty)")
        html = tr("EncoderDecoder", "<b>{model}</b> output: <span style='font-size:x-large'><b>{out}</b></span>").format(
            model=kind_label(self.kind), out=out)
        return html + "<br>" + verdict_html(self.task_name, res.text, res.output, bad)

    def _notices(self, res) -> str:
        from tfviz.core.seq2seq.tasks import get_task

        notes = []
        if not res.text:
            notes.append(tr("EncoderDecoder", "The input is empty: the model decodes from nothing."))
        if res.truncated:
            notes.append(tr("EncoderDecoder", "The input was cut to the first {n} characters (the longest this model supports).")
                         .format(n=get_task(self.task_name).max_src))  # fmt: skip
        if res.unknown:
            chars = "".join(sorted({res.text[i] for i in res.unknown}))
            notes.append(tr("EncoderDecoder", "Unknown characters (outside the task's vocabulary, read as <unk>): {chars}")
                         .format(chars=chars))  # fmt: skip
        return "  ".join(notes)

    def _show_step(self, i: int) -> None:
        """Repaint for decoding step i (cheap: everything was computed in the worker)."""
        res = self.current()
        if res is None or not res.steps:
            return
        i = min(max(i, 0), len(res.steps) - 1)
        st = res.steps[i]
        if res.alignment is not None:
            self.strip.set_step(i, st.look)
            self.matrix.set_selected_row(i)
            j = int(np.argmax(st.look))
            self.look_label.setText(tr("EncoderDecoder", "Step {i}: wrote “{ch}” (p = {p:.2f}) looking most at input “{src}” (weight {w:.2f}).")
                                    .format(i=i + 1, ch=st.char, p=st.prob, src=res.columns[j], w=float(st.look[j])))  # fmt: skip
        else:
            self.strip.set_step(i, None)
            self.look_label.setText(tr("EncoderDecoder", "Step {i}: wrote “{ch}” (p = {p:.2f}). No attention: every step sees the same vector c.")
                                    .format(i=i + 1, ch=st.char, p=st.prob))  # fmt: skip

    # ------------------------------------------------------------------ BasePanel
    def export_target(self) -> QWidget:
        return self.tabs.currentWidget()

    def on_device_changed(self, device: str) -> None:
        self.request_decode()

    def _on_weights_kept(self, task: str, kind: str, path: str, model) -> None:
        """The Train tab saved new weights: decode with them from now on."""
        self.store.put(task, kind, path, model)
        if self.user_weights.isChecked():
            self.request_decode()
        else:
            self.user_weights.setChecked(True)  # re-decodes with them

    def on_theme_changed(self) -> None:
        th = self.ctx.theme
        self.maps_tab.set_theme(th)
        for v in (self.strip, self.vector, self.matrix):
            v.set_theme(th)
        # after the main window has applied the new palette (it does so after this signal): a
        # style sheet with a colour fixes the button's palette at the time it is set
        QTimer.singleShot(0, self._style_model_buttons)
        if self.current() is not None:  # the verdict's colours follow the theme
            self.result_label.setText(self._result_html(self.current()))
        self.compare_tab.set_theme(th)
        self.train_tab.set_theme(th)

    def prepare_shot(self) -> None:
        """A date mid-decoding with the attention model (blocking)."""
        self.set_task("dates")
        self.set_model("rnn-attn")
        self.tabs.setCurrentIndex(0)
        self.input.setText("二〇二六年十一月二十九日")
        self.request_decode()
        self._decoder.wait_idle(SHOT_WAIT_MS)
        res = self.current()
        if res is not None:
            self.controls.set_position(min(6, len(res.steps) - 1))

    def shutdown(self) -> None:
        self._debounce.cancel()
        self.controls.pause()
        self._decoder.cancel()
        self.train_tab.shutdown()

