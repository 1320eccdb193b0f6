"""The Merges tab's list of steps: one row per merge applied to the text, formatted only when
shown (a pasted text can have thousands of merges)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt

from tfviz.gui.i18n import tr


class StepListModel(QAbstractListModel):
    """One row per merge of the trace, formatted only when shown (traces can be long)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.trace = None
        self.tok = None

    def set_trace(self, trace, tok) -> None:
        self.beginResetModel()
        self.trace, self.tok = trace, tok
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() or self.trace is None else len(self.trace.steps)

    def data(self, index, role=Qt.DisplayRole):
        if role != Qt.DisplayRole or not index.isValid():
            return None
        return f"{index.row() + 1}. " + describe_step(self.trace, self.trace.steps[index.row()])


def describe_step(trace, step) -> str:
    from tfviz.core.bpe import token_label

    data = trace.data
    token = token_label(data[step.start : step.end])
    if step.mid < 0:
        return tr("Tokenization", "whole piece {token} is one token (rank {rank})").format(token=token, rank=step.rank)
    return tr("Tokenization", "{left} + {right} → {token} (rank {rank})").format(
        left=token_label(data[step.start : step.mid]), right=token_label(data[step.mid : step.end]),
        token=token, rank=step.rank)
