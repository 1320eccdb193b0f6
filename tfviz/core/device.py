"""Choosing where models run: CUDA, Apple MPS or the CPU, with a CPU fallback.

``auto`` picks CUDA, then MPS, then the CPU. :func:`run_with_fallback` redoes a piece of
work on the CPU when the GPU fails (out of memory, driver error) and says so through
``notify``; nothing crashes.

``TFVIZ_DEVICE`` in the environment overrides ``auto`` (the test suite uses it to run the
core tests once on ``cuda``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

CHOICES = ("auto", "cpu", "cuda", "mps")

T = TypeVar("T")


class DeviceError(ValueError):
    """The requested device does not exist on this machine."""


def available() -> list[str]:
    """The devices this machine can use, best first (always ends with ``cpu``)."""
    import torch

    found = []
    if torch.cuda.is_available():
        found.append("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        found.append("mps")
    found.append("cpu")
    return found


def resolve(name: str = "auto") -> str:
    """Turn a user choice into a concrete torch device string.

    >>> resolve("cpu")
    'cpu'
    """
    if name not in CHOICES:
        raise DeviceError(f"unknown device {name!r}; valid: {', '.join(CHOICES)}")
    if name == "auto":
        name = os.environ.get("TFVIZ_DEVICE", "auto")
        if name == "auto":
            return available()[0]
        if name not in CHOICES:
            raise DeviceError(f"TFVIZ_DEVICE={name!r} is not one of {', '.join(CHOICES)}")
    if name != "cpu" and name not in available():
        raise DeviceError(f"device {name!r} is not available here; available: {', '.join(available())}")
    return name


def is_gpu_failure(exc: BaseException) -> bool:
    """True for errors that mean "the GPU could not do it" rather than a bug."""
    import torch

    if isinstance(exc, torch.cuda.OutOfMemoryError):
        return True
    text = str(exc).lower()
    markers = ("out of memory", "cuda error", "cudnn", "cublas", "mps backend", "device-side", "driver")
    return isinstance(exc, RuntimeError) and any(m in text for m in markers)


def run_with_fallback(
    work: Callable[[str], T],
    device: str,
    notify: Callable[[str], None] | None = None,
) -> tuple[T, str]:
    """Run ``work(device)``; on a GPU failure run ``work("cpu")`` instead.

    Returns the result and the device that produced it.
    """
    if device == "cpu":
        return work("cpu"), "cpu"
    try:
        return work(device), device
    except Exception as exc:  # noqa: BLE001 - we re-raise anything that is not a GPU failure
        if not is_gpu_failure(exc):
            raise
        _free_gpu_memory()
        if notify is not None:
            notify(f"The {device} device failed ({type(exc).__name__}: {str(exc)[:120]}); redone on the CPU.")
        return work("cpu"), "cpu"


def _free_gpu_memory() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def interactive_threads() -> None:
    """One torch thread for the app's background work (a process-wide torch setting).

    tfviz's interactive models are tiny: a second intra-op thread only adds synchronisation,
    and on a busy 2-core machine one trajectory frame took 13 ms with one thread against
    64 ms with two. Every GUI worker that runs torch calls this first; the command line keeps
    torch's default (or its own ``--threads``).
    """
    import torch

    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)


def describe(device: str) -> str:
    """Human-readable name of a device, e.g. ``cuda (NVIDIA H200)``."""
    if device == "cuda":
        import torch

        try:
            return f"cuda ({torch.cuda.get_device_name(0)})"
        except Exception:  # noqa: BLE001
            return "cuda"
    return device
