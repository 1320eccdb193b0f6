"""What if: drag, add and remove pedestrians in the Trajectories panel, and undo.

:class:`WhatIf` keeps the edited scene (a :class:`~tfviz.core.traj.edits.SceneEditor` made
from the frame shown when the first edit starts) and re-predicts it in a
:class:`~tfviz.gui.jobs.LatestJob` (the newest edit wins), only around the edited person
(:func:`~tfviz.core.traj.edits.predict_around`). :class:`SceneMouse` turns mouse events on
the scene into selections and edits: press on a person selects them, dragging their dot
moves their whole past, dragging the square at the start of the selected person's past
bends it; with "Add pedestrian" on, a press adds someone and the drag aims them. A press
anywhere else pans the view as usual. :class:`EditBar` holds the buttons.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QPushButton, QWidget

from tfviz.gui.i18n import tr
from tfviz.gui.jobs import LatestJob

HIT_PX = 12  # how close (pixels) a press must be to a person to grab them
DRAG_PX = 4  # movement before a press becomes a drag


def repredict(st, models: dict, previous, before):
    """Worker: ``(st, prediction)`` of the edited scene ``st``, re-predicting only around what
    changed since ``before`` (predicted as ``previous``); one torch thread (see predict())."""
    from tfviz.core.device import interactive_threads
    from tfviz.core.traj.edits import predict_around

    interactive_threads()
    return st, predict_around(st, models, previous, before)


class WhatIf(QObject):
    """The edited scene of one frame, its undo stack and its predictions."""

    def __init__(self, panel) -> None:
        super().__init__(panel)
        self.panel = panel
        self.editor = None  # SceneEditor while the scene is edited
        self._prediction = None  # latest prediction of an edited scene ...
        self._before = None  # ... and that scene (FrameState)
        self._anchor = None  # where an added person stands (the drag aims them from there)
        self.job = LatestJob(panel.ctx.jobs, "traj-whatif", self)
        self.job.result.connect(self._on_result)
        self.job.failed.connect(panel._on_failure)

    def active(self) -> bool:
        return self.editor is not None

    def state(self):
        return self.editor.state()

    def prediction(self):
        """The prediction of the scene as edited now, or None while it is computed."""
        if self._prediction is None or not np.array_equal(self._before.ids, self.editor.state().ids):
            return None
        return self._prediction

    def _ensure(self) -> bool:
        panel = self.panel
        if self.editor is None:
            from tfviz.core.traj.edits import SceneEditor

            st = panel.recorded_state()
            if st is None or panel.models is None:
                return False
            panel.controls.pause()
            self.editor = SceneEditor(st)
            self._prediction, self._before = panel.cache.get(st.index), st
        return True

    # gestures ------------------------------------------------------------------
    def begin(self) -> bool:
        if not self._ensure():
            return False
        self.editor.begin()
        return True

    def move(self, kind: str, person: float, xy: np.ndarray) -> None:
        """``kind``: "now" (the dot: the whole past moves), "start" (the square: the past bends)
        or "aim" (a new person's direction)."""
        if self.editor is None:
            return
        if kind == "now":
            self.editor.move_now(person, xy)
        elif kind == "start":
            self.editor.move_start(person, xy)
        else:
            self.editor.set_direction(person, xy - self._anchor)
        self._repredict()

    def add(self, xy: np.ndarray) -> float | None:
        if not self.begin():
            return None
        self._anchor = np.asarray(xy, dtype=float)
        person = self.editor.add(xy)
        self._repredict()
        return person

    def remove(self, person: float) -> None:
        if person is None or not self.begin():
            return
        self.editor.remove(person)
        self._repredict()

    def undo(self) -> bool:
        """Back one gesture; with none left, back to the recording. False if nothing to undo."""
        if self.editor is None or not self.editor.undo():
            return False
        if not self.editor.can_undo():
            self.leave()
        else:
            self._repredict()
        return True

    def leave(self) -> None:
        """Forget the edits: the recording again."""
        self.job.cancel()
        self.editor, self._prediction, self._before = None, None, None
        self.panel.edit_changed()

    # predictions ---------------------------------------------------------------------
    def _repredict(self) -> None:
        st, models = self.editor.state(), dict(self.panel.models or {})
        prev, before = self._prediction, self._before
        self.job.submit(lambda: repredict(st, models, prev, before))
        self.panel.edit_changed()

    def _on_result(self, result) -> None:
        if self.editor is None:
            return
        self._before, self._prediction = result
        self.panel.edit_changed()


class SceneMouse(QObject):
    """Mouse events on the scene view's viewport -> selections and edits (else: pan as usual)."""

    def __init__(self, view, panel) -> None:
        super().__init__(view)
        self.view, self.panel = view, panel
        self.adding = False  # the next press adds a pedestrian
        self._press = None  # (kind, person, pixel position) of the press being handled
        self._dragging = False
        view.viewport().installEventFilter(self)

    def _hit(self, pos) -> tuple[str, float] | None:
        """What is under the pixel ``pos``: ("start", id), ("now", id), ("select", id) or None."""
        st, view = self.view.state, self.view
        if st is None:
            return None
        o = np.array(view.to_pixels((0.0, 0.0)))
        scale = np.array(view.to_pixels((1.0, 1.0))) - o  # pixels per metre (y flips)
        p = np.array([pos.x(), pos.y()])

        def nearest(xy: np.ndarray) -> tuple[int, float]:
            if not len(xy):
                return -1, np.inf
            d = np.linalg.norm(o + xy * scale - p, axis=1)
            return int(np.argmin(d)), float(d.min())

        row = view.selected_row
        if row is not None and row < len(st.ids):
            _, d = nearest(st.obs[row, :1])
            if d <= HIT_PX:
                return "start", float(st.ids[row])
        i, d = nearest(st.obs[:, -1] if len(st.ids) else np.zeros((0, 2)))
        if d <= HIT_PX:
            return "now", float(st.ids[i])
        i, d = nearest(st.present_xy)
        if d <= HIT_PX:
            return "select", float(st.present_ids[i])
        return None

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        kind = event.type()
        if kind == QEvent.MouseButtonPress and event.button() == Qt.LeftButton:
            return self._on_press(event.position())
        if kind == QEvent.MouseMove and self._press is not None:
            return self._on_move(event.position())
        if kind == QEvent.MouseButtonRelease and self._press is not None:
            self._press, self._dragging = None, False
            return True
        return False

    def _on_press(self, pos) -> bool:
        panel = self.panel
        if self.adding:
            person = panel.what_if.add(self.view.to_view(pos))
            self.set_adding(False)
            if person is None:
                return True
            panel.select_pedestrian(person)
            self._press, self._dragging = ("aim", person, pos), True
            return True
        hit = self._hit(pos)
        if hit is None:
            return False  # pyqtgraph pans
        what, person = hit
        if what != "start":
            panel.select_pedestrian(person)
        self._press, self._dragging = ((what, person, pos) if what != "select" else ("select", person, pos)), False
        return True

    def _on_move(self, pos) -> bool:
        what, person, start = self._press
        if what == "select":
            return True
        if not self._dragging:
            if abs(pos.x() - start.x()) + abs(pos.y() - start.y()) < DRAG_PX:
                return True
            if not self.panel.what_if.begin():
                self._press = None
                return True
            self._dragging = True
        self.panel.what_if.move(what, person, self.view.to_view(pos))
        return True

    def set_adding(self, on: bool) -> None:
        self.adding = on
        bar = self.panel.edit_bar
        bar.add_button.setChecked(on)
        self.view.viewport().setCursor(Qt.CrossCursor if on else Qt.ArrowCursor)


class EditBar(QWidget):
    """Show everyone | Add pedestrian | Remove | Undo | Back to the recording."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.everyone_check = QCheckBox()
        self.add_button = QPushButton()
        self.add_button.setCheckable(True)
        self.remove_button = QPushButton()
        self.undo_button = QPushButton()
        self.back_button = QPushButton()
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.everyone_check)
        lay.addStretch(1)
        for b in (self.add_button, self.remove_button, self.undo_button, self.back_button):
            b.setFocusPolicy(Qt.NoFocus)
            lay.addWidget(b)

    def retranslate(self) -> None:
        self.everyone_check.setText(tr("Trajectories", "Show everyone"))
        self.everyone_check.setToolTip(tr("Trajectories", "Draw every pedestrian's paths and predictions, not only the selected one's."))
        self.add_button.setText(tr("Trajectories", "Add pedestrian"))
        self.add_button.setToolTip(tr("Trajectories", "Click in the scene to add someone; drag to aim where they walk."))
        self.remove_button.setText(tr("Trajectories", "Remove"))
        self.remove_button.setToolTip(tr("Trajectories", "Take the selected pedestrian out of the scene."))
        self.undo_button.setText(tr("Trajectories", "Undo"))
        self.undo_button.setToolTip(tr("Trajectories", "Undo the last edit (Ctrl+Z)."))
        self.back_button.setText(tr("Trajectories", "Back to the recording"))
        self.back_button.setToolTip(tr("Trajectories", "Forget every edit and show what really happened."))

    def show_editing(self, editing: bool, can_undo: bool) -> None:
        self.undo_button.setEnabled(can_undo)
        self.back_button.setEnabled(editing)
