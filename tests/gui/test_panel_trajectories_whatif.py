"""Trajectories as a class follows it (issue 14): focus on one person, the legend, the view,
smooth motion, and what if: drag, add, remove, undo, with real mouse events on the scene."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence

from tfviz.gui.panels.trajectories import Panel

WAIT = 120_000  # ms: jobs share a busy 2-core machine


@pytest.fixture
def panel(ctx, qtbot):
    p = Panel(ctx)
    qtbot.addWidget(p)
    p.resize(1300, 850)
    p.show()
    qtbot.waitExposed(p)
    qtbot.waitUntil(lambda: p.playback is not None and p.models is not None, timeout=WAIT)
    qtbot.waitUntil(lambda: p.controls.position in p.predictions, timeout=WAIT)
    yield p
    p.shutdown()


def _px(p, xy) -> QPoint:
    x, y = p.view.to_pixels(xy)
    return QPoint(round(x), round(y))


def _row(p) -> int:
    return int(np.nonzero(p.current_state().ids == p.selected_id)[0][0])


def _drag(qtbot, p, start, end, steps: int = 6) -> None:
    """Press at ``start`` (metres), move in ``steps`` to ``end``, release: real mouse events."""
    vp = p.view.viewport()
    qtbot.mousePress(vp, Qt.LeftButton, pos=_px(p, start))
    for k in range(1, steps + 1):
        qtbot.mouseMove(vp, _px(p, np.asarray(start) + (np.asarray(end) - start) * k / steps))
    qtbot.mouseRelease(vp, Qt.LeftButton, pos=_px(p, end))


def _finite(item) -> int:
    x, _ = item.getData()
    return 0 if x is None else int(np.isfinite(x).sum())


def _wait_edit(qtbot, p):
    qtbot.waitUntil(lambda: not p.what_if.job.busy() and p.what_if.prediction() is not None, timeout=WAIT)


def test_first_open_focuses_on_one_person_with_a_legend(panel):
    labels = panel.view.legend_labels()
    assert labels == ["observed (3.2 s)", "true future (4.8 s)", "cv: constant velocity",
                      "tf: Transformer", "other pedestrians"]
    assert [n for n, b in panel.model_checks.items() if b.isChecked()] == ["cv", "tf"]
    assert panel.selected_id is not None and not panel.everyone()
    # only the selected person's paths are drawn; the others are faded dots with short tails
    assert _finite(panel.view.observed) == 8 and _finite(panel.view.models["tf"]) == 13
    n = len(panel.current_state().ids)
    assert _finite(panel.view.tails) == 4 * (n - 1)
    assert not panel.view.models["star"].isVisible() and not panel.view.fan.isVisible()
    # Show everyone: one click
    panel.edit_bar.everyone_check.click()
    assert _finite(panel.view.observed) == 8 * n and _finite(panel.view.models["tf"]) == 13 * n
    assert "other pedestrians" not in panel.view.legend_labels()


def test_star_links_have_their_own_colour_and_legend_row(panel):
    panel.model_checks["star"].click()
    labels = panel.view.legend_labels()
    assert "star: social Transformer" in labels and "star: attention to neighbours" in labels
    assert panel.view.attention_shown() > 0
    line = panel.view.attention[0]
    assert line.opts["pen"].style() == Qt.DashDotLine
    assert line.opts["pen"].color().rgb() != panel.view.models["star"].opts["pen"].color().rgb()
    colours = {panel.view.models[n].opts["pen"].color().rgb() for n in panel.view.models}
    assert len(colours) == 4  # every model its own colour


def test_click_a_pedestrian_focuses_on_them(panel, qtbot):
    st = panel.current_state()
    other = next(i for i in range(len(st.ids)) if st.ids[i] != panel.selected_id)
    qtbot.mouseClick(panel.view.viewport(), Qt.LeftButton, pos=_px(panel, st.obs[other, -1]))
    assert panel.selected_id == st.ids[other]
    x, y = panel.view.observed.getData()
    assert np.allclose(np.stack([x, y], 1)[:8], st.obs[other])  # their past, bold
    assert not panel.what_if.active()  # a click is no edit


def test_the_view_contains_every_drawn_path_and_home_resets(panel, qtbot):
    def inside():
        (x0, x1), (y0, y1) = panel.view.getPlotItem().getViewBox().viewRange()
        lo, hi = panel.view.drawn_bounds()
        return x0 <= lo[0] and hi[0] <= x1 and y0 <= lo[1] and hi[1] <= y1

    assert inside()
    panel.edit_bar.everyone_check.click()
    panel.model_checks["tf-multi"].click()
    assert inside()
    for _ in range(10):
        panel.step(3)
        assert inside()
    vb = panel.view.getPlotItem().getViewBox()
    qtbot.mousePress(panel.view.viewport(), Qt.LeftButton, pos=QPoint(20, 20))  # pan: empty corner?
    vb.scaleBy((3, 3))  # zoom out as the wheel does ...
    vb.sigRangeChangedManually.emit(vb.state["mouseEnabled"])  # ... which marks it the user's
    qtbot.mouseRelease(panel.view.viewport(), Qt.LeftButton, pos=QPoint(20, 20))
    assert not panel.view.auto_view
    wide = vb.viewRange()[0][1] - vb.viewRange()[0][0]
    panel.go_first()  # Home
    assert panel.view.auto_view and inside()
    assert vb.viewRange()[0][1] - vb.viewRange()[0][0] < wide


def test_positions_between_frames_are_interpolated(panel, qtbot):
    i = panel.controls.position
    st, nxt = panel.playback.state(i), panel.playback.state(i + 1)
    present, _agents = panel.motion.interpolate(0.5)
    pid = next(p for p in st.present_ids if p in nxt.present_ids)
    a = st.present_xy[st.present_ids == pid][0]
    b = nxt.present_xy[nxt.present_ids == pid][0]
    assert np.allclose(present[st.present_ids == pid][0], (a + b) / 2)
    dots = panel.view.people.data
    drawn = {float(d["data"]): (d["x"], d["y"]) for d in dots}
    if pid != panel.selected_id:
        assert np.allclose(drawn[float(pid)], (a + b) / 2)
    # while playing, the timer draws pictures between the frames
    panel.toggle_play()
    qtbot.waitUntil(lambda: len(panel.motion.meter._times) > 10, timeout=WAIT)
    panel.toggle_play()
    assert panel.motion.meter.rate() > 0


def test_drag_a_pedestrian_and_every_model_predicts_again_then_undo(panel, qtbot):
    for name in ("tf-multi", "star"):
        panel.model_checks[name].click()
    row, st = _row(panel), panel.current_state()
    before = {k: v[row].copy() for k, v in panel.predictions[st.index].preds.items()}
    here = st.obs[row, -1]
    _drag(qtbot, panel, here, here + np.array([1.5, -1.0]))
    assert panel.what_if.active() and not panel.controls.is_playing()
    _wait_edit(qtbot, panel)
    moved = panel.current_state()
    assert np.allclose(moved.obs[row, -1], here + np.array([1.5, -1.0]), atol=0.1)
    after = panel.what_if.prediction().preds
    for name, pred in before.items():  # every model's prediction changed
        assert not np.allclose(after[name][row], pred), name
    x, y = panel.view.models["tf"].getData()
    assert np.allclose((x[0], y[0]), moved.obs[row, -1])  # the drawing follows
    assert panel.view.attention_shown() > 0  # star's links, from the new place
    # the start of the observed past: a second gesture bends it
    start = moved.obs[row, 0]
    _drag(qtbot, panel, start, start + np.array([0.0, 2.0]))
    _wait_edit(qtbot, panel)
    assert np.allclose(panel.current_state().obs[row, 0], start + np.array([0.0, 2.0]), atol=0.1)
    assert np.allclose(panel.current_state().obs[row, -1], moved.obs[row, -1])
    # Ctrl+Z twice: the recording again
    qtbot.keyClick(panel.view, Qt.Key_Z, Qt.ControlModifier)
    assert np.allclose(panel.current_state().obs[row, 0], start)
    qtbot.keyClick(panel.view, Qt.Key_Z, Qt.ControlModifier)
    assert not panel.what_if.active()
    assert np.array_equal(panel.current_state().obs, st.obs)
    x, y = panel.view.models["tf"].getData()
    assert np.allclose((x[1], y[1]), before["tf"][0])


def test_add_a_pedestrian_aim_them_and_remove_one(panel, qtbot):
    st = panel.current_state()
    n = len(st.ids)
    vb = panel.view.getPlotItem().getViewBox()
    (x0, x1), (y0, y1) = vb.viewRange()
    spot = np.array([x0 + 0.3 * (x1 - x0), y0 + 0.3 * (y1 - y0)])
    qtbot.mouseClick(panel.edit_bar.add_button, Qt.LeftButton)
    assert panel.mouse.adding
    _drag(qtbot, panel, spot, spot + np.array([0.0, 2.0]))  # click, then aim upwards
    assert not panel.mouse.adding
    _wait_edit(qtbot, panel)
    now = panel.current_state()
    assert len(now.ids) == n + 1 and panel.selected_id == now.ids[-1]
    past = now.obs[-1]
    assert np.allclose(past[-1], spot, atol=0.1) and past[0, 1] < past[-1, 1]  # walks up
    assert panel.what_if.prediction().preds["tf"].shape[0] == n + 1
    qtbot.mouseClick(panel.edit_bar.remove_button, Qt.LeftButton)
    _wait_edit(qtbot, panel)
    assert len(panel.current_state().ids) == n and panel.selected_id is None
    panel.undo()
    assert len(panel.current_state().ids) == n + 1
    qtbot.mouseClick(panel.edit_bar.back_button, Qt.LeftButton)
    assert not panel.what_if.active() and len(panel.current_state().ids) == n


def test_stepping_leaves_the_edited_scene(panel, qtbot):
    row, st = _row(panel), panel.current_state()
    _drag(qtbot, panel, st.obs[row, -1], st.obs[row, -1] + 1.0)
    assert panel.what_if.active()
    panel.step(1)
    assert not panel.what_if.active()


def test_plain_words_for_the_metrics_and_no_fold_on_a_synthetic_scene(panel):
    tip = panel.person_box.metrics_label.toolTip()
    assert "ADE" in tip and "FDE" in tip and "20 guesses" in tip
    assert "best of 20" in panel.person_box.metrics_label.text()
    assert "fold" not in panel.model_box.status.text()
    guide = Panel.guide_html()
    assert "average distance" in guide and "Best of 20" in guide and "Ctrl+Z" in guide


def test_chinese_legend_and_bar(panel, qtbot):
    from tfviz.gui.i18n import set_language

    set_language("zh")
    try:
        qtbot.waitUntil(lambda: panel.edit_bar.everyone_check.text() == "显示所有人", timeout=5000)
        assert "其他行人" in panel.view.legend_labels()
    finally:
        set_language("en")


def test_state_round_trip_keeps_focus_and_models(panel):
    from tfviz.gui.panels import trajectories_state as adapter

    s = adapter.state(panel)
    assert s["focus"] is True and s["models"] == ["cv", "tf"]
    adapter.restore(panel, dict(s, focus=False, models=["star"]))
    assert panel.everyone() and [n for n, b in panel.model_checks.items() if b.isChecked()] == ["star"]
    assert adapter.state(panel)["focus"] is False
