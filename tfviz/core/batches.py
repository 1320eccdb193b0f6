"""Group the records of a long job by time, for consumers that pay per record.

A GUI worker forwards each record of a core generator to the UI thread as one queued signal.
A trainer that yields thousands of records a second would flood the UI thread: Qt delivers
every queued record before it repaints. :func:`batched_every` hands the records on in lists,
at most one list per interval, so the UI thread handles a few lists a second whatever the
trainer's pace.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def batched_every(records: Iterable[T], seconds: float) -> Iterator[list[T]]:
    """Yield ``records`` in lists, one list once ``seconds`` have passed since the last one.

    The last list holds what is left. Closing this generator closes ``records`` too (their
    ``finally`` blocks run), so cancelling the batches cancels the job. A consumer that stops
    between lists waits at most one interval plus one record.

    >>> list(batched_every(range(5), seconds=3600))
    [[0, 1, 2, 3, 4]]
    >>> [len(b) for b in batched_every(range(3), seconds=0)]
    [1, 1, 1]
    """
    it = iter(records)
    batch: list[T] = []
    due = time.monotonic() + seconds
    try:
        for record in it:
            batch.append(record)
            if time.monotonic() >= due:
                yield batch
                batch = []
                due = time.monotonic() + seconds
        if batch:
            yield batch
    finally:
        close = getattr(it, "close", None)
        if close is not None:
            close()
