"""Optional ETH/UCY download: checksums, atomic files, errors; a loopback server, never the internet."""

from __future__ import annotations

import functools
import hashlib
import threading
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tfviz.core.traj.data import find_scenes, scene_windows
from tfviz.core.traj.download import DownloadError, ManifestEntry, download


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep the test output clean
        pass


@pytest.fixture
def loopback():
    """loopback(handler, **attributes) -> base URL of a loopback HTTP server running ``handler``.

    Each server gets a ``stop`` event (set at teardown, so handlers that wait end) and the
    given attributes, which its handlers read as ``self.server.<name>``.
    """
    servers = []

    def start(handler, **attributes) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.stop = threading.Event()
        for name, value in attributes.items():
            setattr(server, name, value)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server, thread in servers:
        server.stop.set()
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def serve(loopback):
    """serve(folder) -> base URL of a loopback HTTP server for that folder."""
    return lambda folder: loopback(functools.partial(_Quiet, directory=str(folder)))


def test_download_checks_every_file_and_skips_good_ones(shared_dir, serve, tmp_path):
    base = serve(shared_dir / "datasets" / "eth_ucy")
    dest = tmp_path / "eth_ucy"
    records = list(download(dest, base_url=base))
    assert len({r.index for r in records}) == 74 and records[-1].done == records[-1].total
    assert all(a.done <= b.done for a, b in zip(records, records[1:]))  # progress never goes back
    assert find_scenes(dest) == ["eth", "hotel", "univ", "zara1", "zara2"]
    assert len(scene_windows(dest, "eth", "test")) == 364
    again = list(download(dest, base_url=base))
    assert len(again) == 74 and all(r.skipped for r in again)


def _entry(path, data: bytes) -> ManifestEntry:
    return ManifestEntry(hashlib.sha256(data).hexdigest(), len(data), path)


def test_a_wrong_checksum_is_named_and_nothing_is_written(serve, tmp_path):
    site = tmp_path / "site" / "eth" / "test"
    site.mkdir(parents=True)
    (site / "a.txt").write_bytes(b"0\t1\t1.0\t2.0\n")
    manifest = [_entry("eth/test/a.txt", b"0\t1\t1.0\t2.5\n")]  # what it should have been
    base = serve(tmp_path / "site")
    dest = tmp_path / "out"
    with pytest.raises(DownloadError, match="eth/test/a.txt: checksum mismatch"):
        list(download(dest, base_url=base, manifest=manifest))
    assert not (dest / "eth" / "test" / "a.txt").exists()


def test_missing_file_and_dead_server(serve, tmp_path):
    base = serve(tmp_path)
    with pytest.raises(DownloadError, match="missing.txt"):
        list(download(tmp_path / "out", base_url=base, manifest=[_entry("missing.txt", b"x")]))
    with pytest.raises(DownloadError, match="127.0.0.1:9/"):
        list(download(tmp_path / "out", base_url="http://127.0.0.1:9/", manifest=[_entry("x.txt", b"x")],
                      timeout=2))


# --- servers that trickle or say nothing: the deadline, the stall limit and cancel -----------------

BODY = bytes(range(256)) * 8  # 2 KB


class _Trickle(BaseHTTPRequestHandler):
    """Sends the headers, then one byte per ``server.gap`` seconds (``None``: never a byte)."""

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.send_response(200)
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.flush()
        for value in BODY:
            if self.server.stop.wait(3600 if self.server.gap is None else self.server.gap):
                return
            try:
                self.wfile.write(bytes([value]))
                self.wfile.flush()
            except OSError:  # the client hung up
                return


@pytest.fixture
def slow_server(loopback):
    """slow_server(gap) -> base URL of a loopback server that trickles (or, gap None, stalls)."""
    return lambda gap: loopback(_Trickle, gap=gap)


def _reader_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "tfviz-download" and t.is_alive()]


def _wait_readers_gone() -> bool:
    for _ in range(100):
        if not _reader_threads():
            return True
        threading.Event().wait(0.02)
    return False


def _nothing_written(dest) -> bool:
    return not dest.exists() or not any(p.is_file() for p in dest.rglob("*"))


def test_a_trickling_server_meets_the_deadline(slow_server, tmp_path):
    base = slow_server(0.05)  # 2 KB at 20 bytes a second: 100 s
    dest = tmp_path / "out"
    records = []
    with pytest.raises(DownloadError, match=r"eth/test/a.txt: the download took longer than 1 s; stopped"):
        for rec in download(dest, base_url=base, manifest=[_entry("eth/test/a.txt", BODY)], deadline=1.0):
            records.append(rec)
    assert records and records[-1].done > 0  # bytes were arriving: only the deadline stops it
    assert _nothing_written(dest)
    assert _wait_readers_gone()


def test_a_silent_server_is_given_up(slow_server, tmp_path):
    base = slow_server(None)
    dest = tmp_path / "out"
    with pytest.raises(DownloadError, match=r"no data for 0.5 s; stopped"):
        list(download(dest, base_url=base, manifest=[_entry("eth/test/a.txt", BODY)], timeout=0.5))
    assert _nothing_written(dest)
    assert _wait_readers_gone()


@pytest.mark.parametrize("gap", [0.05, None], ids=["trickling", "silent"])
def test_cancel_ends_the_download_within_a_second_and_writes_nothing(slow_server, tmp_path, gap):
    import time

    base = slow_server(gap)
    dest = tmp_path / "out"
    gen = download(dest, base_url=base, manifest=[_entry("eth/test/a.txt", BODY)])
    waiting = time.monotonic()
    for _ in range(3):  # records keep coming even while no byte arrives
        assert next(gen).path == "eth/test/a.txt"
    assert time.monotonic() - waiting < 5  # three records, not a 30 s read timeout
    asked = time.monotonic()
    gen.close()  # what the GUI's Cancel does: the worker stops iterating
    assert time.monotonic() - asked < 1.0
    assert _wait_readers_gone()  # the reader thread was woken and ended
    assert _nothing_written(dest)
