"""The encoder-decoder panel as a user drives it: type, toggle models, step, train, cancel."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from tfviz.core.seq2seq.models import shipped_path
from tfviz.gui.panels.encoder_decoder import KINDS, Panel

WAIT = 120_000  # ms: jobs share a busy 2-core machine



def test_the_shipped_weights_are_part_of_the_package():
    """No skipping when they are missing: a build without them is broken, and says which."""
    missing = [f"{t}-{k}" for k in KINDS for t in ("dates", "reverse") if not shipped_path(k, t).is_file()]
    assert not missing, f"shipped seq2seq weights missing: {missing}"


@pytest.fixture
def panel(ctx, qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("TFVIZ_DATA_DIR", str(tmp_path / "data"))
    p = Panel(ctx)
    qtbot.addWidget(p)
    p.resize(1300, 900)
    p.show()
    _wait(qtbot, p)
    yield p
    p.shutdown()


def _wait(qtbot, p):
    qtbot.waitUntil(lambda: not p.is_busy() and bool(p.results), timeout=WAIT)


def _type(qtbot, p, text):
    p.input.clear()
    if text.isascii():
        qtbot.keyClicks(p.input, text)
    else:  # QTest cannot type non-ASCII keys: paste it, as a user of an input method would
        p.input.insert(text)
    qtbot.keyClick(p.input, Qt.Key_Return)
    qtbot.waitUntil(lambda: p.decoded_text == text and not p.is_busy(), timeout=WAIT)


def test_toggle_three_models_on_one_input_and_step(panel, qtbot):
    _type(qtbot, panel, "29 November 2026")
    outputs = {}
    for kind in KINDS:
        qtbot.mouseClick(panel.model_buttons[kind], Qt.LeftButton)
        assert panel.kind == kind
        res = panel.current()
        outputs[kind] = res.output
        assert res.output in panel.result_label.text()
        n = len(res.steps)
        panel.go_first()
        assert panel.controls.position == 0 and panel.strip.current == 0
        assert panel.strip.outputs[:1] == [res.steps[0].char]
        panel.step(1)
        panel.step(1)
        assert panel.strip.current == 2
        assert "3" in panel.look_label.text()
        panel.go_last()
        assert panel.strip.current == n - 1
        if kind == "rnn":
            assert panel.vector.isVisible() and not panel.matrix.isVisible()
            assert panel.strip.weights is None
            assert np.array_equal(panel.vector.values, res.context)
        else:
            assert panel.matrix.isVisible() and not panel.vector.isVisible()
            assert panel.matrix.mat.shape == (n, len(res.columns))
            np.testing.assert_allclose(panel.strip.weights.sum(), 1.0, atol=1e-5)
    assert outputs["transformer"] == "2026-11-29"
    assert outputs["rnn-attn"] == "2026-11-29"


def test_play_and_transformer_maps(panel, qtbot):
    _type(qtbot, panel, "二〇二六年十一月二十九日")
    panel.set_model("transformer")
    panel.go_first()
    panel.toggle_play()
    qtbot.waitUntil(lambda: panel.controls.position >= 2, timeout=WAIT)
    panel.toggle_play()
    assert not panel.controls.is_playing()
    res = panel.current()
    assert res.output == "2026-11-29"
    panel.tabs.setCurrentIndex(1)
    maps = panel.maps_tab
    for i, name in enumerate(("enc_self", "dec_self", "cross")):
        maps.combo.setCurrentIndex(i)
        assert maps.grid.weights.shape[:2] == (2, 4)
        assert maps.grid.weights.shape[2:] == res.maps[name].shape[2:]
    maps.combo.setCurrentIndex(1)  # decoder self-attention: the future is drawn as masked
    maps.select_cell(1, 3)
    assert maps.matrix.title == "layer 2, head 4"
    t = res.maps["dec_self"].shape[-1]
    above = np.triu(np.ones((t, t), bool), 1)
    assert np.isneginf(maps.matrix.mat[above]).all() and np.isfinite(maps.matrix.mat[~above]).all()
    assert np.isfinite(res.maps["dec_self"]).all()  # the decode's own maps are left untouched


def test_bad_inputs(panel, qtbot):
    _type(qtbot, panel, "Nov 29, 2026 ☃")
    assert "☃" in panel.notice_label.text()
    assert panel.strip.unknown == {13}
    _type(qtbot, panel, "")
    assert "empty" in panel.notice_label.text()
    _type(qtbot, panel, "November 29, 2026" * 3)
    assert "32" in panel.notice_label.text()
    _type(qtbot, panel, "February 30, 2026")  # no such day: no reference answer
    for kind in KINDS:
        panel.set_model(kind)
        text = panel.result_label.text()
        assert "Outside what the model was trained on: not one of the task's date formats" in text
        assert "✓" not in text and panel.current().output in text  # the output is still shown


@pytest.mark.parametrize("text, expected, inside", [
    ("29 November 2026", "2026-11-29", True),
    ("1 January 1850", "1850-01-01", False),  # a real format, a year never trained
    ("next Tuesday", None, False),  # not a format of the task
    ("hello", None, False),
])
def test_dates_are_judged_by_the_reference_not_by_looking_like_a_date(panel, qtbot, text, expected, inside):
    _type(qtbot, panel, text)
    for kind in KINDS:
        panel.set_model(kind)
        out, html = panel.current().output, panel.result_label.text()
        assert ("✓ correct" in html) == (expected is not None and out == expected)
        if expected is not None and out != expected:
            assert "✗ wrong: the answer is <b>" + expected + "</b>" in html
        else:
            assert "✗" not in html
        assert ("Outside what the model was trained on" in html) == (not inside)
        if expected is None:
            assert "no reference answer" in html


def test_reverse_marks_each_wrong_character(panel, qtbot):
    from tfviz.core.seq2seq.reference import wrong_positions

    panel.task_combo.setCurrentIndex(1)
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=WAIT)
    text = "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"  # 52: longer than the trained 40
    _type(qtbot, panel, text)
    seen_wrong = False
    for kind in KINDS:
        panel.set_model(kind)
        out, html = panel.current().output, panel.result_label.text()
        wrong = [i for i in wrong_positions(text[::-1], out) if i < len(out)]
        assert html.count("text-decoration: underline") == len(wrong)
        assert "the length is outside the trained 4–40 characters" in html
        if out != text[::-1]:
            seen_wrong = True
            assert "✗ wrong: the answer is <b>" + text[::-1] + "</b>" in html
    assert seen_wrong  # at this length at least the plain RNN fails
    from tfviz.gui.i18n import set_language

    set_language("zh")
    try:
        qtbot.waitUntil(lambda: "超出模型的训练范围" in panel.result_label.text())
    finally:
        set_language("en")


def test_reverse_task_and_compare_view(panel, qtbot):
    panel.task_combo.setCurrentIndex(1)
    qtbot.waitUntil(lambda: panel.decoded_text == "attentionisallyouneed" and not panel.is_busy(), timeout=WAIT)
    for kind in ("rnn-attn", "transformer"):
        panel.set_model(kind)
        assert panel.current().output == "attentionisallyouneed"[::-1]
    panel.tabs.setCurrentIndex(2)
    curves = panel.compare_tab.plot.getPlotItem().listDataItems()
    assert len(curves) == 3
    x, y = curves[0].getData()
    assert x[0] == 4 and x[-1] == 60 and ((0 <= y) & (y <= 1)).all()
    table = panel.compare_tab.table.text()
    assert "parameters" in table and table.count("<tr>") == 4  # a header and one row per model


def test_training_plots_say_no_data_yet_before_the_first_step(panel, qtbot):
    tab = panel.train_tab
    panel.tabs.setCurrentIndex(3)
    assert [n.isVisible() and n.toPlainText() for n in tab.empty_notes] == ["No data yet"] * 2
    assert tab.loss_plot.getPlotItem().getAxis("bottom").range[1] >= tab.steps_spin.value()
    tab.steps_spin.setValue(12)
    qtbot.mouseClick(tab.train_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: bool(tab.train_log), timeout=WAIT)
    assert not any(n.isVisible() for n in tab.empty_notes)
    qtbot.waitUntil(lambda: not tab.is_training(), timeout=WAIT)
    tab.discard()


def test_train_cancel_then_keep(panel, qtbot, tmp_path):
    from tfviz.core.seq2seq.models import user_path

    panel.set_model("rnn")
    panel.tabs.setCurrentIndex(3)
    tab = panel.train_tab
    tab.steps_spin.setValue(5000)
    qtbot.mouseClick(tab.train_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: len(tab.train_log) >= 3, timeout=WAIT)
    qtbot.mouseClick(tab.progress.cancel_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not tab.is_training(), timeout=WAIT)
    assert "cancelled" in tab.status.text()
    assert not user_path("rnn", "dates").exists()
    assert not tab.keep_button.isEnabled()

    tab.steps_spin.setValue(12)
    qtbot.mouseClick(tab.train_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: tab.keep_button.isEnabled(), timeout=WAIT)
    assert tab.train_log[-1].step == 12
    x, _ = tab.loss_curve.getData()
    assert len(x) >= 2
    qtbot.mouseClick(tab.keep_button, Qt.LeftButton)
    path = user_path("rnn", "dates")
    assert path.is_file() and str(tmp_path) in str(path)
    assert panel.user_weights.isChecked()
    assert shipped_path("rnn", "dates").is_file()
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=WAIT)


def test_language_switch_retranslates(panel, qtbot):
    from tfviz.gui.i18n import set_language

    try:
        set_language("zh")
        qtbot.waitUntil(lambda: panel.tabs.tabText(0) == "解码", timeout=WAIT)
        assert panel.model_buttons["rnn"].text() == "RNN（无注意力）"
        assert "输出" in panel.result_label.text()
    finally:
        set_language("en")
    qtbot.waitUntil(lambda: panel.tabs.tabText(0) == "Decode", timeout=WAIT)


def test_a_burst_of_typing_decodes_once_and_shows_the_last_input(panel, qtbot):
    decoded = []
    panel._decoder.result.connect(lambda payload: decoded.append(payload[0]))
    for text in ("N", "No", "Nov", "Nov 2", "Nov 29, 2026"):
        panel.input.setText(text)
        panel.request_decode()  # as if Return were pressed after each key
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=WAIT)
    assert decoded[-1] == "Nov 29, 2026" and panel.decoded_text == "Nov 29, 2026"
    assert len(decoded) < 5  # older requests were dropped, not delivered late


def test_prepare_shot_waits_for_the_decode(panel, qtbot):
    panel.prepare_shot()
    assert panel.decoded_text == "二〇二六年十一月二十九日" and not panel.is_busy()
    assert panel.kind == "rnn-attn" and panel.current().output == "2026-11-29"
    assert panel.controls.position == min(6, len(panel.current().steps) - 1)


def test_training_never_stalls_the_window(panel, qtbot):
    """Issue 12: while a Transformer trains in the background (and the user types and steps),
    a 10 ms timer on the UI thread stamps each tick with the UI thread's own CPU time; what
    our code costs between two ticks must stay under 100 ms. The wall-clock gaps also include
    waiting for the CPU on a loaded machine and for the worker's GIL: a looser bound that
    still catches a freeze."""
    import time

    from PySide6.QtCore import QTimer

    panel.set_model("transformer")
    panel.tabs.setCurrentIndex(3)
    tab = panel.train_tab
    tab.steps_spin.setValue(120)
    stamps = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: stamps.append((time.perf_counter(), time.thread_time())))
    timer.start()
    qtbot.mouseClick(tab.train_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: len(tab.train_log) >= 5, timeout=WAIT)
    panel.tabs.setCurrentIndex(0)  # meanwhile the user decodes and steps
    _type(qtbot, panel, "3/14/2030")
    panel.go_first()
    panel.step(1)
    qtbot.waitUntil(lambda: tab.keep_button.isEnabled(), timeout=WAIT)
    timer.stop()
    wall = [b[0] - a[0] for a, b in zip(stamps, stamps[1:])]
    cpu = [b[1] - a[1] for a, b in zip(stamps, stamps[1:])]
    assert tab.train_log[-1].step == 120
    assert len(stamps) > 20, "the event loop hardly ran"
    assert max(cpu) < 0.1, f"the UI thread worked {max(cpu) * 1000:.0f} ms without returning to the event loop"
    assert max(wall) < 1.0, f"the event loop stalled for {max(wall) * 1000:.0f} ms"
    tab.discard()
