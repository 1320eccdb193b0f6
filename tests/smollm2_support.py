"""Shared by the SmolLM2 tests: the GGUF file (skip when absent, fail in CI) and loaded models."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import pytest


def gguf_path() -> Path:
    """The SmolLM2 GGUF; skips the test when it is absent, fails when TFVIZ_REQUIRE_SHARED=1
    (CI runs ``tfviz lm fetch smollm2`` first)."""
    from tfviz.core.lm.base import ModelNotAvailable
    from tfviz.core.lm.fetch import find_gguf

    try:
        return find_gguf()
    except ModelNotAvailable as exc:
        if os.environ.get("TFVIZ_REQUIRE_SHARED") == "1":
            pytest.fail(f"{exc} (CI fetches it in .ci/run)")
        pytest.skip(str(exc))


@lru_cache(maxsize=1)
def _model(path: str):
    from tfviz.core.device import resolve
    from tfviz.core.lm.smollm2 import load

    return load(resolve("auto"), Path(path))


def tfviz_model():
    """tfviz's SmolLM2 on ``TFVIZ_DEVICE`` (auto), loaded once per test session."""
    return _model(str(gguf_path()))
