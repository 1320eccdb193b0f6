"""One way to save a file: write a temporary file next to it, then rename it over the target.

Every file tfviz writes (tokenizers, weights, screenshots, exports, downloads) goes through
:func:`atomic_write`, so a crash, a kill or Ctrl+C mid-save leaves either the old file or the
new one, never half of one. The rules:

* **Regular file**: replaced atomically (``os.replace``); it keeps its permission bits.
* **New file**: gets the usual mode of a plain ``open(path, "w")``: ``0o666`` minus the umask.
* **Symbolic link**: followed; the file it points to is replaced and the link stays a link.
* **Anything else** (a folder, a FIFO, a device such as ``/dev/null``, a socket): refused with
  :class:`WriteError` and left alone.
* **Temporary files** are named ``.<name>.tfviz-tmp-<pid>-<random><suffix>``. One left behind by a
  process that was killed is removed at the next save into the same folder once it is older than
  :data:`STALE_AFTER_S` seconds and its process is gone.

:func:`check_writable` runs the same checks up front, so a command can refuse a bad ``--out``
before an hour of training rather than after it.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> atomic_write(folder / "a.txt", "hello\\n")
PosixPath('...a.txt')
>>> (folder / "a.txt").read_text()
'hello\\n'
>>> sorted(p.name for p in folder.iterdir())  # no temporary file left
['a.txt']
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
import time
from collections.abc import Callable
from pathlib import Path

#: A temporary file older than this (seconds) whose process is gone is removed at the next save.
STALE_AFTER_S = 600
#: A temporary file older than this (seconds) is removed even if its pid is in use again.
ABANDONED_AFTER_S = 24 * 3600

_TMP_MARK = ".tfviz-tmp-"
_TMP_RE = re.compile(r"^\..+\.tfviz-tmp-(\d+)-[0-9a-f]+(\.[^.]*)?$")


class WriteError(OSError):
    """A target that cannot or must not be written; the message names it and says why."""


# --- reading JSON ------------------------------------------------------------------------------


def parse_json(text: str) -> object:
    """``json.loads`` with one error type for every way a text can fail to be JSON.

    Raises ``ValueError`` whose message says where (line and column) or why (nested too
    deeply: Python's parser recurses, so a file of 200,000 ``[`` must not escape as a
    ``RecursionError``).

    >>> parse_json('{"a": [1, 2]}')
    {'a': [1, 2]}
    >>> parse_json('{"a": }')
    Traceback (most recent call last):
    ...
    ValueError: not valid JSON at line 1, column 7: Expecting value
    >>> parse_json("[" * 200_000)
    Traceback (most recent call last):
    ...
    ValueError: JSON nested too deeply
    """
    import json

    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"not valid JSON at line {err.lineno}, column {err.colno}: {err.msg}") from None
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


# --- where to write ----------------------------------------------------------------------------


def _kind(mode: int) -> str:
    """A word for what a non-regular file is.

    >>> import stat
    >>> _kind(stat.S_IFIFO), _kind(stat.S_IFDIR), _kind(stat.S_IFCHR)
    ('a FIFO (named pipe)', 'a folder', 'a device')
    """
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def resolve_target(path: str | os.PathLike) -> tuple[Path, os.stat_result | None]:
    """The file a save to ``path`` replaces (symlinks followed) and its stat (``None`` if new).

    Raises :class:`WriteError` when the target exists and is not a regular file.
    """
    given = Path(path)
    target = Path(os.path.realpath(given)) if given.is_symlink() else given
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return target, None
    except NotADirectoryError:
        raise WriteError(errno.ENOTDIR, f"{given}: a part of the path is a file, not a folder") from None
    except OSError as err:
        raise WriteError(err.errno, f"{given}: cannot be checked ({err.strerror})") from None
    if not stat.S_ISREG(st.st_mode):
        where = "" if target == given else f" (the link points to {target})"
        raise WriteError(errno.EEXIST, f"{given}: is {_kind(st.st_mode)}{where}; refusing to replace it")
    return target, st


def _nearest_folder(path: Path) -> Path:
    """The closest existing ancestor of ``path`` (the folder that would hold it or its parents)."""
    p = path.parent
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def check_writable(path: str | os.PathLike) -> Path:
    """Check that :func:`atomic_write` could save to ``path``; returns the resolved target.

    Run before long work. Creates nothing that stays: when the folder exists, a probe file is
    created in it and removed at once (this also catches read-only file systems).

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> check_writable(folder / "new" / "x.json").name
    'x.json'
    >>> check_writable(folder)
    Traceback (most recent call last):
    ...
    tfviz.core.io.WriteError: [Errno 17] ...: is a folder; refusing to replace it
    """
    target, _ = resolve_target(path)
    folder = _nearest_folder(target)
    if not folder.is_dir():
        raise WriteError(errno.ENOTDIR, f"{path}: {folder} is a file, not a folder")
    if folder != target.parent:  # the folders will be made at save time
        if not os.access(folder, os.W_OK | os.X_OK):
            raise WriteError(errno.EACCES, f"{path}: cannot create folders in {folder} (permission denied)")
        return target
    probe = folder / f".{target.name}{_TMP_MARK}{os.getpid()}-{secrets.token_hex(4)}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as err:
        raise WriteError(err.errno, f"{path}: cannot write in {folder} ({err.strerror})") from None
    os.close(fd)
    os.unlink(probe)
    return target


# --- stale temporary files ---------------------------------------------------------------------


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return pid > 0  # exists but belongs to someone else (or an absurd number: not ours)
    return True


def remove_stale_temps(folder: str | os.PathLike, now: float | None = None) -> list[Path]:
    """Delete temporary files of killed saves in ``folder``; returns what was removed."""
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        m = _TMP_RE.match(entry.name)
        if not m:
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        age = now - st.st_mtime
        pid = int(m.group(1))
        if not stat.S_ISREG(st.st_mode) or age < STALE_AFTER_S:
            continue
        if age < ABANDONED_AFTER_S and pid != os.getpid() and _pid_alive(pid):
            continue
        if pid == os.getpid() and age < ABANDONED_AFTER_S:
            continue
        try:
            os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            pass
    return removed


# --- the write ---------------------------------------------------------------------------------

Writer = Callable[[Path], None]


def atomic_write(path: str | os.PathLike, data: bytes | str | Writer, *, encoding: str = "utf-8") -> Path:
    """Save ``data`` to ``path`` atomically; returns the path of the file written.

    ``data`` is bytes, a string (encoded with ``encoding``, newlines kept as given) or a
    function ``writer(tmp_path)`` that writes the file itself (safetensors, Pillow, Qt). The
    temporary path ends with the target's suffix, so writers that guess the format from the
    name still work. Missing parent folders are created. On any failure, Ctrl+C included, the
    temporary file is removed and the old file (if any) is untouched.
    """
    target, old = resolve_target(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise WriteError(errno.ENOTDIR, f"{path}: {_nearest_folder(target)} is a file, not a folder") from None
    remove_stale_temps(target.parent)
    tmp = target.parent / f".{target.name}{_TMP_MARK}{os.getpid()}-{secrets.token_hex(4)}{target.suffix}"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
    except OSError as err:
        raise WriteError(err.errno, f"{path}: cannot write in {target.parent} ({err.strerror})") from None
    try:
        if callable(data):
            os.close(fd)
            fd = -1
            data(tmp)
            fd = os.open(tmp, os.O_RDONLY)
        else:
            raw = data.encode(encoding) if isinstance(data, str) else bytes(data)
            view = memoryview(raw)
            while view:
                view = view[os.write(fd, view) :]
        os.fsync(fd)
        os.close(fd)
        fd = -1
        # Some writers (safetensors) recreate the file as 0600: set the mode explicitly.
        os.chmod(tmp, stat.S_IMODE(old.st_mode) if old is not None else new_file_mode())
        if old is not None and os.geteuid() == 0 and (old.st_uid, old.st_gid) != (0, 0):
            os.chown(tmp, old.st_uid, old.st_gid)  # root saving a user's file: it stays theirs
        os.replace(tmp, target)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_folder(target.parent)
    return target


def new_file_mode() -> int:
    """``0o666`` minus the umask: the mode a plain ``open(path, "w")`` gives a new file."""
    try:  # Linux: read it without changing it (os.umask would race with other threads)
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every system can open a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
