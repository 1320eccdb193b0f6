"""A code excerpt read live from tfviz.core, with the lines that matter highlighted."""

from __future__ import annotations

import html

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QTextBrowser

from tfviz.core.lessons.excerpts import Excerpt
from tfviz.gui.theme import Theme


def excerpt_html(ex: Excerpt, theme: Theme) -> str:
    """One table row per source line: line number, code; highlighted rows get a background."""
    mark = "#fde7d6" if theme.name == "light" else "#4a3a1c"
    rows = []
    for i, line in enumerate(ex.lines):
        bg = f' bgcolor="{mark}"' if i in ex.highlighted else ""
        weight = "font-weight:600;" if i in ex.highlighted else ""
        code = html.escape(line).replace(" ", "&nbsp;") or "&nbsp;"
        rows.append(f'<tr{bg}><td style="color:{theme.muted}; padding-right:8px;" align="right">'
                    f'{ex.first_line + i}</td><td style="{weight}white-space:pre;">{code}</td></tr>')
    where = html.escape(f"{ex.module} · {ex.name}")
    return (f'<div style="color:{theme.muted};">{where}</div>'
            f'<table cellspacing="0" cellpadding="1">{"".join(rows)}</table>')


class CodeView(QTextBrowser):
    """Shows one :class:`Excerpt`, or a one-line message when the step has none."""

    def __init__(self, theme: Theme, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("lesson_code")
        self.setOpenLinks(False)
        self.setLineWrapMode(QTextBrowser.NoWrap)
        self.theme = theme
        self.excerpt: Excerpt | None = None
        self._refresh_font()

    def _refresh_font(self) -> None:
        """A fixed-width font a little smaller than the application font (presenter mode included)."""
        from PySide6.QtWidgets import QApplication

        font = QFontDatabase.systemFont(QFontDatabase.FixedFont)
        font.setPointSizeF(max(7.0, QApplication.font().pointSizeF() * 0.9))
        self.setFont(font)

    def show_excerpt(self, ex: Excerpt | None, message: str = "") -> None:
        self.excerpt = ex
        if ex is None:
            self.setHtml(f"<p><i>{html.escape(message)}</i></p>" if message else "")
        else:
            self.setHtml(excerpt_html(ex, self.theme))
            first = ex.highlighted[0] if ex.highlighted else 0
            self.scrollToAnchor("")  # top; keep the first highlighted line in view below
            bar = self.verticalScrollBar()
            if ex.lines:
                bar.setValue(int(bar.maximum() * max(0, first - 3) / max(1, len(ex.lines))))

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self._refresh_font()
        if self.excerpt is not None:
            self.show_excerpt(self.excerpt)
