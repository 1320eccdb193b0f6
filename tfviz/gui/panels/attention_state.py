"""State of the Attention panel (issue 13): model, text, sentence, layer, head, tab, masks.

``{"panel": "attention", "version": 1, "model": "minilm", "text": "...", "sentence": 0,
"layer": 3, "head": 1, "tab": "matrix", "padding": true, "causal": false, "mask_click": false,
"masked": {"0": [2]}, "colormap": "viridis", "words": ["king", "queen"]}``

Loading the model and analysing the text run in workers, so a restore sets what it can at once
and finishes the rest (embedding words, highlight) when the model has loaded.
"""

from __future__ import annotations

from pathlib import Path

from tfviz.gui.panels.attention_tabs import TABS

#: Tab names of the state contract that differ from the tab's internal name.
TAB_ALIASES = {"self-vs-cross": "explain"}


def state(panel) -> dict:
    tab = panel.tabs.current()
    return {
        "panel": "attention",
        "version": 1,
        "model": panel.model_spec,
        "text": panel.text_edit.toPlainText(),
        "sentence": panel.sent,
        "layer": panel.layer,
        "head": panel.head,
        "tab": next((k for k, v in TAB_ALIASES.items() if v == tab), tab),
        "padding": panel.pad_check.isChecked(),
        "causal": panel.causal_check.isChecked(),
        "mask_click": panel.mask_mode.isChecked(),
        "masked": {str(b): sorted(p) for b, p in panel.masked_tokens.items() if p},
        "colormap": panel.cmap_combo.currentText(),
        "words": [w for w, _vec in panel.embeddings.added],
    }


def _set_checked(box, on: bool) -> None:
    if box.isChecked() != on:
        box.setChecked(on)


def restore(panel, s: dict) -> list[str]:
    warnings: list[str] = []
    spec = s.get("model", panel.model_spec)
    if spec != "minilm" and not Path(spec).is_dir():
        warnings.append(f"attention: the model folder {spec} is not on this computer; using MiniLM")
        spec = "minilm"
    if spec != panel.model_spec or (panel.bert is None and not panel.is_loading()):
        panel.load(spec)
    if "text" in s and s["text"] != panel.text_edit.toPlainText():
        panel.text_edit.setPlainText(s["text"])  # clears the masked tokens: set below
    if "padding" in s:
        _set_checked(panel.pad_check, s["padding"])
    if "causal" in s:
        _set_checked(panel.causal_check, s["causal"])
    if "mask_click" in s:
        _set_checked(panel.mask_mode, s["mask_click"])
    # loading a model clears the masked tokens: they are set in _finish, once it has loaded
    panel._lesson_masked = {int(b): set(p) for b, p in s["masked"].items()} if "masked" in s else None
    if "colormap" in s:
        if panel.cmap_combo.findText(s["colormap"]) >= 0:
            panel.cmap_combo.setCurrentText(s["colormap"])
        else:
            warnings.append(f"attention: unknown colour map {s['colormap']!r}")
    if "tab" in s:
        tab = TAB_ALIASES.get(s["tab"], s["tab"])
        if tab in TABS:
            panel.tabs.show_tab(tab)
        else:
            warnings.append(f"attention: unknown tab {s['tab']!r} (known: {', '.join(TABS)})")
    layer, head = s.get("layer", panel.layer), s.get("head", panel.head)
    if panel.bert is not None:
        cfg = panel.bert.config
        if not (0 <= layer < cfg.num_layers and 0 <= head < cfg.num_heads):
            warnings.append(f"attention: layer {layer}, head {head} is outside this model "
                            f"({cfg.num_layers} layers × {cfg.num_heads} heads); clamped")
        panel.select(layer, head)
    else:  # clamped by the panel when the model has loaded
        panel.layer, panel.head = max(0, layer), max(0, head)
        for slider, v in ((panel.layer_slider, panel.layer), (panel.head_slider, panel.head)):
            slider.blockSignals(True)
            slider.setValue(v)
            slider.blockSignals(False)
    if "sentence" in s:
        panel.sent = max(0, s["sentence"])
        if 0 <= panel.sent < panel.sent_combo.count():
            panel.sent_combo.setCurrentIndex(panel.sent)
    panel._lesson_words = list(s["words"]) if "words" in s else None
    panel._lesson_highlight = None
    if panel.bert is not None and not panel.is_loading():
        _finish(panel)
    if not getattr(panel, "_lesson_hooked", False):
        panel._loader.idle.connect(lambda: _finish(panel))
        panel._analyser.idle.connect(lambda: _finish(panel))
        panel._lesson_hooked = True
    panel.refresh()
    return warnings


def _finish(panel) -> None:
    """What needs the loaded model: the embedding tab's words."""
    masked = getattr(panel, "_lesson_masked", None)
    if masked is not None and panel.bert is not None and not panel.is_loading():
        panel._lesson_masked = None
        panel.masked_tokens.clear()
        panel.masked_tokens.update(masked)
        panel.request_analysis()
    _apply_highlight(panel)
    words = getattr(panel, "_lesson_words", None)
    if words is None or panel.bert is None or panel.analysis is None:
        return  # words are placed among the sentence's tokens: wait for the analysis
    panel._lesson_words = None
    emb = panel.embeddings
    if emb.token_vecs.size == 0:  # the tab has not shown this analysis yet
        emb.set_analysis(panel.analysis, panel.sent)
        panel.tabs._embeddings_of = (id(panel.analysis), panel.sent)
    if [w for w, _ in emb.added] == words:
        return
    emb.clear_words()
    for w in words:
        emb.word_edit.setText(w)
        emb.add_word()
    emb.word_edit.clear()


def show_highlight(panel, h: dict) -> None:
    """A lesson's highlight: a query row and key column, a token, or a head (kept until shown)."""
    panel._lesson_highlight = dict(h)
    _apply_highlight(panel)


def _apply_highlight(panel) -> None:
    h = getattr(panel, "_lesson_highlight", None) or {}
    if "cell" in h:
        q, k = h["cell"]
        panel.matrix.hover = (q, k)
        panel.matrix.set_selected_row(q)
        panel.computation.set_row(q)
    elif "token" in h:
        panel.matrix.set_selected_row(h["token"])
        panel.computation.set_row(h["token"])
    elif "head" in h:
        layer, head = h["head"]
        if panel.bert is not None:
            panel.select(layer, head)


def settle(panel, timeout_ms: int) -> bool:
    """Block until the model is loaded and the text analysed (shots and tests)."""
    ok = panel._loader.wait_idle(timeout_ms)
    _finish(panel)
    panel._typing.flush()
    ok = panel._analyser.wait_idle(timeout_ms) and ok
    panel.refresh()
    _finish(panel)
    return ok
