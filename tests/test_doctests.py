"""The worked examples in the core's docstrings are part of what learners read: they must run."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

import tfviz

CORE = Path(tfviz.__file__).resolve().parent / "core"
MODULES = sorted(
    "tfviz." + ".".join(p.relative_to(CORE.parent).with_suffix("").parts).removesuffix(".__init__")
    for p in CORE.rglob("*.py")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
