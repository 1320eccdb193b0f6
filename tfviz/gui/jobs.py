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
import time
import traceback
import weakref
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal

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


def format_failure(exc: BaseException) -> str:
    """The one line a panel shows for a failed job: the message, or the type when it has none.

    >>> format_failure(ValueError("file x.json, line 3: not JSON"))
    'file x.json, line 3: not JSON'
    >>> format_failure(MemoryError())
    'MemoryError'
    """
    text = str(exc).strip()
    if isinstance(exc, KeyError) and len(exc.args) == 1:
        text = f"missing key {exc.args[0]!r}"
    return text.splitlines()[0] if text else type(exc).__name__


class _Runner(QThread):
    item = Signal(object)
    done = Signal(object)
    failed = Signal(object)  # the exception, with its __traceback__

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
            self.failed.emit(exc)


class Job(QObject):
    """A handle on one background job."""

    item = Signal(object)
    done = Signal(object)
    failed = Signal(object)  # the original exception (traceback in exc.__traceback__)
    finished = Signal()  # always, after done/failed/cancel

    def __init__(self, runner: _Runner, name: str) -> None:
        super().__init__()
        self.name = name
        self._runner = runner
        runner.item.connect(self.item)
        runner.done.connect(self.done)
        runner.failed.connect(self._on_failed)
        runner.finished.connect(self.finished)

    def _on_failed(self, exc: BaseException) -> None:
        log.error("job %s failed: %s\n%s", self.name, format_failure(exc),
                  "".join(traceback.format_exception(exc)))
        self.failed.emit(exc)

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
        on_error: Callable[[BaseException], None] | None,
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
        on_error: Callable[[BaseException], None] | None = None,
        name: str = "job",
    ) -> Job:
        """Iterate ``factory()`` in a worker; ``on_item`` gets each record on the UI thread."""
        return self._start(factory, True, name, on_item, on_done, on_error)

    def run_call(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
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

    def close(self, timeout_ms: int = 30000) -> list[Job]:
        """For the window closing: :meth:`shutdown`, then start no new jobs ever again.

        Returns the jobs still running after ``timeout_ms``: a core routine in a long stretch
        between two records. Their threads must not be destroyed while they run (Qt aborts
        the process), so the app ends the process without waiting for them (``run_gui``).
        """
        self._closed = True
        return self.shutdown(timeout_ms)

    def shutdown(self, timeout_ms: int = 30000) -> list[Job]:
        """Cancel every job and wait for the threads to end, ``timeout_ms`` for all of them
        together; return the jobs still running."""
        for job in list(self._jobs):
            job.cancel()
        deadline = time.monotonic() + timeout_ms / 1000
        for job in list(self._jobs):
            left_ms = max(0, round((deadline - time.monotonic()) * 1000))
            if not job.wait(left_ms):
                log.error("job %s did not stop within %d ms", job.name, timeout_ms)
        self._jobs = [j for j in self._jobs if j.is_running()]
        return list(self._jobs)


class LatestJob(QObject):
    """A slot for interactive work where the newest request wins.

    ``submit`` never runs two requests of the slot at once: while one runs, a newer request
    waits (replacing any older waiting one) and the running one is cancelled (a generator
    stops at its next record; a plain call runs to its end and its result is dropped). Only
    the newest request's records and result are delivered, so a burst of submissions delivers
    exactly one result, that of the last. ``wait_idle`` blocks (processing events) until the
    slot has nothing left to do: for screenshots and tests.
    """

    item = Signal(object)  # a record of the newest request (generators)
    result = Signal(object)  # the newest request's result (a call's return, a generator's last record)
    failed = Signal(object)  # the newest request's exception (traceback in exc.__traceback__)
    idle = Signal()  # nothing running and nothing waiting

    def __init__(self, jobs: JobManager, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._name = name
        self._serial = 0  # number of the newest request
        self._running: Job | None = None
        self._running_serial = 0
        self._pending: tuple[int, Callable[[], Any], bool] | None = None

    def submit(self, factory: Callable[[], Any], generator: bool = False) -> int:
        """Ask for ``factory()`` (a call, or a generator with ``generator=True``); returns its number."""
        self._serial += 1
        self._pending = (self._serial, factory, generator)
        if self._running is not None:
            self._running.cancel()
        else:
            self._start_pending()
        return self._serial

    def cancel(self) -> None:
        """Forget the waiting request and cancel the running one: nothing more is delivered."""
        self._serial += 1
        self._pending = None
        if self._running is not None:
            self._running.cancel()

    def busy(self) -> bool:
        return self._running is not None or self._pending is not None

    @property
    def latest(self) -> int:
        """The number of the newest request (results of older ones are never delivered)."""
        return self._serial

    def wait_idle(self, timeout_ms: int = 30000) -> bool:
        """Block, processing events, until nothing runs or waits; False on timeout."""
        deadline = time.monotonic() + timeout_ms / 1000
        app = QCoreApplication.instance()
        while self.busy():
            if time.monotonic() > deadline:
                return False
            if self._running is not None:
                self._running.wait(20)
            app.processEvents()
        app.processEvents()
        return True

    def _start_pending(self) -> None:
        if self._pending is None:
            return
        serial, factory, generator = self._pending
        self._pending = None
        start = self._jobs.run_generator if generator else self._jobs.run_call
        job = start(factory, name=self._name)
        job.item.connect(lambda rec, s=serial: s == self._serial and self.item.emit(rec))
        job.done.connect(lambda res, s=serial: s == self._serial and self.result.emit(res))
        job.failed.connect(lambda exc, s=serial: s == self._serial and self.failed.emit(exc))
        job.finished.connect(self._on_finished)
        self._running, self._running_serial = job, serial
        if not job.is_running() and self._jobs._closed:  # the window is closing: nothing will run
            self._running = None
            self._pending = None

    def _on_finished(self) -> None:
        self._running = None
        if self._pending is not None:
            self._start_pending()
        if not self.busy():
            self.idle.emit()


class Debouncer(QObject):
    """Call ``fn`` once, ``delay_ms`` after the last of a burst of ``trigger()`` calls.

    Typing fires ``textChanged`` per key; a panel recomputes once the typist pauses:

        self._retype = Debouncer(150, self._analyse, parent=self)
        self.input.textChanged.connect(self._retype.trigger)
    """

    def __init__(self, delay_ms: int, fn: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fn = fn
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(fn)

    def trigger(self, *_args: Any) -> None:
        self._timer.start()

    def pending(self) -> bool:
        return self._timer.isActive()

    def flush(self) -> None:
        """Run now if a call is pending (screenshots, tests)."""
        if self._timer.isActive():
            self._timer.stop()
            self._fn()

    def cancel(self) -> None:
        self._timer.stop()
