"""Overview panel: the Transformer drawn block by block, and its family tree.

Left: the architecture diagram (:mod:`overview_diagram`). Hovering a block explains it in
the box below; clicking opens the panel that shows it in detail, or says that this panel is
not in this version. Right: the family tree (:mod:`overview_tree`) with one checkbox per
branch; clicking an entry shows its card (all the fields of
:class:`tfviz.core.family_tree.Model`). Left / Right / Home / End step through the visible
entries in time order.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from tfviz.core import family_tree as ft
from tfviz.gui.base import BasePanel
from tfviz.gui.context import AppContext
from tfviz.gui.i18n import current_language, tr
from tfviz.gui.panels import panel_title
from tfviz.gui.panels.overview_diagram import BY_KEY, DiagramView, explanations, labels
from tfviz.gui.panels.overview_tree import TreeView, branch_titles


def architecture_names() -> dict[str, str]:
    """Translated names of the architecture keys of :data:`tfviz.core.family_tree.ARCHITECTURES`."""
    return {
        "word-vectors": tr("OverviewTree", "Static word vectors (shallow network)"),
        "recurrent": tr("OverviewTree", "Recurrent language model (LSTM)"),
        "rnn-encoder-decoder": tr("OverviewTree", "RNN encoder-decoder"),
        "encoder-decoder": tr("OverviewTree", "Transformer encoder-decoder"),
        "encoder-only": tr("OverviewTree", "Transformer encoder only (bidirectional)"),
        "decoder-only": tr("OverviewTree", "Transformer decoder only (causal)"),
    }


def card_html(key: str, lang: str) -> str:
    """The card of one family-tree entry, as HTML (links ``model:<key>`` select an entry)."""
    m = ft.MODELS[key]

    def links(keys) -> str:
        if not keys:
            return "—"
        return ", ".join(f'<a href="model:{k}">{html.escape(ft.MODELS[k].name)}</a>' for k in keys)

    rows = [
        (tr("OverviewCard", "Date"),
         tr("OverviewCard", "{year}-{month:02d}").format(year=m.year, month=m.month)),
        (tr("OverviewCard", "Organisation"), html.escape(m.organisation.get(lang))),
        (tr("OverviewCard", "Architecture"), html.escape(architecture_names()[m.architecture])),
        (tr("OverviewCard", "Training objective"), html.escape(m.objective.get(lang))),
        (tr("OverviewCard", "Why it mattered"), html.escape(m.why.get(lang))),
        (tr("OverviewCard", "Builds on"), links(m.parents)),
        (tr("OverviewCard", "Led to"), links([c.key for c in ft.children(key)])),
        (tr("OverviewCard", "Paper"), f"<i>{html.escape(m.paper)}</i>"),
    ]
    body = "".join(
        f'<tr><td style="padding:2px 10px 2px 0; white-space:nowrap;"><b>{html.escape(name)}</b>'
        f'</td><td style="padding:2px 0;">{value}</td></tr>' for name, value in rows)
    return f'<h3 style="margin:0 0 4px 0;">{html.escape(m.name)}</h3><table>{body}</table>'


class Panel(BasePanel):
    name = "overview"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.info_key = ""  # the diagram block whose explanation is shown
        self.info_note = ""  # an extra line after a click ("panel not available")
        self._build()
        self.retranslate()

    def _build(self) -> None:
        ctx = self.ctx
        # left: the diagram and its explanation box
        self.diagram = DiagramView(ctx.theme)
        self.diagram.hovered.connect(self._on_block_hovered)
        self.diagram.clicked.connect(self._on_block_clicked)
        self.info = QLabel()
        self.info.setObjectName("overview_info")
        self.info.setWordWrap(True)
        self.info.setTextFormat(Qt.RichText)
        self.info.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.info.setFrameShape(QFrame.StyledPanel)
        self.info.setMinimumHeight(96)
        self.info.setMargin(8)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(6, 6, 6, 6)
        lv.addWidget(self.diagram, 1)
        lv.addWidget(self.info)

        # right: filter, tree, card
        self.tree_title = QLabel()
        self.tree_title.setObjectName("overview_tree_title")
        font = self.tree_title.font()
        font.setBold(True)
        self.tree_title.setFont(font)
        self.filter_label = QLabel()
        self.filters: dict[str, QCheckBox] = {}
        frow = QHBoxLayout()
        frow.setContentsMargins(0, 0, 0, 0)
        frow.addWidget(self.filter_label)
        for branch in ft.BRANCHES:
            box = QCheckBox()
            box.setChecked(True)
            box.setObjectName(f"overview_filter_{branch}")
            box.toggled.connect(lambda on, b=branch: self.tree.set_branch_visible(b, on))
            self.filters[branch] = box
            frow.addWidget(box)
        frow.addStretch(1)
        self.tree = TreeView(ctx.theme)
        self.tree.selected.connect(self._on_entry_selected)
        self.tree_scroll = QScrollArea()
        self.tree_scroll.setWidget(self.tree)
        self.tree_scroll.setWidgetResizable(True)
        self.tree_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.tree_scroll.setFrameShape(QFrame.NoFrame)
        self.card = QTextBrowser()
        self.card.setObjectName("overview_card")
        self.card.setOpenLinks(False)
        self.card.anchorClicked.connect(self._on_card_link)
        self.card.setMinimumHeight(150)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(6, 6, 6, 6)
        rv.addWidget(self.tree_title)
        rv.addLayout(frow)
        inner = QSplitter(Qt.Vertical)
        inner.addWidget(self.tree_scroll)
        inner.addWidget(self.card)
        inner.setStretchFactor(0, 3)
        inner.setStretchFactor(1, 1)
        inner.setChildrenCollapsible(False)
        rv.addWidget(inner, 1)

        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 9)
        self.splitter.setStretchFactor(1, 11)
        self.splitter.setChildrenCollapsible(False)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.splitter)

    # identity ------------------------------------------------------------
    @staticmethod
    def guide_html() -> str:
        return tr("OverviewPanel",
                  "<h3>Overview</h3><p>The left side draws the Transformer of \"Attention Is "
                  "All You Need\" (2017): the encoder on the left, the decoder on the right, "
                  "data flowing upwards. Hover over a block to read what it does; click it to "
                  "open the panel that shows it at work.</p><p>The right side is the family "
                  "tree: the models that came before, and the three roads after 2017 "
                  "(encoder-only, decoder-only, encoder-decoder). Tick the boxes to show or "
                  "hide a branch; click an entry to see its card. Left / Right step through "
                  "the entries in time order, Home / End jump to the first / last.</p>")

    # texts ---------------------------------------------------------------
    def retranslate(self) -> None:
        self.tree_title.setText(tr("OverviewPanel", "The Transformer family tree"))
        self.filter_label.setText(tr("OverviewPanel", "Show:"))
        titles = {
            "predecessor": tr("OverviewPanel", "Predecessors"),
            "encoder-only": tr("OverviewPanel", "Encoder-only"),
            "decoder-only": tr("OverviewPanel", "Decoder-only"),
            "encoder-decoder": tr("OverviewPanel", "Encoder-decoder"),
        }
        long_titles = branch_titles()
        for branch, box in self.filters.items():
            box.setText(titles[branch])
            box.setToolTip(long_titles[branch])
        self._refresh_info()
        self._refresh_card()
        self.diagram.update()
        self.tree.relayout()

    def _refresh_info(self) -> None:
        if not self.info_key:
            self.info.setText(tr("OverviewPanel", "Hover over a block of the diagram to see "
                                                  "what it does; click it to open the panel "
                                                  "that shows it."))
            self.diagram.setToolTip("")
            return
        blk = BY_KEY[self.info_key]
        title = labels()[blk.topic]
        text = explanations()[blk.topic]
        if self.ctx.has_panel(blk.panel):
            hint = tr("OverviewPanel", "Click to open the {panel} panel.").format(
                panel=panel_title(blk.panel))
        else:
            hint = tr("OverviewPanel", "The {panel} panel is not part of this version yet.").format(
                panel=panel_title(blk.panel))
        extra = f"<br><b>{html.escape(self.info_note)}</b>" if self.info_note else ""
        self.info.setText(f"<b>{html.escape(title)}</b><br>{html.escape(text)}"
                          f"<br><i>{html.escape(hint)}</i>{extra}")
        self.diagram.setToolTip(f"<b>{html.escape(title)}</b><br>{html.escape(text)}")

    def _refresh_card(self) -> None:
        key = self.tree.selected_key
        if not key:
            self.card.setHtml("<p>{}</p>".format(html.escape(
                tr("OverviewPanel", "Click an entry of the tree to see its card."))))
            return
        self.card.setHtml(card_html(key, current_language.value))

    # diagram -------------------------------------------------------------
    def _on_block_hovered(self, key: str) -> None:
        if key:  # keep the last explanation when the pointer leaves every block
            if key != self.info_key:
                self.info_note = ""
            self.info_key = key
            self._refresh_info()

    def _on_block_clicked(self, key: str) -> None:
        self.info_key = key
        target = BY_KEY[key].panel
        if self.ctx.request_panel(target):
            self.info_note = ""
        else:
            self.info_note = tr("OverviewPanel", "The {panel} panel is not available in this "
                                                 "version.").format(panel=panel_title(target))
            self.ctx.notify(self.info_note)
        self._refresh_info()

    # tree ----------------------------------------------------------------
    def _on_entry_selected(self, key: str) -> None:
        self._refresh_card()
        if key in self.tree.rects:
            self.tree_scroll.ensureVisible(int(self.tree.rects[key].center().x()),
                                           int(self.tree.rects[key].center().y()), 10, 40)

    def _on_card_link(self, url: QUrl) -> None:
        text = url.toString()
        if text.startswith("model:") and text[6:] in ft.MODELS:
            key = text[6:]
            if not self.tree.is_visible(key):
                self.filters[ft.MODELS[key].branch].setChecked(True)
            self.tree.select(key)

    def select_entry(self, key: str) -> None:
        """Show the card of entry ``key`` (as a click on it would)."""
        self.tree.select(key)

    # shared keys: step through the visible entries in time order ----------
    def step(self, delta: int) -> None:
        keys = self.tree.visible_keys()
        if self.tree.selected_key in keys:
            i = keys.index(self.tree.selected_key) + delta
        else:
            i = 0 if delta > 0 else len(keys) - 1
        self.tree.select(keys[max(0, min(len(keys) - 1, i))])

    def go_first(self) -> None:
        self.tree.select(self.tree.visible_keys()[0])

    def go_last(self) -> None:
        self.tree.select(self.tree.visible_keys()[-1])

    # theme / shots -------------------------------------------------------
    def on_theme_changed(self) -> None:
        self.diagram.set_theme(self.ctx.theme)
        self.tree.set_theme(self.ctx.theme)

    def prepare_shot(self) -> None:
        """The diagram with the self-attention block explained, and BERT's card."""
        self.info_key, self.info_note = "enc_attention", ""
        self.diagram.hover_key = "enc_attention"
        self._refresh_info()
        self.diagram.update()
        self.tree.select("bert")
