"""Trajectories panel: pedestrians walking, and what each model predicts for them.

A synthetic crowd (social-force model) is shown by default; File > Open dataset opens an
ETH/UCY folder (``<scene>/{train,val,test}/*.txt``) or a single file. For every person seen
in the last 8 frames the view draws the observed path (solid), the true future (dashed)
and each enabled model's prediction in its own colour, plus the top futures of ``tf-multi``
as a fan: in *focus* mode (the default) for the selected person only, everyone else faded.
Clicking a person shows its ADE/FDE per model, the temporal attention over its 8 observed
steps, and, for ``star``, lines to the neighbours it attends to. While playing, people move
smoothly between the 0.4 s frames (:mod:`tfviz.core.traj.motion`). Dragging, adding or
removing people edits the frame (*what if*) and every model predicts again.

The panel composes its parts, each in its own module:

* :class:`~tfviz.gui.panels.trajectories_view.SceneView`: the scene (one pyqtgraph item per layer);
* :class:`~tfviz.gui.panels.trajectories_person.PersonBox`: the selected person's errors and attention;
* :class:`~tfviz.gui.panels.trajectories_data.DataBox`: simulate, open, download;
* :class:`~tfviz.gui.panels.trajectories_edit.WhatIf` / ``SceneMouse`` / ``EditBar``: edits, undo;
* :class:`~tfviz.gui.panels.trajectories_train.TrainBox`: retrain a model in the background;
* :class:`~tfviz.core.traj.scene_cache.PredictionCache`: which frames to predict, what is kept.

Heavy work runs in :class:`~tfviz.gui.jobs.LatestJob` slots (the newest request wins): the
data, the weights of the fold, and the predictions of a window of frames (stored as they arrive).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QLayout,
    QPushButton,
    QScrollArea,
    QSizePolicy,
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
from tfviz.gui.panels.trajectories_edit import EditBar, SceneMouse, WhatIf
from tfviz.gui.panels.trajectories_models import ModelBox
from tfviz.gui.panels.trajectories_motion import Motion
from tfviz.gui.panels.trajectories_person import PersonBox
from tfviz.gui.panels.trajectories_train import TrainBox
from tfviz.gui.panels.trajectories_texts import guide_html, model_names
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
        return guide_html()

    def _build(self) -> None:
        self.view = SceneView()
        self.what_if = WhatIf(self)
        self.edit_bar = EditBar()
        self.mouse = SceneMouse(self.view, self)
        self.edit_bar.everyone_check.toggled.connect(self._on_everyone)
        self.edit_bar.add_button.toggled.connect(lambda on: self.mouse.set_adding(on))
        self.edit_bar.remove_button.clicked.connect(self.remove_selected)
        self.edit_bar.undo_button.clicked.connect(self.undo)
        self.edit_bar.back_button.clicked.connect(self.what_if.leave)
        undo = QShortcut(QKeySequence.Undo, self, context=Qt.WidgetWithChildrenShortcut)
        undo.activated.connect(self.undo)
        self.controls = StepControls(STEP_MS)
        self.controls.position_changed.connect(self._on_position)
        self.motion = Motion(self)  # people walk between the recorded frames while playing
        self.controls.btn_play.clicked.connect(self.motion.start)

        self.person_box = PersonBox()
        self.person_box.next_button.clicked.connect(self.select_next)
        self.person_box.attn_combo.currentIndexChanged.connect(lambda _i: self._redraw())
        self.data_box = DataBox(self.ctx)
        self.data_box.recording_ready.connect(self.set_recording)
        self.data_box.failed.connect(self.ctx.notify)
        self.model_box = ModelBox()
        self.model_box.changed.connect(self._redraw)
        self.model_checks, self.fan_spin = self.model_box.checks, self.model_box.fan_spin
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
        left_lay.addWidget(self.edit_bar)
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

    def model_names(self) -> dict[str, str]:
        return model_names()

    def retranslate(self) -> None:
        self.tools_box.setTitle(tr("Trajectories", "Export and training"))
        self.gif_button.setText(tr("Trajectories", "Export animation (GIF)…"))
        self.view.setLabel("bottom", tr("Trajectories", "x (m)"))
        self.view.setLabel("left", tr("Trajectories", "y (m)"))
        self.view.scale_bar.text.setText(tr("Trajectories", "1 m"))
        for part in (self.person_box, self.model_box, self.data_box, self.train_box, self.controls, self.edit_bar):
            part.retranslate()
        self.data_box.show_info(self.recording, len(self.playback or ()))
        self._update_model_status()
        self._redraw()

    def on_theme_changed(self) -> None:
        theme = self.ctx.theme
        self.view.apply_theme(theme, self.colours())
        self.person_box.set_theme(theme)
        self.data_box.set_theme(theme)
        self._redraw()

    def colours(self) -> dict:
        """One colour-blind-safe colour per model (Okabe-Ito via the theme)."""
        theme = self.ctx.theme
        colours = {name: theme.categorical(i) for i, name in enumerate(MODEL_ORDER)}
        colours["attention"] = theme.categorical(5)  # vermillion, dash-dotted: no model has it
        return colours

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
        if self.what_if.active():
            self.what_if.leave()
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
        self.view.reset_view()
        self.data_box.show_info(rec, len(self.playback))
        self.controls.set_count(len(self.playback), min(len(self.playback) - 1, OBS - 1))
        self.select_with_company()  # focus mode needs someone to focus on
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
        self.model_box.show_status(self.models, self.models_fold, self.data_box.source == "synthetic", self._trained)

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
        if self.what_if.active() and i != self.what_if.editor.index:
            self.what_if.leave()  # another frame: the edits were of that one
        self.motion.new_step()
        if self.playback is not None and self.models is not None and self.cache.needs_new_job(
                i, len(self.playback), running=self._predictor.busy(), playing=self.controls.is_playing()):
            self._start_predictions()  # a jump, or past what was predicted: from here on
        self._redraw()

    def visible_models(self) -> dict[str, bool]:
        return {n: b.isChecked() and (n == "cv" or (self.models or {}).get(n) is not None)
                for n, b in self.model_checks.items()}

    def recorded_state(self):
        """The recording at the frame shown (what a first edit starts from)."""
        if self.playback is None or len(self.playback) == 0:
            return None
        return self.playback.state(self.controls.position)

    def current_state(self):
        """The scene shown: the edited one while editing, else the recording's frame."""
        return self.what_if.state() if self.what_if.active() else self.recorded_state()

    def shown_prediction(self, state):
        return self.what_if.prediction() if self.what_if.active() else self.cache.get(state.index)

    def everyone(self) -> bool:
        return self.edit_bar.everyone_check.isChecked()

    def _redraw(self) -> None:
        state = self.current_state()
        self.edit_bar.show_editing(self.what_if.active(), self.what_if.active())
        if state is None:
            self.person_box.show_person()
            return
        prediction = self.shown_prediction(state)
        row = self._selected_row(state)
        visible = self.visible_models()
        self.view.show_frame(state, prediction, visible, self.fan_spin.value(), row, self.everyone())
        self.view.set_legend(self.model_names(), visible, self.view.fan.isVisible(),
                             visible.get("star", False) and row is not None)
        self.person_box.show_person(state, prediction, row, self.selected_id)

    def _selected_row(self, state) -> int | None:
        if self.selected_id is None:
            return None
        rows = np.nonzero(state.ids == self.selected_id)[0]
        return int(rows[0]) if rows.size else None

    def select_pedestrian(self, ped_id: float) -> None:
        if self.selected_id != float(ped_id):
            self.view.request_fit()
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

    def select_with_company(self) -> None:
        """Select someone whose future is known and who has company (star's links show)."""
        state = self.current_state()
        if state is not None and state.ids.size:
            here = state.obs[:, -1]
            company = (np.linalg.norm(here[:, None] - here[None], axis=-1) < 5).sum(1)
            self.select_pedestrian(float(state.ids[np.argmax(company + 100 * state.complete())]))

    def _on_everyone(self, _on: bool) -> None:
        self.view.request_fit()
        self._redraw()

    def go_first(self) -> None:
        """Home: the first frame, and the view fitted again (after panning or zooming)."""
        super().go_first()
        self.view.reset_view()

    # ------------------------------------------------------------ what if
    def edit_changed(self) -> None:
        """The edited scene (or its prediction) changed: draw it."""
        self._redraw()

    def remove_selected(self) -> None:
        if self.selected_id is not None:
            self.what_if.remove(self.selected_id)
            self.selected_id = None
            self._redraw()

    def undo(self) -> None:
        if self.what_if.undo():
            self._redraw()

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
        self.select_with_company()
        self._redraw()
        for _ in range(5):  # let the side bar's layout grow to the new texts
            QCoreApplication.processEvents()

    def shutdown(self) -> None:
        self.controls.pause()
        self.motion.stop()
        self.what_if.job.cancel()
        self.data_box.cancel()
        self._weights.cancel()
        self._predictor.cancel()
        self.train_box.shutdown()
