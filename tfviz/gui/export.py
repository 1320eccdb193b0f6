"""Export what a widget shows as PNG (pixels) or SVG (vectors)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtGui import QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QWidget

from tfviz.core.io import WriteError, atomic_write, check_writable

FORMATS = ("png", "svg")
_exporting = 0  # > 0 while a view is being rendered into a file


def exporting() -> bool:
    """True while :func:`export_widget` renders: views leave out hints meant for the screen
    ("hover a cell to read its value")."""
    return _exporting > 0


class ExportError(OSError):
    pass


def export_widget(widget: QWidget, path: str | os.PathLike[str]) -> Path:
    """Write ``widget`` to ``path``; the format follows the extension (.png or .svg).

    Saved with :func:`tfviz.core.io.atomic_write`: a folder, a FIFO or a device at ``path`` is
    refused (:class:`ExportError`), an existing file keeps its permissions.
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ExportError(f"{path}: unknown export format {fmt!r}; use .png or .svg")

    def write(tmp: Path) -> None:
        global _exporting
        _exporting += 1
        try:
            if fmt == "png":
                pixmap = widget.grab()
                if pixmap.isNull() or not pixmap.save(str(tmp), "PNG"):
                    raise ExportError(f"{path}: could not render the view to PNG")
            else:
                _render_svg(widget, str(tmp))
        finally:
            _exporting -= 1

    try:
        atomic_write(path, write)
    except WriteError as err:
        raise ExportError(str(err)) from None
    return path


def _render_svg(widget: QWidget, target: str) -> None:
    size = widget.size()
    gen = QSvgGenerator()
    gen.setFileName(target)
    gen.setSize(QSize(size.width(), size.height()))
    gen.setViewBox(QRect(0, 0, size.width(), size.height()))
    gen.setTitle("tfviz")
    gen.setDescription(f"tfviz export of {type(widget).__name__}")
    painter = QPainter()
    if not painter.begin(gen):
        raise ExportError(f"{target}: could not start the SVG writer")
    try:
        widget.render(painter, QPoint(0, 0))
    finally:
        painter.end()


def export_gif(widget: QWidget, show: Callable[[int], None], frames: Iterable[int],
               path: str | os.PathLike[str], frame_ms: int) -> Path:
    """Write an animated GIF of ``widget``: for each of ``frames``, ``show(frame)`` then grab.

    Frames are reduced to 128 colours (Pillow's adaptive palette) and shown ``frame_ms`` each,
    looping. The path is checked before any frame is drawn; the file is saved atomically.
    """
    from PIL import Image
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QImage

    path = Path(path)
    try:
        check_writable(path)
    except WriteError as err:
        raise ExportError(str(err)) from None
    images = []
    for frame in frames:
        show(frame)
        QCoreApplication.processEvents()
        img = widget.grab().toImage().convertToFormat(QImage.Format_RGB888)
        stride, height = img.bytesPerLine(), img.height()
        pixels = bytes(img.constBits())[: stride * height]  # rows may be padded to `stride`
        rgb = Image.frombuffer("RGB", (img.width(), height), pixels, "raw", "RGB", stride, 1)
        images.append(rgb.convert("P", palette=Image.ADAPTIVE, colors=128))
    if not images:
        raise ExportError(f"{path}: no frame to export")

    def write(tmp: Path) -> None:
        images[0].save(tmp, format="GIF", save_all=True, append_images=images[1:], duration=frame_ms, loop=0)

    try:
        atomic_write(path, write)
    except WriteError as err:
        raise ExportError(str(err)) from None
    return path
