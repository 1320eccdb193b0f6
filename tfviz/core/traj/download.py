"""Download the ETH/UCY files (optional), checking every file's SHA-256.

tfviz does not ship the ETH/UCY data. This fetches the ``<scene>/{train,val,test}/*.txt``
files from the public repository of Giuliari et al. (ICPR 2020), pinned to one commit, and
keeps a file only if its SHA-256 and size match :data:`MANIFEST`. Files already present and
correct are not fetched again; a file is written only once it is complete and checked
(:func:`tfviz.core.io.atomic_write`), so a cancel, a failure or a kill never leaves half a file::

    for item in download(dest):     # DownloadProgress records; stop iterating to cancel
        print(item.path, item.done, item.total)

Nothing here can hang: the whole download has a deadline (``deadline`` seconds), a server that
sends nothing for ``timeout`` seconds is given up, and a progress record comes at least every
``poll`` seconds even while no byte arrives, so a consumer that stops iterating (the GUI's
Cancel) is obeyed within about ``poll`` seconds. The bytes are read by a small helper thread
(:class:`_Reader`); the generator only waits on it with a short timeout.

Credit and terms: see the README of ``../shared/datasets/eth_ucy`` (ETH: Pellegrini et al.
2009; UCY: Lerner et al. 2007; split: Gupta et al. 2018). The data keep their providers' terms.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import queue
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from tfviz.core.io import atomic_write

CHUNK = 16 * 1024  # bytes asked for per read: a progress record per chunk
POLL_S = 0.2  # while waiting for bytes, a progress record at least this often (cancel latency)
STALL_S = 30.0  # give a file up when no byte arrived for this long
DEADLINE_S = 900.0  # the whole download (74 files, about 14 MB) must end within this

BASE_URL = (
    "https://raw.githubusercontent.com/FGiuliari/Trajectory-Transformer/"
    "baec1a1fe33f3c04bacb7ba563ae9cdac110d049/datasets/"
)

# sha256, size in bytes, path under the dataset folder (74 files, about 14 MB)
MANIFEST_TEXT = """
cf8d3fd342a15f409ebc2a1fc76b91a0f06390bd21f1e11410f3859331ab082b 116970 eth/test/biwi_eth.txt
f3f485043273e3d972efd73770df0021ec7d3d5135f60d2e2ca5809f68d6f104 117490 eth/train/biwi_hotel_train.txt
5b2ff1a334f4b3e8595e0ee898874b1795561db7bde97e90cbc4a1382c8c3d56 171116 eth/train/crowds_zara01_train.txt
9fd606341135d7d211c3af259c9eb2c25e4c7035efc43d3007ceeef6f954b247 306018 eth/train/crowds_zara02_train.txt
d38a0a6cd1e24adadbb3b15cac97b747e5c6ace2c59d457d805f38a4d91d5a03 146945 eth/train/crowds_zara03_train.txt
f41a0a63301e1c15104205c4a1540db477ddc3330ee2801a976d7b9fc238a63e 738442 eth/train/students001_train.txt
85fe6324e9a0b94acb21617eb0331f543fe5ebf0caee1e253794bca554f35daf 629898 eth/train/students003_train.txt
06866bea5c2f589094473371e9fb6b653c7af95e5f748434bc1024544c5e1c7a 89740 eth/train/uni_examples_train.txt
5c6026c5c6feb81295187e2e063d86197344428811ac2ae98a45bdfb5dfa79ed 39395 eth/val/biwi_hotel_val.txt
d5212e4e3289aa44365e5ce34a476ef2a4208c89bd6a29204ece097c7f33c157 34595 eth/val/crowds_zara01_val.txt
361949e5655814680e1185bdd23344932f7b6ccc0d7120c34b523495d0fc69f8 86209 eth/val/crowds_zara02_val.txt
60d464e21fd3851fab146ec3b35d0db4155b3c057f4b46050336eac59314f0f5 52889 eth/val/crowds_zara03_val.txt
dc8f3147820e80642903041b017292eb03ea5df81ffd2974b47a725d8ffeb394 141272 eth/val/students001_val.txt
b7aa6dcedba0e9036272dc363e2a25e6bb80d7485d75dcb3fff918ce01b10e24 94381 eth/val/students003_val.txt
436dfa865ffab37957e928e227a1b6cc836ab0e6b7652abbf5d06cdf5638dee4 19567 eth/val/uni_examples_val.txt
9caa771bb9153d6b809dd0916b6f86761b641e6bbb15e766c1de3133fbbb7fcf 143799 hotel/test/biwi_hotel.txt
7905d1337f8466c3ebcd80e8264158209370e939774a371d215491256128407e 83681 hotel/train/biwi_eth_train.txt
5b2ff1a334f4b3e8595e0ee898874b1795561db7bde97e90cbc4a1382c8c3d56 171116 hotel/train/crowds_zara01_train.txt
9fd606341135d7d211c3af259c9eb2c25e4c7035efc43d3007ceeef6f954b247 306018 hotel/train/crowds_zara02_train.txt
d38a0a6cd1e24adadbb3b15cac97b747e5c6ace2c59d457d805f38a4d91d5a03 146945 hotel/train/crowds_zara03_train.txt
f41a0a63301e1c15104205c4a1540db477ddc3330ee2801a976d7b9fc238a63e 738442 hotel/train/students001_train.txt
85fe6324e9a0b94acb21617eb0331f543fe5ebf0caee1e253794bca554f35daf 629898 hotel/train/students003_train.txt
06866bea5c2f589094473371e9fb6b653c7af95e5f748434bc1024544c5e1c7a 89740 hotel/train/uni_examples_train.txt
ed19f8ee52e024788658d70060c1452b991aa506b78ea649c74f79e075ad20b9 44273 hotel/val/biwi_eth_val.txt
d5212e4e3289aa44365e5ce34a476ef2a4208c89bd6a29204ece097c7f33c157 34595 hotel/val/crowds_zara01_val.txt
361949e5655814680e1185bdd23344932f7b6ccc0d7120c34b523495d0fc69f8 86209 hotel/val/crowds_zara02_val.txt
60d464e21fd3851fab146ec3b35d0db4155b3c057f4b46050336eac59314f0f5 52889 hotel/val/crowds_zara03_val.txt
dc8f3147820e80642903041b017292eb03ea5df81ffd2974b47a725d8ffeb394 141272 hotel/val/students001_val.txt
b7aa6dcedba0e9036272dc363e2a25e6bb80d7485d75dcb3fff918ce01b10e24 94381 hotel/val/students003_val.txt
436dfa865ffab37957e928e227a1b6cc836ab0e6b7652abbf5d06cdf5638dee4 19567 hotel/val/uni_examples_val.txt
a6d87f278d94136fe39b8be91555487a29ac77259ae403b9dba2d5c18caf7b5b 879714 univ/test/students001.txt
e25798b660634330aa89f8bb259425de720e84d0873902726c1d1f4ccff21d6c 724279 univ/test/students003.txt
7905d1337f8466c3ebcd80e8264158209370e939774a371d215491256128407e 83681 univ/train/biwi_eth_train.txt
f3f485043273e3d972efd73770df0021ec7d3d5135f60d2e2ca5809f68d6f104 117490 univ/train/biwi_hotel_train.txt
5b2ff1a334f4b3e8595e0ee898874b1795561db7bde97e90cbc4a1382c8c3d56 171116 univ/train/crowds_zara01_train.txt
9fd606341135d7d211c3af259c9eb2c25e4c7035efc43d3007ceeef6f954b247 306018 univ/train/crowds_zara02_train.txt
d38a0a6cd1e24adadbb3b15cac97b747e5c6ace2c59d457d805f38a4d91d5a03 146945 univ/train/crowds_zara03_train.txt
06866bea5c2f589094473371e9fb6b653c7af95e5f748434bc1024544c5e1c7a 89740 univ/train/uni_examples_train.txt
ed19f8ee52e024788658d70060c1452b991aa506b78ea649c74f79e075ad20b9 44273 univ/val/biwi_eth_val.txt
5c6026c5c6feb81295187e2e063d86197344428811ac2ae98a45bdfb5dfa79ed 39395 univ/val/biwi_hotel_val.txt
d5212e4e3289aa44365e5ce34a476ef2a4208c89bd6a29204ece097c7f33c157 34595 univ/val/crowds_zara01_val.txt
361949e5655814680e1185bdd23344932f7b6ccc0d7120c34b523495d0fc69f8 86209 univ/val/crowds_zara02_val.txt
60d464e21fd3851fab146ec3b35d0db4155b3c057f4b46050336eac59314f0f5 52889 univ/val/crowds_zara03_val.txt
436dfa865ffab37957e928e227a1b6cc836ab0e6b7652abbf5d06cdf5638dee4 19567 univ/val/uni_examples_val.txt
1147a1962a09abfb86f28c6cddcac862e095a0cf129b3016385b69eacdd09d85 205711 zara1/test/crowds_zara01.txt
7905d1337f8466c3ebcd80e8264158209370e939774a371d215491256128407e 83681 zara1/train/biwi_eth_train.txt
f3f485043273e3d972efd73770df0021ec7d3d5135f60d2e2ca5809f68d6f104 117490 zara1/train/biwi_hotel_train.txt
9fd606341135d7d211c3af259c9eb2c25e4c7035efc43d3007ceeef6f954b247 306018 zara1/train/crowds_zara02_train.txt
d38a0a6cd1e24adadbb3b15cac97b747e5c6ace2c59d457d805f38a4d91d5a03 146945 zara1/train/crowds_zara03_train.txt
f41a0a63301e1c15104205c4a1540db477ddc3330ee2801a976d7b9fc238a63e 738442 zara1/train/students001_train.txt
85fe6324e9a0b94acb21617eb0331f543fe5ebf0caee1e253794bca554f35daf 629898 zara1/train/students003_train.txt
06866bea5c2f589094473371e9fb6b653c7af95e5f748434bc1024544c5e1c7a 89740 zara1/train/uni_examples_train.txt
ed19f8ee52e024788658d70060c1452b991aa506b78ea649c74f79e075ad20b9 44273 zara1/val/biwi_eth_val.txt
5c6026c5c6feb81295187e2e063d86197344428811ac2ae98a45bdfb5dfa79ed 39395 zara1/val/biwi_hotel_val.txt
361949e5655814680e1185bdd23344932f7b6ccc0d7120c34b523495d0fc69f8 86209 zara1/val/crowds_zara02_val.txt
60d464e21fd3851fab146ec3b35d0db4155b3c057f4b46050336eac59314f0f5 52889 zara1/val/crowds_zara03_val.txt
dc8f3147820e80642903041b017292eb03ea5df81ffd2974b47a725d8ffeb394 141272 zara1/val/students001_val.txt
b7aa6dcedba0e9036272dc363e2a25e6bb80d7485d75dcb3fff918ce01b10e24 94381 zara1/val/students003_val.txt
436dfa865ffab37957e928e227a1b6cc836ab0e6b7652abbf5d06cdf5638dee4 19567 zara1/val/uni_examples_val.txt
8a649d0f8c9ae75c87c4d23a85f892786b0aa30266e996c7be03e69dafff22ff 392227 zara2/test/crowds_zara02.txt
7905d1337f8466c3ebcd80e8264158209370e939774a371d215491256128407e 83681 zara2/train/biwi_eth_train.txt
f3f485043273e3d972efd73770df0021ec7d3d5135f60d2e2ca5809f68d6f104 117490 zara2/train/biwi_hotel_train.txt
5b2ff1a334f4b3e8595e0ee898874b1795561db7bde97e90cbc4a1382c8c3d56 171116 zara2/train/crowds_zara01_train.txt
d38a0a6cd1e24adadbb3b15cac97b747e5c6ace2c59d457d805f38a4d91d5a03 146945 zara2/train/crowds_zara03_train.txt
f41a0a63301e1c15104205c4a1540db477ddc3330ee2801a976d7b9fc238a63e 738442 zara2/train/students001_train.txt
85fe6324e9a0b94acb21617eb0331f543fe5ebf0caee1e253794bca554f35daf 629898 zara2/train/students003_train.txt
06866bea5c2f589094473371e9fb6b653c7af95e5f748434bc1024544c5e1c7a 89740 zara2/train/uni_examples_train.txt
ed19f8ee52e024788658d70060c1452b991aa506b78ea649c74f79e075ad20b9 44273 zara2/val/biwi_eth_val.txt
5c6026c5c6feb81295187e2e063d86197344428811ac2ae98a45bdfb5dfa79ed 39395 zara2/val/biwi_hotel_val.txt
d5212e4e3289aa44365e5ce34a476ef2a4208c89bd6a29204ece097c7f33c157 34595 zara2/val/crowds_zara01_val.txt
60d464e21fd3851fab146ec3b35d0db4155b3c057f4b46050336eac59314f0f5 52889 zara2/val/crowds_zara03_val.txt
dc8f3147820e80642903041b017292eb03ea5df81ffd2974b47a725d8ffeb394 141272 zara2/val/students001_val.txt
b7aa6dcedba0e9036272dc363e2a25e6bb80d7485d75dcb3fff918ce01b10e24 94381 zara2/val/students003_val.txt
436dfa865ffab37957e928e227a1b6cc836ab0e6b7652abbf5d06cdf5638dee4 19567 zara2/val/uni_examples_val.txt
"""


class DownloadError(OSError):
    """A file could not be fetched, or its checksum is wrong (the file is named)."""


@dataclass(frozen=True)
class ManifestEntry:
    sha256: str
    size: int
    path: str  # e.g. "eth/test/biwi_eth.txt"


@dataclass(frozen=True)
class DownloadProgress:
    """``index`` of ``count`` files; ``done`` of ``total`` bytes over all files."""

    path: str
    index: int
    count: int
    done: int
    total: int
    skipped: bool = False  # already present and correct


def parse_manifest(text: str) -> list[ManifestEntry]:
    """Lines ``sha256 size path`` -> entries.

    >>> parse_manifest("ab 3 eth/test/x.txt")[0].size
    3
    """
    out = []
    for line in text.splitlines():
        if line.strip():
            digest, size, path = line.split()
            out.append(ManifestEntry(digest, int(size), path))
    return out


MANIFEST = parse_manifest(MANIFEST_TEXT)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def _is_good(target: Path, entry: ManifestEntry) -> bool:
    """Is ``target`` already there with the right size and checksum?"""
    return target.is_file() and target.stat().st_size == entry.size and _sha256(target) == entry.sha256


# --- reading one URL without ever blocking the consumer ------------------------------------------


@dataclass(frozen=True)
class Limits:
    """How long a download may take: ``stall_s`` without a byte, ``deadline_s`` in all."""

    stall_s: float
    deadline_s: float
    poll_s: float
    ends_at: float  # time.monotonic() when the deadline passes


class _Reader(threading.Thread):
    """Reads one URL in a helper thread and hands its blocks over a queue.

    ``blocks`` receives ``bytes`` as they arrive, ``b""`` at the end, or the exception that
    stopped the read. :meth:`stop` ends the thread at once even while a read waits for a silent
    server: it shuts the connection down, which wakes the waiting read.
    """

    def __init__(self, url: str, limit: int, timeout: float) -> None:
        super().__init__(name="tfviz-download", daemon=True)
        self.url, self.limit, self.timeout = url, limit, timeout
        self.blocks: queue.Queue = queue.Queue()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._fileno: int | None = None  # the connection's socket while a read may wait on it

    def run(self) -> None:
        try:
            with urllib.request.urlopen(self.url, timeout=self.timeout) as resp:
                self._set_fileno(resp.fileno())
                try:
                    got = 0
                    while not self._stopping.is_set() and got <= self.limit:
                        block = resp.read1(CHUNK)  # returns as soon as some bytes are there
                        self.blocks.put(block)
                        got += len(block)
                        if not block:
                            return
                    self.blocks.put(b"")  # more than expected: the checksum will say so
                finally:
                    self._set_fileno(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, never swallowed
            self.blocks.put(exc)

    def _set_fileno(self, fileno: int | None) -> None:
        with self._lock:
            self._fileno = fileno

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            if self._fileno is None:
                return
            try:  # a second handle on the same connection, only to shut it down
                with socket.socket(fileno=os.dup(self._fileno)) as sock:
                    sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by the server or by the reader itself


def _fetch(url: str, limit: int, parts: list[bytes], limits: Limits) -> Iterator[int]:
    """Append the bytes of ``url`` to ``parts``; yield the count so far, at least every poll_s.

    Stops at the end of the body, after ``limit`` bytes and one more, on the deadline, or when
    no byte came for ``limits.stall_s``. Closing this generator stops the reader thread.
    """
    reader = _Reader(url, limit, limits.stall_s + 1)  # the stall is judged below
    reader.start()
    got, last_byte = 0, time.monotonic()
    try:
        while True:
            try:
                block = reader.blocks.get(timeout=limits.poll_s)
            except queue.Empty:
                block = None  # nothing yet: report progress anyway, so a cancel is seen
            now = time.monotonic()
            if now > limits.ends_at:
                raise DownloadError(f"{url}: the download took longer than {limits.deadline_s:g} s; stopped")
            if isinstance(block, BaseException):
                if not isinstance(block, (OSError, http.client.HTTPException, ValueError)):
                    raise block
                reason = getattr(block, "reason", block)  # URLError wraps the cause
                if not isinstance(reason, TimeoutError):
                    raise DownloadError(f"{url}: {reason}")
                block, last_byte = None, now - limits.stall_s - 1  # the socket's own backstop
            if block is None:
                if now - last_byte > limits.stall_s:
                    raise DownloadError(f"{url}: no data for {limits.stall_s:g} s; stopped")
            elif not block:
                return  # the whole body
            else:
                parts.append(block)
                got += len(block)
                last_byte = now
            yield got
            if got > limit:
                return
    finally:
        reader.stop()


# --- the download --------------------------------------------------------------------------------


def download(
    dest: str | os.PathLike,
    base_url: str = BASE_URL,
    manifest: list[ManifestEntry] = MANIFEST,
    timeout: float = STALL_S,
    deadline: float = DEADLINE_S,
    poll: float = POLL_S,
) -> Iterator[DownloadProgress]:
    """Fetch every manifest file into ``dest`` (a generator of progress records).

    ``timeout``: seconds without a byte before a file is given up; ``deadline``: seconds for the
    whole download; ``poll``: the longest gap between two records (stop iterating to cancel).
    Raises :class:`DownloadError` naming the URL or the file; a file is written only when its
    size and SHA-256 match.
    """
    dest = Path(dest)
    limits = Limits(timeout, deadline, poll, time.monotonic() + deadline)
    total = sum(e.size for e in manifest)
    done = 0
    for i, entry in enumerate(manifest, 1):
        target = dest / entry.path
        if _is_good(target, entry):
            done += entry.size
            yield DownloadProgress(entry.path, i, len(manifest), done, total, skipped=True)
            continue
        parts: list[bytes] = []
        with closing(_fetch(base_url + entry.path, entry.size, parts, limits)) as fetch:
            for got in fetch:
                yield DownloadProgress(entry.path, i, len(manifest), done + min(got, entry.size), total)
        data = b"".join(parts)
        digest = hashlib.sha256(data).hexdigest()
        if len(data) != entry.size or digest != entry.sha256:
            raise DownloadError(
                f"{entry.path}: checksum mismatch (expected {entry.sha256[:12]}…, "
                f"{entry.size} bytes; got {digest[:12]}…, {len(data)} bytes); nothing written"
            )
        atomic_write(target, data)
        done += entry.size
        yield DownloadProgress(entry.path, i, len(manifest), done, total)
