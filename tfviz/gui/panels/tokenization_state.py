"""State of the Tokenization panel (issue 13): tab, tokenizer, text, merge step, special tokens.

``{"panel": "tokenization", "version": 1, "tab": "encode" | "compare" | "train",
"tokenizer": "cl100k", "text": "...", "step": 6, "allow_special": false}``. ``step`` is the
position of the merge playback (0 = raw bytes); -1 means "after the last merge".

The real vocabularies load in a worker when the panel is created; a restore that comes before
them finishes (encodes, moves to the step) when they have loaded.
"""

from __future__ import annotations

TABS = ("encode", "compare", "train")


def state(panel) -> dict:
    n = panel.controls.count - 1  # positions 0..n: after p merges
    pos = panel.controls.position
    return {
        "panel": "tokenization",
        "version": 1,
        "tab": TABS[max(0, panel.tabs.currentIndex())],
        "tokenizer": panel.tok_combo.currentData() or "cl100k",
        "text": panel.editor.toPlainText(),
        "step": -1 if pos >= n else pos,
        "allow_special": panel.special.isChecked(),
    }


def restore(panel, s: dict) -> list[str]:
    warnings: list[str] = []
    if "tab" in s:
        panel.tabs.setCurrentIndex(TABS.index(s["tab"]))
    if "tokenizer" in s:
        index = panel.tok_combo.findData(s["tokenizer"])
        if index < 0:
            warnings.append(f"tokenization: no tokenizer {s['tokenizer']!r} here (train one first); using GPT-4")
            index = max(0, panel.tok_combo.findData("cl100k"))
        panel.tok_combo.setCurrentIndex(index)
    if "allow_special" in s:
        panel.special.setChecked(s["allow_special"])
    if "text" in s and s["text"] != panel.editor.toPlainText():
        panel.editor.setPlainText(s["text"])
    panel._lesson_step = s.get("step", getattr(panel, "_lesson_step", None))
    panel._lesson_chip = None
    if panel.is_ready():
        _finish(panel)
    elif not getattr(panel, "_lesson_hooked", False):
        panel._loader.idle.connect(lambda: _finish(panel))
        panel._lesson_hooked = True
    return warnings


def _finish(panel) -> None:
    """Encode now (not after the typing pause) and move the playback to the step."""
    if not panel.is_ready():
        return
    step = getattr(panel, "_lesson_step", None)
    if step is None:
        return
    panel._lesson_step = None
    panel._retype_short.cancel()
    panel._retype_long.cancel()
    panel.refresh()
    n = panel.controls.count - 1
    panel.controls.set_position(n if step < 0 else min(step, n))
    chip = getattr(panel, "_lesson_chip", None)
    if chip is not None and chip < len(panel.chip_spans):
        panel._on_chip_clicked(chip)


def show_highlight(panel, h: dict) -> None:
    """``{"token": i}``: the merge tree of the i-th token on screen."""
    if "token" in h:
        panel._lesson_chip = h["token"]
        if panel._lesson_step is None and h["token"] < len(panel.chip_spans):
            panel._on_chip_clicked(h["token"])


def settle(panel, timeout_ms: int) -> bool:
    ok = panel._loader.wait_idle(timeout_ms)
    _finish(panel)
    ok = panel._counter.wait_idle(timeout_ms) and ok
    return ok
