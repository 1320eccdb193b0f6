"""AppContext: what every panel shares (device, theme, jobs, notices, navigation)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from tfviz.gui.jobs import JobManager
from tfviz.gui.theme import Theme, make_theme


class AppContext(QObject):
    """Shared state handed to every panel's constructor.

    Panels listen to the signals instead of keeping their own copies of this state.
    """

    device_changed = Signal(str)  # concrete torch device: "cpu", "cuda", "mps"
    theme_changed = Signal()
    notice = Signal(str)  # a message for the status bar (e.g. "GPU failed, redone on the CPU")
    panel_requested = Signal(str)  # ask the main window to show a panel by name

    def __init__(self, device: str = "cpu", theme: str = "light", presenter: bool = False,
                 parent=None) -> None:
        super().__init__(parent)
        self.jobs = JobManager(self)
        self._device = device
        self._theme_name = theme
        self._presenter = presenter
        self.theme: Theme = make_theme(theme, presenter)
        self.panel_names: list[str] = []

    # device ---------------------------------------------------------------
    @property
    def device(self) -> str:
        return self._device

    def set_device(self, device: str) -> None:
        if device != self._device:
            self._device = device
            self.device_changed.emit(device)

    def notify(self, message: str) -> None:
        """Show ``message`` to the user (status bar). Safe to call from the UI thread."""
        self.notice.emit(message)

    # theme ----------------------------------------------------------------
    @property
    def theme_name(self) -> str:
        return self._theme_name

    @property
    def presenter(self) -> bool:
        return self._presenter

    def set_theme(self, name: str | None = None, presenter: bool | None = None) -> None:
        if name is not None:
            self._theme_name = name
        if presenter is not None:
            self._presenter = presenter
        self.theme = make_theme(self._theme_name, self._presenter)
        self.theme_changed.emit()

    # navigation -----------------------------------------------------------
    def has_panel(self, name: str) -> bool:
        return name in self.panel_names

    def request_panel(self, name: str) -> bool:
        """Switch the main window to panel ``name``; False if tfviz has no such panel."""
        if not self.has_panel(name):
            return False
        self.panel_requested.emit(name)
        return True
