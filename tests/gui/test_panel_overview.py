"""The Overview panel as a user meets it: hover and click the diagram, filter the family
tree, click entries, step with the keyboard, switch language and theme."""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont

from tfviz.core import family_tree as ft
from tfviz.gui.i18n import set_language
from tfviz.gui.panels import PANEL_MODULES
from tfviz.gui.panels.overview import Panel
from tfviz.gui.panels.overview_diagram import BLOCKS, BY_KEY, explanations, labels
from tfviz.gui.panels.overview_paint import fitted_font


@pytest.fixture
def panel(ctx, qtbot):
    ctx.panel_names = ["overview", "tokenization", "attention", "encoder-decoder"]
    p = Panel(ctx)
    qtbot.addWidget(p)
    p.resize(1200, 780)
    p.show()
    qtbot.waitExposed(p)
    yield p
    set_language("en")


def _hover(qtbot, panel, key):
    qtbot.mouseMove(panel.diagram, panel.diagram.widget_rect(key).center())


def test_hovering_a_block_explains_it(panel, qtbot):
    assert "Hover over a block" in panel.info.text()
    _hover(qtbot, panel, "enc_attention")
    qtbot.waitUntil(lambda: "Multi-head self-attention" in panel.info.text())
    assert "query, a key and a value" in panel.info.text()
    assert "softmax" in panel.diagram.toolTip()
    assert "Attention and masks" in panel.info.text()  # where a click leads
    _hover(qtbot, panel, "dec_cross_attention")
    qtbot.waitUntil(lambda: "keys and values from the encoder" in panel.info.text())
    _hover(qtbot, panel, "enc_pe")
    qtbot.waitUntil(lambda: "sines and cosines" in panel.info.text())
    assert panel.diagram.hover_key == "enc_pe"


def test_clicking_blocks_requests_their_panels(panel, ctx, qtbot):
    for key, target in (("enc_attention", "attention"), ("dec_masked_attention", "attention"),
                        ("dec_cross_attention", "encoder-decoder"), ("inputs", "tokenization"),
                        ("softmax", "encoder-decoder")):
        with qtbot.waitSignal(ctx.panel_requested, timeout=2000) as blocker:
            qtbot.mouseClick(panel.diagram, Qt.LeftButton,
                             pos=panel.diagram.widget_rect(key).center())
        assert blocker.args == [target], key


def test_a_block_whose_panel_is_missing_says_so(panel, ctx, qtbot):
    # "trajectories" is not in this context's panels
    with qtbot.assertNotEmitted(ctx.panel_requested), qtbot.waitSignal(ctx.notice) as notice:
        qtbot.mouseClick(panel.diagram, Qt.LeftButton,
                         pos=panel.diagram.widget_rect("application").center())
    assert "Trajectories" in notice.args[0] and "not available" in notice.args[0]
    assert "not available" in panel.info.text()


def test_clicking_self_attention_switches_the_main_window(main_window, qtbot):
    overview = main_window.current_panel()
    assert overview.name == "overview"
    pos = overview.diagram.widget_rect("enc_attention").center()
    qtbot.mouseClick(overview.diagram, Qt.LeftButton, pos=pos)
    if main_window.ctx.has_panel("attention"):
        qtbot.waitUntil(lambda: main_window.current_name() == "attention")
    else:  # the attention panel is not installed: the overview says so and stays
        assert main_window.current_name() == "overview"
        assert "not available" in overview.info.text()


def test_filter_by_architecture_hides_the_other_branches(panel, qtbot):
    everything = set(panel.tree.visible_keys())
    assert everything == set(ft.MODELS)
    for branch in ("predecessor", "encoder-only", "encoder-decoder"):
        box = panel.filters[branch]
        qtbot.mouseClick(box, Qt.LeftButton, pos=box.rect().center())
        assert not box.isChecked()
    shown = set(panel.tree.visible_keys())
    assert shown == {m.key for m in ft.by_branch("decoder-only")} | {ft.ROOT}
    assert set(panel.tree.rects) == shown  # hidden entries are not drawn
    assert "bert" not in panel.tree.rects and "gpt3" in panel.tree.rects
    box = panel.filters["encoder-only"]
    qtbot.mouseClick(box, Qt.LeftButton, pos=box.rect().center())
    assert "bert" in panel.tree.rects and "word2vec" not in panel.tree.rects


def test_clicking_an_entry_shows_its_card(panel, qtbot):
    assert "Click an entry" in panel.card.toPlainText()
    qtbot.mouseClick(panel.tree, Qt.LeftButton, pos=panel.tree.node_rect("gpt3").center())
    card = panel.card.toPlainText()
    for expected in ("GPT-3", "2020-05", "OpenAI", "Transformer decoder only", "175B",
                     "In-context learning", "Language Models are Few-Shot Learners",
                     "GPT-2", "ChatGPT"):  # builds on / led to
        assert expected in card
    qtbot.mouseClick(panel.tree, Qt.LeftButton, pos=panel.tree.node_rect("ernie").center())
    assert "Baidu" in panel.card.toPlainText() and "Tsinghua" in panel.card.toPlainText()


