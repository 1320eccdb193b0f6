"""Tokenization panel: byte-level BPE you can watch, train and compare.

Type a sentence; its tokens appear as coloured chips with their ids beneath. The Merges tab
plays the encoding back from raw bytes to the final tokens, one merge per step (the pair about
to merge is outlined and its rank shown); click a chip to unwind its merge tree. Compare shows
the same text under GPT-4, GPT-4o, GPT-2 and your own tokenizer. Train learns a vocabulary in
the background (:mod:`tokenization_train`).

Long text (a pasted megabyte) is encoded in a worker; the playback covers its beginning only.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QPlainTextEdit,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tfviz.gui.base import BasePanel
from tfviz.gui.context import AppContext
from tfviz.gui.i18n import tr
from tfviz.gui.jobs import Debouncer, LatestJob, format_failure
from tfviz.gui.panels.tokenization_chips import Chip, ChipView
from tfviz.gui.panels.tokenization_steps import StepListModel, describe_step
from tfviz.gui.panels.tokenization_train import TrainTab
from tfviz.gui.widgets import StepControls

REAL = ("cl100k", "o200k", "gpt2")
SYNC_CHARS = 5_000  # up to this many characters, encode on the UI thread as the user types
TRACE_CHARS = 1_000  # the playback covers at most this many characters
MAX_CHIPS = 2_000  # chips drawn at most (the counts always cover the whole text)
SHOT_TEXT = "Tokenizers split text: 我爱自然语言处理 costs more tokens."


def _load_real():
    from tfviz.core.bpe import vocab

    return {name: vocab.load(name) for name in REAL}


def _count_all(tokenizers: dict, text: str, allow_special: bool) -> dict:
    """Token counts of ``text`` under each tokenizer (runs in a worker for long texts)."""
    out = {}
    for key, tok in tokenizers.items():
        if allow_special:
            out[key] = len(tok.encode(text, allowed_special="all"))
        else:
            out[key] = len(tok.encode(text, disallowed_special=()))
    return out


class Panel(BasePanel):
    name = "tokenization"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.tokenizers: dict = {}  # key -> Tokenizer ("cl100k", "o200k", "gpt2", "trained")
        self.trace = None
        self.chip_spans: list[tuple[int, int]] = []
        self.selected_span: tuple[int, int] | None = None
        self.counts: dict | None = None  # token counts of the whole text per tokenizer
        self.text_chars = self.text_bytes = 0  # size of the whole text
        self.long_text = False  # longer than the playback covers
        self._load_error = ""
        self._loader = LatestJob(ctx.jobs, "bpe-vocabularies", self)
        self._loader.result.connect(self._on_loaded)
        self._loader.failed.connect(self._on_load_error)
        # long texts are counted in a worker; a newer text replaces the waiting count
        self._counter = LatestJob(ctx.jobs, "bpe-count", self)
        self._counter.result.connect(self._on_counts)
        # re-encode once typing pauses: at once (next event-loop turn) for short texts
        self._retype_short = Debouncer(0, self.refresh, parent=self)
        self._retype_long = Debouncer(150, self.refresh, parent=self)
        self._labels: dict[bytes, tuple[str, bool]] = {}  # token bytes -> (label, has hex bytes)

        self._build()
        self.retranslate()
        self.editor.setPlainText(tr("Tokenization", "Hello world! 你好，世界！"))
        # Load the vocabularies just after the window's first paint: the load is Python work
        # that holds the GIL, and started here it delayed the first paint by about 0.25 s.
        self._load_timer = QTimer(self, singleShot=True, interval=100)
        self._load_timer.timeout.connect(lambda: self._loader.submit(_load_real))
        self._load_timer.start()

    def _build(self) -> None:
        ctx = self.ctx
        # top row: tokenizer, special tokens, counts
        self.tok_combo = QComboBox()
        self.tok_combo.currentIndexChanged.connect(self._schedule)
        self.special = QCheckBox()
        self.special.toggled.connect(self._schedule)
        self.counts_label = QLabel()
        self.counts_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.lbl_tok = QLabel()
        self.editor = QPlainTextEdit()
        self.editor.setMaximumHeight(110)
        self.editor.textChanged.connect(self._schedule)
        self.note = QLabel()
        self.note.setWordWrap(True)

        # Merges tab
        self.next_label = QLabel()
        self.next_label.setWordWrap(True)
        self.chips = ChipView(ctx.theme)
        self.chips.chip_clicked.connect(self._on_chip_clicked)
        self.chip_scroll = QScrollArea()
        self.chip_scroll.setWidgetResizable(True)
        self.chip_scroll.setWidget(self.chips)
        self.controls = StepControls(base_interval_ms=500)
        self.controls.position_changed.connect(self._show_position)
        self.steps_model = StepListModel(self)
        self.steps_view = QListView()
        self.steps_view.setModel(self.steps_model)
        self.steps_view.setUniformItemSizes(True)
        self.steps_view.clicked.connect(lambda idx: self.controls.set_position(idx.row()))
        self.tree = QTreeWidget()
        self.tree.setColumnCount(2)
        merges_tab = QWidget()
        mlay = QVBoxLayout(merges_tab)
        mlay.addWidget(self.next_label)
        mlay.addWidget(self.chip_scroll, 2)
        mlay.addWidget(self.controls)
        lower = QSplitter(Qt.Horizontal)
        self.steps_box, self.tree_box = QWidget(), QWidget()
        self.lbl_steps, self.lbl_tree = QLabel(), QLabel()
        for box, label, view in ((self.steps_box, self.lbl_steps, self.steps_view), (self.tree_box, self.lbl_tree, self.tree)):
            bl = QVBoxLayout(box)
            bl.setContentsMargins(0, 0, 0, 0)
            bl.addWidget(label)
            bl.addWidget(view)
            lower.addWidget(box)
        mlay.addWidget(lower, 2)

        # Compare tab
        self.compare_views: dict[str, tuple[QLabel, ChipView]] = {}
        compare_inner = QWidget()
        self.compare_layout = QVBoxLayout(compare_inner)
        for key in (*REAL, "trained"):
            label = QLabel()
            view = ChipView(ctx.theme, font_pt=10.0)
            self.compare_layout.addWidget(label)
            self.compare_layout.addWidget(view)
            self.compare_views[key] = (label, view)
        self.compare_layout.addStretch(1)
        compare_scroll = QScrollArea()
        compare_scroll.setWidgetResizable(True)
        compare_scroll.setWidget(compare_inner)

        # Train tab
        self.train_tab = TrainTab(ctx)
        self.train_tab.tokenizer_ready.connect(self._on_trained)

        self.tabs = QTabWidget()
        self.tabs.addTab(merges_tab, "")
        self.tabs.addTab(compare_scroll, "")
        self.tabs.addTab(self.train_tab, "")
        self.tabs.currentChanged.connect(lambda _: self._refresh_compare())

        top = QHBoxLayout()
        top.addWidget(self.lbl_tok)
        top.addWidget(self.tok_combo)
        top.addWidget(self.special)
        top.addStretch(1)
        top.addWidget(self.counts_label)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.editor)
        lay.addWidget(self.note)
        lay.addWidget(self.tabs, 1)

    # identity ------------------------------------------------------------------------------
    @staticmethod
    def guide_html() -> str:
        return tr("Tokenization", (
            "<h3>Tokenization (byte-pair encoding)</h3>"
            "<p>Type or paste text. Each coloured chip is one token, with its id beneath. "
            "Spaces show as ·, line breaks as ↵, tabs as →. A token that holds only part of a "
            "character (common with Chinese) shows its bytes in hexadecimal, e.g. &lt;E6 88&gt;.</p>"
            "<p><b>Merges</b>: play the encoding from raw bytes to tokens, one merge per step "
            "(Space plays, Left/Right step, Home/End jump). The outlined pair merges next; its rank "
            "is its place in the vocabulary, and the lowest rank merges first. Click a step in the "
            "list to jump to it, click a chip to see the tree of merges that built it.</p>"
            "<p><b>Compare</b>: the same text with GPT-4 (cl100k), GPT-4o (o200k), GPT-2 and your "
            "own tokenizer. Chinese needs more tokens per character than English.</p>"
            "<p><b>Train</b>: learn your own vocabulary from the sample text or your files. The "
            "plots show how often the merged pair occurred and how compression grows. Save the "
            "result as JSON and load it later.</p>"))

    def retranslate(self) -> None:
        self.lbl_tok.setText(tr("Tokenization", "Tokenizer"))
        self.special.setText(tr("Tokenization", "Special tokens"))
        self.special.setToolTip(tr("Tokenization", "Encode <|endoftext|> and similar text as one special token (off: as ordinary text, like tiktoken's encode_ordinary)"))
        self.editor.setPlaceholderText(tr("Tokenization", "Type or paste text here…"))
        self.tabs.setTabText(0, tr("Tokenization", "Merges"))
        self.tabs.setTabText(1, tr("Tokenization", "Compare"))
        self.tabs.setTabText(2, tr("Tokenization", "Train"))
        self.lbl_steps.setText(tr("Tokenization", "Merges applied to this text (click to jump)"))
        self.lbl_tree.setText(tr("Tokenization", "Merge tree of the clicked token"))
        self.tree.setHeaderLabels([tr("Tokenization", "Token"), tr("Tokenization", "Rank")])
        self.chips.note = tr("Tokenization", "No text yet.")
        self._fill_combo()
        self.controls.retranslate()
        self.train_tab.retranslate()
        self._update_texts()
        rows = self.steps_model.rowCount()
        if rows:  # the step descriptions are formatted when shown: ask the view to redraw them
            self.steps_model.dataChanged.emit(self.steps_model.index(0), self.steps_model.index(rows - 1))
        self._refresh_compare()

    def _names(self) -> dict[str, str]:
        names = {
            "cl100k": tr("Tokenization", "GPT-4 (cl100k_base)"),
            "o200k": tr("Tokenization", "GPT-4o (o200k_base)"),
            "gpt2": tr("Tokenization", "GPT-2"),
        }
        if "trained" in self.tokenizers:
            names["trained"] = tr("Tokenization", "Yours: {name}").format(name=self.tokenizers["trained"].name)
        return names

    def _fill_combo(self) -> None:
        current = self.tok_combo.currentData() or "cl100k"
        self.tok_combo.blockSignals(True)
        self.tok_combo.clear()
        for key, text in self._names().items():
            self.tok_combo.addItem(text, key)
        index = self.tok_combo.findData(current)
        self.tok_combo.setCurrentIndex(max(index, 0))
        self.tok_combo.blockSignals(False)

    # loading -------------------------------------------------------------------------------
    def _on_loaded(self, tokenizers: dict) -> None:
        new = {k: v for k, v in tokenizers.items() if k not in self.tokenizers}
        if new:  # (prepare_shot may have loaded them already)
            self.tokenizers.update(new)
            self.refresh()

    def _on_load_error(self, exc: BaseException) -> None:
        self._load_error = format_failure(exc)
        self._update_texts()

    def ensure_loaded(self) -> None:
        """Blocking: load the real vocabularies now (for screenshots)."""
        if not all(k in self.tokenizers for k in REAL):
            self.tokenizers.update(_load_real())

    def is_ready(self) -> bool:
        return all(k in self.tokenizers for k in REAL)

    def _on_trained(self, tok) -> None:
        self.tokenizers["trained"] = tok
        self._fill_combo()
        self.refresh()

    # encoding ------------------------------------------------------------------------------
    def current_tokenizer(self):
        return self.tokenizers.get(self.tok_combo.currentData() or "cl100k")

    def _schedule(self, *_) -> None:
        if self.editor.document().characterCount() > SYNC_CHARS:
            self._retype_short.cancel()
            self._retype_long.trigger()
        else:
            self._retype_long.cancel()
            self._retype_short.trigger()

    def refresh(self) -> None:
        """Encode the text with the current tokenizer, trace it, and show it."""
        from tfviz.core.bpe import DisallowedSpecialError

        tok = self.current_tokenizer()
        if tok is None:
            self._update_texts()
            return
        text = self.editor.toPlainText()
        allowed = "all" if self.special.isChecked() else frozenset()
        disallowed = "all" if self.special.isChecked() else ()
        head = text[:TRACE_CHARS]
        try:
            self.trace = tok.encode_trace(head, allowed_special=allowed, disallowed_special=disallowed)
        except DisallowedSpecialError:  # pragma: no cover - disallowed is () or everything is allowed
            self.trace = tok.encode_trace(head, disallowed_special=())
        self.long_text = len(text) > TRACE_CHARS
        self.text_chars, self.text_bytes = len(text), len(text.encode("utf-8"))
        self.counts = None
        if len(text) <= SYNC_CHARS:
            self._counter.cancel()  # a count of an earlier, longer text must not land
            self.counts = _count_all(dict(self.tokenizers), text, self.special.isChecked())
        else:
            tokenizers, special = dict(self.tokenizers), self.special.isChecked()
            self._counter.submit(lambda: _count_all(tokenizers, text, special))
        self.steps_model.set_trace(self.trace, tok)
        self.selected_span = None
        self.tree.clear()
        n = len(self.trace.steps)
        self.controls.set_count(n + 1, n)  # position p = after p merges; start at the final tokens
        self._update_texts()
        self._refresh_compare()

    def _on_counts(self, counts: dict) -> None:
        self.counts = counts
        self._update_texts()
        self._refresh_compare()

    # playback ------------------------------------------------------------------------------
    def _chip_for(self, tok, data: bytes, span, specials) -> tuple[str, str, bool]:
        """(label, caption, hexed) of the token at ``span``; labels of byte strings are cached."""
        a, b = span
        if a in specials:
            sid = specials[a]
            return tok.token_bytes(sid).decode("utf-8"), str(sid), False
        piece = data[a:b]
        rank = tok.ranks.get(piece)
        caption = "" if rank is None else str(rank)
        cached = self._labels.get(piece)
        if cached is None:
            from tfviz.core.bpe import token_label
            from tfviz.core.bpe.display import split_utf8

            cached = self._labels[piece] = (token_label(piece), any(not whole for whole, _ in split_utf8(piece)))
            if len(self._labels) > 50_000:
                self._labels.clear()
        return cached[0], caption, cached[1]

    def _show_position(self, k: int) -> None:
        trace, tok = self.trace, self.current_tokenizer()
        if trace is None or tok is None:
            return
        spans = trace.spans_at(k)[:MAX_CHIPS]
        specials = {p.start: p.special for p in trace.pieces if p.special is not None}
        starts = {p.start for p in trace.pieces}
        chips = []
        for i, span in enumerate(spans):
            label, caption, hexed = self._chip_for(tok, trace.data, span, specials)
            tip = tr("Tokenization", "id {id} · bytes {hex}").format(
                id=caption or "—", hex=" ".join(f"{b:02X}" for b in trace.data[span[0] : span[1]]))
            chips.append(Chip(label, caption, i, hexed, span[0] in starts, tip))
        highlight = []
        if k < len(trace.steps):
            step = trace.steps[k]
            highlight = [i for i, (a, b) in enumerate(spans) if step.start <= a and b <= step.end]
        selected = spans.index(self.selected_span) if self.selected_span in spans else None
        self.chip_spans = spans
        self.chips.set_chips(chips, highlight, selected)
        if k < len(trace.steps):
            self.steps_view.setCurrentIndex(self.steps_model.index(k))
        self._update_next_label()

    def _update_next_label(self) -> None:
        trace = self.trace
        if trace is None:
            self.next_label.setText("")
            return
        k, n = self.controls.position, len(trace.steps)
        if n == 0:
            text = tr("Tokenization", "No merges: every piece is already a single byte or a whole token.")
        elif k < n:
            text = tr("Tokenization", "Merge {i} of {n}: {what}").format(i=k + 1, n=n, what=describe_step(trace, trace.steps[k]))
        else:
            text = tr("Tokenization", "Final tokens after all {n} merges. Press Home, then Space to play from raw bytes.").format(n=n)
        if k == 0 and n:
            text = tr("Tokenization", "Raw bytes. ") + text
        self.next_label.setText(text)

    def _on_chip_clicked(self, i: int) -> None:
        from tfviz.core.bpe import token_label
        from tfviz.core.bpe.trees import merge_tree

        if self.trace is None or i >= len(self.chip_spans):
            return
        self.selected_span = self.chip_spans[i]
        node = merge_tree(self.trace, *self.selected_span, self.controls.position)
        self.tree.clear()
        data = self.trace.data

        def add(parent, n):
            item = QTreeWidgetItem([token_label(data[n.start : n.end]), "" if n.rank is None else str(n.rank)])
            if parent is None:
                self.tree.addTopLevelItem(item)
            else:
                parent.addChild(item)
            for child in n.children:
                add(item, child)

        add(None, node)
        self.tree.expandAll()
        self.chips.selected = i
        self.chips.update()

    # compare -------------------------------------------------------------------------------
    def _refresh_compare(self) -> None:
        if self.tabs.currentIndex() != 1:
            return  # filled when the Compare tab is shown
        text = self.editor.toPlainText()[:TRACE_CHARS]
        names = self._names()
        for key, (label, view) in self.compare_views.items():
            tok = self.tokenizers.get(key)
            label.setVisible(tok is not None)
            view.setVisible(tok is not None)
            if tok is None:
                continue
            if self.special.isChecked():
                ids = tok.encode(text, allowed_special="all")
            else:
                ids = tok.encode(text, disallowed_special=())
            view.set_chips([Chip(tok.label(t), str(t), i) for i, t in enumerate(ids[:MAX_CHIPS])])
            if self.counts is not None and key in self.counts:
                n = self.counts[key]
                bpt = self.text_bytes / n if n else 0.0
                label.setText("<b>" + html.escape(names[key]) + "</b> — " + html.escape(
                    tr("Tokenization", "{n} tokens, {bpt:.2f} bytes per token, {tpc:.2f} tokens per character").format(
                        n=n, bpt=bpt, tpc=n / self.text_chars if self.text_chars else 0.0)))
            else:
                label.setText("<b>" + html.escape(names[key]) + "</b> — " + html.escape(tr("Tokenization", "counting…")))

    # texts ---------------------------------------------------------------------------------
    def _update_texts(self) -> None:
        if not self.is_ready() and "trained" not in self.tokenizers:
            if self._load_error:
                self.counts_label.setText(tr("Tokenization", "Cannot load the vocabularies: {error}").format(error=self._load_error))
            else:
                self.counts_label.setText(tr("Tokenization", "Loading the GPT-2, GPT-4 and GPT-4o vocabularies…"))
            return
        key = self.tok_combo.currentData()
        chars, nbytes = self.text_chars, self.text_bytes
        if self.counts is None or key not in self.counts:
            self.counts_label.setText(tr("Tokenization", "{chars} characters · {bytes} bytes · counting tokens…").format(chars=chars, bytes=nbytes))
        else:
            n = self.counts[key]
            self.counts_label.setText(
                tr("Tokenization", "{chars} characters · {bytes} bytes · {tokens} tokens · {bpt:.2f} bytes per token").format(
                    chars=chars, bytes=nbytes, tokens=n, bpt=nbytes / n if n else 0.0))
        if self.long_text:
            self.note.setText(tr("Tokenization", "Long text: the playback and the chips cover the first {n} characters; the counts cover all of it.").format(n=TRACE_CHARS))
            self.note.show()
        else:
            self.note.hide()
        self._update_next_label()

    # BasePanel -----------------------------------------------------------------------------
    def export_target(self) -> QWidget:
        return self.tabs.currentWidget()

    def open_path(self, path: str) -> bool:
        self.tabs.setCurrentWidget(self.train_tab)
        self.train_tab.set_files([path])
        return True

    def on_theme_changed(self) -> None:
        theme = self.ctx.theme
        self.chips.set_theme(theme)
        for _, view in self.compare_views.values():
            view.set_theme(theme)
        self.train_tab.set_theme(theme)

    def prepare_shot(self) -> None:
        self.ensure_loaded()
        self.tabs.setCurrentIndex(0)
        self.editor.setPlainText(SHOT_TEXT)
        self._retype_short.cancel()
        self.refresh()
        n = len(self.trace.steps)
        self.controls.set_position(n // 2)
        spans = self.chip_spans
        if spans:  # show the merge tree of the longest token on screen
            self._on_chip_clicked(max(range(len(spans)), key=lambda i: spans[i][1] - spans[i][0]))

    def shutdown(self) -> None:
        self.controls.pause()
        self.train_tab.shutdown()
        self._retype_short.cancel()
        self._retype_long.cancel()
        self._counter.cancel()
        self._loader.cancel()

    def is_counting(self) -> bool:
        """A count of a long text runs or waits (tests)."""
        return self._counter.busy()
