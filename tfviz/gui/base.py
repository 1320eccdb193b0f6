"""BasePanel: the interface every panel implements (see docs/ARCHITECTURE.md)."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QWidget

from tfviz.gui.context import AppContext


class BasePanel(QWidget):
    """One capability of tfviz. Subclasses set ``name`` and override what they support.

    The main window owns the shared shortcuts and calls :meth:`step`, :meth:`go_first`,
    :meth:`go_last`, :meth:`toggle_play` and :meth:`export_target` on the current panel.
    """

    name: str = ""
    #: A panel that plays steps with a :class:`~tfviz.gui.widgets.StepControls` assigns it
    #: here; the shared keys (Left/Right, Home/End, Space) then drive it.
    controls = None

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        ctx.device_changed.connect(self.on_device_changed)
        ctx.theme_changed.connect(self.on_theme_changed)

    # identity / help ------------------------------------------------------
    @classmethod
    def title(cls) -> str:
        """The translated title, from the panel registry (``tfviz.panels_registry``)."""
        from tfviz.gui.panels import panel_title

        return panel_title(cls.name)

    @staticmethod
    def guide_html() -> str:
        return ""

    # language -------------------------------------------------------------
    def retranslate(self) -> None:
        """Set every visible string (runs at construction and on each language switch)."""

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # shared keyboard conventions -----------------------------------------
    def step(self, delta: int) -> None:
        """Left / Right: one step back or forward."""
        if self.controls is not None:
            self.controls.step(delta)

    def go_first(self) -> None:
        """Home."""
        if self.controls is not None:
            self.controls.go_first()

    def go_last(self) -> None:
        """End."""
        if self.controls is not None:
            self.controls.go_last()

    def toggle_play(self) -> None:
        """Space: play / pause."""
        if self.controls is not None:
            self.controls.toggle_play()

    # export / files -------------------------------------------------------
    def export_target(self) -> QWidget:
        """The widget that File > Export (Ctrl+E) renders to PNG / SVG."""
        return self

    def open_path(self, path: str) -> bool:
        """File > Open corpus / dataset. Return False if this panel does not take files."""
        return False

    # shared state ---------------------------------------------------------
    def on_device_changed(self, device: str) -> None:
        """Move models to ``device``."""

    def on_theme_changed(self) -> None:
        """Recolour with ``self.ctx.theme``."""

    # screenshots / life cycle ---------------------------------------------
    def prepare_shot(self) -> None:
        """Blocking: put representative real content on screen for ``tfviz shot``."""

    def shutdown(self) -> None:
        """Stop this panel's work (the JobManager also cancels every job on close)."""
