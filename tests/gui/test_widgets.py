from __future__ import annotations

from tfviz.gui.widgets import JobProgress, StepControls


def test_step_controls_step_scrub_and_play_to_the_end(qtbot):
    c = StepControls(base_interval_ms=5)
    qtbot.addWidget(c)
    seen = []
    c.position_changed.connect(seen.append)
    c.set_count(6)
    assert c.position == 0 and c.label.text() == "step 1 / 6"
    c.step(1)
    c.step(1)
    c.step(-1)
    assert c.position == 1
    c.go_last()
    assert c.position == 5
    c.step(1)  # clamps at the end
    assert c.position == 5
    c.go_first()
    c.toggle_play()
    assert c.is_playing()
    qtbot.waitUntil(lambda: not c.is_playing(), timeout=5000)
    assert c.position == 5
    assert seen[-1] == 5


def test_step_controls_empty(qtbot):
    c = StepControls()
    qtbot.addWidget(c)
    c.set_count(0)
    c.step(1)
    c.play()
    assert not c.is_playing() and c.label.text() == "no steps"


def test_job_progress(qtbot):
    p = JobProgress()
    qtbot.addWidget(p)
    fired = []
    p.cancel_requested.connect(lambda: fired.append(1))
    p.start("training")
    p.update(0.5, "half")
    assert p.bar.value() == 500 and p.bar.format() == "half"
    p.cancel_button.click()
    assert fired == [1]
    p.finish()
    assert p.isHidden()
