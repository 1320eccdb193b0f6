"""Trajectories panel: pedestrians walking, and what each model predicts for them.

A synthetic crowd (social-force model) is shown by default; File > Open dataset opens an
ETH/UCY folder (``<scene>/{train,val,test}/*.txt``) or a single file. For every person seen
in the last 8 frames the view draws the observed path (solid), the true future (dashed)
and each enabled model's prediction in its own colour, plus the top futures of ``tf-multi``
as a fan. Clicking a person shows its ADE/FDE per model, the temporal attention over its 8
observed steps, and, for ``star``, lines to the neighbours it attends to.

The panel composes its parts, each in its own module:

* :class:`~tfviz.gui.panels.trajectories_view.SceneView`: the scene (one pyqtgraph item per layer);
* :class:`~tfviz.gui.panels.trajectories_person.PersonBox`: the selected person's errors and attention;
* :class:`~tfviz.gui.panels.trajectories_data.DataBox`: simulate, open, download;
* :class:`~tfviz.gui.panels.trajectories_train.TrainBox`: retrain a model in the background;
* :class:`~tfviz.core.traj.scene_cache.PredictionCache`: which frames to predict, what is kept.

Heavy work runs in :class:`~tfviz.gui.jobs.LatestJob` slots (the newest request wins): the
data, the weights of the fold, and the predictions of a window of frames (stored as they arrive).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from tfviz.core.traj.data import OBS
from tfviz.core.traj.scene_cache import PredictionCache
from tfviz.gui.base import BasePanel
from tfviz.gui.context import AppContext
from tfviz.gui.export import ExportError, export_gif
from tfviz.gui.i18n import tr
from tfviz.gui.jobs import LatestJob, format_failure
from tfviz.gui.panels.trajectories_data import SYNTHETIC_FOLD, DataBox
from tfviz.gui.panels.trajectories_person import PersonBox
from tfviz.gui.panels.trajectories_train import TrainBox
from tfviz.gui.panels.trajectories_view import MODEL_ORDER, SceneView
from tfviz.gui.widgets import StepControls

STEP_MS = 400  # one recorded step is 0.4 s
SHOT_WAIT_MS = 120_000  # prepare_shot: longest wait for data, weights and a prediction


def load_models(fold: str) -> tuple[str, dict]:
    """Worker: ``(fold, {name: model})`` with the shipped weights of every learned model."""
    from tfviz.core.traj.weights import load_shipped

    models = {"cv": None}  # constant velocity: nothing to load
    for kind in MODEL_ORDER[1:]:
        model = load_shipped(kind, fold)
        if model is not None:
            models[kind] = model
    return fold, models


def predict(playback, models: dict, order: list[int]):
    """Worker: predict frames with one torch thread: these models are tiny, so a second thread
    only adds synchronisation (5x slower per frame on a busy 2-core machine)."""
    from tfviz.core.device import interactive_threads
    from tfviz.core.traj.playback import predict_frames

    interactive_threads()
    yield from predict_frames(playback, models, order)


class Panel(BasePanel):
    name = "trajectories"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.playback = None
        self.recording = None
        self.walls = None
        self.fold = SYNTHETIC_FOLD
        self.models: dict | None = None  # name -> model (cv -> None), for models_fold
        self.models_fold: str | None = None
        self.cache = PredictionCache()
        self.selected_id: float | None = None
        self._trained: dict = {}  # models trained in this session: kind -> model
        self._weights = LatestJob(ctx.jobs, "traj-weights", self)
        self._weights.result.connect(self._on_models)
        self._weights.failed.connect(self._on_failure)
        self._predictor = LatestJob(ctx.jobs, "traj-predict", self)
        self._predictor.item.connect(self._on_prediction)
        self._predictor.failed.connect(self._on_failure)
        self._build()
        self.retranslate()
        self.on_theme_changed()
        self.data_box.generate_synthetic()

    # ------------------------------------------------------------------ UI
    @staticmethod
    def guide_html() -> str:
        return tr(
            "Trajectories",
            "<h3>Trajectories</h3><p>People walk through a scene. For everyone seen in the "
            "last 8 steps (3.2 s) each model predicts the next 12 steps (4.8 s).</p><ul>"
            "<li><b>Solid</b>: observed path. <b>Dashed</b>: what really happened.</li>"
            "<li><b>cv</b> repeats the last step; <b>tf</b> is an encoder-decoder Transformer; "
            "<b>tf-multi</b> proposes several futures (the fan); <b>star</b> also attends to "
            "the people around.</li><li>Click a person: its errors (ADE = mean distance, FDE = "
            "final distance, in metres), which observed steps the model attended to, and for "
            "star the neighbours it looked at (thicker line = more attention).</li>"
            "<li>Space plays, Left/Right step, Home/End jump.</li></ul>",
        )

    def _build(self) -> None:
        self.view = SceneView()
        self.view.person_clicked.connect(self.select_pedestrian)
        self.controls = StepControls(STEP_MS)
        self.controls.position_changed.connect(self._on_position)

        self.person_box = PersonBox()
        self.person_box.next_button.clicked.connect(self.select_next)
        self.person_box.attn_combo.currentIndexChanged.connect(lambda _i: self._redraw())
        self.data_box = DataBox(self.ctx)
        self.data_box.recording_ready.connect(self.set_recording)
        self.data_box.failed.connect(self.ctx.notify)
        self._build_model_box()
        self.tools_box = QGroupBox()
        self.gif_button = QPushButton()
        self.gif_button.clicked.connect(self._gif_dialog)
        self.train_box = TrainBox(self.ctx, self._training_data)
        self.train_box.trained.connect(self._on_trained)
        self.train_box.failed.connect(self._show_error)
        tools = QVBoxLayout(self.tools_box)
        tools.addWidget(self.gif_button)
        tools.addWidget(self.train_box)

        side = QWidget()
        side_lay = QVBoxLayout(side)
        side_lay.setSizeConstraint(QLayout.SetMinimumSize)  # scroll rather than squeeze the boxes
        for box in (self.person_box, self.model_box, self.data_box, self.tools_box):
            box.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Minimum)  # never squeezed
            side_lay.addWidget(box)
        side_lay.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(322)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)

        left = QWidget()
        left_lay = QVBoxLayout(left)
        left_lay.setContentsMargins(0, 0, 0, 0)
        left_lay.addWidget(self.view, 1)
        left_lay.addWidget(self.controls)
        self.controls.slider.setMinimumWidth(60)  # else a 1024 px window left it ~20 px wide
        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([1000, 380])
        lay = QVBoxLayout(self)
        lay.addWidget(splitter)

    def _build_model_box(self) -> None:
        self.model_box = QGroupBox()
        self.model_checks = {name: QCheckBox(name) for name in MODEL_ORDER}
        lay = QVBoxLayout(self.model_box)
        for box in self.model_checks.values():
            box.setChecked(True)
            box.toggled.connect(lambda _on: self._redraw(legend=True))
            lay.addWidget(box)
        fan_row = QHBoxLayout()
        self.fan_label = QLabel()
        self.fan_spin = QSpinBox()
        self.fan_spin.setRange(0, 20)
        self.fan_spin.setValue(5)
        self.fan_spin.valueChanged.connect(lambda _v: self._redraw(legend=True))
        fan_row.addWidget(self.fan_label)
        fan_row.addWidget(self.fan_spin)
        lay.addLayout(fan_row)
        self.model_status = QLabel()
        self.model_status.setWordWrap(True)
        lay.addWidget(self.model_status)

    def model_names(self) -> dict[str, str]:
        return {
            "cv": tr("Trajectories", "cv: constant velocity"),
            "tf": tr("Trajectories", "tf: Transformer"),
            "tf-multi": tr("Trajectories", "tf-multi: top proposal"),
            "star": tr("Trajectories", "star: social Transformer"),
            "fan": tr("Trajectories", "tf-multi: possible futures"),
            "observed": tr("Trajectories", "observed (3.2 s)"),
            "truth": tr("Trajectories", "true future (4.8 s)"),
        }

    def retranslate(self) -> None:
        self.model_box.setTitle(tr("Trajectories", "Models"))
        self.fan_label.setText(tr("Trajectories", "Futures in the fan"))
        self.tools_box.setTitle(tr("Trajectories", "Export and training"))
        self.gif_button.setText(tr("Trajectories", "Export animation (GIF)…"))
        self.view.setLabel("bottom", tr("Trajectories", "x (m)"))
        self.view.setLabel("left", tr("Trajectories", "y (m)"))
        self.view.scale_bar.text.setText(tr("Trajectories", "1 m"))
        names = self.model_names()
        for name, box in self.model_checks.items():
            box.setText(names[name])
        for part in (self.person_box, self.data_box, self.train_box, self.controls):
            part.retranslate()
        self.data_box.show_info(self.recording, len(self.playback or ()))
        self._update_model_status()
        self._redraw(legend=True)

    def on_theme_changed(self) -> None:
        theme = self.ctx.theme
        self.view.apply_theme(theme, self.colours())
        self.person_box.set_theme(theme)
        self.data_box.set_theme(theme)
        self._redraw(legend=True)

    def colours(self) -> dict:
        """One colour-blind-safe colour per model (Okabe-Ito via the theme)."""
        theme = self.ctx.theme
        return {name: theme.categorical(i) for i, name in enumerate(MODEL_ORDER)}

    def _show_error(self, text: str) -> None:
        self.data_box.set_error(text)
        if text:
            self.ctx.notify(text)

    def _on_failure(self, exc: BaseException) -> None:
        self._show_error(format_failure(exc))

    # ------------------------------------------------------------ data
    @property
    def predictions(self) -> dict:
        """Frame index -> FramePrediction, for the frames predicted so far (bounded)."""
        return self.cache.frames

    def open_path(self, path: str) -> bool:
        """File > Open dataset: an ETH/UCY folder (<scene>/{train,val,test}) or one file."""
        self.data_box.open_path(path)
        return True

    def download_dataset(self, dest: str, base_url: str | None = None, manifest=None) -> None:
        """Fetch the ETH/UCY files into ``dest`` in the background, then open them."""
        self.data_box.download(dest, base_url, manifest)

    def set_recording(self, rec, walls, fold: str) -> None:
        """Show ``rec``; predictions use the weights of the leave-one-out ``fold``."""
        from tfviz.core.traj.playback import Playback

        self.data_box.set_error("")
        self._predictor.cancel()
        self.recording, self.walls, self.fold = rec, walls, fold
        if fold != self.models_fold:
            self.models = None  # never predict this scene with another fold's weights
            self._update_model_status()
        self.playback = Playback(rec)
        self.cache.clear()
        self.selected_id = None
        self.view.set_walls(walls)
        lo, hi = self.playback.bounds
        if walls is not None:
            lo, hi = np.minimum(lo, walls.reshape(-1, 2).min(0)), np.maximum(hi, walls.reshape(-1, 2).max(0))
        self.view.setRange(xRange=(lo[0] - 1, hi[0] + 1), yRange=(lo[1] - 1, hi[1] + 1), padding=0)
        self.data_box.show_info(rec, len(self.playback))
        self.controls.set_count(len(self.playback), min(len(self.playback) - 1, OBS - 1))
        self._ensure_models()

    def _training_data(self) -> tuple[str | None, str | None]:
        """What the train box trains on: the open dataset's scene, or (None, None): synthetic."""
        root = self.data_box.dataset_root
        return (root, self.data_box.scene_combo.currentData()) if root else (None, None)

    # ------------------------------------------------------------ models
    def _ensure_models(self) -> None:
        if self.models is not None and self.models_fold == self.fold:
            self._start_predictions()
            return
        fold = self.fold
        self._weights.submit(lambda: load_models(fold))

    def _on_models(self, result: tuple[str, dict]) -> None:
        fold, models = result
        if fold != self.fold:
            return  # the scene changed again while these were loading
        models.update(self._trained)
        if fold != self.models_fold:
            self.cache.clear()
        self.models, self.models_fold = models, fold
        self._update_model_status()
        self._start_predictions()

    def _on_trained(self, kind: str, model) -> None:
        self._trained[kind] = model
        if self.models is not None:
            self.models[kind] = model
        self._update_model_status()
        self.cache.clear()
        self._start_predictions()

    def _update_model_status(self) -> None:
        if self.models is None:
            self.model_status.setText(tr("Trajectories", "Loading weights…"))
            return
        missing = [n for n in MODEL_ORDER[1:] if n not in self.models]
        text = tr("Trajectories", "Weights of the fold trained without {fold}.").format(fold=self.models_fold)
        if missing:
            text += " " + tr("Trajectories", "No weights for: {names}").format(names=", ".join(missing))
        if self._trained:
            text += " " + tr("Trajectories", "Trained here: {names}").format(names=", ".join(self._trained))
        self.model_status.setText(text)

    # ------------------------------------------------------------ predictions
    def _start_predictions(self, frames: list[int] | None = None) -> None:
        """Predict ``frames`` (default: the cache's window around the frame shown), replacing
        any prediction job still running."""
        if self.playback is None or self.models is None:
            self._predictor.cancel()
            return
        playback, models = self.playback, dict(self.models)
        order = self.cache.wanted(self.controls.position, len(playback)) if frames is None else frames
        self._predictor.submit(lambda: predict(playback, models, order), generator=True)

    def _on_prediction(self, prediction) -> None:
        self.cache.add(prediction.index, prediction, here=self.controls.position)
        if prediction.index == self.controls.position:
            self._redraw()

    # ------------------------------------------------------------ drawing
    def _on_position(self, i: int) -> None:
        if self.playback is not None and self.models is not None and self.cache.needs_new_job(
                i, len(self.playback), running=self._predictor.busy(), playing=self.controls.is_playing()):
            self._start_predictions()  # a jump, or past what was predicted: from here on
        self._redraw()

    def visible_models(self) -> dict[str, bool]:
        return {n: b.isChecked() and (n == "cv" or (self.models or {}).get(n) is not None)
                for n, b in self.model_checks.items()}

    def current_state(self):
        if self.playback is None or len(self.playback) == 0:
            return None
        return self.playback.state(self.controls.position)

    def _redraw(self, legend: bool = False) -> None:
        state = self.current_state()
        if state is None:
            self.person_box.show_person()
            return
        prediction = self.cache.get(state.index)
        row = self._selected_row(state)
        self.view.show_frame(state, prediction, self.visible_models(), self.fan_spin.value(), row)
        if legend:
            self.view.set_legend(self.model_names())
        self.person_box.show_person(state, prediction, row, self.selected_id)

    def _selected_row(self, state) -> int | None:
        if self.selected_id is None:
            return None
        rows = np.nonzero(state.ids == self.selected_id)[0]
        return int(rows[0]) if rows.size else None

    def select_pedestrian(self, ped_id: float) -> None:
        self.selected_id = float(ped_id)
        self._redraw()

    def select_next(self) -> None:
        """Pick the next person (by id) with a prediction at this frame."""
        state = self.current_state()
        if state is None or state.ids.size == 0:
            return
        complete = state.complete()
        ids = np.sort(state.ids[complete] if complete.any() else state.ids)
        later = ids[ids > self.selected_id] if self.selected_id is not None else ids
        self.select_pedestrian(float(later[0] if later.size else ids[0]))

    # ------------------------------------------------------------ export
    def export_target(self) -> QWidget:
        return self.view

    def _gif_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, tr("Trajectories", "Export animation"), "tfviz-trajectories.gif",
            tr("Trajectories", "GIF animation (*.gif)"))
        if path:
            try:
                out = self.export_gif(path)
            except OSError as exc:
                self._show_error(str(exc))
                return
            self.ctx.notify(tr("Trajectories", "Animation saved to {path}").format(path=out))

    def export_gif(self, path: str, n_frames: int = 60) -> str:
        """Write ``n_frames`` frames from the current one on as an animated GIF (atomically)."""
        if self.playback is None:
            raise ExportError(tr("Trajectories", "Nothing to export yet."))
        first = self.controls.position
        frames = range(first, min(len(self.playback), first + n_frames))
        try:
            out = export_gif(self.view, self.controls.set_position, frames, path, STEP_MS)
        finally:
            self.controls.set_position(first)
        return str(out)

    # ------------------------------------------------------------ training (TrainBox)
    def is_training(self) -> bool:
        return self.train_box.is_training()

    # ------------------------------------------------------------ life cycle
    def wait_ready(self, timeout_ms: int = SHOT_WAIT_MS, predictions: bool = True) -> bool:
        """Block (processing events) until the data, the weights and (``predictions``) the
        frames asked for so far are in. Each result starts the next: data -> weights -> frames."""
        slots = [self.data_box, self._weights] + ([self._predictor] if predictions else [])
        return all(slot.wait_idle(timeout_ms) for slot in slots)

    def prepare_shot(self) -> None:
        """The middle of the recording, with everyone's predictions and one person selected."""
        self.wait_ready(predictions=False)
        if self.playback is None or self.models is None:
            return
        self.controls.set_position(len(self.playback) // 2)
        self._start_predictions([self.controls.position])  # just this frame: quick
        self._predictor.wait_idle(SHOT_WAIT_MS)
        state = self.current_state()
        if state is not None and state.ids.size:
            # show someone whose future is known and who has company (star's lines)
            here = state.obs[:, -1]
            company = (np.linalg.norm(here[:, None] - here[None], axis=-1) < 5).sum(1)
            self.select_pedestrian(float(state.ids[np.argmax(company + 100 * state.complete())]))
        self._redraw(legend=True)
        for _ in range(5):  # let the side bar's layout grow to the new texts
            QCoreApplication.processEvents()

    def shutdown(self) -> None:
        self.controls.pause()
        self.data_box.cancel()
        self._weights.cancel()
        self._predictor.cancel()
        self.train_box.shutdown()
