"""The Train tab of the Tokenization panel: train a BPE vocabulary in the background.

Choose a corpus (the bilingual sample tfviz ships, or your own UTF-8 files), a vocabulary size
and a pre-tokenization pattern; training runs through ``ctx.jobs`` with a progress bar, live
plots (pair count and bytes per token against merges) and Cancel; the merges table can be
searched; the result can be saved, loaded and used in the text box and the comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tfviz.core.assets import asset
from tfviz.core.bpe.display import token_label
from tfviz.core.bpe.patterns import PATTERN_NAMES
from tfviz.gui.i18n import tr
from tfviz.gui.jobs import format_failure
from tfviz.gui.panels.tokenization_chips import LinePlot
from tfviz.gui.widgets import JobProgress

SAMPLE = ("samples", "tfviz_guide_en_zh.txt")


@dataclass(frozen=True)
class CorpusReady:
    """First record of a training job: the corpus is read and pre-tokenized."""

    n_bytes: int
    n_pieces: int


def training_job(paths: list[str] | None, replace_errors: bool, pattern: str, n_merges: int):
    """Read the corpus (``None``: the shipped sample), count pieces, then yield each merge."""
    from tfviz.core.bpe import count_pieces, train_merges
    from tfviz.core.bpe.store import read_corpus

    if paths is None:
        texts = [asset(*SAMPLE).read_text(encoding="utf-8")]
    else:
        texts = [read_corpus(p, "replace" if replace_errors else "strict") for p in paths]
    pieces = count_pieces(texts, pattern)
    yield CorpusReady(sum(len(t.encode("utf-8")) for t in texts), len(pieces))
    yield from train_merges(pieces, n_merges)


class MergesModel(QAbstractTableModel):
    """Rows: rank, pair (left + right), new token, count."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[int, str, str, int]] = []
        self.headers = ["", "", "", ""]

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 4

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.DisplayRole:
            value = row[index.column()]
            if value is None:
                return "—"  # loaded from a file: counts are not stored
            return f"{value:,}" if index.column() == 3 else str(value)
        if role == Qt.UserRole:  # for sorting numbers as numbers
            value = row[index.column()]
            return -1 if value is None else value
        if role == Qt.TextAlignmentRole and index.column() in (0, 3):
            return int(Qt.AlignRight | Qt.AlignVCenter)
        return None

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802
        if role == Qt.DisplayRole and orientation == Qt.Horizontal:
            return self.headers[section]
        return None

    def set_rows(self, rows) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def append(self, rows) -> None:
        if not rows:
            return
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(rows) - 1)
        self.rows.extend(rows)
        self.endInsertRows()


