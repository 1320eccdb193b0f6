"""Background work: run core generators and calls off the UI thread.

The core yields small frozen records; a :class:`GeneratorJob` iterates the generator in a
``QThread``, emits each record through a queued signal, and checks a cancel flag between
records (cancelling closes the generator, so ``finally`` blocks in the core run). The
:class:`JobManager` owned by the app context tracks every job so that closing the window
cancels and joins them all.

    job = ctx.jobs.run_generator(lambda: trainer.train(...), on_item=self._on_step,
                                 on_done=self._on_done, on_error=self._on_error)
    job.cancel()
"""

from __future__ import annotations

import logging
import traceback
import weakref
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

log = logging.getLogger(__name__)

# Every worker thread ever started, to let tests check that none is left running.
_live_runners: weakref.WeakSet = weakref.WeakSet()


def running_workers() -> int:
    """How many job threads are still running (the test suite fails a test that leaks one)."""
    count = 0
    for runner in list(_live_runners):
        try:
            count += runner.isRunning()
        except RuntimeError:  # the C++ thread object is gone: it is certainly not running
            _live_runners.discard(runner)
    return count


class _Runner(QThread):
    item = Signal(object)
    done = Signal(object)
    failed = Signal(str, str)  # short message, traceback

    def __init__(self, factory: Callable[[], Any], is_generator: bool, parent=None) -> None:
        super().__init__(parent)
        self._factory = factory
        self._is_generator = is_generator
        self._cancel = False
        _live_runners.add(self)

    def cancel(self) -> None:
        self._cancel = True

    @property
    def cancelled(self) -> bool:
        return self._cancel

    def run(self) -> None:  # runs in the worker thread
        try:
            if not self._is_generator:
                result = self._factory()
                if not self._cancel:
                    self.done.emit(result)
                return
            gen: Iterator[Any] = self._factory()
            last = None
            try:
                for record in gen:
                    if self._cancel:
                        break
                    last = record
                    self.item.emit(record)
            finally:
                close = getattr(gen, "close", None)
                if close is not None:
                    close()
            if not self._cancel:
                self.done.emit(last)
        except Exception as exc:  # noqa: BLE001 - reported to the UI, never swallowed
            self.failed.emit(f"{type(exc).__name__}: {exc}", traceback.format_exc())


class Job(QObject):
    """A handle on one background job."""

    item = Signal(object)
    done = Signal(object)
    failed = Signal(str)
    finished = Signal()  # always, after done/failed/cancel

    def __init__(self, runner: _Runner, name: str) -> None:
        super().__init__()
        self.name = name
        self._runner = runner
        runner.item.connect(self.item)
        runner.done.connect(self.done)
        runner.failed.connect(self._on_failed)
        runner.finished.connect(self.finished)

    def _on_failed(self, message: str, tb: str) -> None:
        log.error("job %s failed: %s\n%s", self.name, message, tb)
        self.failed.emit(message)

    def start(self) -> None:
        self._runner.start()

    def cancel(self) -> None:
        self._runner.cancel()

    @property
    def cancelled(self) -> bool:
        return self._runner.cancelled

    def is_running(self) -> bool:
        try:
            return self._runner.isRunning()
        except RuntimeError:  # deleted after it finished
            return False

    def wait(self, msecs: int = -1) -> bool:
        if msecs < 0:
            return self._runner.wait()
        return self._runner.wait(msecs)


class JobManager(QObject):
    """Starts jobs and remembers the live ones; ``shutdown()`` cancels and joins them all."""

    changed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._jobs: list[Job] = []
        self._closed = False

    def _start(
        self,
        factory: Callable[[], Any],
        is_generator: bool,
        name: str,
        on_item: Callable[[Any], None] | None,
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[str], None] | None,
    ) -> Job:
        runner = _Runner(factory, is_generator)
        job = Job(runner, name)
        if self._closed:
            # After close() a late timer or event may still ask for work: hand back a job
            # that never starts instead of a thread nobody will join.
            log.info("job %s not started: the job manager is closed", name)
            return job
        if on_item is not None:
            job.item.connect(on_item)
        if on_done is not None:
            job.done.connect(on_done)
        if on_error is not None:
            job.failed.connect(on_error)
        job.finished.connect(lambda j=job: self._forget(j))
        self._jobs.append(job)
        job.start()
        self.changed.emit()
        return job

    def run_generator(
        self,
        factory: Callable[[], Iterator[Any]],
        on_item: Callable[[Any], None] | None = None,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        name: str = "job",
    ) -> Job:
        """Iterate ``factory()`` in a worker; ``on_item`` gets each record on the UI thread."""
        return self._start(factory, True, name, on_item, on_done, on_error)

    def run_call(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        name: str = "job",
    ) -> Job:
        """Run ``fn()`` in a worker; ``on_done`` gets its result on the UI thread."""
        return self._start(fn, False, name, None, on_done, on_error)

    def _forget(self, job: Job) -> None:
        if job in self._jobs:
            job.wait()
            self._jobs.remove(job)
            _live_runners.discard(job._runner)
            job._runner.deleteLater()
            job.deleteLater()
            self.changed.emit()

    def active(self) -> list[Job]:
        return [j for j in self._jobs if j.is_running()]

    def close(self, timeout_ms: int = 30000) -> None:
        """For the window closing: :meth:`shutdown`, then start no new jobs ever again."""
        self._closed = True
        self.shutdown(timeout_ms)

    def shutdown(self, timeout_ms: int = 30000) -> None:
        """Cancel every job and wait for its thread to end."""
        for job in list(self._jobs):
            job.cancel()
        for job in list(self._jobs):
            if not job.wait(timeout_ms):
                log.error("job %s did not stop within %d ms", job.name, timeout_ms)
        self._jobs = [j for j in self._jobs if j.is_running()]
