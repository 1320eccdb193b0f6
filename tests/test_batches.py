"""batched_every: lists by time, and closing it closes the job it wraps."""

from __future__ import annotations

from tfviz.core.batches import batched_every


def test_every_record_arrives_once_in_order():
    batches = list(batched_every(iter(range(10_000)), seconds=0.0005))
    assert [r for b in batches for r in b] == list(range(10_000))
    assert all(batches)


def test_closing_the_batches_closes_the_source():
    closed = []

    def source():
        try:
            i = 0
            while True:
                yield i
                i += 1
        finally:
            closed.append(True)

    batches = batched_every(source(), seconds=0)
    assert next(batches) == [0]
    batches.close()
    assert closed == [True]