class TrainTab(QWidget):
    """Emits ``tokenizer_ready(Tokenizer)`` when training ends (or is cancelled with merges
    learnt) and when a tokenizer file is loaded."""

    tokenizer_ready = Signal(object)

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.paths: list[str] | None = None  # None: the shipped sample
        self.job = None
        self.steps: list = []  # MergeStep records of the current / last run
        self.n_bytes = 0
        self.wanted = 0
        self.tokenizer = None
        self._pending: list = []
        self._message_key: tuple = ("idle",)

        self.corpus = QComboBox()
        self.files_button = QPushButton()
        self.files_button.clicked.connect(self._choose_files)
        self.corpus.currentIndexChanged.connect(self._on_corpus_choice)
        self.replace_errors = QCheckBox()
        self.vocab_size = QSpinBox()
        self.vocab_size.setRange(257, 100_000)
        self.vocab_size.setValue(512)
        self.vocab_size.setSingleStep(64)
        self.pattern = QComboBox()
        for name in PATTERN_NAMES:
            self.pattern.addItem(name, name)
        self.pattern.setCurrentIndex(PATTERN_NAMES.index("gpt4"))
        self.train_button = QPushButton()
        self.train_button.clicked.connect(self.start_training)
        self.progress = JobProgress()
        self.progress.cancel_requested.connect(self.cancel)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)

        self.count_plot = LinePlot(ctx.theme, 0)
        self.ratio_plot = LinePlot(ctx.theme, 2)

        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.model = MergesModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseInsensitive)
        self.proxy.setSortRole(Qt.UserRole)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.AscendingOrder)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.table.setEditTriggers(QTableView.NoEditTriggers)
        self.save_button = QPushButton()
        self.save_button.clicked.connect(self._choose_save)
        self.save_button.setEnabled(False)
        self.load_button = QPushButton()
        self.load_button.clicked.connect(self._choose_load)

        form = QFormLayout()
        corpus_row = QHBoxLayout()
        corpus_row.addWidget(self.corpus, 1)
        corpus_row.addWidget(self.files_button)
        self.lbl_corpus, self.lbl_vocab, self.lbl_pattern = QLabel(), QLabel(), QLabel()
        form.addRow(self.lbl_corpus, corpus_row)
        form.addRow("", self.replace_errors)
        form.addRow(self.lbl_vocab, self.vocab_size)
        form.addRow(self.lbl_pattern, self.pattern)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(self.train_button)
        left.addWidget(self.progress)
        left.addWidget(self.status)
        plots = QHBoxLayout()
        plots.addWidget(self.count_plot)
        plots.addWidget(self.ratio_plot)
        left.addLayout(plots, 1)
        right = QVBoxLayout()
        right.addWidget(self.search)
        right.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.load_button)
        right.addLayout(buttons)
        lay = QHBoxLayout(self)
        lay.addLayout(left, 3)
        lay.addLayout(right, 2)

        self._flush_timer = QTimer(self)
        self._flush_timer.setInterval(100)
        self._flush_timer.timeout.connect(self._flush)
        self.retranslate()

    # language / theme ----------------------------------------------------------------------
    def retranslate(self) -> None:
        current = self.corpus.currentIndex()
        self.corpus.blockSignals(True)
        self.corpus.clear()
        self.corpus.addItem(tr("TokenizationTrain", "Sample text shipped with tfviz (English + Chinese)"))
        self.corpus.addItem(self._files_text())
        self.corpus.setCurrentIndex(max(current, 0) if self.paths is not None or current == 0 else 0)
        self.corpus.blockSignals(False)
        self.files_button.setText(tr("TokenizationTrain", "Files…"))
        self.replace_errors.setText(tr("TokenizationTrain", "Replace bytes that are not UTF-8"))
        self.lbl_corpus.setText(tr("TokenizationTrain", "Corpus"))
        self.lbl_vocab.setText(tr("TokenizationTrain", "Vocabulary size"))
        self.lbl_pattern.setText(tr("TokenizationTrain", "Pre-tokenization"))
        self.vocab_size.setToolTip(tr("TokenizationTrain", "256 bytes plus the number of merges to learn"))
        self.pattern.setToolTip(tr("TokenizationTrain", "How text is cut into pieces before merging (gpt4 = GPT-4's pattern; none = no cutting)"))
        self.train_button.setText(tr("TokenizationTrain", "Train"))
        self.search.setPlaceholderText(tr("TokenizationTrain", "Search merges…"))
        self.model.headers = [
            tr("TokenizationTrain", "Rank"),
            tr("TokenizationTrain", "Pair"),
            tr("TokenizationTrain", "Token"),
            tr("TokenizationTrain", "Count"),
        ]
        self.model.headerDataChanged.emit(Qt.Horizontal, 0, 3)
        self.save_button.setText(tr("TokenizationTrain", "Save…"))
        self.load_button.setText(tr("TokenizationTrain", "Load…"))
        self.count_plot.title = tr("TokenizationTrain", "Count of the merged pair")
        self.ratio_plot.title = tr("TokenizationTrain", "Bytes per token of the corpus")
        self.progress.retranslate()
        self._show_message()
        self.count_plot.update()
        self.ratio_plot.update()

    def set_theme(self, theme) -> None:
        self.count_plot.set_theme(theme)
        self.ratio_plot.set_theme(theme)

    def _files_text(self) -> str:
        if not self.paths:
            return tr("TokenizationTrain", "Your files (choose with Files…)")
        names = ", ".join(Path(p).name for p in self.paths[:3]) + (" …" if len(self.paths) > 3 else "")
        return tr("TokenizationTrain", "Your files: {names}").format(names=names)

    # corpus --------------------------------------------------------------------------------
    def set_files(self, paths: list[str]) -> None:
        self.paths = [str(p) for p in paths] or None
        self.corpus.blockSignals(True)
        self.corpus.setItemText(1, self._files_text())
        self.corpus.setCurrentIndex(1 if self.paths else 0)
        self.corpus.blockSignals(False)

    def use_sample(self) -> None:
        self.corpus.setCurrentIndex(0)

    def _on_corpus_choice(self, index: int) -> None:
        if index == 1 and not self.paths:
            self._choose_files()

    def _choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, tr("TokenizationTrain", "Choose UTF-8 text files"), "",
                                                tr("TokenizationTrain", "Text files (*.txt *.md);;All files (*)"))
        if paths:
            self.set_files(paths)
        elif not self.paths:
            self.corpus.setCurrentIndex(0)

    # training ------------------------------------------------------------------------------
    def is_training(self) -> bool:
        return self.job is not None

    def start_training(self) -> None:
        if self.job is not None:
            return
        paths = self.paths if self.corpus.currentIndex() == 1 else None
        self.wanted = self.vocab_size.value() - 256
        pattern = self.pattern.currentData()
        replace = self.replace_errors.isChecked()
        self.steps, self._pending = [], []
        self.n_bytes = 0
        self.model.set_rows([])
        self.count_plot.set_data([], [])
        self.ratio_plot.set_data([], [])
        self.train_button.setEnabled(False)
        self.progress.start(tr("TokenizationTrain", "Reading and pre-tokenizing…"))
        self._message_key = ("reading",)
        self._show_message()
        self._pattern = pattern
        self._failed = False
        self.job = self.ctx.jobs.run_generator(
            lambda: training_job(paths, replace, pattern, self.wanted),
            on_item=self._on_item, on_error=self._on_error, name="bpe-train")
        self.job.finished.connect(self._on_finished)
        self._flush_timer.start()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _on_item(self, record) -> None:
        if isinstance(record, CorpusReady):
            self.n_bytes = record.n_bytes
            return
        self._pending.append(record)

    def _flush(self) -> None:
        if not self._pending:
            return
        new, self._pending = self._pending, []
        self.steps.extend(new)
        self.model.append([(s.rank, f"{s.pair[0]} + {s.pair[1]}", token_label(s.token), s.count) for s in new])
        xs = [s.rank + 1 for s in self.steps]
        self.count_plot.set_data(xs, [s.count for s in self.steps])
        self.ratio_plot.set_data(xs, [self.n_bytes / s.n_tokens for s in self.steps])
        done = len(self.steps)
        self.progress.update(done / max(self.wanted, 1),
                             tr("TokenizationTrain", "{done} / {total} merges").format(done=done, total=self.wanted))

    def _on_error(self, exc: BaseException) -> None:
        self._failed = True
        self._message_key = ("error", format_failure(exc))

    def _on_finished(self) -> None:
        cancelled = self.job.cancelled if self.job is not None else False
        self.job = None
        self._flush_timer.stop()
        self._flush()
        self.progress.finish()
        self.train_button.setEnabled(True)
        if self._failed:
            self._show_message()
            return
        n = len(self.steps)
        if cancelled:
            self._message_key = ("cancelled", n)
        elif n < self.wanted:
            self._message_key = ("stopped", n)
        else:
            self._message_key = ("done", n)
        if n:
            from tfviz.core.bpe import tokenizer_from_merges

            name = tr("TokenizationTrain", "trained-{size}").format(size=256 + n)
            self.tokenizer = tokenizer_from_merges([s.pair for s in self.steps], self._pattern, name)
            self.save_button.setEnabled(True)
            self.tokenizer_ready.emit(self.tokenizer)
        self._show_message()

    def _show_message(self) -> None:
        key = self._message_key
        kind = key[0]
        if kind == "idle":
            text = tr("TokenizationTrain", "Choose a corpus and a vocabulary size, then Train.")
        elif kind == "reading":
            text = tr("TokenizationTrain", "Training…")
        elif kind == "error":
            text = tr("TokenizationTrain", "Error: {message}").format(message=key[1])
        elif kind == "cancelled":
            text = tr("TokenizationTrain", "Cancelled after {n} merges; the tokenizer keeps them.").format(n=key[1])
        elif kind == "stopped":
            text = tr("TokenizationTrain", "Stopped after {n} merges: no pair of tokens occurs twice any more.").format(n=key[1])
        elif kind == "done":
            ratio = self.n_bytes / self.steps[-1].n_tokens if self.steps else 0.0
            text = tr("TokenizationTrain", "Done: {n} merges, {ratio:.2f} bytes per token on the corpus. It is now in the tokenizer list.").format(n=key[1], ratio=ratio)
        elif kind == "saved":
            text = tr("TokenizationTrain", "Saved to {path}").format(path=key[1])
        elif kind == "loaded":
            text = tr("TokenizationTrain", "Loaded {path}: {n} merges").format(path=key[1], n=key[2])
        else:
            text = ""
        self.status.setText(text)

    # files ---------------------------------------------------------------------------------
    def save_to(self, path: str) -> bool:
        from tfviz.core.bpe import store

        if self.tokenizer is None:
            return False
        try:
            store.save(self.tokenizer, path)
        except OSError as err:
            self._message_key = ("error", f"{path}: {err.strerror or err}")
            self._show_message()
            return False
        self._message_key = ("saved", str(path))
        self._show_message()
        return True

    def load_from(self, path: str) -> bool:
        from tfviz.core.bpe import store

        try:
            tok = store.load(path)
        except store.TokenizerFileError as err:
            self._message_key = ("error", str(err))
            self._show_message()
            return False
        self.tokenizer = tok
        self.steps = []
        self.model.set_rows(
            [(i, f"{a} + {b}", tok.label(256 + i), None) for i, (a, b) in enumerate(tok.merges or [])])
        self.save_button.setEnabled(True)
        self._message_key = ("loaded", str(path), len(tok.merges or []))
        self._show_message()
        self.tokenizer_ready.emit(tok)
        return True

    def _choose_save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("TokenizationTrain", "Save tokenizer"), "tokenizer.json",
                                              tr("TokenizationTrain", "Tokenizer (*.json)"))
        if path:
            self.save_to(path)

    def _choose_load(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("TokenizationTrain", "Load tokenizer"), "",
                                              tr("TokenizationTrain", "Tokenizer (*.json)"))
        if path:
            self.load_from(path)
