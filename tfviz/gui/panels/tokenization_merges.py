"""The merges table of the Train tab, for a few merges or for millions of them.

:class:`MergesModel` keeps the merges as three plain lists (pair, token bytes, count; the rank
is the row number) and formats a cell only when the view asks for it, so the table costs
nothing per row until a row scrolls into view. Training appends rows in batches (one
``beginInsertRows`` per batch, not one per merge). Searching and sorting happen in the model
too, without a ``QSortFilterProxyModel`` (which formats every cell of every row on each
search and re-sorts on every insert):

- the search scans the rows in slices of a few milliseconds on the UI thread's timer, showing
  matches as they are found, so typing in the search box never freezes the window;
- Rank, Pair and Count sort numerically, Token sorts by length in bytes (then rank), all with
  numpy; while a training adds rows the table stays in rank order.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer

from tfviz.core.bpe.display import token_label

SLICE_S = 0.008  # one search slice on the UI thread: well under a frame's budget


class MergesModel(QAbstractTableModel):
    """Rows: rank, pair (left + right), new token, count (``None``: not stored in the file)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.headers = ["", "", "", ""]
        self.pairs: list[tuple[int, int]] = []
        self.tokens: list[bytes] = []
        self.counts: list[int | None] = []
        self._order: list[int] | np.ndarray | None = None  # shown rows (None: all, by rank)
        self._needle = ""  # the search text, lower case
        self._scanned = 0  # rows already searched
        self._sort = (0, Qt.AscendingOrder)
        self._frozen_sort = False  # a training is adding rows: stay in rank order
        self._scan_timer = QTimer(self)
        self._scan_timer.setInterval(0)
        self._scan_timer.timeout.connect(self._scan_slice)

    # Qt model interface --------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        if parent.isValid():
            return 0
        return len(self.pairs) if self._order is None else len(self._order)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 4

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        if role == Qt.DisplayRole:
            return self.cell(self.source_row(index.row()), index.column())
        if role == Qt.TextAlignmentRole and index.column() in (0, 3):
            return int(Qt.AlignRight | Qt.AlignVCenter)
        return None

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802
        if role == Qt.DisplayRole and orientation == Qt.Horizontal:
            return self.headers[section]
        return None

    def sort(self, column: int, order=Qt.AscendingOrder) -> None:
        """Called by the view when a header is clicked."""
        self._sort = (column, order)
        if not self._frozen_sort:
            self._rebuild()

    # content -------------------------------------------------------------------------------
    def source_row(self, row: int) -> int:
        """The rank of the merge shown in table row ``row``."""
        return row if self._order is None else int(self._order[row])

    def cell(self, rank: int, column: int) -> str:
        if column == 0:
            return str(rank)
        if column == 1:
            a, b = self.pairs[rank]
            return f"{a} + {b}"
        if column == 2:
            return token_label(self.tokens[rank])
        count = self.counts[rank]
        return "—" if count is None else f"{count:,}"  # "—": loaded from a file

    def clear(self) -> None:
        self.set_rows([], [], [])

    def set_rows(self, pairs, tokens, counts) -> None:
        """Replace every row (a loaded tokenizer)."""
        self.beginResetModel()
        self.pairs, self.tokens, self.counts = list(pairs), list(tokens), list(counts)
        self._reset_order()
        self.endResetModel()

    def append(self, pairs, tokens, counts) -> None:
        """Add merges at the end (a training batch): one insertion for the whole batch."""
        if not pairs:
            return
        first = len(self.pairs)
        if self._order is None:
            self.beginInsertRows(QModelIndex(), first, first + len(pairs) - 1)
        self.pairs.extend(pairs)
        self.tokens.extend(tokens)
        self.counts.extend(counts)
        if self._order is None:
            self.endInsertRows()
        elif self._needle:
            self._scan_timer.start()  # the new rows are searched like the others
        else:  # sorted without a search: re-sort including the new rows
            self._rebuild()

    def freeze_sort(self, frozen: bool) -> None:
        """While a training appends rows the table stays in rank order; the chosen order
        returns when it ends."""
        self._frozen_sort = frozen
        self._rebuild()

    # search --------------------------------------------------------------------------------
    def set_filter(self, text: str) -> None:
        """Show only the rows where some cell contains ``text`` (any case)."""
        self._needle = text.lower()
        self._rebuild()

    def searching(self) -> bool:
        """The search has rows left to look at."""
        return self._scan_timer.isActive()

    def _rebuild(self) -> None:
        self.beginResetModel()
        self._reset_order()
        self.endResetModel()
        if self._needle:
            self._scan_timer.start()

    def _reset_order(self) -> None:
        self._scanned = 0
        if self._needle:
            self._order = []  # filled by the search slices
        elif self._sorted():
            self._order = self._sorted_rows(np.arange(len(self.pairs)))
        else:
            self._order = None

    def _sorted(self) -> bool:
        return not self._frozen_sort and self._sort != (0, Qt.AscendingOrder)

    def _scan_slice(self) -> None:
        """Search rows for a few milliseconds; show the matches found."""
        end = len(self.pairs)
        deadline = time.perf_counter() + SLICE_S
        found: list[int] = []
        rank = self._scanned
        while rank < end:
            if self._needle in "\n".join(self.cell(rank, c) for c in range(4)).lower():
                found.append(rank)
            rank += 1
            if rank % 64 == 0 and time.perf_counter() > deadline:
                break
        self._scanned = rank
        if found:
            shown = len(self._order)
            self.beginInsertRows(QModelIndex(), shown, shown + len(found) - 1)
            self._order.extend(found)
            self.endInsertRows()
        if rank >= end:
            self._scan_timer.stop()
            if self._sorted() and len(self._order) > 1:  # matches are found in rank order
                self.beginResetModel()
                self._order = self._sorted_rows(np.asarray(self._order))
                self.endResetModel()

    # sorting -------------------------------------------------------------------------------
    def _sorted_rows(self, rows: np.ndarray) -> np.ndarray:
        """``rows`` (ranks) ordered by the chosen column; ties keep rank order."""
        column, order = self._sort
        if column == 0:
            key = rows
        elif column == 1:
            pairs = np.asarray(self.pairs, dtype=np.int64).reshape(-1, 2)[rows]  # (R, 2)
            key = pairs[:, 0] * (1 << 32) + pairs[:, 1]
        elif column == 2:
            key = np.fromiter((len(self.tokens[r]) for r in rows), np.int64, len(rows))
        else:
            key = np.fromiter((-1 if self.counts[r] is None else self.counts[r] for r in rows), np.int64, len(rows))
        if order == Qt.DescendingOrder:
            key = -key
        return rows[np.argsort(key, kind="stable")]
