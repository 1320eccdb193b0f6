"""Where tfviz keeps what the user makes or fetches (trained weights, downloaded models).

No torch, no Qt: the GUI asks for these paths while the window opens.
"""

from __future__ import annotations

import os
from pathlib import Path


def user_data_dir() -> Path:
    """``$TFVIZ_DATA_DIR``, else ``%APPDATA%/tfviz`` on Windows, else ``$XDG_DATA_HOME/tfviz``
    (``~/.local/share/tfviz``).

    >>> import os; os.environ["TFVIZ_DATA_DIR"] = "/tmp/tfviz-doc"; str(user_data_dir())
    '/tmp/tfviz-doc'
    >>> del os.environ["TFVIZ_DATA_DIR"]
    """
    base = os.environ.get("TFVIZ_DATA_DIR")
    if not base:
        if os.name == "nt" and os.environ.get("APPDATA"):
            base = str(Path(os.environ["APPDATA"]) / "tfviz")
        else:
            base = str(Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "tfviz")
    return Path(base)
