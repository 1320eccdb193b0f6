"""`tfviz shot` writes real, language-dependent screenshots; Chinese never renders as tofu."""

from __future__ import annotations

import subprocess
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QImage, QPainter

from tfviz.gui.panels import available_panels


def _render_text(text: str, family: str | None = None) -> QImage:
    img = QImage(64, 64, QImage.Format_RGB32)
    img.fill(Qt.white)
    p = QPainter(img)
    font = QFont(family) if family else QFont()
    font.setPixelSize(40)
    p.setFont(font)
    p.setPen(Qt.black)
    p.drawText(img.rect(), Qt.AlignCenter, text)
    p.end()
    return img


def test_chinese_glyphs_are_real_not_tofu(qapp):
    from tfviz.gui.fonts import ensure_cjk_font

    family = ensure_cjk_font()
    assert family, "no CJK font available or registered"
    # Tofu boxes look the same for every missing character; real glyphs differ.
    a, b, c = (_render_text(ch) for ch in "汉字爱")
    assert a != b and b != c and a != c
    blank = _render_text(" ")
    assert a != blank


def _ink(path) -> int:
    img = QImage(str(path))
    assert not img.isNull()
    colours = {img.pixel(x, y) for y in range(0, img.height(), 9) for x in range(0, img.width(), 9)}
    return len(colours)


def test_shot_overview_differs_by_language(qapp, tmp_path):
    from tfviz.gui.app import shot

    (en,) = shot(["overview"], tmp_path / "en.png", lang="en", size=(1200, 800))
    (zh,) = shot(["overview"], tmp_path / "zh.png", lang="zh", size=(1200, 800))
    assert _ink(en) > 20 and _ink(zh) > 20
    assert QImage(str(en)) != QImage(str(zh))
    from tfviz.gui.i18n import set_language

    set_language("en")


@pytest.mark.slow
def test_shot_all_panels_cli(tmp_path):
    outs = {}
    for lang in ("en", "zh"):
        d = tmp_path / lang
        proc = subprocess.run([sys.executable, "-m", "tfviz", "shot", "--panel", "all", "--out", str(d),
                               "--lang", lang, "--size", "1200x800"],
                              capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, proc.stderr[-3000:]
        outs[lang] = d
    for name in available_panels():
        en, zh = outs["en"] / f"{name}.png", outs["zh"] / f"{name}.png"
        assert _ink(en) > 20 and _ink(zh) > 20, name
        assert QImage(str(en)) != QImage(str(zh)), f"{name}: the language made no difference"


def test_shot_rejects_png_for_all(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "tfviz", "shot", "--panel", "all", "--out", str(tmp_path / "x.png")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "folder" in proc.stderr
