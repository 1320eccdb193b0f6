"""Where seq2seq weights live: shipped with tfviz, or trained by the user.

No torch here: the GUI asks for these paths while the window opens.
"""

from __future__ import annotations

from pathlib import Path


def shipped_path(kind: str, task_name: str) -> Path:
    """The weights shipped inside the package (never written by tfviz at run time).

    >>> shipped_path("transformer", "dates").name
    'dates-transformer.safetensors'
    """
    from tfviz.core.assets import asset_path

    return asset_path("weights", "seq2seq", f"{task_name}-{kind}.safetensors")


def user_weights_dir() -> Path:
    """Where weights trained by the user go (never over the shipped ones).

    ``$TFVIZ_DATA_DIR``, else ``%APPDATA%/tfviz`` on Windows, else ``$XDG_DATA_HOME/tfviz``
    (``~/.local/share/tfviz``); then ``weights/seq2seq``.
    """
    from tfviz.core.userdata import user_data_dir

    return user_data_dir() / "weights" / "seq2seq"


def user_path(kind: str, task_name: str) -> Path:
    return user_weights_dir() / f"{task_name}-{kind}.safetensors"
