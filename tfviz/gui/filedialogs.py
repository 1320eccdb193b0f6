"""File dialogs that start in the last folder used for that kind of file.

Each kind ("corpus", "dataset", "export", "bert", "tokenizer", ...) remembers its own folder
in the settings file (``folders/<kind>``), so opening a corpus does not move the place where
exports go. A folder that no longer exists is forgotten (the dialog starts in the home folder).

    path = open_file(parent, "corpus", tr("MainWindow", "Open corpus"), filters)
"""

from __future__ import annotations

import os

from PySide6.QtWidgets import QFileDialog, QWidget

from tfviz.gui.settings import open_settings


def last_folder(kind: str) -> str:
    """The folder last used for ``kind``, or "" (the dialog's default) when unknown or gone."""
    folder = open_settings().value(f"folders/{kind}", "", type=str)
    return folder if folder and os.path.isdir(folder) else ""


def remember(kind: str, path: str) -> None:
    """Remember the folder of ``path`` (or ``path`` itself when it is a folder) for ``kind``."""
    if not path:
        return
    folder = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
    settings = open_settings()
    settings.setValue(f"folders/{kind}", folder)
    settings.sync()


def start_path(kind: str, name: str = "") -> str:
    """Where a dialog for ``kind`` starts: the remembered folder, joined with a proposed file name."""
    folder = last_folder(kind)
    return os.path.join(folder, name) if folder and name else (folder or name)


def open_file(parent: QWidget | None, kind: str, title: str, filters: str) -> str:
    path, _ = QFileDialog.getOpenFileName(parent, title, start_path(kind), filters)
    remember(kind, path)
    return path


def open_files(parent: QWidget | None, kind: str, title: str, filters: str) -> list[str]:
    paths, _ = QFileDialog.getOpenFileNames(parent, title, start_path(kind), filters)
    if paths:
        remember(kind, paths[0])
    return paths


def open_folder(parent: QWidget | None, kind: str, title: str) -> str:
    path = QFileDialog.getExistingDirectory(parent, title, start_path(kind))
    remember(kind, path)
    return path


def save_file(parent: QWidget | None, kind: str, title: str, name: str, filters: str,
              selected: str = "") -> tuple[str, str]:
    """The path chosen to save ``name`` (and the filter chosen), starting in ``kind``'s folder."""
    path, chosen = QFileDialog.getSaveFileName(parent, title, start_path(kind, name), filters, selected)
    remember(kind, path)
    return path, chosen
