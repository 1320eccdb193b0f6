"""What-if scene edits and smooth motion in core (no Qt): moves, adds, removes, undo, re-prediction."""

from __future__ import annotations

import numpy as np
import pytest

from tfviz.core.traj.edits import SceneEditor, neighbourhood, predict_around
from tfviz.core.traj.motion import RateMeter, lerp_by_id, step_fraction
from tfviz.core.traj.playback import Playback, predict_state
from tfviz.core.traj.synthetic import SceneConfig, simulate


@pytest.fixture(scope="module")
def state():
    pb = Playback(simulate(SceneConfig(n_people=25, seed=2, seconds=30, spread=0)))
    return pb.state(15)


def test_move_now_translates_the_past_and_forgets_the_true_future(state):
    ed = SceneEditor(state)
    pid = state.ids[3]
    ed.begin()
    ed.move_now(pid, (1.0, 2.0))
    st = ed.state()
    moved = st.obs[3] - state.obs[3]
    assert np.allclose(moved, moved[-1]) and np.allclose(st.obs[3, -1], (1.0, 2.0))
    assert np.isnan(st.fut[3]).all() and np.isfinite(st.fut[2]).all() == np.isfinite(state.fut[2]).all()
    assert np.allclose(st.present_xy[st.present_ids == pid], (1.0, 2.0))
    assert np.array_equal(state.obs[3], state.obs[3])  # the recording's state is untouched
    assert not np.allclose(state.obs[3, -1], (1.0, 2.0))


def test_move_start_bends_the_past_but_keeps_now(state):
    ed = SceneEditor(state)
    ed.begin()
    ed.move_start(state.ids[0], (-5.0, -5.0))
    obs = ed.state().obs[0]
    assert np.allclose(obs[0], (-5.0, -5.0)) and np.allclose(obs[-1], state.obs[0, -1])


def test_add_aim_remove_and_undo_each_gesture(state):
    ed = SceneEditor(state)
    n = len(state.ids)
    ed.begin()
    new = ed.add((3.0, 3.0))
    ed.set_direction(new, (0.0, -2.0))  # the drag after the click: one gesture with the add
    st = ed.state()
    assert len(st.ids) == n + 1 and new not in state.ids and new in st.present_ids
    assert np.allclose(st.obs[-1, -1], (3.0, 3.0)) and st.obs[-1, 0, 1] > 3.0  # came from above
    ed.begin()
    ed.remove(state.ids[0])
    assert state.ids[0] not in ed.state().ids and state.ids[0] not in ed.state().present_ids
    assert ed.undo() and len(ed.state().ids) == n + 1
    assert ed.undo() and np.array_equal(ed.state().ids, state.ids)
    assert np.array_equal(ed.state().obs, state.obs) and not ed.can_undo() and not ed.undo()


def test_unknown_person_is_refused(state):
    with pytest.raises(KeyError, match="no pedestrian"):
        SceneEditor(state).move_now(-1.0, (0, 0))


def test_neighbourhood_starts_with_the_person():
    obs = np.array([[[0.0, 0.0]], [[3.0, 4.0]], [[6.0, 8.0]]])
    assert neighbourhood(obs, 1, 5.0).tolist() == [1, 0, 2]
    assert neighbourhood(obs, 0, 4.9).tolist() == [0]


def test_predict_around_equals_a_full_prediction_for_per_person_models(state):
    """Edit after edit, each re-prediction from the one before matches predicting everything."""
    models = {"cv": None}
    prev, before = predict_state(state, models), state
    ed = SceneEditor(state)
    for step in range(3):
        ed.begin()
        ed.move_now(state.ids[5], state.obs[5, -1] + 3.0 * (step + 1))
        if step == 1:
            ed.add((float(step), 0.0))  # two people changed in one go
        if step == 2:
            ed.remove(state.ids[0])
        cur = ed.state()
        prev, before = predict_around(cur, models, prev, before), cur
        assert np.allclose(prev.preds["cv"], predict_state(cur, models).preds["cv"]), step
    assert len(before.ids) == len(state.ids)


def test_predict_around_with_the_shipped_models(state):
    from tfviz.core.traj.weights import load_shipped

    models = {"cv": None}
    for kind in ("tf", "tf-multi", "star"):
        m = load_shipped(kind, "zara1")
        if m is None:
            pytest.skip("shipped weights missing")
        models[kind] = m
    before = predict_state(state, models)
    pid = state.ids[4]
    ed = SceneEditor(state)
    ed.begin()
    ed.move_now(pid, state.obs[4, -1] + np.array([0.5, 0.0]))
    after = predict_around(ed.state(), models, before, state)
    full = predict_state(ed.state(), models)
    for name in models:  # the edited person: exactly what a full prediction gives ...
        assert np.allclose(after.preds[name][4], full.preds[name][4], atol=1e-4), name
        assert not np.allclose(after.preds[name][4], before.preds[name][4]), name  # ... and moved
    assert after.samples.shape == before.samples.shape and after.spatial.shape == before.spatial.shape
    assert abs(after.spatial[4].sum() - 1.0) < 1e-4  # a softmax row over its neighbourhood
    far = np.linalg.norm(state.obs[:, -1] - state.obs[4, -1], axis=1) > 10.0
    if far.any():  # beyond star's reach nothing was recomputed
        assert np.allclose(after.preds["star"][far], before.preds["star"][far])


def test_motion_helpers():
    assert step_fraction(200, 400, 1.0) == 0.5 and step_fraction(-5, 400) == 0.0
    assert step_fraction(10, 0) == 1.0
    xy = lerp_by_id(np.array([1.0, 2.0, 3.0]), np.zeros((3, 2)), np.array([3.0, 1.0]),
                    np.array([[4.0, 0.0], [2.0, 2.0]]), 0.5)
    assert xy.tolist() == [[1.0, 1.0], [0.0, 0.0], [2.0, 0.0]]
    meter = RateMeter(window_s=0.5)
    for k in range(100):
        meter.tick(k * 0.02)  # 50 per second, the old ones forgotten
    assert abs(meter.rate() - 50.0) < 1e-6 and len(meter._times) <= 27
