"""The core never imports Qt; start-up paths never import torch."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import tfviz

PKG = Path(tfviz.__file__).resolve().parent
QT_MODULES = ("PySide6", "PyQt5", "PyQt6", "PySide2", "pyqtgraph", "superqt", "qtpy", "shiboken6")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_core_never_imports_qt_statically():
    offenders = []
    for path in sorted((PKG / "core").rglob("*.py")):
        for name in _imports(path):
            if name.split(".")[0] in QT_MODULES or name.startswith("tfviz.gui"):
                offenders.append(f"{path.relative_to(PKG.parent)} imports {name}")
    assert not offenders, "tfviz/core must not import Qt:\n" + "\n".join(offenders)


def test_core_never_imports_qt_at_runtime():
    """Import every core module in a fresh interpreter and look at sys.modules."""
    modules = sorted(
        "tfviz." + ".".join(p.relative_to(PKG).with_suffix("").parts).removesuffix(".__init__")
        for p in (PKG / "core").rglob("*.py")
    )
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}:\n    importlib.import_module(m)\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {QT_MODULES!r}]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"importing tfviz.core pulled in Qt: {out.stdout}"


def test_cli_parser_imports_neither_qt_nor_torch():
    code = (
        "import sys\nfrom tfviz.cli import build_parser\nbuild_parser()\n"
        "print(','.join(m for m in sys.modules if m.split('.')[0] in ('torch', 'PySide6')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def test_window_modules_do_not_import_torch_at_module_level():
    offenders = []
    for path in sorted((PKG / "gui").rglob("*.py")) + sorted((PKG / "commands").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:  # module level only; imports inside functions are lazy
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "torch"]
    assert not offenders, offenders


def test_panels_are_built_without_importing_torch():
    """Opening any panel must not import torch on the UI thread (it takes about a second):
    models load in workers. torch is made unimportable; every panel must still construct."""
    code = (
        "import os, sys\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "sys.modules['torch'] = None  # any import of torch now raises ImportError\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from tfviz.gui.context import AppContext\n"
        "from tfviz.gui.panels import available_panels, panel_class\n"
        "ctx = AppContext()\n"
        "for name in available_panels():\n"
        "    panel_class(name)(ctx)\n"
        "    print('built', name)\n"
        "ctx.jobs.shutdown()\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.count("built") >= 5, out.stdout
