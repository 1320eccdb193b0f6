"""State of the BERT vs GPT panel (the ``bert-vs-gpt`` fields of tfviz/core/lessons/states.py).

``{"panel": "bert-vs-gpt", "version": 1, "lang": "en", "model": "tiny", "text": "...",
"position": 4, "layer": 0, "head": 0, "mode": "fill", "generated": [], "temperature": 1.0,
"top_k": 0, "top_p": 1.0, "seed": 0}``

``position`` is the chosen token (0 = the first token of the text), ``generated`` the ids the
writer has added after the text. Models load and sentences are analysed in workers, so the
position and the generated ids are applied once the models are there.
"""

from __future__ import annotations

from tfviz.gui.panels.bert_vs_gpt import LANGS, MODES


def state(panel) -> dict:
    gen = panel.gen
    return {
        "panel": "bert-vs-gpt",
        "version": 1,
        "lang": panel.lang,
        "model": gen.model_key,
        "text": panel.text_edit.text(),
        "position": panel.position,
        "layer": panel.layer,
        "head": panel.head,
        "mode": panel.mode(),
        "generated": list(gen.generated),
        "temperature": round(gen.temperature.value(), 2),
        "top_k": gen.top_k.value(),
        "top_p": round(gen.top_p.value(), 2),
        "seed": gen.seed.value(),
    }


def restore(panel, s: dict) -> list[str]:
    warnings: list[str] = []
    gen = panel.gen
    for box, key in ((gen.temperature, "temperature"), (gen.top_k, "top_k"), (gen.top_p, "top_p")):
        if key in s:
            lo, hi = box.minimum(), box.maximum()
            if not lo <= s[key] <= hi:
                warnings.append(f"bert-vs-gpt: {key} {s[key]} is outside {lo}..{hi}; clamped")
            box.setValue(s[key])
    if "seed" in s:
        gen.seed.blockSignals(True)
        gen.seed.setValue(max(0, min(s["seed"], gen.seed.maximum())))
        gen.seed.blockSignals(False)
    if "mode" in s and s["mode"] in MODES:
        panel.set_mode(s["mode"])
    if "lang" in s and s["lang"] in LANGS:
        panel.set_lang(s["lang"])
    if "text" in s and s["text"] != panel.text_edit.text():
        panel.text_edit.setText(s["text"])
    panel._typing.flush()  # analyse the text now: the position below belongs to it
    key = s.get("model", gen.model_key)
    if key == "smollm2":
        from tfviz.gui.panels.bert_vs_gpt_smol import gguf_present

        if gguf_present() is None:
            warnings.append("bert-vs-gpt: SmolLM2 is not on this computer (Fetch it on the Generate tab); "
                            "using the tiny GPT")
            key = "tiny"
    panel._pending_generated = [int(i) for i in s.get("generated", gen.generated)]
    panel.set_writer(key)
    if panel._pending_generated is not None and gen.model is not None:
        panel._give_writer(key)
    panel._lesson_position = s.get("position")
    layer, head = s.get("layer", panel.layer), s.get("head", panel.head)
    panel.layer, panel.head = max(0, layer), max(0, head)
    panel.select(panel.layer, panel.head)
    if not getattr(panel, "_lesson_hooked", False):
        panel._analyser.idle.connect(lambda: _finish(panel))
        panel._lesson_hooked = True
    _finish(panel)
    return warnings


def _finish(panel) -> None:
    """What needs the analysis: the chosen token."""
    pos = getattr(panel, "_lesson_position", None)
    if pos is None or panel.analysis is None or panel._analyser.busy() or panel._typing.pending():
        return
    panel._lesson_position = None
    panel.click_token(max(0, min(pos, len(panel.analysis.ids) - 1)))


def show_highlight(panel, h: dict) -> None:
    """A lesson's highlight: a token (``{"token": 7}``) or a head (``{"head": [layer, head]}``)."""
    if "token" in h:
        panel._lesson_position = int(h["token"])
        _finish(panel)
    elif "head" in h:
        layer, head = h["head"]
        panel.select(int(layer), int(head))


def settle(panel, timeout_ms: int) -> bool:
    ok = panel.settle(timeout_ms)
    _finish(panel)
    return panel.settle(timeout_ms) and ok
