"""The trajectories panel's prediction window and cache, without Qt: what is asked, what is kept."""

from __future__ import annotations

import numpy as np
import pytest

from tfviz.core.traj.scene_cache import PredictionCache


def test_the_window_starts_here_goes_ahead_then_back():
    cache = PredictionCache(ahead=4, behind=2, keep=100)
    assert cache.wanted(here=10, count=100) == [10, 11, 12, 13, 8, 9]
    assert cache.wanted(here=0, count=3) == [0, 1, 2]  # clipped at both ends


def test_predicted_frames_are_not_asked_again_and_clear_forgets_them():
    cache = PredictionCache(ahead=4, behind=0, keep=100)
    for i in (10, 12):
        cache.add(i, f"p{i}", here=10)
    assert cache.wanted(here=10, count=100) == [11, 13]
    assert 12 in cache and cache.get(12) == "p12" and cache.get(11) is None
    cache.clear()
    assert len(cache) == 0 and cache.wanted(here=10, count=100) == [10, 11, 12, 13]


@pytest.mark.parametrize("here", [0, 37, 999])
def test_memory_is_bounded_and_keeps_the_frames_nearest_the_view(here):
    keep = 40
    cache = PredictionCache(keep=keep)
    rng = np.random.default_rng(here)
    for i in rng.permutation(1000):
        cache.add(int(i), int(i), here=here)
        assert len(cache) <= keep + keep // 8
    near = [j for j in range(1000) if abs(j - here) < keep // 2]  # fewer than `keep` frames
    assert all(j in cache for j in near)  # the frames nearest the view are never the ones dropped


def test_a_jump_starts_a_new_job_but_playback_catching_up_does_not():
    cache = PredictionCache()
    for i in range(20, 30):
        cache.add(i, i, here=20)
    assert not cache.needs_new_job(25, 100, running=True, playing=False)  # predicted already
    assert not cache.needs_new_job(19, 100, running=True, playing=False)  # 20 just ahead: coming
    assert cache.needs_new_job(60, 100, running=True, playing=False)  # a jump past the window
    assert not cache.needs_new_job(60, 100, running=True, playing=True)  # playing: let it run
    assert cache.needs_new_job(60, 100, running=False, playing=True)  # nothing running
