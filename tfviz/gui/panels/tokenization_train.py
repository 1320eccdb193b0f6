"""The Train tab of the Tokenization panel: train a BPE vocabulary in the background.

Choose a corpus (the bilingual sample tfviz ships, or your own UTF-8 files), a vocabulary size
and a pre-tokenization pattern; training runs through ``ctx.jobs`` with a progress bar, live
plots (pair count and bytes per token against merges) and Cancel; the merges table can be
searched; the result can be saved, loaded and used in the text box and the comparison.

Large vocabularies never freeze the window: the worker hands merges on in batches
(:func:`tfviz.core.batches.batched_every`), the table formats only the rows on screen
(:mod:`tokenization_merges`), the plots get a bounded number of points, and the tokenizer is
built from the merges in a worker too.
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
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
from tfviz.core.batches import batched_every
from tfviz.core.bpe.patterns import PATTERN_NAMES
from tfviz.gui import filedialogs
from tfviz.gui.i18n import tr
from tfviz.gui.jobs import LatestJob, format_failure
from tfviz.gui.panels.tokenization_chips import LinePlot
from tfviz.gui.panels.tokenization_merges import MergesModel
from tfviz.gui.widgets import JobProgress

SAMPLE = ("samples", "tfviz_guide_en_zh.txt")
BATCH_S = 0.05  # the worker hands merges on at most 20 times a second
PLOT_POINTS = 2_000  # points given to each plot, however many merges


@dataclass(frozen=True)
class CorpusReady:
    """First record of a training job: the corpus is read and pre-tokenized."""

    n_bytes: int
    n_pieces: int


@dataclass(frozen=True)
class MergeBatch:
    """The merges learnt since the last batch, as columns: built in the worker, so the UI
    thread only appends lists (and stores no record objects for the collector to walk)."""

    pairs: list[tuple[int, int]]
    tokens: list[bytes]
    counts: list[int]
    bytes_per_token: list[float]  # of the whole corpus after each merge

    @classmethod
    def of(cls, steps: list, n_bytes: int) -> MergeBatch:
        return cls([s.pair for s in steps], [s.token for s in steps], [s.count for s in steps],
                   [n_bytes / s.n_tokens for s in steps])


def training_job(paths: list[str] | None, replace_errors: bool, pattern: str, n_merges: int):
    """Read the corpus (``None``: the shipped sample), count pieces, then yield each merge
    (records are batched for the UI by :func:`batched_every`)."""
    from tfviz.core.bpe import count_pieces, train_merges
    from tfviz.core.bpe.store import read_corpus

    if paths is None:
        texts = [asset(*SAMPLE).read_text(encoding="utf-8")]
    else:
        texts = [read_corpus(p, "replace" if replace_errors else "strict") for p in paths]
    pieces = count_pieces(texts, pattern)
    yield CorpusReady(sum(len(t.encode("utf-8")) for t in texts), len(pieces))
    yield from train_merges(pieces, n_merges)


def training_batches(paths: list[str] | None, replace_errors: bool, pattern: str, n_merges: int):
    """:func:`training_job` for the UI: ``CorpusReady``, then a :class:`MergeBatch` at most every
    :data:`BATCH_S` seconds however fast merges come. Closing it closes the training."""
    n_bytes = 0
    with closing(batched_every(training_job(paths, replace_errors, pattern, n_merges), BATCH_S)) as batches:
        for batch in batches:
            if isinstance(batch[0], CorpusReady):
                n_bytes = batch[0].n_bytes
                yield batch[0]
                batch = batch[1:]
            if batch:
                yield MergeBatch.of(batch, n_bytes)


class TrainTab(QWidget):
    """Emits ``tokenizer_ready(Tokenizer)`` when training ends (or is cancelled with merges
    learnt) and when a tokenizer file is loaded."""

    tokenizer_ready = Signal(object)

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.paths: list[str] | None = None  # None: the shipped sample
        self.job = None
        self.merges_done = 0  # merges learnt by the current / last run
        self.n_bytes = 0
        self.wanted = 0
        self.tokenizer = None
        self._xs: list[int] = []  # merges done, for the plots
        self._pair_counts: list[int] = []
        self._ratios: list[float] = []  # bytes per token of the corpus
        self._message_key: tuple = ("idle",)
        self._builder = LatestJob(ctx.jobs, "bpe-tokenizer", self)  # merges -> Tokenizer, off the UI thread
        self._builder.result.connect(self._on_built)
        self._builder.failed.connect(self._on_build_failed)
        self._shut = False  # the panel is shutting down: start nothing more

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
        self.search.textChanged.connect(self.model.set_filter)
        self.table = QTableView()
        self.table.setModel(self.model)
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
        paths = filedialogs.open_files(self, "corpus", tr("TokenizationTrain", "Choose UTF-8 text files"),
                                       tr("TokenizationTrain", "Text files (*.txt *.md);;All files (*)"))
        if paths:
            self.set_files(paths)
        elif not self.paths:
            self.corpus.setCurrentIndex(0)

    # training ------------------------------------------------------------------------------
    def is_training(self) -> bool:
        """Training runs, or its tokenizer is being built."""
        return self.job is not None or self._builder.busy()

    def start_training(self) -> None:
        if self.is_training():
            return
        paths = self.paths if self.corpus.currentIndex() == 1 else None
        self.wanted = self.vocab_size.value() - 256
        pattern = self.pattern.currentData()
        replace = self.replace_errors.isChecked()
        self.merges_done = 0
        self._xs, self._pair_counts, self._ratios = [], [], []
        self.n_bytes = 0
        self.model.clear()
        self.model.freeze_sort(True)  # rank order while rows arrive
        self._plot()
        self.train_button.setEnabled(False)
        self.progress.start(tr("TokenizationTrain", "Reading and pre-tokenizing…"))
        self._message_key = ("reading",)
        self._show_message()
        self._pattern = pattern
        self._failed = False
        wanted = self.wanted
        self.job = self.ctx.jobs.run_generator(
            lambda: training_batches(paths, replace, pattern, wanted),
            on_item=self._on_batch, on_error=self._on_error, name="bpe-train")
        self.job.finished.connect(self._on_finished)

    def cancel(self) -> None:
        """The Cancel button: stop training; the merges learnt so far still make a tokenizer."""
        if self.job is not None:
            self.job.cancel()

    def shutdown(self) -> None:
        """The panel closes: stop training and build nothing."""
        self._shut = True
        self.cancel()
        self._builder.cancel()

    def _on_batch(self, record) -> None:
        """From the worker: the corpus size, then batches of merges."""
        if isinstance(record, CorpusReady):
            self.n_bytes = record.n_bytes
            return
        first = self.merges_done
        self.merges_done += len(record.pairs)
        self.model.append(record.pairs, record.tokens, record.counts)
        self._xs.extend(range(first + 1, self.merges_done + 1))
        self._pair_counts.extend(record.counts)
        self._ratios.extend(record.bytes_per_token)
        self._plot()
        self.progress.update(self.merges_done / max(self.wanted, 1), tr("TokenizationTrain", "{done} / {total} merges").format(
            done=self.merges_done, total=self.wanted))

    def _plot(self) -> None:
        """At most about :data:`PLOT_POINTS` points per plot, always with the last merge."""
        n = len(self._xs)
        step = max(1, n // PLOT_POINTS)
        picks = range(0, n, step)
        if n and (n - 1) % step:
            picks = [*picks, n - 1]
        self.count_plot.set_data([self._xs[i] for i in picks], [self._pair_counts[i] for i in picks])
        self.ratio_plot.set_data([self._xs[i] for i in picks], [self._ratios[i] for i in picks])

    def _on_error(self, exc: BaseException) -> None:
        self._failed = True
        self._message_key = ("error", format_failure(exc))

    def _on_finished(self) -> None:
        cancelled = self.job.cancelled if self.job is not None else False
        self.job = None
        self.model.freeze_sort(False)
        self.progress.finish()
        if self._failed:
            self.train_button.setEnabled(True)
            self._show_message()
            return
        n = self.merges_done
        if cancelled:
            self._message_key = ("cancelled", n)
        elif n < self.wanted:
            self._message_key = ("stopped", n)
        else:
            self._message_key = ("done", n)
        self._show_message()
        if not n or self._shut:
            self.train_button.setEnabled(True)
            return
        from tfviz.core.bpe import tokenizer_from_merges

        pairs, pattern = list(self.model.pairs), self._pattern
        name = tr("TokenizationTrain", "trained-{size}").format(size=256 + n)
        self._builder.submit(lambda: tokenizer_from_merges(pairs, pattern, name))

    def _on_build_failed(self, exc: BaseException) -> None:
        self._on_error(exc)
        self.train_button.setEnabled(True)
        self._show_message()

    def _on_built(self, tok) -> None:
        self.tokenizer = tok
        self.train_button.setEnabled(True)
        self.save_button.setEnabled(True)
        self.tokenizer_ready.emit(tok)

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
            ratio = self._ratios[-1] if self._ratios else 0.0
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
        merges = tok.merges or []
        self.model.set_rows(merges, [tok.token_bytes(256 + i) for i in range(len(merges))], [None] * len(merges))
        self.save_button.setEnabled(True)
        self._message_key = ("loaded", str(path), len(tok.merges or []))
        self._show_message()
        self.tokenizer_ready.emit(tok)
        return True

    def _choose_save(self) -> None:
        path, _ = filedialogs.save_file(self, "tokenizer", tr("TokenizationTrain", "Save tokenizer"), "tokenizer.json",
                                        tr("TokenizationTrain", "Tokenizer (*.json)"))
        if path:
            self.save_to(path)

    def _choose_load(self) -> None:
        path = filedialogs.open_file(self, "tokenizer", tr("TokenizationTrain", "Load tokenizer"),
                                     tr("TokenizationTrain", "Tokenizer (*.json)"))
        if path:
            self.load_from(path)
