"""Check, before Qt starts, that the system libraries of Qt's X11 platform plugin are present.

On a bare Linux desktop Qt aborts with "Could not load the Qt platform plugin "xcb"" and a
hint few people can act on. tfviz asks ``ldd`` which libraries the plugin cannot find and
prints the packages to install, for Debian/Ubuntu and for Fedora. No Qt import here: the
check must run before Qt loads the plugin.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

# soname -> (Debian/Ubuntu package, Fedora package)
PACKAGES: dict[str, tuple[str, str]] = {
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-xinerama.so.0": ("libxcb-xinerama0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-glx.so.0": ("libxcb-glx0", "libxcb"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libOpenGL.so.0": ("libopengl0", "libglvnd-opengl"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
}

# Qt 6.5 and later refuse to start the xcb plugin without xcb-cursor, which it loads at run
# time (so ldd does not list it).
RUNTIME_SONAMES = ("libxcb-cursor.so.0",)

_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)


def missing_from_ldd(ldd_output: str) -> list[str]:
    """The sonames ``ldd`` reports as "not found", each once, in order.

    >>> missing_from_ldd("\\tlibc.so.6 => /lib/libc.so.6 (0x1)\\n\\tlibxcb-icccm.so.4 => not found\\n"
    ...                  "\\tlibxcb-icccm.so.4 => not found\\n")
    ['libxcb-icccm.so.4']
    """
    return list(dict.fromkeys(_NOT_FOUND.findall(ldd_output)))


def install_hint(sonames: list[str]) -> str:
    """Commands that install the packages providing ``sonames``.

    >>> print(install_hint(["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]))
      Debian/Ubuntu: sudo apt install libxcb-icccm4 libxcb-keysyms1
      Fedora:        sudo dnf install xcb-util-wm xcb-util-keysyms
    """
    known = [PACKAGES[s] for s in sonames if s in PACKAGES]
    debian = list(dict.fromkeys(p[0] for p in known))
    fedora = list(dict.fromkeys(p[1] for p in known))
    lines = []
    if debian:
        lines.append("  Debian/Ubuntu: sudo apt install " + " ".join(debian))
        lines.append("  Fedora:        sudo dnf install " + " ".join(fedora))
    unknown = [s for s in sonames if s not in PACKAGES]
    if unknown:
        lines.append("  (and the packages that provide " + ", ".join(unknown) + ")")
    return "\n".join(lines)


def _xcb_plugin() -> Path | None:
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    plugin = Path(list(spec.submodule_search_locations)[0]) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return plugin if plugin.exists() else None


def _library_found(soname: str) -> bool:
    try:
        out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return True  # cannot tell: let Qt decide
    return soname in out


def uses_xcb(environ: dict[str, str] | None = None) -> bool:
    """Whether Qt will try its X11 plugin: Linux, and QT_QPA_PLATFORM unset or xcb, and a DISPLAY."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return False
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.split(";")[0].split(":")[0] == "xcb"
    return bool(env.get("DISPLAY")) and not env.get("WAYLAND_DISPLAY")


def missing_qt_libraries() -> list[str]:
    """Sonames Qt's xcb plugin needs and this system lacks (empty when all is well or unknown)."""
    plugin = _xcb_plugin()
    ldd = shutil.which("ldd")
    if plugin is None or ldd is None:
        return []
    try:
        out = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    missing = missing_from_ldd(out)
    missing += [s for s in RUNTIME_SONAMES if s not in missing and not _library_found(s)]
    return missing


def check_gui_libraries() -> str | None:
    """The message to print when the window cannot open for missing libraries, else None."""
    if os.environ.get("TFVIZ_SKIP_SYSCHECK") or not uses_xcb():
        return None
    missing = missing_qt_libraries()
    if not missing:
        return None
    return ("tfviz: Qt cannot open a window on X11: these system libraries are missing: "
            + ", ".join(missing) + "\nInstall them with:\n" + install_hint(missing))
