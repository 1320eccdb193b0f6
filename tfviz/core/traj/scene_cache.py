"""Which frames to predict next, and the predictions kept in memory (no Qt, no torch).

The trajectories panel shows one frame at a time, but predicting a frame takes a few
milliseconds per model, so it predicts a *window* of frames in the background: ``ahead`` frames
from the one shown, then ``behind`` frames before it. Predictions are kept in a
:class:`PredictionCache`; on a long recording only the ``keep`` frames nearest the one shown
stay, so memory does not grow with the recording::

    >>> cache = PredictionCache(ahead=3, behind=1, keep=4)
    >>> cache.wanted(here=5, count=100)      # 5, 6, 7 ahead, then 4 behind
    [5, 6, 7, 4]
    >>> for i in (5, 6):
    ...     cache.add(i, f"prediction of {i}", here=5)
    >>> cache.wanted(here=5, count=100)      # what is already there is not asked again
    [7, 4]
    >>> cache.get(6)
    'prediction of 6'
"""

from __future__ import annotations

from typing import Any

AHEAD = 300  # frames predicted from the one shown on
BEHIND = 50  # frames predicted before it (stepping back)
KEEP = 800  # predictions kept (the frames nearest the one shown)
LOOKAHEAD = 3  # while playing, a job is "keeping up" if one of these next frames is predicted


class PredictionCache:
    """Frame index -> prediction, bounded to the ``keep`` frames nearest the one shown."""

    def __init__(self, ahead: int = AHEAD, behind: int = BEHIND, keep: int = KEEP) -> None:
        self.ahead, self.behind, self.keep = ahead, behind, keep
        self.frames: dict[int, Any] = {}  # frame index -> FramePrediction

    def __contains__(self, index: int) -> bool:
        return index in self.frames

    def __len__(self) -> int:
        return len(self.frames)

    def get(self, index: int) -> Any | None:
        return self.frames.get(index)

    def clear(self) -> None:
        """Forget everything (a new scene, or new models)."""
        self.frames = {}

    def wanted(self, here: int, count: int) -> list[int]:
        """Frames to predict for a view at ``here`` of ``count`` frames, in order: ahead first.

        >>> PredictionCache(ahead=2, behind=2).wanted(here=0, count=10)  # nothing before 0
        [0, 1]
        >>> PredictionCache(ahead=5, behind=1).wanted(here=8, count=10)  # nothing after 9
        [8, 9, 7]
        """
        ahead = range(here, min(count, here + self.ahead))
        behind = range(max(0, here - self.behind), here)
        return [i for i in (*ahead, *behind) if i not in self.frames]

    def add(self, index: int, prediction: Any, here: int) -> None:
        """Store one frame's prediction; past ``keep`` (plus an eighth, to prune in batches) the
        frames farthest from ``here`` are dropped.

        >>> cache = PredictionCache(keep=8)
        >>> for i in range(10):
        ...     cache.add(i, i, here=9)
        >>> sorted(cache.frames)                 # 10 > 8 + 1: keep the 8 nearest frame 9
        [2, 3, 4, 5, 6, 7, 8, 9]
        """
        self.frames[index] = prediction
        if len(self.frames) > self.keep + self.keep // 8:
            nearest = sorted(self.frames, key=lambda j: abs(j - here))
            for j in nearest[self.keep :]:
                del self.frames[j]

    def needs_new_job(self, here: int, count: int, running: bool, playing: bool) -> bool:
        """Should the view at ``here`` start predicting from ``here`` on?

        Yes when this frame is missing and nothing is running, or when a running job is not
        about to deliver it (no frame just ahead is there: a jump, not playback catching up).

        >>> cache = PredictionCache()
        >>> cache.add(11, "p", here=10)
        >>> cache.needs_new_job(10, 100, running=True, playing=False)   # 11 is there: coming
        False
        >>> cache.needs_new_job(50, 100, running=True, playing=False)   # a jump
        True
        >>> cache.needs_new_job(50, 100, running=True, playing=True)    # playing: let it catch up
        False
        >>> cache.needs_new_job(11, 100, running=False, playing=False)  # already predicted
        False
        """
        if here in self.frames:
            return False
        if not running:
            return True
        close = any(j in self.frames for j in range(here, min(here + LOOKAHEAD, count)))
        return not close and not playing