def test_card_links_select_the_parent(panel, qtbot):
    panel.select_entry("roberta")
    from PySide6.QtCore import QUrl

    panel.card.anchorClicked.emit(QUrl("model:bert"))
    assert panel.tree.selected_key == "bert"
    assert "2018-10" in panel.card.toPlainText()


def test_card_and_labels_follow_the_language(panel, qtbot):
    panel.select_entry("chatgpt")
    set_language("zh")
    qtbot.waitUntil(lambda: "基于 GPT-3.5" in panel.card.toPlainText())
    assert "2022年11月" in panel.card.toPlainText()
    assert panel.filters["decoder-only"].text() == "仅解码器"
    _hover(qtbot, panel, "dec_masked_attention")
    qtbot.waitUntil(lambda: "因果掩码" in panel.info.text())
    set_language("en")
    qtbot.waitUntil(lambda: "GPT-3.5 model fine-tuned" in panel.card.toPlainText())


def test_arrow_keys_step_through_the_tree_in_time_order(main_window, qtbot):
    overview = main_window.current_panel()
    main_window.nav.setFocus()
    qtbot.keyClick(main_window, Qt.Key_Home)
    assert overview.tree.selected_key == "word2vec"
    qtbot.keyClick(main_window, Qt.Key_Right)
    keys = list(ft.MODELS)
    assert overview.tree.selected_key == keys[1]
    qtbot.keyClick(main_window, Qt.Key_End)
    assert overview.tree.selected_key == keys[-1]
    qtbot.keyClick(main_window, Qt.Key_Left)
    assert overview.tree.selected_key == keys[-2]


@pytest.mark.parametrize("width", [420, 700, 1400])
@pytest.mark.parametrize("point_size", [9.0, 15.0])
def test_tree_entries_never_overlap(panel, width, point_size):
    font = QFont(panel.tree.font())
    font.setPointSizeF(point_size)
    panel.tree.setFont(font)
    lay = panel.tree.compute_layout(width)
    rects = lay.rects
    assert set(rects) == set(ft.MODELS)
    for (ka, a), (kb, b) in itertools.combinations(rects.items(), 2):
        assert not a.intersects(b), (ka, kb)
    for key, rect in rects.items():  # within the widget, never drawn earlier than its date
        assert rect.left() >= 0 and rect.right() <= width + 0.5, key
        assert rect.center().x() >= lay.x_of(ft.MODELS[key].date) - 0.5, key


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_block_labels_fit_their_boxes_in_both_languages(panel, lang):
    set_language(lang)
    text = labels()
    for blk in BLOCKS:
        if blk.kind in ("frame", "pe"):
            continue
        inner = blk.rect.adjusted(6, 3, -6, -3)
        font = fitted_font(QFont(panel.diagram.font()), text[blk.topic], inner, 13.0)
        assert font.pixelSize() >= 8, (lang, blk.key, text[blk.topic])


def test_every_block_has_text_and_a_real_panel():
    assert set(labels()) >= {b.topic for b in BLOCKS}
    assert set(explanations()) == {b.topic for b in BLOCKS}
    assert {b.panel for b in BLOCKS} <= set(PANEL_MODULES)
    for blk in BLOCKS:
        if blk.kind != "frame":  # frames hold blocks; other blocks never overlap each other
            for other in BLOCKS:
                if other is not blk and other.kind != "frame":
                    assert not blk.rect.intersects(other.rect), (blk.key, other.key)
    assert QRectF(0, 0, 600, 800).contains(BY_KEY["outputs"].rect)


def test_dark_presenter_theme_repaints(panel, ctx, qtbot):
    ctx.set_theme("dark", presenter=True)
    img = panel.diagram.grab().toImage()
    assert QColor(img.pixel(2, 2)).name() == ctx.theme.bg
    tree_img = panel.tree.grab().toImage()
    assert QColor(tree_img.pixel(tree_img.width() - 2, tree_img.height() - 2)).name() == ctx.theme.bg
    colours = {img.pixel(x, y) for x in range(0, img.width(), 9) for y in range(0, img.height(), 9)}
    assert len(colours) > 20  # a real drawing, not an empty canvas
    ctx.set_theme("light", presenter=False)


def test_prepare_shot_puts_content_on_screen(panel):
    panel.prepare_shot()
    assert "Multi-head self-attention" in panel.info.text()
    assert "BERT" in panel.card.toPlainText()
    assert panel.diagram.hover_key == "enc_attention"
