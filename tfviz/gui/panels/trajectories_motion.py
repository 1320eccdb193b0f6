"""Smooth motion in the Trajectories panel: people walk between the recorded 0.4 s frames.

The panel's :class:`~tfviz.gui.widgets.StepControls` steps through the frames in real time
(0.4 s a step at 1x). While it plays, :class:`Motion` redraws the dots and tails every
``DISPLAY_MS`` at the positions between the frame shown and the next one
(:func:`~tfviz.core.traj.motion.lerp_by_id`), by the time since the step began at the chosen
speed (:func:`~tfviz.core.traj.motion.step_fraction`); :attr:`Motion.meter` counts the pictures.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer

from tfviz.core.traj.motion import RateMeter, lerp_by_id, step_fraction

DISPLAY_MS = 16  # ~60 pictures a second
STEP_MS = 400  # one recorded step is 0.4 s


class Motion(QObject):
    """The display timer, the next frame's state (computed once a step) and the rate meter."""

    def __init__(self, panel) -> None:
        super().__init__(panel)
        self.panel = panel
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.PreciseTimer)
        self.timer.setInterval(DISPLAY_MS)
        self.timer.timeout.connect(self._tick)
        self.meter = RateMeter()  # interpolated pictures per second
        self._t0 = time.monotonic()  # when the step shown began
        self._next = None  # FrameState of the frame after the one shown

    def new_step(self) -> None:
        """The panel moved to another frame (a step of playback, or a jump)."""
        self._t0, self._next = time.monotonic(), None
        self.start()

    def start(self) -> None:
        if self.panel.controls.is_playing() and not self.timer.isActive():
            self._t0 = time.monotonic()
            self.meter.reset()
            self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        panel = self.panel
        if not panel.controls.is_playing() or panel.what_if.active():
            self.timer.stop()
            return
        now = time.monotonic()
        speed = panel.controls.speed.currentData() or 1.0
        self.interpolate(step_fraction((now - self._t0) * 1000, STEP_MS, speed))
        self.meter.tick(now)

    def interpolate(self, frac: float):
        """Draw everyone ``frac`` (0..1) of the way to the next frame; (present, agents) xy."""
        panel, view = self.panel, self.panel.view
        state = view.state
        if state is None or panel.playback is None or panel.what_if.active():
            return None
        i = state.index
        if self._next is None or self._next.index != i + 1:
            self._next = panel.playback.state(i + 1) if i + 1 < len(panel.playback) else state
        nxt = self._next
        present = lerp_by_id(state.present_ids, state.present_xy, nxt.present_ids, nxt.present_xy, frac)
        agents = lerp_by_id(state.ids, state.obs[:, -1] if len(state.ids) else np.zeros((0, 2)),
                            nxt.present_ids, nxt.present_xy, frac)
        view.move_people(present, agents)
        return present, agents
