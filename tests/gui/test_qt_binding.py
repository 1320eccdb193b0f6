"""Guard against Qt binding releases with reference-counting bugs.

PySide6-Essentials 6.12.0 released a reference to None on every call of a method returning
void; a GUI session then aborts with "Fatal Python error: none_dealloc". pyproject.toml
excludes that release; this test fails on any release that brings the bug back."""

from __future__ import annotations

import sys

from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QLabel


def test_void_methods_keep_none_refcount(qapp):
    label = QLabel()
    img = QImage(8, 8, QImage.Format_RGB32)
    before = sys.getrefcount(None)
    for _ in range(500):
        label.setText("x")
        painter = QPainter(img)
        painter.setPen(QPen(QColor("red")))
        painter.drawLine(0, 0, 7, 7)
        painter.end()
    after = sys.getrefcount(None)
    assert after >= before - 50, f"None lost {before - after} references: broken Qt binding"
