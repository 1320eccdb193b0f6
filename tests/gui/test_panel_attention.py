"""The attention panel driven as a user would: type, step heads, toggle masks, click."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from tfviz.gui.panels.attention import TABS, Panel

LOAD_MS = 120_000


@pytest.fixture
def panel(qtbot, ctx):
    p = Panel(ctx)
    qtbot.addWidget(p)
    p.resize(1300, 850)
    p.show()
    qtbot.waitUntil(lambda: p.analysis is not None, timeout=LOAD_MS)
    yield p
    p.shutdown()
    ctx.jobs.shutdown()


def _type(qtbot, p, text: str) -> None:
    p.text_edit.clear()
    p.text_edit.setFocus()
    for i, line in enumerate(text.split("\n")):
        if i:
            qtbot.keyClick(p.text_edit, Qt.Key_Return)
        qtbot.keyClicks(p.text_edit, line)


def _wait_for(qtbot, p, texts) -> None:
    qtbot.waitUntil(lambda: p.analysis is not None and list(p.analysis.texts) == texts and not p.is_busy(),
                    timeout=LOAD_MS)


def _show_tab(p, name: str) -> None:
    p.tabs.setCurrentIndex(TABS.index(name))


def _pt(pointf) -> QPoint:
    return QPoint(int(pointf.x()), int(pointf.y()))


def test_typing_shows_the_new_sentence(qtbot, panel):
    _type(qtbot, panel, "The cat sat on the mat.")
    _wait_for(qtbot, panel, ["The cat sat on the mat."])
    assert panel.matrix.rows == ["[CLS]", "the", "cat", "sat", "on", "the", "mat", ".", "[SEP]"]
    assert np.allclose(panel.matrix.mat, panel.analysis.weights[0, 0, 0])
    assert "6 layers" in panel.status.text()


def test_stepping_heads_and_layers_repaints_the_stored_weights(qtbot, panel):
    panel.go_first()
    panel.step(1)
    assert (panel.layer, panel.head) == (0, 1)
    assert panel.head_slider.value() == 1 and panel.head_label.text() == "Head 2"
    assert np.array_equal(panel.matrix.mat, panel.analysis.weights[0, 0, 1])
    panel.step(11)
    assert (panel.layer, panel.head) == (1, 0)
    panel.layer_slider.setValue(4)
    assert panel.layer == 4 and np.array_equal(panel.matrix.mat, panel.analysis.weights[4, 0, 0])
    panel.go_last()
    assert (panel.layer, panel.head) == (5, 11)
    panel.step(1)
    assert (panel.layer, panel.head) == (0, 0)


def test_hover_shows_value_and_highlights(qtbot, panel):
    m = panel.matrix
    qtbot.mouseMove(m, _pt(m.cell_center(2, 3)))
    qtbot.waitUntil(lambda: m.hover == (2, 3))
    value = panel.analysis.weights[panel.layer, 0, panel.head, 2, 3]
    assert f"{value:.4f}" in m.hover_text() and "animal" in m.hover_text()


def test_lines_view_isolates_a_token(qtbot, panel):
    _show_tab(panel, "lines")
    lines = panel.lines
    assert lines.queries == panel.current_tokens()
    qtbot.mouseMove(lines, _pt(lines.token_pos("q", 2)))
    qtbot.waitUntil(lambda: lines.hover == ("q", 2))
    qtbot.mouseMove(lines, _pt(lines.token_pos("k", 4)))
    qtbot.waitUntil(lambda: lines.hover == ("k", 4))


def test_model_grid_click_opens_that_head(qtbot, panel):
    _show_tab(panel, "model")
    assert panel.grid.weights.shape[:2] == (6, 12)
    qtbot.mouseClick(panel.grid, Qt.LeftButton, pos=_pt(panel.grid.thumb_center(4, 7)))
    assert (panel.layer, panel.head) == (4, 7)
    assert TABS[panel.tabs.currentIndex()] == "matrix"
    assert np.array_equal(panel.matrix.mat, panel.analysis.weights[4, 0, 7])


def test_computation_view_steps_through_the_stages(qtbot, panel):
    panel.select(1, 2)
    _show_tab(panel, "computation")
    comp = panel.computation
    assert comp.stage == 0 and comp.views[0].title == "Q" and comp.views[0].mat.shape[1] == 8
    comp.page_spin.setValue(2)  # dimensions 8..15
    assert comp.views[0].cols[0] == "8"
    seen = []
    for _ in range(5):
        panel.step(1)  # Right steps stages inside the computation tab
        seen.append(comp.stage_label.text())
    assert comp.stage == 5 and len(set(seen)) == 5
    head = panel.analysis.head(1, 0, 2)
    assert np.allclose(comp.views[0].mat, head.weights)
    panel.step(-1)  # softmax
    qtbot.mouseClick(comp.views[1], Qt.LeftButton, pos=_pt(comp.views[1].cell_center(3, 0)))
    assert comp.row == 3 and "“cross”" not in comp.explain.text()
    assert f"“{panel.current_tokens()[3]}”" in comp.explain.text()
    comp.prev_btn.click()
    assert comp.stage == 3 and "blocked" in comp.explain.text()


def test_padding_and_causal_masks(qtbot, panel):
    _type(qtbot, panel, "Short one.\nA much longer second sentence, with padding!")
    texts = ["Short one.", "A much longer second sentence, with padding!"]
    _wait_for(qtbot, panel, texts)
    res = panel.analysis
    n = res.lengths[0]
    assert res.lengths[0] < res.lengths[1]
    assert (res.weights[:, 0, :, :, n:] == 0).all()  # padding keys get exactly 0
    assert panel.sent_combo.isEnabled() and panel.pad_check.isEnabled()
    _show_tab(panel, "masks")
    masks = panel.masks
    assert "[PAD]" in masks.combined.rows and "no query may look" in masks.text.text()
    assert np.isneginf(masks.padding.mat[:, n:]).all() and (masks.padding.mat[:, :n] == 0).all()
    assert (masks.causal.mat == 0).all()
    old = res
    panel.pad_check.click()  # off: queries now look at [PAD] keys too
    qtbot.waitUntil(lambda: panel.analysis is not old and not panel.is_busy(), timeout=LOAD_MS)
    assert (panel.analysis.weights[:, 0, :, :, n:] > 0).all()
    assert "OFF" in masks.text.text() and (masks.padding.mat == 0).all()
    old = panel.analysis
    panel.causal_check.click()
    qtbot.waitUntil(lambda: panel.analysis is not old and not panel.is_busy(), timeout=LOAD_MS)
    w = panel.analysis.weights
    t = w.shape[-1]
    assert (w[..., np.triu(np.ones((t, t), bool), 1)] == 0).all()
    assert "bidirectional" in panel.warning.text()
    assert np.isneginf(masks.causal.mat[0, 1:]).all() and masks.causal.mat[-1, 0] == 0
    panel.sent_combo.setCurrentIndex(1)
    assert masks.combined.rows == list(panel.analysis.tokens[1])


def test_clicking_a_word_replaces_it_with_mask(qtbot, panel):
    panel.mask_mode.click()
    m = panel.matrix
    qtbot.mouseClick(m, Qt.LeftButton, pos=_pt(m.cell_center(2, 0)))  # "animal"
    qtbot.waitUntil(lambda: panel.analysis.tokens[0][2] == "[MASK]" and not panel.is_busy(), timeout=LOAD_MS)
    assert panel.analysis.encodings[0].ids[2] == 103
    _show_tab(panel, "masks")
    assert "[MASK]" in panel.masks.text.text()
    assert panel.masks.mask_keys.mat[0].tolist()[2] == 1.0
    panel.clear_masks_btn.click()
    qtbot.waitUntil(lambda: panel.analysis.tokens[0][2] == "animal" and not panel.is_busy(), timeout=LOAD_MS)


def test_clicking_a_row_or_column_label_masks_the_token(qtbot, panel):
    panel.mask_mode.click()
    m = panel.matrix
    rect, cw, ch, left, bottom = m._layout()
    row_label = QPoint(int(left / 2), int(rect.top() + 2.5 * ch))  # the label of row 2, "animal"
    assert m.label_at(row_label.toPointF()) == (2, -1)
    qtbot.mouseClick(m, Qt.LeftButton, pos=row_label)
    qtbot.waitUntil(lambda: panel.analysis.tokens[0][2] == "[MASK]" and not panel.is_busy(), timeout=LOAD_MS)
    rect, cw, ch, left, bottom = m._layout()
    col_label = QPoint(int(rect.left() + 3.5 * cw), int(rect.bottom() + 6))  # column 3, "didn"
    assert m.label_at(col_label.toPointF()) == (-1, 3)
    qtbot.mouseClick(m, Qt.LeftButton, pos=col_label)
    qtbot.waitUntil(lambda: panel.analysis.tokens[0][3] == "[MASK]" and not panel.is_busy(), timeout=LOAD_MS)


def test_export_leaves_out_the_hover_hint(qtbot, panel, tmp_path):
    from PySide6.QtGui import QFontMetrics, QImage

    from tfviz.gui.export import export_widget

    m = panel.matrix
    rect, *_ = m._layout()
    screen = m.grab().toImage()
    out = QImage(str(export_widget(m, tmp_path / "m.png")))
    line = QFontMetrics(m._font()).height()
    hint = range(m.height() - line - 2, m.height() - 2)  # the caption line under the labels
    bg = screen.pixel(2, m.height() - 2)

    def inked(img):
        return sum(img.pixel(x, y) != bg for y in hint for x in range(0, min(300, m.width()), 2))

    assert inked(screen) > 0 and inked(out) == 0
    assert out.pixel(int(rect.center().x()), int(rect.center().y())) == screen.pixel(
        int(rect.center().x()), int(rect.center().y()))  # the matrix itself is there


def test_embeddings_tab(qtbot, panel):
    _show_tab(panel, "embeddings")
    emb = panel.embeddings
    assert emb.heat["token"].rows == list(panel.analysis.tokens[0])
    assert emb.heat["sinusoid"].mat.shape == (len(emb.tokens), 64)
    emb.word_edit.setFocus()
    qtbot.keyClicks(emb.word_edit, "king")
    qtbot.keyClick(emb.word_edit, Qt.Key_Return)
    nn = emb.neighbours()
    assert len(nn) == 12 and not nn[0].startswith("king ")
    assert len(emb._labels) == len(emb.tokens) + 1
    emb.word_edit.clear()
    emb.add_word()
    assert "Type a word" in emb.message.text()


def test_bad_input_is_explained(qtbot, panel, tmp_path):
    _type(qtbot, panel, "")
    qtbot.waitUntil(lambda: "empty" in panel.warning.text(), timeout=LOAD_MS)
    panel.text_edit.setPlainText("robot 🤖")  # pasted: QTest cannot type characters outside the BMP
    _wait_for(qtbot, panel, ["robot 🤖"])
    assert "[UNK]" in panel.warning.text()
    panel.text_edit.setPlainText("word " * 600)
    _wait_for(qtbot, panel, ["word " * 600])
    assert "512" in panel.warning.text() and panel.analysis.shape[3] == 512
    panel.load(str(tmp_path))  # not a BERT folder: clear message, the loaded model stays
    qtbot.waitUntil(lambda: bool(panel.load_error) and not panel.is_loading(), timeout=LOAD_MS)
    assert "missing config.json" in panel.status.text()
    assert panel.bert is not None


def test_open_path_loads_a_bert_folder(qtbot, panel, tmp_path):
    from tfviz.core.bert.loader import minilm_folder

    for name in ("config.json", "vocab.txt", "model.safetensors"):
        (tmp_path / name).symlink_to(minilm_folder() / name)
    assert not panel.open_path(str(tmp_path / "nothing-here" / "x.txt"))
    assert panel.open_path(str(tmp_path / "config.json"))
    qtbot.waitUntil(lambda: panel.model_spec == str(tmp_path) and not panel.is_loading(), timeout=LOAD_MS)
    assert panel.model_combo.count() == 2 and not panel.load_error


def test_export_and_colormap(qtbot, panel, tmp_path):
    from tfviz.gui.export import export_widget

    panel.cmap_combo.setCurrentText("cividis")
    assert panel.matrix.cmap == "cividis"
    for tab in TABS:
        _show_tab(panel, tab)
        for ext in ("png", "svg"):
            out = export_widget(panel.export_target(), tmp_path / f"{tab}.{ext}")
            assert out.stat().st_size > 1000


def test_dark_theme_recolours_every_view(qtbot, panel, ctx):
    ctx.set_theme("dark")
    for tab in TABS:
        _show_tab(panel, tab)  # each tab redraws itself when shown
    assert panel.matrix.theme.name == "dark" and panel.embeddings.theme.name == "dark"
    assert panel.computation.views[0].theme.name == "dark"
    img = panel.matrix.grab().toImage()
    assert img.pixelColor(2, 2).lightness() < 80  # dark background
    ctx.set_theme("light")


def test_chinese_ui(qtbot, panel):
    from tfviz.gui.i18n import set_language

    try:
        set_language("zh")
        qtbot.waitUntil(lambda: panel.tabs.tabText(0) == "矩阵")
        assert panel.causal_check.text() == "因果掩码"
        assert "第" in panel.layer_label.text()
    finally:
        set_language("en")
    qtbot.waitUntil(lambda: panel.tabs.tabText(0) == "Matrix")


def test_prepare_shot_is_synchronous(qtbot, ctx):
    p = Panel(ctx)
    qtbot.addWidget(p)
    p.prepare_shot()
    assert p.analysis is not None and p.matrix.rows[0] == "[CLS]"
    assert (p.layer, p.head) == (2, 3)
    p.shutdown()


def test_a_failed_analysis_is_shown_and_the_panel_keeps_working(qtbot, panel, monkeypatch):
    import tfviz.gui.panels.attention as mod

    real = mod.run_analysis

    def broken(*args, **kw):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(mod, "run_analysis", broken)
    _type(qtbot, panel, "this will fail")
    qtbot.waitUntil(lambda: "simulated failure" in panel.warning.text() and not panel.is_busy(), timeout=LOAD_MS)
    monkeypatch.setattr(mod, "run_analysis", real)
    _type(qtbot, panel, "this works")
    _wait_for(qtbot, panel, ["this works"])
    assert "failed" not in panel.warning.text()


def test_a_burst_of_edits_delivers_one_analysis_of_the_newest_text(qtbot, panel):
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=LOAD_MS)
    delivered = []
    panel._analyser.result.connect(lambda r: delivered.append(r[0].texts))
    for i in range(20):  # one event-loop turn, as a paste or a script would do
        panel.text_edit.setPlainText(f"sentence number {i}")
    _wait_for(qtbot, panel, ["sentence number 19"])
    assert delivered == [("sentence number 19",)]


def test_a_second_model_chosen_while_the_first_loads_wins(qtbot, ctx, tmp_path):
    from tfviz.core.bert.loader import minilm_folder

    for name in ("config.json", "vocab.txt", "model.safetensors"):
        (tmp_path / name).symlink_to(minilm_folder() / name)
    p = Panel(ctx)
    qtbot.addWidget(p)
    p.load("minilm")
    p.load(str(tmp_path))  # before the first finished
    qtbot.waitUntil(lambda: p.analysis is not None and not p.is_loading(), timeout=LOAD_MS)
    assert p.model_spec == str(tmp_path)
    p.shutdown()
    ctx.jobs.shutdown()
