from __future__ import annotations

import pytest
import torch

from tfviz.core import device as dev


def test_cpu_always_available():
    assert dev.available()[-1] == "cpu"
    assert dev.resolve("cpu") == "cpu"


def test_auto_picks_best(monkeypatch):
    monkeypatch.delenv("TFVIZ_DEVICE", raising=False)
    assert dev.resolve("auto") == dev.available()[0]


def test_unknown_device_is_refused():
    with pytest.raises(dev.DeviceError, match="valid"):
        dev.resolve("tpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_missing_cuda_is_refused_with_message():
    with pytest.raises(dev.DeviceError, match="not available"):
        dev.resolve("cuda")


def test_gpu_failure_is_redone_on_cpu():
    seen, notes = [], []

    def work(d):
        seen.append(d)
        if d != "cpu":
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2 GiB")
        return torch.ones(2, device=d).sum().item()

    result, used = dev.run_with_fallback(work, "cuda", notify=notes.append)
    assert (result, used) == (2.0, "cpu")
    assert seen == ["cuda", "cpu"]
    assert notes and "CPU" in notes[0]


def test_real_bugs_are_not_hidden_by_fallback():
    def work(d):
        raise ValueError("a bug, not a GPU failure")

    with pytest.raises(ValueError):
        dev.run_with_fallback(work, "cuda")


def test_interactive_threads_sets_one_thread():
    before = torch.get_num_threads()
    try:
        dev.interactive_threads()
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
