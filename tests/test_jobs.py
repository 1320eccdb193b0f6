"""Background jobs: records arrive on the UI thread, cancel works, errors are reported,
and the event loop keeps running while a long job works."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QThread, QTimer

from tfviz.gui.jobs import JobManager


@dataclass(frozen=True)
class Tick:
    i: int


def counting(n, delay=0.0, log=None):
    try:
        for i in range(n):
            if delay:
                time.sleep(delay)
            yield Tick(i)
    finally:
        if log is not None:
            log.append("closed")


def test_generator_records_arrive_in_order_on_ui_thread(qtbot):
    jobs = JobManager()
    got, threads = [], []

    def on_item(rec):
        got.append(rec.i)
        threads.append(QThread.currentThread())

    with qtbot.waitSignal(jobs.run_generator(lambda: counting(20), on_item=on_item).done, timeout=10000) as blocker:
        pass
    assert got == list(range(20))
    assert blocker.args[0] == Tick(19)
    assert all(t is QThread.currentThread() for t in threads)
    qtbot.waitUntil(lambda: not jobs.active())
    jobs.shutdown()


def test_cancel_stops_between_records_and_closes_generator(qtbot):
    jobs = JobManager()
    log, got = [], []
    job = jobs.run_generator(lambda: counting(10_000, 0.002, log), on_item=lambda r: got.append(r.i))
    qtbot.waitUntil(lambda: len(got) >= 3, timeout=10000)
    done = []
    job.done.connect(done.append)
    job.cancel()
    with qtbot.waitSignal(job.finished, timeout=10000):
        pass
    assert log == ["closed"]
    assert len(got) < 10_000
    assert done == []  # a cancelled job does not report completion
    jobs.shutdown()


def test_errors_are_reported_not_raised(qtbot):
    jobs = JobManager()

    def broken():
        yield Tick(0)
        raise ValueError("bad input in line 3")

    with qtbot.waitSignal(jobs.run_generator(broken).failed, timeout=10000) as blocker:
        pass
    assert "bad input in line 3" in blocker.args[0]
    jobs.shutdown()


def test_run_call_returns_result(qtbot):
    jobs = JobManager()
    with qtbot.waitSignal(jobs.run_call(lambda: 6 * 7).done, timeout=10000) as blocker:
        pass
    assert blocker.args[0] == 42
    jobs.shutdown()


def test_shutdown_cancels_and_joins_everything(qtbot):
    jobs = JobManager()
    for _ in range(3):
        jobs.run_generator(lambda: counting(10**9, 0.001))
    jobs.shutdown()
    assert jobs.active() == []


def busy_python(seconds):
    """Pure-Python CPU work (holds the GIL in slices), yielding rarely."""
    end = time.perf_counter() + seconds
    x = 0
    while time.perf_counter() < end:
        for i in range(20000):
            x += i * i
    yield x


@pytest.mark.parametrize("seconds", [1.5])
def test_event_loop_keeps_running_during_long_job(qtbot, seconds):
    """The UI thread must never block: timer ticks keep arriving while the worker computes.

    A blocked UI thread would show one gap as long as the whole job."""
    jobs = JobManager()
    stamps = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: stamps.append(time.perf_counter()))
    timer.start()
    job = jobs.run_generator(lambda: busy_python(seconds))
    with qtbot.waitSignal(job.done, timeout=30000):
        pass
    timer.stop()
    gaps = [b - a for a, b in zip(stamps, stamps[1:])]
    assert len(stamps) > 20, "the event loop hardly ran while the job worked"
    assert max(gaps) < seconds / 3, f"event loop stalled for {max(gaps):.3f} s"
    jobs.shutdown()


def test_no_job_starts_after_close(qtbot):
    """A timer that fires while the window closes must not leave an unjoined thread."""
    jobs = JobManager()
    jobs.close()
    done = []
    job = jobs.run_call(lambda: 1, on_done=done.append)
    assert not job.is_running() and jobs.active() == []
    qtbot.wait(50)
    assert done == []
