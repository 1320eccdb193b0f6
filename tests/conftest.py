"""Shared fixtures: offscreen Qt, ../shared data, isolated settings, leak checks."""

from __future__ import annotations

import gc
import os
import threading
from pathlib import Path

# Before anything imports Qt: no display here, and one binding only.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
os.environ.setdefault("TFVIZ_DEVICE", os.environ.get("TFVIZ_DEVICE", "auto"))

import pytest  # noqa: E402
from hypothesis import settings as _hyp_settings  # noqa: E402

# In CI (CI=true) property tests run with a fixed seed, so a submission's result does not
# depend on the luck of the draw; locally they explore new examples on every run.
_hyp_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    _hyp_settings.load_profile("ci")

REPO = Path(__file__).resolve().parents[1]


def _shared_root() -> Path:
    env = os.environ.get("TFVIZ_SHARED")
    return Path(env) if env else REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only ../shared folder (corpora, ETH/UCY). Skips when absent, unless
    TFVIZ_REQUIRE_SHARED=1 (as in CI), where its absence is a failure."""
    root = _shared_root()
    if not (root / "corpora").is_dir() or not (root / "datasets").is_dir():
        msg = f"shared data not found at {root} (set TFVIZ_SHARED to its location)"
        if os.environ.get("TFVIZ_REQUIRE_SHARED") == "1":
            pytest.fail(msg)
        pytest.skip(msg)
    return root


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path, monkeypatch):
    """Every test gets its own settings file: tests never see or write the user's settings."""
    monkeypatch.setenv("TFVIZ_SETTINGS", str(tmp_path / "settings.ini"))


@pytest.fixture(autouse=True)
def _no_dangling_threads(request):
    """Fail a test that leaves Python threads or Qt worker threads running."""
    before = {t.ident for t in threading.enumerate()}
    yield
    try:
        from PySide6.QtCore import QCoreApplication, QThreadPool
    except ImportError:  # pragma: no cover
        QCoreApplication = None
    if QCoreApplication is not None and QCoreApplication.instance() is not None:
        pool = QThreadPool.globalInstance()
        if not pool.waitForDone(10000):
            pytest.fail(f"{request.node.nodeid} left QThreadPool jobs running")
        QCoreApplication.processEvents()
        from tfviz.gui.jobs import running_workers

        if running_workers():
            pytest.fail(f"{request.node.nodeid} left {running_workers()} tfviz job thread(s) running")
    deadline = 100
    leftover = []
    for _ in range(deadline):
        leftover = [t for t in threading.enumerate()
                    if t.ident not in before and t.is_alive() and not t.daemon]
        if not leftover:
            break
        threading.Event().wait(0.05)
    if leftover:
        pytest.fail(f"{request.node.nodeid} left threads running: {[t.name for t in leftover]}")
    # Collect this test's Qt garbage now, while no worker runs: a collection that starts in
    # the next test, while its worker thread is inside torch, crashed the process (segfault
    # in the garbage collector seen in the BERT vs GPT tests).
    gc.collect()


@pytest.fixture
def main_window(qtbot):
    """The real main window (English, light theme, CPU), closed cleanly after the test.

    Closing cancels and joins every background job; a job still running afterwards fails
    the test.
    """
    from PySide6.QtCore import QSettings

    from tfviz.gui.app import build_window

    settings = QSettings(os.environ["TFVIZ_SETTINGS"], QSettings.IniFormat)
    window = build_window(lang="en", theme="light", device="cpu", panel="overview", settings=settings)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()
    running = window.ctx.jobs.active()
    assert not running, f"jobs still running after close: {[j.name for j in running]}"
    from tfviz.gui.i18n import set_language

    set_language("en")


@pytest.fixture
def ctx(qtbot):
    """An AppContext on the CPU for testing a panel on its own; its jobs are joined after."""
    from tfviz.gui.context import AppContext

    context = AppContext(device="cpu", theme="light")
    yield context
    context.jobs.shutdown()
    assert not context.jobs.active()
