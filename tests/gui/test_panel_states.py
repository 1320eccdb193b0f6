"""Every panel's state round trip: restoring a captured state reproduces the same picture.

For each panel: open it, restore a state that differs from the defaults, wait for its work,
grab it; capture its state; restore that state into a fresh panel; grab again. The two images
must be identical, pixel for pixel, and so must the two captured states.
"""

from __future__ import annotations

import pytest
from PySide6.QtGui import QImage

from tfviz.gui.lessons.panel_states import apply, capture, settle
from tfviz.gui.panels import available_panels, panel_class

SIZE = (1100, 760)

STATES = {
    "overview": {"highlight": "dec_cross_attention", "selected": "t5",
                 "filters": ["predecessor", "encoder-decoder"]},
    "tokenization": {"tab": "encode", "tokenizer": "gpt2", "text": "Round trip: 往返。", "step": 3},
    "attention": {"text": "The cat sat.\nA dog ran far away.", "sentence": 1, "layer": 2, "head": 5,
                  "tab": "matrix", "causal": True, "mask_click": True, "masked": {"1": [2]}},
    "encoder-decoder": {"task": "reverse", "model": "rnn-attn", "text": "hello world", "step": 4,
                        "tab": "decode"},
    "trajectories": {"source": "synthetic", "seed": 3, "crowd": 30, "frame": 25, "selected": 4,
                     "models": ["cv", "tf"], "fan": 0, "attention": "tf"},
    "bert-vs-gpt": {"mode": "fill", "text": "To be, or not to be.", "position": 3},
}


def _show(qtbot, ctx, name: str):
    panel = panel_class(name)(ctx)
    qtbot.addWidget(panel)
    panel.resize(*SIZE)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def _picture(panel, qtbot) -> QImage:
    assert settle(panel), f"{panel.name} did not finish its work"
    from PySide6.QtWidgets import QApplication

    focused = QApplication.focusWidget()
    if focused is not None and (focused is panel or panel.isAncestorOf(focused)):
        focused.clearFocus()  # no blinking text cursor in either picture
    qtbot.wait(500)  # let Qt's own animations end (a line edit's clear button fades in)
    return panel.grab().toImage()


@pytest.mark.parametrize("name", [n for n in STATES if n in available_panels()])
def test_state_round_trip_gives_the_same_picture(name, ctx, qtbot):
    first = _show(qtbot, ctx, name)
    assert apply(first, {"panel": name, "version": 1, **STATES[name]}) == []
    before = _picture(first, qtbot)
    state = capture(first)
    for key, value in STATES[name].items():
        assert state[key] == value, (key, state[key], value)
    first.shutdown()

    second = _show(qtbot, ctx, name)
    assert apply(second, state) == []
    after = _picture(second, qtbot)
    assert capture(second) == state
    assert before.size() == after.size()
    differing = sum(before.pixel(x, y) != after.pixel(x, y)
                    for y in range(0, before.height(), 2) for x in range(0, before.width(), 2))
    if differing:
        import os
        import tempfile

        folder = tempfile.mkdtemp(prefix=f"tfviz-state-{name}-")
        before.save(os.path.join(folder, "before.png"))
        after.save(os.path.join(folder, "after.png"))
    assert differing == 0, f"{name}: {differing} sampled pixels differ after the round trip (images in {folder})"
    second.shutdown()


def test_bad_states_are_restored_as_far_as_possible(ctx, qtbot):
    panel = _show(qtbot, ctx, "overview")
    warnings = apply(panel, {"panel": "overview", "version": 9, "selected": "gpt2", "highlight": 5,
                             "filters": ["encoder-only", "nope"], "zoom": 3})
    text = "\n".join(warnings)
    for part in ("newer tfviz", "'highlight' must be null or a string", "'zoom'", "unknown branches"):
        assert part in text
    assert panel.tree.selected_key == "gpt2"  # decoder-only shown again to select it
    assert panel.filters["decoder-only"].isChecked() and not panel.filters["predecessor"].isChecked()
    assert apply(panel, "not a state") != []  # never raises
