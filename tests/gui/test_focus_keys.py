"""The step keys in a real window: after typing, a click anywhere that is not a text box,
Escape, or Enter in a one-line input gives Left / Right / Home / End back to stepping, and
Tab moves the focus instead of typing. Every key goes where a keyboard sends it: to the
widget that has the focus."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QPushButton, QSpinBox

from tfviz.gui.focus import editable_ancestor, is_editable

WAIT = 120_000  # ms: the model loads on a busy 2-core machine


def _press(qtbot, window, key, modifier=Qt.NoModifier) -> None:
    """A real key press: delivered to the focus widget, as the keyboard would."""
    qtbot.keyClick(QApplication.focusWidget() or window, key, modifier)


def _attention(main_window, qtbot):
    main_window.show_panel("attention")
    p = main_window.current_panel()
    qtbot.waitUntil(lambda: p.analysis is not None and not p.is_busy(), timeout=WAIT)
    return p


def _type_sentence(qtbot, p, text):
    p.text_edit.setFocus()
    qtbot.waitUntil(p.text_edit.hasFocus)
    p.text_edit.selectAll()
    qtbot.keyClicks(p.text_edit, text)
    qtbot.waitUntil(lambda: p.analysis is not None and list(p.analysis.texts) == [text] and not p.is_busy(),
                    timeout=WAIT)


def test_editable_means_typing_widgets_only(qtbot):
    ro = QLineEdit()
    ro.setReadOnly(True)
    box = QPlainTextEdit()
    assert is_editable(QLineEdit()) and is_editable(box) and is_editable(QSpinBox())
    assert not is_editable(ro) and not is_editable(QPushButton()) and not is_editable(None)
    assert editable_ancestor(box.viewport()) is box  # a click into the text lands on its viewport
    assert editable_ancestor(box.verticalScrollBar()) is box


def test_clicking_the_heatmap_after_typing_gives_the_keys_back(main_window, qtbot):
    p = _attention(main_window, qtbot)
    _type_sentence(qtbot, p, "The cat sat.")
    _press(qtbot, main_window, Qt.Key_Right)  # in the text box: moves the cursor, no step
    assert (p.layer, p.head) == (0, 0) and p.text_edit.hasFocus()
    qtbot.mouseClick(p.matrix, Qt.LeftButton, pos=QPoint(5, 5))
    assert not p.text_edit.hasFocus()
    _press(qtbot, main_window, Qt.Key_Right)
    _press(qtbot, main_window, Qt.Key_Right)
    assert (p.layer, p.head) == (0, 2)
    _press(qtbot, main_window, Qt.Key_End)
    assert (p.layer, p.head) == (p.bert.config.num_layers - 1, p.bert.config.num_heads - 1)
    _press(qtbot, main_window, Qt.Key_Home)
    assert (p.layer, p.head) == (0, 0)
    assert p.text_edit.toPlainText() == "The cat sat."  # no key reached the sentence


def test_clicking_a_label_or_a_no_focus_button_takes_the_focus_from_the_text_box(main_window, qtbot):
    p = _attention(main_window, qtbot)
    for target in (p.status, p.tabs.tabBar()):
        p.text_edit.setFocus()
        qtbot.waitUntil(p.text_edit.hasFocus)
        qtbot.mouseClick(target, Qt.LeftButton, pos=QPoint(3, 3))
        assert editable_ancestor(QApplication.focusWidget()) is None, target
    p.text_edit.setFocus()
    qtbot.mouseClick(p.text_edit.viewport(), Qt.LeftButton, pos=QPoint(3, 3))  # into the text: it stays
    assert p.text_edit.hasFocus()


def test_escape_hands_keys_back_and_tab_moves_focus(main_window, qtbot):
    p = _attention(main_window, qtbot)
    _type_sentence(qtbot, p, "A dog ran.")
    _press(qtbot, main_window, Qt.Key_Tab)
    assert not p.text_edit.hasFocus()
    assert p.text_edit.toPlainText() == "A dog ran."  # no tab character, no new analysis
    p.text_edit.setFocus()
    qtbot.waitUntil(p.text_edit.hasFocus)
    _press(qtbot, main_window, Qt.Key_Escape)
    assert QApplication.focusWidget() is not p.text_edit
    _press(qtbot, main_window, Qt.Key_Right)
    assert (p.layer, p.head) == (0, 1)


def test_embedding_words_one_after_the_other(main_window, qtbot):
    from tfviz.gui.panels.attention import TABS

    p = _attention(main_window, qtbot)
    p.tabs.setCurrentIndex(TABS.index("embeddings"))
    emb = p.embeddings
    for word in ("king", "queen"):
        qtbot.mouseClick(emb.word_edit, Qt.LeftButton)
        assert emb.word_edit.hasFocus()
        qtbot.keyClicks(emb.word_edit, word)
        _press(qtbot, main_window, Qt.Key_Return)
        assert emb.word_edit.text() == ""  # cleared for the next word
    assert [w for w, _ in emb.added] == ["king", "queen"]
    qtbot.waitUntil(lambda: not emb.word_edit.hasFocus())  # Enter handed the keys back
    _press(qtbot, main_window, Qt.Key_Right)
    assert (p.layer, p.head) == (0, 1)


def test_encoder_decoder_enter_decodes_then_steps(main_window, qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("TFVIZ_DATA_DIR", str(tmp_path / "data"))
    main_window.show_panel("encoder-decoder")
    p = main_window.current_panel()
    qtbot.waitUntil(lambda: bool(p.results) and not p.is_busy(), timeout=WAIT)
    qtbot.mouseClick(p.input, Qt.LeftButton)
    p.input.clear()
    qtbot.keyClicks(p.input, "29 November 2026")
    _press(qtbot, main_window, Qt.Key_Return)
    qtbot.waitUntil(lambda: p.decoded_text == "29 November 2026" and not p.is_busy(), timeout=WAIT)
    qtbot.waitUntil(lambda: not p.input.hasFocus())
    last = p.controls.position
    assert last == len(p.current().steps) - 1
    _press(qtbot, main_window, Qt.Key_Home)
    assert p.controls.position == 0
    _press(qtbot, main_window, Qt.Key_Right)
    assert p.controls.position == 1
    # back in the input, then a click on the decode strip: the keys step again
    qtbot.mouseClick(p.input, Qt.LeftButton)
    _press(qtbot, main_window, Qt.Key_Left)  # in the input: moves the cursor
    assert p.controls.position == 1 and p.input.hasFocus()
    qtbot.mouseClick(p.strip, Qt.LeftButton, pos=QPoint(4, 4))
    _press(qtbot, main_window, Qt.Key_Right)
    assert p.controls.position == 2


def test_selected_sidebar_entry_is_readable_in_both_themes(main_window, qtbot):
    """Issue 15: the selected entry's text against its background, measured on the pixels."""
    from collections import Counter

    from PySide6.QtGui import QColor

    from tfviz.gui.theme import contrast_ratio

    for theme in ("dark", "light"):
        main_window.set_theme(theme)
        qtbot.wait(10)
        nav = main_window.nav
        rect = nav.visualItemRect(nav.currentItem()).adjusted(10, 5, -10, -5)  # inside the margins
        img = nav.viewport().grab(rect).toImage()
        seen = Counter(img.pixel(x, y) for y in range(img.height()) for x in range(img.width()))
        bg = QColor(seen.most_common(1)[0][0]).name()
        ink = [QColor(c).name() for c, n in seen.items() if n >= 8]
        best = max(contrast_ratio(bg, c) for c in ink)
        assert best >= 4.5, f"{theme}: selected entry text contrast {best:.2f}"


def test_file_dialogs_start_in_the_last_folder_of_their_kind(main_window, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    corpora, exports = tmp_path / "corpora", tmp_path / "exports"
    corpora.mkdir()
    exports.mkdir()
    (corpora / "a.txt").write_text("low lower lowest", encoding="utf-8")
    asked = []

    def fake_open(parent, title, start, filters):
        asked.append(("open", start))
        return str(corpora / "a.txt"), ""

    def fake_save(parent, title, start, filters, selected=""):
        asked.append(("save", start))
        return str(exports / "view.png"), selected

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(fake_open))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake_save))
    main_window.open_corpus()
    main_window.open_corpus()
    main_window.show_panel("overview")
    main_window.export_dialog()
    main_window.export_dialog()
    main_window.open_corpus()
    assert asked[0] == ("open", "") and asked[1] == ("open", str(corpora))
    assert asked[2] == ("save", "tfviz-overview.png")  # nothing remembered for exports yet
    assert asked[3] == ("save", str(exports / "tfviz-overview.png"))
    assert asked[4] == ("open", str(corpora))  # exporting did not move the corpus folder
    assert (exports / "view.png").is_file()
