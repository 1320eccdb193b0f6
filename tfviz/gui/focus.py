"""Keyboard focus that gives the step keys back: the window's shared keys (Left / Right,
Home / End, Space) work whenever the focus is not in an editable widget.

A text box keeps those keys while it has the focus (it accepts ``ShortcutOverride``), so the
focus must leave it as soon as the user turns to something else. :class:`FocusKeeper`
watches the application's events for one window:

- a mouse press on any part of the window that is not an editable widget (a heatmap, a
  plot, a label, a button that takes no focus) takes the focus from a text box;
- Escape in a text box, and Enter in a one-line input (after the input has handled it,
  e.g. run the model or added the word), hand the keys back to stepping;
- Tab in a multi-line text box moves the focus instead of typing a tab character.

The focus goes to ``home`` (the window's panel area), which takes no focus by itself.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QMenuBar,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

_ENTER = (Qt.Key_Return, Qt.Key_Enter)


def is_editable(widget: QWidget | None) -> bool:
    """True for widgets that type text: a writable line edit, text box, spin box or editable combo."""
    if isinstance(widget, QLineEdit):
        return not widget.isReadOnly()
    if isinstance(widget, (QPlainTextEdit, QTextEdit)):
        return not widget.isReadOnly()
    if isinstance(widget, QAbstractSpinBox):
        return not widget.isReadOnly()
    if isinstance(widget, QComboBox):
        return widget.isEditable()
    return False


def editable_ancestor(widget: QWidget | None) -> QWidget | None:
    """``widget`` or the nearest parent of it that is editable (a text box's viewport or
    scroll bar belongs to the text box), else None."""
    while widget is not None:
        if is_editable(widget):
            return widget
        if widget.isWindow():
            return None
        widget = widget.parentWidget()
    return None


class FocusKeeper(QObject):
    """An application event filter that hands the keyboard back to ``window``'s shortcuts.

    ``home`` receives the focus taken from a text box; it lies inside ``window``.
    """

    def __init__(self, window: QWidget, home: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.home = home
        QApplication.instance().installEventFilter(self)  # removed by Qt with this object

    def release(self) -> None:
        """Move the focus out of the text box to ``home`` (nothing if it is elsewhere)."""
        if editable_ancestor(QApplication.focusWidget()) is not None:
            self.home.setFocus(Qt.OtherFocusReason)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()
        if kind == QEvent.MouseButtonPress:
            if isinstance(obj, QWidget) and obj.window() is self.window:
                self._on_press(obj)
        elif kind == QEvent.KeyPress:
            if isinstance(obj, QWidget) and obj.window() is self.window:
                return self._on_key(obj, event)
        elif kind == QEvent.FocusIn:
            if isinstance(obj, (QPlainTextEdit, QTextEdit)) and not obj.tabChangesFocus():
                obj.setTabChangesFocus(True)
        return False

    def _on_press(self, target: QWidget) -> None:
        if editable_ancestor(target) is not None or _inside(target, QMenuBar):
            return  # a click into a text box, or a menu: the focus stays where it is
        self.release()

    def _on_key(self, target: QWidget, event) -> bool:
        box = editable_ancestor(target)
        if box is None or event.modifiers() & ~Qt.KeypadModifier:
            return False
        if event.key() == Qt.Key_Escape:
            self.home.setFocus(Qt.OtherFocusReason)
            return True
        if event.key() in _ENTER and _one_line(box):
            # after the input has handled Enter (returnPressed runs first)
            QTimer.singleShot(0, self.release)
        return False


def _one_line(widget: QWidget) -> bool:
    return isinstance(widget, (QLineEdit, QAbstractSpinBox, QComboBox))


def _inside(widget: QWidget, cls) -> bool:
    while widget is not None:
        if isinstance(widget, cls):
            return True
        widget = widget.parentWidget()
    return False
