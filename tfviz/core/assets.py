"""Access to the files shipped inside the tfviz wheel (``tfviz.resources``)."""

from __future__ import annotations

import contextlib
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path


def asset(*parts: str) -> Traversable:
    """The shipped file ``resources/<parts...>``.

    >>> asset("i18n", "zh_CN").is_dir()
    True
    """
    node = resources.files("tfviz.resources")
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
