"""The encoder-decoder panel: one task, three models, decoded step by step.

Views (tabs): **Decode** (input, output so far, what the decoder looks at, the alignment
matrix), **Transformer maps** (encoder self-attention, decoder masked self-attention and
cross-attention per layer and head), **Compare** (accuracy against input length on the
reverse task, parameter counts, training times) and **Train** (retrain in the background).

All model work runs in workers: a decode job computes the whole greedy decode for the
three models at once, so toggling the model or stepping only repaints.
"""

from __future__ import annotations

import json
import threading

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from tfviz.core.assets import asset
from tfviz.gui.attention_views import MatrixView, ModelGrid
from tfviz.gui.base import BasePanel
from tfviz.gui.context import AppContext
from tfviz.gui.i18n import tr
from tfviz.gui.jobs import format_failure
from tfviz.gui.panels.encoder_decoder_views import DecodeStrip, VectorView
from tfviz.gui.widgets import JobProgress, StepControls

TASKS = ("dates", "reverse")
KINDS = ("rnn", "rnn-attn", "transformer")
MAPS = ("enc_self", "dec_self", "cross")
DEFAULT_INPUT = {"dates": "Nov 29, 2026", "reverse": "attentionisallyouneed"}
DEBOUNCE_MS = 250


def _task_label(name: str) -> str:
    return {"dates": tr("EncoderDecoder", "Dates → ISO 8601"),
            "reverse": tr("EncoderDecoder", "Reverse a string")}[name]  # fmt: skip


def _kind_label(kind: str) -> str:
    return {"rnn": tr("EncoderDecoder", "RNN (no attention)"),
            "rnn-attn": tr("EncoderDecoder", "RNN + attention"),
            "transformer": tr("EncoderDecoder", "Transformer")}[kind]  # fmt: skip


