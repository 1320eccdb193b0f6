"""Capture and restore what a panel shows, for lessons and workspaces.

Every panel has ``state() -> dict`` and ``restore(dict) -> list[str]`` (:class:`BasePanel`
dispatches them to ``tfviz/gui/panels/<module>_state.py`` when the panel has such a module).
This module adds the checks around them: a state is cleaned against the field table of
:mod:`tfviz.core.lessons.states` before the panel sees it, and restoring never raises.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import time

from tfviz.core.lessons.states import sanitize_state

log = logging.getLogger(__name__)


def adapter(name: str):
    """The module ``tfviz.gui.panels.<module>_state`` of panel ``name``, or None.

    Such a module defines ``state(panel) -> dict`` and ``restore(panel, state) -> list[str]``:
    the state code of a panel lives beside the panel, not inside its class.
    """
    from tfviz.panels_registry import entry

    try:
        module = f"tfviz.gui.panels.{entry(name).module}_state"
    except KeyError:
        return None
    if importlib.util.find_spec(module) is None:
        return None
    return importlib.import_module(module)


def _state_of(panel) -> dict:
    own = getattr(panel, "state", None)
    if callable(own):
        return own()
    mod = adapter(panel.name)
    return mod.state(panel) if mod is not None else {"panel": panel.name, "version": 1}


def _restore(panel, state: dict) -> list[str]:
    own = getattr(panel, "restore", None)
    if callable(own):
        return own(state)
    mod = adapter(panel.name)
    if mod is None:
        return [f"{panel.name}: this panel cannot restore a state yet"] if len(state) > 2 else []
    return mod.restore(panel, state)


def capture(panel) -> dict:
    """The state of ``panel`` (``{"panel": name, "version": 1}`` at least)."""
    try:
        state = dict(_state_of(panel))
    except Exception as exc:  # a panel bug must not lose the rest of a workspace
        log.exception("state() of %s failed", panel.name)
        return {"panel": panel.name, "version": 1, "_error": str(exc)}
    state.setdefault("panel", panel.name)
    state.setdefault("version", 1)
    return state


def apply(panel, state: dict) -> list[str]:
    """Restore ``state`` into ``panel``; the warnings (never an exception)."""
    clean, warnings = sanitize_state(state, panel.name)
    if not clean:
        return warnings
    try:
        warnings += list(_restore(panel, clean) or [])
    except Exception as exc:
        log.exception("restore() of %s failed", panel.name)
        warnings.append(f"{panel.name}: could not restore the state ({exc.__class__.__name__}: {exc})")
    return warnings


def settle(panel, timeout_s: float = 60.0, quiet_ms: int = 300) -> bool:
    """Process events until ``panel`` has finished the work a restore started (for shots/tests).

    A panel may define ``settle(timeout_ms)`` itself; otherwise this waits until no job of the
    application has run for ``quiet_ms``. Returns False on timeout.
    """
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    mod = adapter(panel.name)
    own = getattr(panel, "settle", None) or (
        (lambda ms: mod.settle(panel, ms)) if mod is not None and hasattr(mod, "settle") else None)
    if callable(own):
        ok = bool(own(int(timeout_s * 1000)))
        app.processEvents()
        return ok
    jobs = panel.ctx.jobs
    deadline = time.monotonic() + timeout_s
    quiet_since = None
    while time.monotonic() < deadline:
        app.processEvents()
        if jobs.active():
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif (time.monotonic() - quiet_since) * 1000 >= quiet_ms:
            return True
        time.sleep(0.01)
    return False


def highlight(panel, h: dict) -> bool:
    """Show a lesson step's highlight in ``panel``; False when the panel cannot."""
    own = getattr(panel, "show_highlight", None)
    mod = adapter(panel.name)
    if own is None and mod is not None:
        own = getattr(mod, "show_highlight", None)
        if own is not None:
            own(panel, h)
            return True
        return False
    if callable(own):
        own(h)
        return True
    return False
