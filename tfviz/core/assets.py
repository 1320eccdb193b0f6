"""Access to the files shipped inside the tfviz wheel (``tfviz.resources``)."""

from __future__ import annotations

import contextlib
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path


def _root() -> Traversable:
    try:
        return resources.files("tfviz.resources")
    except ModuleNotFoundError:
        # A source checkout run without installing (``python -m tfviz`` from the repo root):
        # ``resources/`` sits beside the ``tfviz/`` package.
        src = Path(__file__).resolve().parents[2] / "resources"
        if (src / "__init__.py").is_file():
            return src
        raise


def asset(*parts: str) -> Traversable:
    """The shipped file ``resources/<parts...>``.

    >>> asset("i18n", "zh_CN").is_dir()
    True
    """
    node = _root()
    for part in parts:
        node = node / part
    return node


def asset_path(*parts: str) -> Path:
    """A real filesystem path for an asset (wheels install as plain files)."""
    node = asset(*parts)
    if isinstance(node, Path):
        return node
    # Zip imports are not supported for tfviz; an installed wheel is always a folder.
    with contextlib.ExitStack() as stack:  # pragma: no cover - defensive
        return Path(stack.enter_context(resources.as_file(node)))
