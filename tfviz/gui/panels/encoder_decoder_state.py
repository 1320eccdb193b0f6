"""State of the Encoder-decoder panel (issue 13): task, model, input, decoding step, tab, map.

``{"panel": "encoder-decoder", "version": 1, "task": "dates", "model": "rnn-attn",
"text": "Nov 29, 2026", "step": 3, "tab": "decode", "map": "cross"}``. ``step`` is the
decoding step shown (0 = the first character written); -1 means the last one. ``map`` is the
Transformer map of the Maps tab (``enc_self``, ``dec_self`` or ``cross``).

Decoding runs in a worker: the step is moved to once the decode has arrived.
"""

from __future__ import annotations

from tfviz.gui.panels.encoder_decoder import KINDS, TASKS
from tfviz.gui.panels.encoder_decoder_maps import MAPS

TABS = ("decode", "maps", "compare", "train")


def state(panel) -> dict:
    n, pos = panel.controls.count, panel.controls.position
    return {
        "panel": "encoder-decoder",
        "version": 1,
        "task": panel.task_name,
        "model": panel.kind,
        "text": panel.input.text(),
        "step": -1 if n == 0 or pos >= n - 1 else pos,
        "tab": TABS[max(0, panel.tabs.currentIndex())],
        "map": panel.maps_tab.kind,
    }


def restore(panel, s: dict) -> list[str]:
    warnings: list[str] = []
    if "task" in s and s["task"] in TASKS:
        panel.set_task(s["task"])
    if "model" in s and s["model"] in KINDS:
        panel.set_model(s["model"])
    if "text" in s and s["text"] != panel.input.text():
        panel.input.setText(s["text"])
    if "tab" in s:
        if s["tab"] in TABS:
            panel.tabs.setCurrentIndex(TABS.index(s["tab"]))
        else:
            warnings.append(f"encoder-decoder: unknown tab {s['tab']!r} (known: {', '.join(TABS)})")
    if "map" in s:
        if s["map"] in MAPS:
            panel.maps_tab.combo.setCurrentIndex(MAPS.index(s["map"]))
        else:
            warnings.append(f"encoder-decoder: unknown map {s['map']!r} (known: {', '.join(MAPS)})")
    panel._lesson_step = s.get("step", -1)
    if not getattr(panel, "_lesson_hooked", False):
        panel._decoder.idle.connect(lambda: _finish(panel))
        panel._lesson_hooked = True
    if panel.decoded_text == panel.input.text() and panel.results and not panel.is_busy():
        _finish(panel)  # already decoded: move to the step now
    else:
        panel.request_decode()  # now, not after the typing pause
    return warnings


def _finish(panel) -> None:
    step = getattr(panel, "_lesson_step", None)
    if step is None or panel.decoded_text != panel.input.text():
        return
    panel._lesson_step = None
    n = panel.controls.count
    if n:
        panel.controls.set_position(n - 1 if step < 0 else min(step, n - 1))


def settle(panel, timeout_ms: int) -> bool:
    if panel._debounce.pending():
        panel.request_decode()
    ok = panel._decoder.wait_idle(timeout_ms)
    _finish(panel)
    return ok
