"""The "Data" box of the Trajectories panel: where the pedestrians come from.

A synthetic crowd (social-force model, a seed and a size), one ETH/UCY file, an ETH/UCY folder
(``<scene>/{train,val,test}/*.txt``: pick a scene and a split), or the ETH/UCY files downloaded
from the pinned public copy (checked by SHA-256; Cancel stops it within a second). Every job
runs in one :class:`~tfviz.gui.jobs.LatestJob` slot: a newer request replaces an older one.
When a recording is ready, :attr:`DataBox.recording_ready` hands it to the panel with the
leave-one-out fold whose weights may predict it.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QFormLayout, QGroupBox, QLabel, QPushButton, QSpinBox

from tfviz.core.traj.data import SCENES
from tfviz.gui.i18n import tr
from tfviz.gui.jobs import LatestJob, format_failure
from tfviz.gui.widgets import JobProgress

SYNTHETIC_FOLD = "zara1"  # whose weights predict synthetic scenes (trained without zara1)
# A known ETH/UCY recording is predicted with the fold that never saw it.
RECORDING_FOLD = {"biwi_eth": "eth", "biwi_hotel": "hotel", "students00": "univ",
                  "crowds_zara01": "zara1", "crowds_zara02": "zara2"}


def simulate_scene(seed: int, n_people: int):
    """Worker: a simulated crowd and the walls of its scene."""
    from tfviz.core.traj.synthetic import SceneConfig, scene_walls, simulate

    return simulate(SceneConfig(n_people=n_people, seed=seed)), scene_walls()


def load_split(root: str, scene: str, split: str):
    """Worker: the files of one split, with progress; yields LoadProgress, then the Recordings."""
    from tfviz.core.traj.data import Recording, iter_load_file, scene_files

    recordings = []
    for path in scene_files(root, scene, split):
        for item in iter_load_file(path):
            if isinstance(item, Recording):
                recordings.append(item)
            else:
                yield item
    yield recordings  # univ's test split has two recordings


def fold_of_file(path: str) -> str:
    """The fold whose weights never saw the recording in ``path`` (by its file name).

    >>> fold_of_file("/data/biwi_hotel.txt"), fold_of_file("mine.txt")
    ('hotel', 'zara1')
    """
    stem = Path(path).stem
    return next((fold for prefix, fold in RECORDING_FOLD.items() if stem.startswith(prefix)), SYNTHETIC_FOLD)


class DataBox(QGroupBox):
    """Seed, crowd size, Generate, Open, Download, scene / split / recording, info, errors.

    Emits ``recording_ready(recording, walls or None, fold)`` and ``failed(message)``.
    """

    recording_ready = Signal(object, object, str)
    failed = Signal(str)

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.source = "synthetic"  # synthetic | file | folder: what is shown
        self.dataset_root: str | None = None
        self.recordings: list = []  # of the split (or file) last loaded
        self._shown = None  # the recording handed to the panel last
        self._fold = SYNTHETIC_FOLD
        self._request: tuple = ()  # what the slot's newest job is: ("simulate",), ("file", path), ...
        self._slot = LatestJob(ctx.jobs, "traj-data", self)
        self._slot.item.connect(self._on_item)
        self._slot.result.connect(self._on_result)
        self._slot.failed.connect(self._on_error)
        self._build()

    def _build(self) -> None:
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
        for split in ("test", "train", "val"):
            self.split_combo.addItem(split, split)
        self.scene_combo.activated.connect(lambda _i: self.load_scene())
        self.split_combo.activated.connect(lambda _i: self.load_scene())
        self.recording_combo = QComboBox()
        self.recording_combo.activated.connect(self._choose_recording)
        self.info_label = QLabel()
        self.info_label.setWordWrap(True)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.progress = JobProgress()
        self.progress.cancel_requested.connect(self.cancel)
        self.seed_label, self.crowd_label = QLabel(), QLabel()
        self.scene_label, self.split_label, self.recording_label = QLabel(), QLabel(), QLabel()
        form = QFormLayout(self)
        form.addRow(self.seed_label, self.seed_spin)
        form.addRow(self.crowd_label, self.crowd_spin)
        form.addRow(self.generate_button)
        form.addRow(self.open_button)
        form.addRow(self.download_button)
        form.addRow(self.scene_label, self.scene_combo)
        form.addRow(self.split_label, self.split_combo)
        form.addRow(self.recording_label, self.recording_combo)
        self.recording_label.hide()
        self.recording_combo.hide()
        form.addRow(self.info_label)
        form.addRow(self.error_label)
        form.addRow(self.progress)

    def retranslate(self) -> None:
        self.setTitle(tr("Trajectories", "Data"))
        self.seed_label.setText(tr("Trajectories", "Seed"))
        self.crowd_label.setText(tr("Trajectories", "Crowd size"))
        self.generate_button.setText(tr("Trajectories", "Generate synthetic scene"))
        self.open_button.setText(tr("Trajectories", "Open ETH/UCY file or folder…"))
        self.download_button.setText(tr("Trajectories", "Download ETH/UCY (checked by SHA-256)…"))
        self.scene_label.setText(tr("Trajectories", "Scene"))
        self.split_label.setText(tr("Trajectories", "Split"))
        self.recording_label.setText(tr("Trajectories", "Recording"))
        self.progress.retranslate()

    def set_theme(self, theme) -> None:
        self.error_label.setStyleSheet(f"color: {theme.highlight};")

    # ------------------------------------------------------------ messages
    def set_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    def show_info(self, recording, n_frames: int) -> None:
        """What is shown: its kind, name, size and how many tracks are too short to score."""
        if recording is None:
            self.info_label.setText(tr("Trajectories", "No scene yet."))
            return
        kind = {"synthetic": tr("Trajectories", "synthetic (social force)"),
                "file": tr("Trajectories", "file"), "folder": tr("Trajectories", "dataset")}[self.source]
        self.info_label.setText(
            tr("Trajectories", "{kind}: {name}<br>{peds} pedestrians, {frames} frames, "
               "{short} tracks shorter than 20 steps (not scored)").format(
                kind=kind, name=recording.name, peds=recording.n_peds, frames=n_frames,
                short=recording.short_tracks()))

    # ------------------------------------------------------------ requests
    def _submit(self, request: tuple, factory, generator: bool, message: str) -> None:
        self.set_error("")
        self._request = request
        self.progress.start(message)
        self._slot.submit(factory, generator=generator)

    def generate_synthetic(self) -> None:
        """Simulate a crowd with the chosen seed and size (in the background)."""
        seed, n = self.seed_spin.value(), self.crowd_spin.value()
        self._submit(("simulate",), lambda: simulate_scene(seed, n), False,
                     tr("Trajectories", "Simulating {n} people…").format(n=n))

    def open_path(self, path: str) -> None:
        """An ETH/UCY folder (<scene>/{train,val,test}) or one file."""
        from tfviz.core.traj.data import TrajFormatError, find_scenes, iter_load_file

        self.set_error("")
        if not os.path.isdir(path):
            self._submit(("file", path), lambda: iter_load_file(path), True,
                         tr("Trajectories", "Loading {name}…").format(name=Path(path).name))
            return
        try:
            scenes = find_scenes(path)
        except TrajFormatError as exc:
            self._report(str(exc))
            return
        self.dataset_root = path
        self.scene_combo.clear()
        for scene in scenes:
            self.scene_combo.addItem(scene, scene)
        self.load_scene()

    def load_scene(self) -> None:
        """Load the chosen scene and split of the open dataset folder."""
        if not self.dataset_root or self.scene_combo.count() == 0:
            return
        root, scene, split = self.dataset_root, self.scene_combo.currentData(), self.split_combo.currentData()
        self._submit(("split", root, scene, split), lambda: load_split(root, scene, split), True,
                     tr("Trajectories", "Loading {name}…").format(name=Path(root).name))

    def download(self, dest: str, base_url: str | None = None, manifest=None) -> None:
        """Fetch the ETH/UCY files into ``dest`` in the background, then open them."""
        from tfviz.core.traj import download as dl

        url, entries = base_url or dl.BASE_URL, manifest or dl.MANIFEST
        self._submit(("download", dest), lambda: dl.download(dest, url, entries), True,
                     tr("Trajectories", "Downloading ETH/UCY…"))

    def cancel(self) -> None:
        """Stop the running job (a download stops within a second; nothing half-written stays)."""
        self._slot.cancel()
        self.progress.finish()

    def busy(self) -> bool:
        return self._slot.busy()

    def wait_idle(self, timeout_ms: int) -> bool:
        return self._slot.wait_idle(timeout_ms)

    # ------------------------------------------------------------ results
    def _on_item(self, item) -> None:
        done, total = getattr(item, "done", None), getattr(item, "total", None)
        if done is not None and total:  # LoadProgress or DownloadProgress
            self.progress.update(done / total)

    def _on_result(self, result) -> None:
        self.progress.finish()
        kind = self._request[0]
        if kind == "simulate":
            recording, walls = result
            self.source = "synthetic"
            self._show([recording], walls, SYNTHETIC_FOLD)
        elif kind == "download":
            dest = self._request[1]
            self.ctx.notify(tr("Trajectories", "ETH/UCY downloaded to {path}").format(path=dest))
            self.open_path(dest)
        elif result is not None:  # "file" or "split"
            if kind == "file":
                self.source, fold = "file", fold_of_file(self._request[1])
            else:
                scene = self._request[2]
                self.source, fold = "folder", scene if scene in SCENES else SYNTHETIC_FOLD
            self._show(result if isinstance(result, list) else [result], None, fold)

    def _show(self, recordings: list, walls, fold: str) -> None:
        self.recordings, self._fold = recordings, fold
        self.recording_combo.clear()
        for recording in recordings:
            self.recording_combo.addItem(recording.name)
        several = len(recordings) > 1
        self.recording_combo.setVisible(several)
        self.recording_label.setVisible(several)
        self._shown = recordings[0]
        self.recording_ready.emit(recordings[0], walls, fold)

    def _choose_recording(self, i: int) -> None:
        if 0 <= i < len(self.recordings) and self.recordings[i] is not self._shown:
            self._shown = self.recordings[i]
            self.recording_ready.emit(self._shown, None, self._fold)

    def _on_error(self, exc: BaseException) -> None:
        self.progress.finish()
        self._report(format_failure(exc))

    def _report(self, text: str) -> None:
        self.set_error(text)
        self.failed.emit(text)

    # ------------------------------------------------------------ dialogs
    def _open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, tr("Trajectories", "Open ETH/UCY file"), "",
            tr("Trajectories", "Trajectory files (*.txt);;All files (*)"))
        if path:
            self.open_path(path)

    def _download_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("Trajectories", "Download ETH/UCY into"))
        if folder:
            self.download(str(Path(folder) / "eth_ucy"))
