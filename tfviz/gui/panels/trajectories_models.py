"""The "Models" box of the Trajectories panel: which models to draw, the fan, whose weights.

At first only ``cv`` and ``tf`` are shown (one baseline beside one Transformer), so the
first picture is a comparison, not a tangle; each model has its own colour in the legend.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QGroupBox, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout

from tfviz.gui.i18n import tr
from tfviz.gui.panels.trajectories_texts import model_names
from tfviz.gui.panels.trajectories_view import MODEL_ORDER

DEFAULT_MODELS = ("cv", "tf")


class ModelBox(QGroupBox):
    """A check box per model, the number of futures in tf-multi's fan, and the weights' status.

    Emits ``changed`` when what is drawn changes.
    """

    changed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.checks = {name: QCheckBox(name) for name in MODEL_ORDER}
        lay = QVBoxLayout(self)
        for name, box in self.checks.items():
            box.setChecked(name in DEFAULT_MODELS)
            box.toggled.connect(lambda _on: self.changed.emit())
            lay.addWidget(box)
        fan_row = QHBoxLayout()
        self.fan_label = QLabel()
        self.fan_spin = QSpinBox()
        self.fan_spin.setRange(0, 20)
        self.fan_spin.setValue(5)
        self.fan_spin.valueChanged.connect(lambda _v: self.changed.emit())
        fan_row.addWidget(self.fan_label)
        fan_row.addWidget(self.fan_spin)
        lay.addLayout(fan_row)
        self.status = QLabel()
        self.status.setWordWrap(True)
        lay.addWidget(self.status)

    def retranslate(self) -> None:
        self.setTitle(tr("Trajectories", "Models"))
        self.fan_label.setText(tr("Trajectories", "Futures in the fan"))
        names = model_names()
        for name, box in self.checks.items():
            box.setText(names[name])

    def show_status(self, models: dict | None, fold: str | None, synthetic: bool, trained: dict) -> None:
        """Whose weights predict: the fold only on real ETH/UCY scenes (where it means something)."""
        if models is None:
            self.status.setText(tr("Trajectories", "Loading weights…"))
            return
        missing = [n for n in MODEL_ORDER[1:] if n not in models]
        if synthetic:
            text = tr("Trajectories", "Models trained on the real ETH/UCY crowds.")
        else:
            text = tr("Trajectories", "Weights of the fold trained without {fold}.").format(fold=fold)
        if missing:
            text += " " + tr("Trajectories", "No weights for: {names}").format(names=", ".join(missing))
        if trained:
            text += " " + tr("Trajectories", "Trained here: {names}").format(names=", ".join(trained))
        self.status.setText(text)
