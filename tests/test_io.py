"""tfviz.core.io.atomic_write: the one way tfviz saves a file."""

from __future__ import annotations

import os
import stat
import threading
import time
from pathlib import Path

import pytest

from tfviz.core import io
from tfviz.core.io import WriteError, atomic_write, check_writable, remove_stale_temps


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_writes_bytes_and_text(tmp_path):
    atomic_write(tmp_path / "a.bin", b"\x00\x01")
    atomic_write(tmp_path / "b.txt", "中文\n")
    assert (tmp_path / "a.bin").read_bytes() == b"\x00\x01"
    assert (tmp_path / "b.txt").read_text(encoding="utf-8") == "中文\n"
    assert _names(tmp_path) == ["a.bin", "b.txt"]


def test_writer_callback_gets_a_temp_path_with_the_suffix(tmp_path):
    seen = []

    def writer(tmp: Path) -> None:
        seen.append(tmp)
        tmp.write_bytes(b"img")

    out = atomic_write(tmp_path / "x.png", writer)
    assert out == tmp_path / "x.png" and out.read_bytes() == b"img"
    assert seen[0].parent == tmp_path and seen[0].suffix == ".png" and ".tfviz-tmp-" in seen[0].name
    assert _names(tmp_path) == ["x.png"]


@pytest.mark.parametrize("exc", [RuntimeError("disk on fire"), KeyboardInterrupt()])
def test_failure_mid_write_keeps_old_file_and_leaves_no_temp(tmp_path, exc):
    target = tmp_path / "w.safetensors"
    target.write_bytes(b"old")

    def writer(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise exc

    with pytest.raises(type(exc)):
        atomic_write(target, writer)
    assert target.read_bytes() == b"old"
    assert _names(tmp_path) == ["w.safetensors"]


def test_existing_file_keeps_its_mode(tmp_path):
    target = tmp_path / "t.json"
    target.write_text("{}")
    os.chmod(target, 0o640)
    atomic_write(target, "[]")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    os.chmod(target, 0o604)
    atomic_write(target, lambda p: p.write_text("x"))
    assert stat.S_IMODE(target.stat().st_mode) == 0o604


def test_new_file_gets_the_umask_mode(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "n.txt", "x")
        atomic_write(tmp_path / "m.txt", lambda p: p.write_text("y"))
        os.umask(0o077)
        atomic_write(tmp_path / "private.txt", "z")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "n.txt").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "m.txt").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "private.txt").stat().st_mode) == 0o600


def test_writer_that_recreates_the_file_privately_still_gets_the_usual_mode(tmp_path):
    def writer(tmp: Path) -> None:  # as safetensors does: a fresh 0600 file
        tmp.unlink()
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT, 0o600)
        os.write(fd, b"w")
        os.close(fd)

    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "w.safetensors", writer)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "w.safetensors").stat().st_mode) == 0o644


def test_symlink_is_followed_and_stays_a_link(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    os.chmod(real, 0o600)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    atomic_write(link, "new")
    assert link.is_symlink() and real.read_text() == "new"
    assert stat.S_IMODE(real.stat().st_mode) == 0o600


def test_fifo_is_refused_and_left_alone(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(WriteError, match="FIFO"):
        atomic_write(fifo, "x")
    with pytest.raises(WriteError, match="FIFO"):
        check_writable(fifo)
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert _names(tmp_path) == ["pipe"]


def test_symlink_to_a_fifo_is_refused(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    (tmp_path / "l").symlink_to(fifo)
    with pytest.raises(WriteError, match="points to"):
        atomic_write(tmp_path / "l", "x")
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_folder_is_refused(tmp_path):
    (tmp_path / "x.jpg").mkdir()
    with pytest.raises(WriteError, match="folder"):
        atomic_write(tmp_path / "x.jpg", b"x")
    assert (tmp_path / "x.jpg").is_dir() and _names(tmp_path / "x.jpg") == []


def test_device_is_refused():
    before = os.stat("/dev/null")
    with pytest.raises(WriteError, match="device"):
        atomic_write("/dev/null", b"x")
    with pytest.raises(WriteError, match="device"):
        check_writable("/dev/null")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


def test_parent_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "f").write_text("")
    with pytest.raises(WriteError, match="not a folder"):
        atomic_write(tmp_path / "f" / "x.txt", "x")
    with pytest.raises(WriteError, match="not a folder"):
        check_writable(tmp_path / "f" / "sub" / "x.txt")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder_is_reported(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    os.chmod(ro, 0o500)
    try:
        with pytest.raises(WriteError, match="cannot write"):
            check_writable(ro / "x.txt")
        with pytest.raises(WriteError, match="cannot write"):
            atomic_write(ro / "x.txt", "x")
    finally:
        os.chmod(ro, 0o700)


def test_check_writable_creates_nothing(tmp_path):
    assert check_writable(tmp_path / "a" / "b" / "c.txt") == tmp_path / "a" / "b" / "c.txt"
    assert check_writable(tmp_path / "c.txt") == tmp_path / "c.txt"
    assert _names(tmp_path) == []


def _dead_pid() -> int:
    pid = 4_000_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid += 1


def test_stale_temp_of_a_killed_process_is_removed_at_next_save(tmp_path):
    dead = tmp_path / f".w.bin.tfviz-tmp-{_dead_pid()}-deadbeef.bin"
    alive = tmp_path / f".w.bin.tfviz-tmp-{os.getppid()}-cafe0000.bin"
    young = tmp_path / f".v.bin.tfviz-tmp-{_dead_pid()}-0badf00d.bin"
    other = tmp_path / ".w.bin.someone-else.tmp"
    for p in (dead, alive, young, other):
        p.write_bytes(b"partial")
    old = time.time() - io.STALE_AFTER_S - 60
    for p in (dead, alive, other):
        os.utime(p, (old, old))
    atomic_write(tmp_path / "w.bin", b"done")
    names = _names(tmp_path)
    assert dead.name not in names
    assert alive.name in names and young.name in names and other.name in names
    # abandoned for a day: removed even if the pid is in use again
    ancient = time.time() - io.ABANDONED_AFTER_S - 60
    os.utime(alive, (ancient, ancient))
    assert remove_stale_temps(tmp_path) == [alive]


def test_concurrent_saves_never_mix(tmp_path):
    target = tmp_path / "c.txt"
    payloads = [str(i) * 10_000 for i in range(8)]
    threads = [threading.Thread(target=atomic_write, args=(target, p)) for p in payloads]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert target.read_text() in payloads
    assert _names(tmp_path) == ["c.txt"]
