"""Smooth motion between the recorded frames (no Qt, no torch).

The data has one position per person every 0.4 s; a screen refreshes every ~16 ms. To make
people walk instead of jumping, the view draws each person a fraction ``frac`` of the way
from where they are at frame ``i`` to where they are at frame ``i + 1``::

    >>> ids_a, xy_a = np.array([1.0, 2.0]), np.array([[0.0, 0.0], [5.0, 5.0]])
    >>> ids_b, xy_b = np.array([2.0, 1.0]), np.array([[5.0, 6.0], [1.0, 0.0]])
    >>> lerp_by_id(ids_a, xy_a, ids_b, xy_b, 0.25).tolist()   # matched by id, not by row
    [[0.25, 0.0], [5.0, 5.25]]

How far into the step we are comes from the time since the step began, at the playback
speed: at 1x a step lasts 0.4 s of real time, at 2x 0.2 s::

    >>> step_fraction(elapsed_ms=100, step_ms=400, speed=1.0)
    0.25
    >>> step_fraction(elapsed_ms=100, step_ms=400, speed=2.0)
    0.5
    >>> step_fraction(elapsed_ms=900, step_ms=400, speed=1.0)  # late: stay at the next frame
    1.0

:class:`RateMeter` counts how many interpolated pictures were drawn per second.
"""

from __future__ import annotations

from collections import deque

import numpy as np


def step_fraction(elapsed_ms: float, step_ms: float, speed: float = 1.0) -> float:
    """How far (0..1) into a step of ``step_ms`` at 1x we are after ``elapsed_ms`` at ``speed``."""
    if step_ms <= 0 or speed <= 0:
        return 1.0
    return float(min(1.0, max(0.0, elapsed_ms * speed / step_ms)))


def lerp_by_id(ids_a: np.ndarray, xy_a: np.ndarray, ids_b: np.ndarray, xy_b: np.ndarray,
               frac: float) -> np.ndarray:
    """(N, 2) positions of the people of ``a`` moved ``frac`` of the way to their place in ``b``.

    People missing from ``b`` (they leave the scene) stay where they are in ``a``.

    >>> lerp_by_id(np.array([7.0]), np.array([[1.0, 1.0]]), np.zeros(0), np.zeros((0, 2)), 0.5)
    array([[1., 1.]])
    """
    out = np.array(xy_a, dtype=float, copy=True)  # (N, 2)
    if frac <= 0 or len(ids_a) == 0 or len(ids_b) == 0:
        return out
    order = np.argsort(ids_b)
    pos = np.searchsorted(ids_b[order], ids_a)  # (N,) where each id of a would sit in b
    pos = np.minimum(pos, len(ids_b) - 1)
    found = ids_b[order][pos] == ids_a  # (N,) also in b
    target = xy_b[order][pos]  # (N, 2)
    out[found] += frac * (target[found] - out[found])
    return out


class RateMeter:
    """Pictures per second over the last ``window_s`` seconds of ``tick(t)`` calls.

    >>> meter = RateMeter(window_s=1.0)
    >>> for k in range(61):
    ...     meter.tick(k / 60)            # one picture every 1/60 s
    >>> round(meter.rate(), 1)
    60.0
    >>> RateMeter().rate()                # nothing drawn yet
    0.0
    """

    def __init__(self, window_s: float = 2.0) -> None:
        self.window_s = window_s
        self._times: deque[float] = deque()

    def tick(self, t: float) -> None:
        """One picture drawn at time ``t`` (seconds, monotonic)."""
        self._times.append(t)
        while self._times and self._times[0] < t - self.window_s:
            self._times.popleft()

    def reset(self) -> None:
        self._times.clear()

    def rate(self) -> float:
        if len(self._times) < 2:
            return 0.0
        span = self._times[-1] - self._times[0]
        return (len(self._times) - 1) / span if span > 0 else 0.0
