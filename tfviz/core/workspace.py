"""The workspace file (``.tfviz.json``): the state of every opened panel, versioned.

The window writes one on exit and reads it at the next start; File > Save / Open workspace
writes and reads others. Reading never raises: a broken file gives an empty workspace and a
warning, a file from an older or newer version or with unknown fields keeps what it can::

    {"format": "tfviz-workspace", "version": 1, "current": "attention",
     "panels": {"attention": {"panel": "attention", "version": 1, "layer": 2, ...}, ...},
     "lesson": {"id": "masks", "step": 3}}

>>> ws, warnings = parse_workspace(b'{"format": "tfviz-workspace", "version": 1,'
...     b' "panels": {"overview": {"panel": "overview", "version": 1, "tab": "tree"}}}')
>>> ws.panels["overview"]["tab"], warnings
('tree', [])
>>> parse_workspace(b"\\x00 not json")[0] == Workspace()
True
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from tfviz.core.lessons.states import PANEL_FIELDS, sanitize_state

FORMAT = "tfviz-workspace"
VERSION = 1
SUFFIX = ".tfviz.json"
MAX_BYTES = 5_000_000
TOP_FIELDS = ("format", "version", "current", "panels", "lesson")


@dataclass(frozen=True)
class Workspace:
    current: str | None = None  # the panel shown
    panels: dict = field(default_factory=dict)  # panel name -> state
    lesson: dict | None = None  # {"id": str, "step": int}: the lesson being played

    def to_dict(self) -> dict:
        out: dict = {"format": FORMAT, "version": VERSION, "current": self.current,
                     "panels": {k: dict(v) for k, v in self.panels.items()}}
        if self.lesson is not None:
            out["lesson"] = dict(self.lesson)
        return out


def to_json(ws: Workspace) -> str:
    return json.dumps(ws.to_dict(), ensure_ascii=False, indent=2) + "\n"


def _lesson(value: object, warnings: list[str]) -> dict | None:
    if value is None:
        return None
    ok = (isinstance(value, dict) and isinstance(value.get("id"), str)
          and isinstance(value.get("step"), int) and not isinstance(value.get("step"), bool))
    if not ok:
        warnings.append("workspace: field 'lesson' must be {\"id\": ..., \"step\": N}; ignored")
        return None
    return {"id": value["id"], "step": value["step"]}


def from_dict(data: object) -> tuple[Workspace, list[str]]:
    """What can be understood of decoded JSON, and a warning for everything left out."""
    if not isinstance(data, dict):
        return Workspace(), ["workspace: the file does not hold a JSON object; nothing restored"]
    warnings: list[str] = []
    if data.get("format") != FORMAT:
        warnings.append(f"workspace: field 'format' is not \"{FORMAT}\"; reading it anyway")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        warnings.append(f"workspace: no valid version; read as version {VERSION}")
    elif version > VERSION:
        warnings.append(f"workspace: written by a newer tfviz (version {version}); "
                        "restoring what this version understands")
    for key in data:
        if key not in TOP_FIELDS:
            warnings.append(f"workspace: field {key!r} is not known; ignored")
    panels: dict = {}
    raw = data.get("panels", {})
    if not isinstance(raw, dict):
        warnings.append("workspace: field 'panels' must be an object; no panel restored")
        raw = {}
    for name, state in raw.items():
        if name not in PANEL_FIELDS:
            warnings.append(f"workspace: unknown panel {name!r}; ignored")
            continue
        clean, more = sanitize_state(state, name)
        warnings += more
        if clean:
            panels[name] = clean
    current = data.get("current")
    if current is not None and not isinstance(current, str):
        warnings.append("workspace: field 'current' must be a panel name; ignored")
        current = None
    return Workspace(current, panels, _lesson(data.get("lesson"), warnings)), warnings


def parse_workspace(raw: bytes | str) -> tuple[Workspace, list[str]]:
    """Decode a workspace file's content. Never raises."""
    try:
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8")
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        return Workspace(), [f"workspace: the file is not readable JSON ({exc.__class__.__name__}); nothing restored"]
    return from_dict(data)


def read_workspace(path: str | os.PathLike) -> tuple[Workspace, list[str]]:
    """Read a workspace file. Never raises; a missing file is an empty workspace, no warning.

    A path through a regular file (NotADirectoryError) also means there is no workspace there;
    whoever chose that folder (the settings) has already said it is unusable.
    """
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            return Workspace(), [f"workspace: {path} is larger than {MAX_BYTES // 1_000_000} MB; ignored"]
        raw = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return Workspace(), []
    except OSError as exc:
        return Workspace(), [f"workspace: cannot read {path} ({exc.strerror or exc})"]
    ws, warnings = parse_workspace(raw)
    return ws, [w.replace("workspace:", f"workspace {path.name}:", 1) for w in warnings]


def save_workspace(ws: Workspace, path: str | os.PathLike) -> Path:
    """Write atomically."""
    from tfviz.core.io import atomic_write

    return atomic_write(path, to_json(ws))


def default_path() -> Path:
    """Where the window keeps the workspace between sessions."""
    from tfviz.core.lessons.store import data_dir

    return data_dir() / "last-workspace.tfviz.json"
