"""The training box of the Trajectories panel: retrain one model in the background.

Pick a model and a number of epochs; training runs through a :class:`~tfviz.gui.jobs.LatestJob`
with a progress bar, the validation ADE/FDE after each epoch, and Cancel. It trains on the
opened ETH/UCY dataset's leave-one-out fold when a dataset folder is open, otherwise on
synthetic crowds. When it ends, :attr:`TrainBox.trained` hands the panel the new model.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QPushButton, QSpinBox, QWidget

from tfviz.gui.i18n import tr
from tfviz.gui.jobs import LatestJob, format_failure
from tfviz.gui.panels.trajectories_view import MODEL_ORDER
from tfviz.gui.widgets import JobProgress

PER_EPOCH = 3000  # training windows drawn per epoch


def train_on_dataset(kind: str, root: str, scene: str, epochs: int):
    """Worker: train ``kind`` on every ETH/UCY scene but ``scene`` (TrainStep..., TrainDone)."""
    from tfviz.core.device import interactive_threads
    from tfviz.core.traj.training import TrainConfig, train_fold

    interactive_threads()
    return train_fold(kind, root, scene, TrainConfig(epochs=epochs, per_epoch=PER_EPOCH))


def train_on_synthetic(kind: str, epochs: int):
    """Worker: train ``kind`` on two simulated crowds, validate on a third."""
    from tfviz.core.device import interactive_threads
    from tfviz.core.traj.data import make_windows
    from tfviz.core.traj.synthetic import SceneConfig, simulate
    from tfviz.core.traj.training import TrainConfig, train_windows

    interactive_threads()
    train = make_windows([simulate(SceneConfig(n_people=50, seed=1000 + s)) for s in range(2)])
    val = make_windows([simulate(SceneConfig(n_people=30, seed=2000))])
    return train_windows(kind, train, val, TrainConfig(epochs=epochs, per_epoch=PER_EPOCH), "synthetic")


class TrainBox(QWidget):
    """Model, epochs, Train, progress and the last result.

    ``dataset`` is asked at start which data to train on: ``(root, scene)`` of the open
    ETH/UCY folder, or ``(None, None)`` for synthetic crowds. Emits ``trained(kind, model)``
    with the best epoch's model, and ``failed(message)`` when training fails.
    """

    trained = Signal(str, object)
    failed = Signal(str)

    def __init__(self, ctx, dataset: Callable[[], tuple[str | None, str | None]], parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._dataset = dataset
        self._slot = LatestJob(ctx.jobs, "traj-train", self)
        self._slot.item.connect(self._on_step)
        self._slot.result.connect(self._on_done)
        self._slot.failed.connect(self._on_error)
        self._build()
        self.retranslate()

    def _build(self) -> None:
        self.model_combo = QComboBox()
        for name in MODEL_ORDER[1:]:  # every learned model (cv has nothing to learn)
            self.model_combo.addItem(name, name)
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(1, 50)
        self.epochs_spin.setValue(2)
        self.train_button = QPushButton()
        self.train_button.clicked.connect(self.start)
        self.progress = JobProgress()
        self.progress.cancel_requested.connect(self.cancel)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.model_label, self.epochs_label = QLabel(), QLabel()
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.model_label, self.model_combo)
        form.addRow(self.epochs_label, self.epochs_spin)
        form.addRow(self.train_button)
        form.addRow(self.progress)
        form.addRow(self.status)

    def retranslate(self) -> None:
        self.model_label.setText(tr("Trajectories", "Model"))
        self.epochs_label.setText(tr("Trajectories", "Epochs"))
        self.train_button.setText(tr("Trajectories", "Train in the background"))
        self.progress.retranslate()

    # ------------------------------------------------------------ training
    def is_training(self) -> bool:
        return self._slot.busy()

    def start(self) -> None:
        """Train the chosen model in the background (the open dataset's fold, or synthetic)."""
        if self.is_training():
            return
        kind, epochs = self.model_combo.currentData(), self.epochs_spin.value()
        root, scene = self._dataset()
        if root and scene:
            self._slot.submit(lambda: train_on_dataset(kind, root, scene, epochs), generator=True)
        else:
            self._slot.submit(lambda: train_on_synthetic(kind, epochs), generator=True)
        self.progress.start(tr("Trajectories", "Training {kind}…").format(kind=kind))
        self.train_button.setEnabled(False)

    def cancel(self) -> None:
        """Stop at the next training step; nothing is delivered afterwards."""
        self._slot.cancel()
        self._stopped()
        self.status.setText(tr("Trajectories", "Training cancelled."))

    def shutdown(self) -> None:
        self._slot.cancel()

    def _stopped(self) -> None:
        self.progress.finish()
        self.train_button.setEnabled(True)

    def _on_step(self, rec) -> None:
        from tfviz.core.traj.training import TrainStep

        if not isinstance(rec, TrainStep):
            return
        done = ((rec.epoch - 1) * rec.steps + rec.step) / max(1, rec.epochs * rec.steps)
        self.progress.update(done, tr("Trajectories", "epoch {e}/{n}").format(e=rec.epoch, n=rec.epochs))
        if rec.val_ade is not None:
            self.status.setText(tr("Trajectories", "epoch {e}: validation ADE {ade:.2f} m, FDE {fde:.2f} m").format(
                e=rec.epoch, ade=rec.val_ade, fde=rec.val_fde))

    def _on_done(self, rec) -> None:
        from tfviz.core.traj.training import TrainDone

        self._stopped()
        if not isinstance(rec, TrainDone):
            return
        self.status.setText(tr("Trajectories", "Trained {kind}: best epoch {e}, validation ADE {ade:.2f} m, FDE {fde:.2f} m").format(
            kind=rec.kind, e=rec.epoch, ade=rec.val_ade, fde=rec.val_fde))
        self.trained.emit(rec.kind, rec.model())

    def _on_error(self, exc: BaseException) -> None:
        self._stopped()
        self.failed.emit(format_failure(exc))
