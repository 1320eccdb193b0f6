"""Background jobs: records arrive on the UI thread, cancel works, errors are reported,
and the event loop keeps running while a long job works."""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QThread, QTimer

from tfviz.gui.jobs import Debouncer, JobManager, LatestJob


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
    exc = blocker.args[0]
    assert isinstance(exc, ValueError)  # the original exception type reaches the UI
    assert str(exc) == "bad input in line 3"
    assert exc.__traceback__ is not None  # with its traceback
    assert "broken" in "".join(traceback.format_exception(exc))
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


def test_latest_job_burst_of_50_delivers_exactly_the_newest(qtbot):
    jobs = JobManager()
    slot = LatestJob(jobs, "burst")
    got, failed = [], []
    slot.result.connect(got.append)
    slot.failed.connect(failed.append)
    started = []

    def work(i):
        started.append(i)
        time.sleep(0.01)
        return i

    for i in range(50):
        slot.submit(lambda i=i: work(i))
    assert slot.wait_idle(10000)
    assert got == [49]
    assert failed == []
    assert len(started) <= 2  # the first, then the newest: the 48 in between never ran
    jobs.shutdown()


def test_latest_job_generator_cancelled_by_newer_request(qtbot):
    jobs = JobManager()
    slot = LatestJob(jobs, "gen")
    log, items, results = [], [], []
    slot.item.connect(lambda rec: items.append(rec.i))
    slot.result.connect(results.append)
    slot.submit(lambda: counting(10_000, 0.002, log), generator=True)
    qtbot.waitUntil(lambda: len(items) >= 2, timeout=10000)
    slot.submit(lambda: counting(3), generator=True)
    assert slot.wait_idle(10000)
    assert log == ["closed"]  # the first generator was closed, its finally ran
    assert results == [Tick(2)]
    assert items[-3:] == [0, 1, 2]
    jobs.shutdown()


def test_latest_job_failure_keeps_exception_type(qtbot):
    jobs = JobManager()
    slot = LatestJob(jobs, "fail")
    failed = []
    slot.failed.connect(failed.append)

    def boom():
        raise KeyError("nope")

    slot.submit(boom)
    assert slot.wait_idle(10000)
    assert len(failed) == 1 and isinstance(failed[0], KeyError)
    jobs.shutdown()


def test_latest_job_cancel_delivers_nothing(qtbot):
    jobs = JobManager()
    slot = LatestJob(jobs, "cancel")
    got = []
    slot.result.connect(got.append)
    slot.submit(lambda: time.sleep(0.05) or 1)
    slot.cancel()
    assert slot.wait_idle(10000)
    assert got == []
    jobs.shutdown()


def test_debouncer_runs_once_after_a_burst(qtbot):
    calls = []
    bounce = Debouncer(30, lambda: calls.append(1))
    for _ in range(20):
        bounce.trigger("x")
    assert calls == []
    qtbot.waitUntil(lambda: calls == [1], timeout=2000)
    qtbot.wait(80)
    assert calls == [1]
    bounce.trigger()
    bounce.flush()
    assert calls == [1, 1] and not bounce.pending()


def test_close_waits_at_most_its_timeout_for_all_jobs_together(qtbot):
    """A job in a long stretch between two records cannot be interrupted: close() returns it
    after the timeout (for all jobs together, not per job) instead of blocking the exit."""
    jobs = JobManager()
    stuck = [jobs.run_call(lambda: time.sleep(1.0), name=f"stuck-{i}") for i in range(3)]
    start = time.perf_counter()
    left = jobs.close(timeout_ms=400)
    took = time.perf_counter() - start
    assert {j.name for j in left} == {"stuck-0", "stuck-1", "stuck-2"}
    assert took < 0.8  # one deadline of 0.4 s for all; 0.4 s per job would last until they end
    for job in stuck:
        job.wait()
