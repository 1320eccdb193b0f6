"""`tfviz` names the missing X11 libraries (and their packages) before Qt aborts."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tfviz import syscheck


def _fake_tools(tmp_path, ldd_text: str, ldconfig_text: str) -> str:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in (("ldd", ldd_text), ("ldconfig", ldconfig_text)):
        tool = bin_dir / name
        tool.write_text(f"#!/bin/sh\ncat <<'EOT'\n{text}\nEOT\n")
        tool.chmod(0o755)
    return str(bin_dir)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb check is Linux-only")
def test_tfviz_names_missing_libraries_and_packages(tmp_path):
    fake = _fake_tools(tmp_path,
                       "\tlibc.so.6 => /lib/libc.so.6\n\tlibxcb-icccm.so.4 => not found\n"
                       "\tlibxcb-keysyms.so.1 => not found",
                       "")  # ldconfig knows nothing: xcb-cursor is missing too
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY",
                                                             "TFVIZ_SKIP_SYSCHECK")}
    env.update(DISPLAY=":77", PATH=fake + os.pathsep + env["PATH"])
    proc = subprocess.run([sys.executable, "-m", "tfviz.cli"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 3
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1, libxcb-cursor.so.0" in proc.stderr
    assert "sudo apt install libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0" in proc.stderr
    assert "sudo dnf install xcb-util-wm xcb-util-keysyms xcb-util-cursor" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_only_x11_sessions_are_checked():
    assert not syscheck.uses_xcb({"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"}) or not sys.platform.startswith("linux")
    assert not syscheck.uses_xcb({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"})
    assert not syscheck.uses_xcb({})
    if sys.platform.startswith("linux"):
        assert syscheck.uses_xcb({"DISPLAY": ":0"})
        assert syscheck.uses_xcb({"QT_QPA_PLATFORM": "xcb"})


def test_unknown_library_is_still_named():
    hint = syscheck.install_hint(["libfoo.so.9"])
    assert "libfoo.so.9" in hint