def load_eval(task: str, kind: str) -> dict | None:
    """The shipped evaluation JSON written by ``tfviz seq2seq eval --out`` (None if absent)."""
    node = asset("weights", "seq2seq", f"{task}-{kind}.eval.json")
    try:
        return json.loads(node.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


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
        self._req = 0
        self._decode_job = None
        self._train_job = None
        self.trainer = None  # finished trainer waiting for keep / discard
        self.train_log: list = []
        self.map_kind, self.map_cell = "cross", (0, 0)
        self._build()
        self.retranslate()
        self.on_theme_changed()
        self._fill_examples()
        self.input.setText(DEFAULT_INPUT[self.task_name])
        self._refresh_compare()
        # The first decode imports torch in a worker, which holds the GIL for about a second:
        # start it just after the panel first paints, not before.
        self._debounce.start()

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
        self.tabs.addTab(self._build_maps_tab(), "")
        self.tabs.addTab(self._build_compare_tab(), "")
        self.tabs.addTab(self._build_train_tab(), "")

        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(row)
        lay.addWidget(self.result_label)
        lay.addWidget(self.notice_label)
        lay.addWidget(self.tabs, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.request_decode)
        self.input.textChanged.connect(lambda _t: self._debounce.start())
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

    def _build_maps_tab(self) -> QWidget:
        w = QWidget()
        self.map_combo = QComboBox()
        for m in MAPS:
            self.map_combo.addItem("", m)
        self.map_combo.setCurrentIndex(MAPS.index(self.map_kind))
        self.map_combo.currentIndexChanged.connect(self._on_map_kind)
        self.map_hint = QLabel()
        self.map_hint.setWordWrap(True)
        self.grid = ModelGrid()
        self.grid.selected.connect(self._on_map_cell)
        self.map_matrix = MatrixView()
        split = QSplitter(Qt.Horizontal)
        split.addWidget(self.grid)
        split.addWidget(self.map_matrix)
        split.setSizes([420, 560])
        lay = QVBoxLayout(w)
        head = QHBoxLayout()
        head.addWidget(self.map_combo)
        head.addWidget(self.map_hint, 1)
        lay.addLayout(head)
        lay.addWidget(split, 1)
        return w

    def _build_compare_tab(self) -> QWidget:
        w = QWidget()
        self.compare_plot = pg.PlotWidget()
        self.compare_plot.setYRange(0, 1.02)
        self.compare_plot.showGrid(x=True, y=True, alpha=0.3)
        self.compare_legend = self.compare_plot.addLegend()
        # The middle-left of the plot stays empty: the RNN has fallen, the others are still high.
        self.compare_legend.anchor(itemPos=(0, 0.5), parentPos=(0.33, 0.6))
        self.compare_metric = QComboBox()
        self.compare_metric.addItem("", "exact")
        self.compare_metric.addItem("", "char")
        self.compare_metric.currentIndexChanged.connect(lambda _i: self._refresh_compare())
        self.compare_table = QLabel()
        self.compare_table.setTextFormat(Qt.RichText)
        self.compare_table.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.compare_table.setWordWrap(True)
        self.compare_table.setMinimumWidth(440)
        side = QVBoxLayout()
        side.addWidget(self.compare_metric)
        side.addWidget(self.compare_table, 1)
        lay = QHBoxLayout(w)
        lay.addWidget(self.compare_plot, 1)
        lay.addLayout(side)
        return w

    def _build_train_tab(self) -> QWidget:
        w = QWidget()
        self.train_info = QLabel()
        self.train_info.setWordWrap(True)
        self.steps_label = QLabel()
        self.steps_spin = QSpinBox()
        self.steps_spin.setRange(10, 20000)
        self.steps_spin.setSingleStep(100)
        self.steps_spin.setValue(2000)
        self.train_button = QPushButton()
        self.train_button.clicked.connect(self.start_training)
        self.keep_button = QPushButton()
        self.keep_button.clicked.connect(self.keep_trained)
        self.discard_button = QPushButton()
        self.discard_button.clicked.connect(self.discard_trained)
        self.keep_button.setEnabled(False)
        self.discard_button.setEnabled(False)
        self.progress = JobProgress()
        self.progress.cancel_requested.connect(self.cancel_training)
        self.train_status = QLabel()
        self.train_status.setWordWrap(True)
        self.loss_plot = pg.PlotWidget()
        self.loss_curve = self.loss_plot.plot([], [])
        self.acc_plot = pg.PlotWidget()
        self.acc_plot.setYRange(0, 1.02)
        self.acc_curve = self.acc_plot.plot([], [])
        self.val_curve = self.acc_plot.plot([], [], symbol="o", symbolSize=6)
        row = QHBoxLayout()
        row.addWidget(self.steps_label)
        row.addWidget(self.steps_spin)
        row.addWidget(self.train_button)
        row.addWidget(self.keep_button)
        row.addWidget(self.discard_button)
        row.addStretch(1)
        plots = QGridLayout()
        plots.addWidget(self.loss_plot, 0, 0)
        plots.addWidget(self.acc_plot, 0, 1)
        lay = QVBoxLayout(w)
        lay.addWidget(self.train_info)
        lay.addLayout(row)
        lay.addWidget(self.progress)
        lay.addWidget(self.train_status)
        lay.addLayout(plots, 1)
        return w

    # ------------------------------------------------------------------ texts
    @staticmethod
    def title() -> str:
        return tr("Panels", "Encoder-decoder")

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
            self.task_combo.setItemText(i, _task_label(t))
        self.model_label.setText(tr("EncoderDecoder", "Model:"))
        for kind, b in self.model_buttons.items():
            b.setText(_kind_label(kind))
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
        self.map_combo.setItemText(0, tr("EncoderDecoder", "Encoder self-attention"))
        self.map_combo.setItemText(1, tr("EncoderDecoder", "Decoder masked self-attention"))
        self.map_combo.setItemText(2, tr("EncoderDecoder", "Cross-attention (decoder → encoder)"))
        self.compare_metric.setItemText(0, tr("EncoderDecoder", "Exact match"))
        self.compare_metric.setItemText(1, tr("EncoderDecoder", "Per-character accuracy"))
        self.compare_plot.setTitle(tr("EncoderDecoder", "Reverse task: accuracy against input length"))
        self.compare_plot.setLabel("bottom", tr("EncoderDecoder", "input length (characters)"))
        self.compare_plot.setLabel("left", tr("EncoderDecoder", "accuracy"))
        self.steps_label.setText(tr("EncoderDecoder", "Steps:"))
        self.train_button.setText(tr("EncoderDecoder", "Train"))
        self.keep_button.setText(tr("EncoderDecoder", "Keep new weights"))
        self.discard_button.setText(tr("EncoderDecoder", "Discard"))
        self.loss_plot.setTitle(tr("EncoderDecoder", "Loss (cross-entropy)"))
        self.loss_plot.setLabel("bottom", tr("EncoderDecoder", "step"))
        self.acc_plot.setTitle(tr("EncoderDecoder", "Accuracy: characters (line), validation exact match (dots)"))
        self.acc_plot.setLabel("bottom", tr("EncoderDecoder", "step"))
        self.controls.retranslate()
        self.progress.retranslate()
        self._update_train_info()
        self._refresh_compare()
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
        self._update_train_info()
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
        self._update_train_info()
        self._show_result()

    # ------------------------------------------------------------------ decoding
    def weights_paths(self) -> dict[str, str]:
        """The weights file each model decodes with: shipped, or the user's when chosen and present."""
        paths = {}
        for kind in KINDS:
            shipped = asset("weights", "seq2seq", f"{self.task_name}-{kind}.safetensors")
            path = str(shipped)
            if self.user_weights.isChecked():
                user = self._user_path(kind)
                if user.is_file():
                    path = str(user)
            paths[kind] = path
        return paths

    def _user_path(self, kind: str):
        from tfviz.core.seq2seq.paths import user_path

        return user_path(kind, self.task_name)

    def request_decode(self) -> None:
        """Decode the current input with the three models in a worker."""
        self._debounce.stop()
        self._req += 1
        req, task, text = self._req, self.task_name, self.input.text()
        paths, device = self.weights_paths(), self.ctx.device
        if self._decode_job is not None:
            self._decode_job.cancel()
        self._decode_job = self.ctx.jobs.run_call(
            lambda: (req, task, text, decode_all(self.store, task, text, paths, device, self.ctx.notify)),
            on_done=self._on_decoded,
            on_error=self._on_decode_error,
            name="seq2seq-decode",
        )

    def is_busy(self) -> bool:
        return self._decode_job is not None

    def _on_decoded(self, payload) -> None:
        req, task, text, results = payload
        if req != self._req:
            return  # a newer request is on its way
        self._decode_job = None
        self.results = results
        self.decoded_text = text
        self._show_result(go_last=True)

    def _on_decode_error(self, exc: BaseException) -> None:
        self._decode_job = None
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
        self._show_maps()

    def _result_html(self, res) -> str:
        out = res.output if res.output else tr("EncoderDecoder", "(empty)")
        html = tr("EncoderDecoder", "<b>{model}</b> output: <span style='font-size:x-large'><b>{out}</b></span>").format(
            model=_kind_label(self.kind), out=_esc(out))
        if res.valid_date is False:
            html += " &nbsp; <span style='color:#D55E00'>" + tr("EncoderDecoder", "⚠ not a valid date") + "</span>"
        elif res.valid_date:
            html += " &nbsp; " + tr("EncoderDecoder", "✓ a valid date")
        return html

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

    # ------------------------------------------------------------------ transformer maps
    def _on_map_kind(self, i: int) -> None:
        self.map_kind = MAPS[i]
        self._show_maps()

    def _on_map_cell(self, layer: int, head: int) -> None:
        self.map_cell = (layer, head)
        self.grid.set_current(layer, head)
        self._show_map_detail()

    def _show_maps(self) -> None:
        res = self.results.get("transformer")
        if isinstance(res, str) or res is None or not res.maps:
            self.map_hint.setText(tr("EncoderDecoder", "No Transformer decode yet."))
            return
        self.map_hint.setText(tr("EncoderDecoder", "Rows: layers; columns: heads. Click one to enlarge. Shown for the Transformer, whatever model is selected."))
        mats = self._display_maps(res)
        self.grid.set_data(mats, current=self.map_cell)
        self._show_map_detail()

    def _display_maps(self, res) -> np.ndarray:
        mats = res.maps[self.map_kind].copy()  # (L, H, T_q, T_k)
        if self.map_kind == "dec_self":  # blocked future positions drawn as masked
            t = mats.shape[-1]
            mats[..., np.triu(np.ones((t, t), bool), 1)] = -np.inf
        return mats

    def _show_map_detail(self) -> None:
        res = self.results.get("transformer")
        if isinstance(res, str) or res is None or not res.maps:
            return
        mats = self._display_maps(res)
        layer, head = self.map_cell
        layer, head = min(layer, mats.shape[0] - 1), min(head, mats.shape[1] - 1)
        ins = [c if c != " " else "·" for c in res.columns]
        outs_in = ["<s>"] + [s.char for s in res.steps][:-1]  # what the decoder was fed
        rows, cols = {"enc_self": (ins, ins), "dec_self": (outs_in, outs_in), "cross": (outs_in, ins)}[self.map_kind]
        self.map_matrix.set_data(rows, cols, mats[layer, head], title=tr("EncoderDecoder", "layer {l}, head {h}").format(l=layer + 1, h=head + 1))

    # ------------------------------------------------------------------ compare
    def _refresh_compare(self) -> None:
        self.compare_plot.clear()
        if self.compare_legend is not None:
            self.compare_legend.clear()
        metric = self.compare_metric.currentData() or "exact"
        rows = []
        theme = self.ctx.theme
        for i, kind in enumerate(KINDS):
            doc = load_eval("reverse", kind)
            dates = load_eval("dates", kind)
            if doc is not None:
                lens = sorted(int(k) for k in doc["by_length"])
                ys = [doc["by_length"][str(n)][metric] for n in lens]
                pen = pg.mkPen(theme.categorical(i), width=theme.pen_width(2.5))
                self.compare_plot.plot(lens, ys, pen=pen, name=_kind_label(kind), symbol="o", symbolSize=4,
                                       symbolBrush=theme.categorical(i), symbolPen=None)  # fmt: skip
            rows.append((kind, doc, dates))
        line = pg.InfiniteLine(40, angle=90, pen=pg.mkPen(theme.muted, style=Qt.DashLine),
                               label=tr("EncoderDecoder", "longest training length"),
                               labelOpts={"position": 0.1, "color": theme.muted})  # fmt: skip
        self.compare_plot.addItem(line)
        self.compare_table.setText(self._compare_html(rows))

    def _compare_html(self, rows) -> str:
        def pct(d, key="exact"):
            return "—" if d is None else f"{100 * d[key]:.1f}%"

        def secs(d):
            return "—" if d is None or d.get("train_seconds") is None else f"{d['train_seconds'] / 60:.1f}"

        head = (tr("EncoderDecoder", "model"), tr("EncoderDecoder", "parameters"),
                tr("EncoderDecoder", "dates exact"), tr("EncoderDecoder", "reverse exact (4–60)"),
                tr("EncoderDecoder", "training minutes (dates / reverse)"))  # fmt: skip
        html = "<table cellspacing='0' cellpadding='4' border='1'><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"
        for kind, rev, dates in rows:
            params = (dates or rev or {}).get("parameters")
            html += (f"<tr><td>{_kind_label(kind)}</td><td>{'—' if params is None else f'{params:,}'}</td>"
                     f"<td>{pct(dates)}</td><td>{pct(rev)}</td><td>{secs(dates)} / {secs(rev)}</td></tr>")  # fmt: skip
        html += "</table><p>" + tr(
            "EncoderDecoder",
            "Held-out sets: 2000 dates drawn uniformly over 1900–2099 and the nine formats; 50 strings of "
            "every length 4–60 for reverse (trained on lengths up to 40). Trained on this 2-core CPU.",
        ) + "</p>"
        return html

    # ------------------------------------------------------------------ training
    def _update_train_info(self) -> None:
        self.train_info.setText(tr("EncoderDecoder", "Retrain {model} on “{task}”. The shipped weights are never overwritten; kept weights go to {path}.")
                                .format(model=_kind_label(self.kind), task=_task_label(self.task_name), path=str(self._user_path(self.kind))))  # fmt: skip

    def start_training(self) -> None:
        if self._train_job is not None:
            return
        self.discard_trained()
        task, kind, steps, device = self.task_name, self.kind, self.steps_spin.value(), self.ctx.device
        self.train_log = []
        self._training_for = (task, kind)
        holder = {}

        def run():
            from tfviz.core.device import interactive_threads
            from tfviz.core.seq2seq.train import Trainer, default_config

            interactive_threads()
            trainer = Trainer(default_config(task, kind, steps=steps, eval_every=max(10, min(250, steps // 8))), device=device)
            holder["trainer"] = trainer
            yield from trainer.steps()

        self._train_holder = holder
        self.progress.start(tr("EncoderDecoder", "training…"))
        self.train_button.setEnabled(False)
        self.train_status.setText(tr("EncoderDecoder", "Training {model} on “{task}” in the background…")
                                  .format(model=_kind_label(kind), task=_task_label(task)))  # fmt: skip
        self._train_job = self.ctx.jobs.run_generator(
            run, on_item=self._on_train_step, on_done=self._on_train_done, on_error=self._on_train_error,
            name="seq2seq-train",
        )  # fmt: skip
        self._train_job.finished.connect(self._on_train_finished)

    def _on_train_step(self, rec) -> None:
        self.train_log.append(rec)
        if len(self.train_log) % 5 and rec.val_exact is None and not rec.done:
            return  # repaint every few steps only
        steps = [r.step for r in self.train_log]
        self.loss_curve.setData(steps, [r.loss for r in self.train_log])
        self.acc_curve.setData(steps, [r.accuracy for r in self.train_log])
        vals = [(r.step, r.val_exact) for r in self.train_log if r.val_exact is not None]
        self.val_curve.setData([s for s, _ in vals], [v for _, v in vals])
        self.progress.update(rec.progress, tr("EncoderDecoder", "step {s} / {n} · loss {loss:.3f}").format(s=rec.step, n=rec.total, loss=rec.loss))

    def _on_train_done(self, last) -> None:
        self.trainer = self._train_holder.get("trainer")
        val = "—" if last is None or last.val_exact is None else f"{100 * last.val_exact:.1f}%"
        self.train_status.setText(tr("EncoderDecoder", "Done: validation exact match {val}. Keep the new weights or discard them.").format(val=val))
        self.keep_button.setEnabled(True)
        self.discard_button.setEnabled(True)

    def _on_train_error(self, exc: BaseException) -> None:
        self.train_status.setText(tr("EncoderDecoder", "Training failed: {msg}. The previous weights are kept.").format(msg=format_failure(exc)))

    def _on_train_finished(self) -> None:
        job, self._train_job = self._train_job, None
        self.progress.finish()
        self.train_button.setEnabled(True)
        if job is not None and job.cancelled:
            self.train_status.setText(tr("EncoderDecoder", "Training cancelled. The previous weights are kept."))

    def cancel_training(self) -> None:
        if self._train_job is not None:
            self._train_job.cancel()

    def keep_trained(self) -> None:
        """Save the new weights (atomically) to the user folder and use them."""
        if self.trainer is None:
            return
        task, kind = self._training_for
        from tfviz.core.seq2seq.paths import user_path

        path = user_path(kind, task)
        try:
            self.trainer.save(path)
        except OSError as exc:
            self.train_status.setText(tr("EncoderDecoder", "Could not save: {msg}").format(msg=str(exc)))
            return
        self.store.put(task, kind, str(path), self.trainer.model)
        self.trainer = None
        self.keep_button.setEnabled(False)
        self.discard_button.setEnabled(False)
        self.train_status.setText(tr("EncoderDecoder", "Saved to {path}; now in use.").format(path=str(path)))
        if self.user_weights.isChecked():
            self.request_decode()
        else:
            self.user_weights.setChecked(True)  # re-decodes with them

    def discard_trained(self) -> None:
        self.trainer = None
        self.keep_button.setEnabled(False)
        self.discard_button.setEnabled(False)

    # ------------------------------------------------------------------ BasePanel
    def export_target(self) -> QWidget:
        return self.tabs.currentWidget()

    def on_device_changed(self, device: str) -> None:
        self.request_decode()

    def on_theme_changed(self) -> None:
        th = self.ctx.theme
        for v in (self.strip, self.vector, self.matrix, self.grid, self.map_matrix):
            v.set_theme(th)
        # after the main window has applied the new palette (it does so after this signal): a
        # style sheet with a colour fixes the button's palette at the time it is set
        QTimer.singleShot(0, self._style_model_buttons)
        for plot in (self.compare_plot, self.loss_plot, self.acc_plot):
            plot.setBackground(th.bg)
            for ax in ("left", "bottom"):  # else a theme switch left light axes on white, or dark on dark
                plot.getAxis(ax).setPen(th.fg)
                plot.getAxis(ax).setTextPen(th.fg)
        self.loss_curve.setPen(pg.mkPen(th.categorical(0), width=th.pen_width(1.5)))
        self.acc_curve.setPen(pg.mkPen(th.categorical(0), width=th.pen_width(1.5)))
        self.val_curve.setPen(pg.mkPen(th.categorical(1), width=th.pen_width(1.5)))
        self.val_curve.setSymbolBrush(th.categorical(1))
        self._refresh_compare()

    def prepare_shot(self) -> None:
        """A date mid-decoding with the attention model (blocking)."""
        from PySide6.QtWidgets import QApplication

        self.set_task("dates")
        self.set_model("rnn-attn")
        self.tabs.setCurrentIndex(0)
        self.input.setText("二〇二六年十一月二十九日")
        self.request_decode()
        job = self._decode_job
        if job is not None:
            job.wait()
        for _ in range(50):
            QApplication.processEvents()
            if self._decode_job is None:
                break
        res = self.current()
        if res is not None:
            self.controls.set_position(min(6, len(res.steps) - 1))

    def shutdown(self) -> None:
        self._debounce.stop()
        self.controls.pause()
        for job in (self._decode_job, self._train_job):
            if job is not None:
                job.cancel()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
