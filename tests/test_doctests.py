"""The worked examples in docstrings are part of what learners read: they must run.

Every module of ``tfviz/core`` must hold at least one example, except those listed in
``NO_EXAMPLES`` with the reason. Modules of ``tfviz/gui``, ``tfviz/commands`` and the CLI are
collected too (offscreen Qt, no display needed); an example there must pass, but none is
required.
"""

from __future__ import annotations

import doctest
import importlib
import os
from pathlib import Path

import pytest

import tfviz

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PACKAGE = Path(tfviz.__file__).resolve().parent


def _modules(folder: str) -> list[str]:
    names = []
    for p in sorted((PACKAGE / folder).rglob("*.py")):
        parts = p.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts).removesuffix(".__init__")
        if not name.endswith("__main__"):
            names.append(name)
    return names


CORE = _modules("core")
SHELL = _modules("gui") + _modules("commands") + ["tfviz.cli"]

# Core modules allowed to have no example, and why. A name here must exist (no stale entries).
NO_EXAMPLES = {
    "tfviz.core": "package marker, no code",
    "tfviz.core.seq2seq": "package marker, no code",
    "tfviz.core.traj": "re-exports only",
    "tfviz.core.lm": "package marker, no code",
    "tfviz.core.lessons": "package marker, no code",
    "tfviz.core.lm.evaluate": "runs trained models over a corpus; covered by tests/test_lm*.py",
    "tfviz.core.lm.fetch": "downloads (network, user action only); covered by its tests",
    "tfviz.core.lm.gguf_file": "reads multi-megabyte GGUF files; covered by its tests",
    "tfviz.core.lm.registry": "a table of model names; covered by its tests",
    "tfviz.core.lm.smollm2": "needs the downloaded SmolLM2 weights; covered by its tests",
    "tfviz.core.lm.tiny": "needs trained weights; covered by its tests",
    "tfviz.core.lm.weights": "file I/O; covered by its tests",
    "tfviz.core.lessons.check": "checks lesson files; covered by tests/test_lessons_core.py",
    "tfviz.core.lessons.store": "file I/O; covered by tests/test_lessons_core.py",
}

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _run(name: str) -> doctest.TestResults:
    module = importlib.import_module(name)
    return doctest.testmod(module, optionflags=FLAGS)


@pytest.mark.parametrize("name", CORE)
def test_core_examples_run(name):
    result = _run(name)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
    if name not in NO_EXAMPLES:
        assert result.attempted > 0, f"{name} has no worked example; add one or list it in NO_EXAMPLES with a reason"


@pytest.mark.parametrize("name", SHELL)
def test_gui_and_command_examples_run(name):
    result = _run(name)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"


def test_exemptions_name_real_modules():
    stale = sorted(set(NO_EXAMPLES) - set(CORE))
    assert not stale, f"NO_EXAMPLES lists modules that do not exist: {stale}"


def test_the_collection_is_not_empty():
    """A broken module walk must not make every test above vanish."""
    assert len(CORE) > 40 and "tfviz.core.io" in CORE
    assert "tfviz.gui.mainwindow" in SHELL and "tfviz.commands.bpe" in SHELL
