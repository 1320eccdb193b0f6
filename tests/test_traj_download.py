"""Optional ETH/UCY download: checksums, atomic files, errors; a loopback server, never the internet."""

from __future__ import annotations

import functools
import hashlib
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tfviz.core.traj.data import find_scenes, scene_windows
from tfviz.core.traj.download import DownloadError, ManifestEntry, download


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep the test output clean
        pass


@pytest.fixture
def serve():
    """serve(folder) -> base URL of a loopback HTTP server for that folder."""
    servers = []

    def start(folder) -> str:
        handler = functools.partial(_Quiet, directory=str(folder))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join()


def test_download_checks_every_file_and_skips_good_ones(shared_dir, serve, tmp_path):
    base = serve(shared_dir / "datasets" / "eth_ucy")
    dest = tmp_path / "eth_ucy"
    records = list(download(dest, base_url=base))
    assert len(records) == 74 and records[-1].done == records[-1].total
    assert find_scenes(dest) == ["eth", "hotel", "univ", "zara1", "zara2"]
    assert len(scene_windows(dest, "eth", "test")) == 364
    again = list(download(dest, base_url=base))
    assert all(r.skipped for r in again)


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
