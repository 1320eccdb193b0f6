"""Trajectories panel: pedestrians walking, and what each model predicts for them.

A synthetic crowd (social-force model) is shown by default; File > Open dataset opens an
ETH/UCY folder (``<scene>/{train,val,test}/*.txt``) or a single file. For every person seen
in the last 8 frames the view draws the observed path (solid), the true future (dashed)
and each enabled model's prediction in its own colour, plus the top futures of ``tf-multi``
as a fan. Clicking a person shows its ADE/FDE per model, the temporal attention over its 8
observed steps, and, for ``star``, lines to the neighbours it attends to.

Heavy work runs in ``ctx.jobs``: simulating, loading files, loading weights, predicting all
frames (stored as they arrive), and training.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QElapsedTimer, Qt, QThread
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
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

from tfviz.core.traj.data import SCENES, OBS
from tfviz.gui.base import BasePanel
from tfviz.gui.context import AppContext
from tfviz.gui.i18n import tr
from tfviz.gui.jobs import format_failure
from tfviz.gui.panels.trajectories_view import MODEL_ORDER, SceneView
from tfviz.gui.widgets import JobProgress, StepControls

SYNTHETIC_FOLD = "zara1"  # whose weights predict synthetic scenes (trained without zara1)
STEP_MS = 400  # one recorded step is 0.4 s
AHEAD, BEHIND = 300, 50  # frames predicted after / before the current one, per job
KEEP = 800  # predictions kept in memory (the frames nearest the current one)
# A known ETH/UCY recording is predicted with the fold that never saw it.
RECORDING_FOLD = {"biwi_eth": "eth", "biwi_hotel": "hotel", "students00": "univ",
                  "crowds_zara01": "zara1", "crowds_zara02": "zara2"}


def _alive(job) -> bool:
    """Is this job handle still running? (Finished jobs are deleted by the JobManager.)"""
    if job is None:
        return False
    try:
        return job.is_running()
    except RuntimeError:  # the Qt object behind a finished job is gone
        return False


def _load_models(fold: str) -> dict:
    """The shipped weights of every learned model for ``fold`` (runs in a worker)."""
    from tfviz.core.traj.weights import load_shipped

    models = {"cv": None}
    for kind in MODEL_ORDER[1:]:
        m = load_shipped(kind, fold)
        if m is not None:
            models[kind] = m
    return models


def _predict(pb, models: dict, order: list[int]):
    """Predict frames in a worker with one torch thread: these models are tiny, so a second
    thread only adds synchronisation (5x slower per frame on a busy 2-core machine)."""
    from tfviz.core.device import interactive_threads
    from tfviz.core.traj.playback import predict_frames

    interactive_threads()
    yield from predict_frames(pb, models, order)


def _simulate(seed: int, n: int):
    from tfviz.core.traj.synthetic import SceneConfig, scene_walls, simulate

    return simulate(SceneConfig(n_people=n, seed=seed)), scene_walls()


def _load_split(root: str, scene: str, split: str):
    """Iterate the files of one split with progress; yields LoadProgress, then a list of Recordings."""
    from tfviz.core.traj.data import Recording, iter_load_file, scene_files

    files = scene_files(root, scene, split)
    recs = []
    for path in files:
        for item in iter_load_file(path):
            if isinstance(item, Recording):
                recs.append(item)
            else:
                yield item
    yield recs  # univ's test split has two recordings


class Panel(BasePanel):
    name = "trajectories"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.playback = None
        self.recording = None
        self.walls = None
        self.source = "synthetic"  # synthetic | file | folder
        self.dataset_root: str | None = None
        self.file_path: str | None = None
        self.fold = SYNTHETIC_FOLD
        self.models: dict | None = None
        self.models_fold: str | None = None
        self.predictions: dict = {}
        self._generation = 0  # bumped whenever stored predictions become stale
        self.selected_id: float | None = None
        self.error = ""
        self._pred_job = None
        self._load_job = None
        self._model_job = None
        self._train_job = None
        self._trained: dict = {}  # models trained in this session: kind -> model
        self._build()
        self.retranslate()
        self.on_theme_changed()
        self.generate_synthetic()

    # ------------------------------------------------------------------ UI
    @staticmethod
    def title() -> str:
        return tr("Panels", "Trajectories")

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

        # data --------------------------------------------------------------
        self.data_box = QGroupBox()
        self.source_combo = QComboBox()
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 1_000_000)
        self.crowd_spin = QSpinBox()
        self.crowd_spin.setRange(1, 300)
        self.crowd_spin.setValue(40)
        self.generate_button = QPushButton()
        self.generate_button.clicked.connect(self.generate_synthetic)
        self.open_button = QPushButton()
        self.open_button.clicked.connect(self._open_dialog)
        self.download_button = QPushButton()
        self.download_button.clicked.connect(self._download_dialog)
        self.scene_combo = QComboBox()
        self.split_combo = QComboBox()
        for s in ("test", "train", "val"):
            self.split_combo.addItem(s, s)
        self.recording_combo = QComboBox()
        self.recording_combo.activated.connect(self._choose_recording)
        self.split_recordings: list = []
        self.scene_combo.activated.connect(lambda _i: self._load_dataset_scene())
        self.split_combo.activated.connect(lambda _i: self._load_dataset_scene())
        self.info_label = QLabel()
        self.info_label.setWordWrap(True)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.load_progress = JobProgress()
        self.load_progress.cancel_requested.connect(self._cancel_load)
        form = QFormLayout(self.data_box)
        self.seed_label, self.crowd_label = QLabel(), QLabel()
        self.scene_label, self.split_label = QLabel(), QLabel()
        form.addRow(self.seed_label, self.seed_spin)
        form.addRow(self.crowd_label, self.crowd_spin)
        form.addRow(self.generate_button)
        form.addRow(self.open_button)
        form.addRow(self.download_button)
        form.addRow(self.scene_label, self.scene_combo)
        form.addRow(self.split_label, self.split_combo)
        self.recording_label = QLabel()
        form.addRow(self.recording_label, self.recording_combo)
        self.recording_label.hide()
        self.recording_combo.hide()
        form.addRow(self.info_label)
        form.addRow(self.error_label)
        form.addRow(self.load_progress)

        # models ------------------------------------------------------------
        self.model_box = QGroupBox()
        self.model_checks = {name: QCheckBox(name) for name in MODEL_ORDER}
        mlay = QVBoxLayout(self.model_box)
        for name, box in self.model_checks.items():
            box.setChecked(True)
            box.toggled.connect(lambda _on: self._redraw(legend=True))
            mlay.addWidget(box)
        fan_row = QHBoxLayout()
        self.fan_label = QLabel()
        self.fan_spin = QSpinBox()
        self.fan_spin.setRange(0, 20)
        self.fan_spin.setValue(5)
        self.fan_spin.valueChanged.connect(lambda _v: self._redraw(legend=True))
        fan_row.addWidget(self.fan_label)
        fan_row.addWidget(self.fan_spin)
        mlay.addLayout(fan_row)
        self.model_status = QLabel()
        self.model_status.setWordWrap(True)
        mlay.addWidget(self.model_status)

        # selected person -----------------------------------------------------
        self.person_box = QGroupBox()
        play = QVBoxLayout(self.person_box)
        self.next_button = QPushButton()
        self.next_button.clicked.connect(self.select_next)
        self.person_label = QLabel()
        self.person_label.setWordWrap(True)
        self.metrics_label = QLabel()
        self.metrics_label.setTextFormat(Qt.RichText)
        self.attn_combo = QComboBox()
        for name in MODEL_ORDER[1:]:
            self.attn_combo.addItem(name, name)
        self.attn_combo.currentIndexChanged.connect(lambda _i: self._show_person())
        self.attn_plot = pg.PlotWidget()
        self.attn_plot.setFixedHeight(120)
        self.attn_plot.setMouseEnabled(False, False)
        self.attn_plot.setYRange(0, 1)
        # three ticks: the default six (0, 0.2, ... 1.0) overlapped at 120 px, worse in presenter mode
        self.attn_plot.getAxis("left").setTicks([[(0.0, "0"), (0.5, "0.5"), (1.0, "1")]])
        self.attn_bars = pg.BarGraphItem(x=np.arange(-OBS + 1, 1), height=np.zeros(OBS), width=0.7)
        self.attn_plot.addItem(self.attn_bars)
        self.attn_title = QLabel()
        play.addWidget(self.next_button)
        play.addWidget(self.person_label)
        play.addWidget(self.metrics_label)
        play.addWidget(self.attn_title)
        play.addWidget(self.attn_combo)
        play.addWidget(self.attn_plot)

        # export + training ---------------------------------------------------
        self.tools_box = QGroupBox()
        tlay = QFormLayout(self.tools_box)
        self.gif_button = QPushButton()
        self.gif_button.clicked.connect(self._gif_dialog)
        self.train_model_combo = QComboBox()
        for name in MODEL_ORDER[1:]:
            self.train_model_combo.addItem(name, name)
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(1, 50)
        self.epochs_spin.setValue(2)
        self.train_button = QPushButton()
        self.train_button.clicked.connect(self.start_training)
        self.train_progress = JobProgress()
        self.train_progress.cancel_requested.connect(self.cancel_training)
        self.train_label = QLabel()
        self.train_label.setWordWrap(True)
        self.train_model_label, self.epochs_label = QLabel(), QLabel()
        tlay.addRow(self.gif_button)
        tlay.addRow(self.train_model_label, self.train_model_combo)
        tlay.addRow(self.epochs_label, self.epochs_spin)
        tlay.addRow(self.train_button)
        tlay.addRow(self.train_progress)
        tlay.addRow(self.train_label)

        side = QWidget()
        slay = QVBoxLayout(side)
        slay.setSizeConstraint(QLayout.SetMinimumSize)  # scroll rather than squeeze the boxes
        for box in (self.person_box, self.model_box, self.data_box, self.tools_box):
            box.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Minimum)  # never squeezed
            slay.addWidget(box)
        slay.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(322)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)

        left = QWidget()
        llay = QVBoxLayout(left)
        llay.setContentsMargins(0, 0, 0, 0)
        llay.addWidget(self.view, 1)
        llay.addWidget(self.controls)
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
        self.data_box.setTitle(tr("Trajectories", "Data"))
        self.seed_label.setText(tr("Trajectories", "Seed"))
        self.crowd_label.setText(tr("Trajectories", "Crowd size"))
        self.generate_button.setText(tr("Trajectories", "Generate synthetic scene"))
        self.open_button.setText(tr("Trajectories", "Open ETH/UCY file or folder…"))
        self.download_button.setText(tr("Trajectories", "Download ETH/UCY (checked by SHA-256)…"))
        self.scene_label.setText(tr("Trajectories", "Scene"))
        self.split_label.setText(tr("Trajectories", "Split"))
        self.recording_label.setText(tr("Trajectories", "Recording"))
        self.model_box.setTitle(tr("Trajectories", "Models"))
        self.fan_label.setText(tr("Trajectories", "Futures in the fan"))
        self.person_box.setTitle(tr("Trajectories", "Selected pedestrian"))
        self.next_button.setText(tr("Trajectories", "Pick next pedestrian"))
        self.attn_title.setText(tr("Trajectories", "Temporal attention over the 8 observed steps"))
        self.tools_box.setTitle(tr("Trajectories", "Export and training"))
        self.gif_button.setText(tr("Trajectories", "Export animation (GIF)…"))
        self.train_model_label.setText(tr("Trajectories", "Model"))
        self.epochs_label.setText(tr("Trajectories", "Epochs"))
        self.train_button.setText(tr("Trajectories", "Train in the background"))
        self.view.setLabel("bottom", tr("Trajectories", "x (m)"))
        self.view.setLabel("left", tr("Trajectories", "y (m)"))
        self.view.scale_bar.text.setText(tr("Trajectories", "1 m"))
        self.attn_plot.setLabel("bottom", tr("Trajectories", "observed step (0 = now)"))
        for box, (name, text) in zip(self.model_checks.values(), self.model_names().items(), strict=False):
            box.setText(text)
        self.load_progress.retranslate()
        self.train_progress.retranslate()
        self.controls.retranslate()
        self._update_info()
        self._update_model_status()
        self._show_person()
        self._redraw(legend=True)

    def on_theme_changed(self) -> None:
        theme = self.ctx.theme
        self.view.apply_theme(theme, self.colours())
        self.attn_plot.setBackground(theme.bg)
        self.attn_plot.setFixedHeight(round(120 * theme.scale))  # presenter mode: room for bigger text
        for ax in ("left", "bottom"):  # else black axes stay on the dark background after a switch
            self.attn_plot.getAxis(ax).setPen(theme.fg)
            self.attn_plot.getAxis(ax).setTextPen(theme.fg)
        self.attn_bars.setOpts(brush=pg.mkBrush(theme.accent), pen=pg.mkPen(None))
        self.error_label.setStyleSheet(f"color: {theme.highlight};")
        self._redraw(legend=True)

    def colours(self) -> dict:
        """One colour-blind-safe colour per model (Okabe-Ito via the theme)."""
        t = self.ctx.theme
        return {"cv": t.categorical(0), "tf": t.categorical(1), "tf-multi": t.categorical(2),
                "star": t.categorical(3)}

    def _keep(self, attr: str, job):
        """Remember a job in ``attr`` until it finishes (then forget it: Qt deletes it)."""

        def forget(j=job, a=attr) -> None:
            if getattr(self, a, None) is j:
                setattr(self, a, None)

        job.finished.connect(forget)
        return job

    # ------------------------------------------------------------ data
    def generate_synthetic(self) -> None:
        """Simulate a crowd with the chosen seed and size (in the background)."""
        seed, n = self.seed_spin.value(), self.crowd_spin.value()
        self._cancel_load()
        self.load_progress.start(tr("Trajectories", "Simulating {n} people…").format(n=n))
        self._load_job = self._keep("_load_job", self.ctx.jobs.run_call(
            lambda: _simulate(seed, n), on_done=self._on_simulated, on_error=self._on_load_error,
            name="traj-simulate"))

    def _on_simulated(self, result) -> None:
        rec, walls = result
        self.source = "synthetic"
        self.set_recording(rec, walls, SYNTHETIC_FOLD)

    def open_path(self, path: str) -> bool:
        """File > Open dataset: an ETH/UCY folder (<scene>/{train,val,test}) or one file."""
        from tfviz.core.traj.data import TrajFormatError, find_scenes

        self._set_error("")
        if os.path.isdir(path):
            try:
                scenes = find_scenes(path)
            except TrajFormatError as exc:
                self._set_error(str(exc))
                return True
            self.dataset_root = path
            self.scene_combo.clear()
            for s in scenes:
                self.scene_combo.addItem(s, s)
            self._load_dataset_scene()
            return True
        self.file_path = path
        self._start_loading(path, None)
        return True

    def _open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, tr("Trajectories", "Open ETH/UCY file"), "",
            tr("Trajectories", "Trajectory files (*.txt);;All files (*)"))
        if path:
            self.open_path(path)

    def _download_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("Trajectories", "Download ETH/UCY into"))
        if folder:
            self.download_dataset(str(Path(folder) / "eth_ucy"))

    def download_dataset(self, dest: str, base_url: str | None = None, manifest=None) -> None:
        """Fetch the ETH/UCY files into ``dest`` in the background, then open them."""
        from tfviz.core.traj import download as dl

        url = base_url or dl.BASE_URL
        entries = manifest or dl.MANIFEST
        self._cancel_load()
        self._set_error("")
        self.load_progress.start(tr("Trajectories", "Downloading ETH/UCY…"))
        self._load_job = self._keep("_load_job", self.ctx.jobs.run_generator(
            lambda: dl.download(dest, url, entries),
            on_item=lambda p: self.load_progress.update(p.done / max(1, p.total)),
            on_done=lambda _last, d=dest: self._on_downloaded(d),
            on_error=self._on_load_error, name="traj-download"))

    def _on_downloaded(self, dest: str) -> None:
        self.load_progress.finish()
        self.ctx.notify(tr("Trajectories", "ETH/UCY downloaded to {path}").format(path=dest))
        self.open_path(dest)

    def _load_dataset_scene(self) -> None:
        if not self.dataset_root or self.scene_combo.count() == 0:
            return
        self._start_loading(self.dataset_root, (self.scene_combo.currentData(), self.split_combo.currentData()))

    def _start_loading(self, path: str, scene_split) -> None:
        from tfviz.core.traj.data import iter_load_file

        self._cancel_load()
        self.load_progress.start(tr("Trajectories", "Loading {name}…").format(name=Path(path).name))
        factory = (lambda: iter_load_file(path)) if scene_split is None else (
            lambda: _load_split(path, *scene_split))
        self._loading = (path, scene_split)
        self._load_job = self._keep("_load_job", self.ctx.jobs.run_generator(
            factory, on_item=self._on_load_item, on_done=self._on_loaded,
            on_error=self._on_load_error, name="traj-load"))

    def _on_load_item(self, item) -> None:
        from tfviz.core.traj.data import LoadProgress

        if isinstance(item, LoadProgress):
            self.load_progress.update(item.done / max(1, item.total))

    def _on_loaded(self, rec) -> None:
        if rec is None:
            return
        path, scene_split = self._loading
        if scene_split is None:
            self.source = "file"
            stem = Path(path).stem
            fold = next((f for prefix, f in RECORDING_FOLD.items() if stem.startswith(prefix)), SYNTHETIC_FOLD)
        else:
            self.source = "folder"
            fold = scene_split[0] if scene_split[0] in SCENES else SYNTHETIC_FOLD
        recs = rec if isinstance(rec, list) else [rec]
        self.split_recordings = recs
        self.recording_combo.clear()
        for r in recs:
            self.recording_combo.addItem(r.name)
        self.recording_combo.setVisible(len(recs) > 1)
        self.recording_label.setVisible(len(recs) > 1)
        self.set_recording(recs[0], None, fold)

    def _choose_recording(self, i: int) -> None:
        if 0 <= i < len(self.split_recordings) and self.split_recordings[i] is not self.recording:
            self.set_recording(self.split_recordings[i], None, self.fold)

    def _on_load_error(self, exc: BaseException) -> None:
        self.load_progress.finish()
        self._set_error(format_failure(exc))

    def _cancel_load(self) -> None:
        if _alive(self._load_job):
            self._load_job.cancel()
        self.load_progress.finish()

    def _set_error(self, text: str) -> None:
        self.error = text
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))
        if text:
            self.ctx.notify(text)

    def set_recording(self, rec, walls, fold: str) -> None:
        """Show ``rec``; predictions use the weights of the leave-one-out ``fold``."""
        from tfviz.core.traj.playback import Playback

        self.load_progress.finish()
        self._set_error("")
        self._cancel_predictions()
        self.recording, self.walls, self.fold = rec, walls, fold
        if fold != self.models_fold:
            self.models = None  # never predict this scene with another fold's weights
            self._update_model_status()
        self.playback = Playback(rec)
        self._reset_predictions()
        self.selected_id = None
        self.view.set_walls(walls)
        lo, hi = self.playback.bounds
        if walls is not None:
            lo, hi = np.minimum(lo, walls.reshape(-1, 2).min(0)), np.maximum(hi, walls.reshape(-1, 2).max(0))
        self.view.setRange(xRange=(lo[0] - 1, hi[0] + 1), yRange=(lo[1] - 1, hi[1] + 1), padding=0)
        self._update_info()
        start = min(len(self.playback) - 1, OBS - 1)
        self.controls.set_count(len(self.playback), start)
        self._ensure_models()

    def _update_info(self) -> None:
        if self.playback is None:
            self.info_label.setText(tr("Trajectories", "No scene yet."))
            return
        rec = self.recording
        kind = {"synthetic": tr("Trajectories", "synthetic (social force)"),
                "file": tr("Trajectories", "file"), "folder": tr("Trajectories", "dataset")}[self.source]
        self.info_label.setText(
            tr("Trajectories", "{kind}: {name}<br>{peds} pedestrians, {frames} frames, "
               "{short} tracks shorter than 20 steps (not scored)").format(
                kind=kind, name=rec.name, peds=rec.n_peds, frames=len(self.playback),
                short=rec.short_tracks()))

    # ------------------------------------------------------------ models
    def _ensure_models(self) -> None:
        if self.models is not None and self.models_fold == self.fold:
            self._start_predictions()
            return
        fold = self.fold
        if _alive(self._model_job):
            self._model_job.cancel()
        self._model_job = self._keep("_model_job", self.ctx.jobs.run_call(
            lambda: _load_models(fold), on_done=lambda m, f=fold: self._on_models(m, f),
            on_error=lambda exc: self._set_error(format_failure(exc)), name="traj-weights"))

    def _reset_predictions(self) -> None:
        self.predictions = {}
        self._generation += 1

    def _on_models(self, models: dict, fold: str) -> None:
        if fold != self.fold:
            return  # the scene changed again while these were loading
        models.update(self._trained)
        if fold != self.models_fold:
            self._reset_predictions()
        self.models, self.models_fold = models, fold
        self._update_model_status()
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

    def _start_predictions(self) -> None:
        self._cancel_predictions()
        if self.playback is None or self.models is None:
            return
        pb, models = self.playback, dict(self.models)
        here = self.controls.position
        done = set(self.predictions)
        window = list(range(here, min(len(pb), here + AHEAD))) + list(range(max(0, here - BEHIND), here))
        order = [i for i in window if i not in done]
        gen = self._generation
        self._pred_job = self._keep("_pred_job", self.ctx.jobs.run_generator(
            lambda: _predict(pb, models, order),
            on_item=lambda fp, g=gen: self._on_prediction(fp, g),
            on_error=lambda exc: self._set_error(format_failure(exc)), name="traj-predict"))

    def _on_prediction(self, fp, generation: int) -> None:
        if generation != self._generation:
            return  # from a scene or models that have been replaced since
        self.predictions[fp.index] = fp
        if len(self.predictions) > KEEP + KEEP // 8:  # long recordings: forget the farthest
            here = self.controls.position
            for j in sorted(self.predictions, key=lambda j: abs(j - here))[KEEP:]:
                del self.predictions[j]
        if fp.index == self.controls.position:
            self._redraw()

    def _cancel_predictions(self) -> None:
        if _alive(self._pred_job):
            self._pred_job.cancel()
        self._pred_job = None

    # ------------------------------------------------------------ drawing
    def _on_position(self, i: int) -> None:
        if self.playback is not None and self.models is not None and i not in self.predictions:
            ahead = [j for j in range(i, min(i + 3, len(self.playback))) if j in self.predictions]
            if not _alive(self._pred_job) or (not ahead and not self.controls.is_playing()):
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
        st = self.current_state()
        if st is None:
            return
        fp = self.predictions.get(st.index)
        row = self._selected_row(st)
        self.view.show_frame(st, fp, self.visible_models(), self.fan_spin.value(), row)
        if legend:
            self.view.set_legend(self.model_names())
        self._state = st
        self._show_person(st, fp, row)

    def _selected_row(self, st) -> int | None:
        if self.selected_id is None:
            return None
        rows = np.nonzero(st.ids == self.selected_id)[0]
        return int(rows[0]) if rows.size else None

    def select_pedestrian(self, ped_id: float) -> None:
        self.selected_id = float(ped_id)
        self._redraw()

    def select_next(self) -> None:
        """Pick the next person (by id) with a prediction at this frame."""
        st = self.current_state()
        if st is None or st.ids.size == 0:
            return
        ids = np.sort(st.ids[st.complete()] if st.complete().any() else st.ids)
        later = ids[ids > self.selected_id] if self.selected_id is not None else ids
        self.select_pedestrian(float(later[0] if later.size else ids[0]))

    def _show_person(self, st=None, fp=None, row=None) -> None:
        from tfviz.core.traj.playback import scores_for

        if st is None or row is None:
            self.person_label.setText(tr("Trajectories", "Click a pedestrian (or pick the next one)."))
            self.metrics_label.setText("")
            self.attn_bars.setOpts(height=np.zeros(OBS))
            return
        self.person_label.setText(tr("Trajectories", "Pedestrian {id}").format(id=f"{self.selected_id:g}"))
        if fp is None:
            self.metrics_label.setText(tr("Trajectories", "Predicting…"))
            self.attn_bars.setOpts(height=np.zeros(OBS))
            return
        scores = scores_for(st, fp, row)
        if not scores:
            self.metrics_label.setText(tr("Trajectories", "Leaves the scene before 12 steps: not scored."))
        else:
            head = tr("Trajectories", "model")
            ade, fde = tr("Trajectories", "ADE (m)"), tr("Trajectories", "FDE (m)")
            rows = "".join(f"<tr><td>{name}</td><td align='right'>{a:.2f}</td><td align='right'>{f:.2f}</td></tr>"
                           for name, (a, f) in scores.items())
            self.metrics_label.setText(
                f"<table cellspacing='4'><tr><th>{head}</th><th>{ade}</th><th>{fde}</th></tr>{rows}</table>")
        att = fp.temporal.get(self.attn_combo.currentData())
        self.attn_bars.setOpts(height=np.zeros(OBS) if att is None else att[row])

    # ------------------------------------------------------------ keys
    def export_target(self) -> QWidget:
        return self.view

    # ------------------------------------------------------------ GIF
    def _gif_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, tr("Trajectories", "Export animation"), "tfviz-trajectories.gif",
            tr("Trajectories", "GIF animation (*.gif)"))
        if path:
            try:
                out = self.export_gif(path)
            except OSError as exc:
                self._set_error(str(exc))
                return
            self.ctx.notify(tr("Trajectories", "Animation saved to {path}").format(path=out))

    def export_gif(self, path: str, n_frames: int = 60) -> str:
        """Write frames from the current one on as an animated GIF (Pillow), atomically."""
        from PIL import Image

        if self.playback is None:
            raise OSError(tr("Trajectories", "Nothing to export yet."))
        path = Path(path)
        first = self.controls.position
        last = min(len(self.playback), first + n_frames)
        images = []
        for i in range(first, last):
            self.controls.set_position(i)
            QCoreApplication.processEvents()
            img = self.view.grab().toImage().convertToFormat(QImage.Format_RGB888)
            w, h = img.width(), img.height()
            buf = bytes(img.constBits())[: img.bytesPerLine() * h]
            frame = Image.frombuffer("RGB", (w, h), buf, "raw", "RGB", img.bytesPerLine(), 1)
            images.append(frame.convert("P", palette=Image.ADAPTIVE, colors=128))
        self.controls.set_position(first)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".gif", dir=path.parent)
        os.close(fd)
        try:
            images[0].save(tmp, format="GIF", save_all=True, append_images=images[1:],
                           duration=STEP_MS, loop=0)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return str(path)

    # ------------------------------------------------------------ training
    def start_training(self) -> None:
        """Train the chosen model in the background (the opened dataset's fold, or synthetic)."""
        from tfviz.core.traj.training import TrainConfig

        if _alive(self._train_job):
            return
        kind = self.train_model_combo.currentData()
        cfg = TrainConfig(epochs=self.epochs_spin.value(), per_epoch=3000)
        root, scene = self.dataset_root, self.scene_combo.currentData()
        if root and scene:
            def factory():
                from tfviz.core.device import interactive_threads
                from tfviz.core.traj.training import train_fold

                interactive_threads()
                return train_fold(kind, root, scene, cfg)
            self._train_fold = scene
        else:
            def factory():
                from tfviz.core.device import interactive_threads
                from tfviz.core.traj.data import make_windows
                from tfviz.core.traj.synthetic import SceneConfig, simulate
                from tfviz.core.traj.training import train_windows

                interactive_threads()
                train = make_windows([simulate(SceneConfig(n_people=50, seed=1000 + s)) for s in range(2)])
                val = make_windows([simulate(SceneConfig(n_people=30, seed=2000))])
                return train_windows(kind, train, val, cfg, "synthetic")
            self._train_fold = None
        self.train_progress.start(tr("Trajectories", "Training {kind}…").format(kind=kind))
        self.train_button.setEnabled(False)
        self._train_job = self._keep("_train_job", self.ctx.jobs.run_generator(
            factory, on_item=self._on_train_item, on_done=self._on_trained,
            on_error=self._on_train_error, name="traj-train"))

    def _on_train_item(self, rec) -> None:
        from tfviz.core.traj.training import TrainStep

        if isinstance(rec, TrainStep):
            done = ((rec.epoch - 1) * rec.steps + rec.step) / max(1, rec.epochs * rec.steps)
            self.train_progress.update(done, tr("Trajectories", "epoch {e}/{n}").format(e=rec.epoch, n=rec.epochs))
            if rec.val_ade is not None:
                self.train_label.setText(tr("Trajectories", "epoch {e}: validation ADE {ade:.2f} m, FDE {fde:.2f} m").format(
                    e=rec.epoch, ade=rec.val_ade, fde=rec.val_fde))

    def _on_trained(self, rec) -> None:
        from tfviz.core.traj.models import ModelConfig, build
        from tfviz.core.traj.training import TrainDone, TrainConfig

        self.train_progress.finish()
        self.train_button.setEnabled(True)
        if not isinstance(rec, TrainDone):
            return
        d = TrainConfig().d_model
        model = build(ModelConfig(kind=rec.kind, d_model=d, d_ff=2 * d))
        model.load_state_dict(rec.state)
        model.eval()
        self._trained[rec.kind] = model
        if self.models is not None:
            self.models[rec.kind] = model
        self.train_label.setText(tr("Trajectories", "Trained {kind}: best epoch {e}, validation ADE {ade:.2f} m, FDE {fde:.2f} m").format(
            kind=rec.kind, e=rec.epoch, ade=rec.val_ade, fde=rec.val_fde))
        self._update_model_status()
        self._reset_predictions()
        self._start_predictions()

    def _on_train_error(self, exc: BaseException) -> None:
        self.train_progress.finish()
        self.train_button.setEnabled(True)
        self._set_error(format_failure(exc))

    def cancel_training(self) -> None:
        if _alive(self._train_job):
            self._train_job.cancel()
        self.train_progress.finish()
        self.train_button.setEnabled(True)
        self.train_label.setText(tr("Trajectories", "Training cancelled."))

    def is_training(self) -> bool:
        return _alive(self._train_job)

    # ------------------------------------------------------------ life cycle
    def wait_ready(self, timeout_ms: int = 60000, predictions: bool = True) -> bool:
        """Block (processing events) until the scene, weights and this frame's prediction exist."""
        clock = QElapsedTimer()
        clock.start()
        while clock.elapsed() < timeout_ms:
            QCoreApplication.processEvents()
            ready = self.playback is not None and self.models is not None
            if ready and (not predictions or self.controls.position in self.predictions):
                return True
            QThread.msleep(10)
        return False

    def prepare_shot(self) -> None:
        self.wait_ready(predictions=False)
        if self.playback is None:
            return
        self.controls.set_position(len(self.playback) // 2)
        self._start_predictions()
        self.wait_ready()
        st = self.current_state()
        if st is not None and st.ids.size:
            # show someone whose future is known and who has company (star's lines)
            here = st.obs[:, -1]
            company = (np.linalg.norm(here[:, None] - here[None], axis=-1) < 5).sum(1)
            self.select_pedestrian(float(st.ids[np.argmax(company + 100 * st.complete())]))
        self._redraw(legend=True)
        for _ in range(5):  # let the side bar's layout grow to the new texts
            QCoreApplication.processEvents()

    def shutdown(self) -> None:
        self.controls.pause()
        for job in (self._pred_job, self._load_job, self._model_job, self._train_job):
            if _alive(job):
                job.cancel()
