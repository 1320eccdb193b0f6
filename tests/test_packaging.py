"""The built wheel carries every runtime asset (resources/ -> tfviz/resources/)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(REPO)],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    (found,) = out.glob("tfviz-*.whl")
    return found


def test_every_resource_file_is_in_the_wheel(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "tfviz/resources/" + p.relative_to(REPO / "resources").as_posix()
        for p in (REPO / "resources").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }
    assert "tfviz/resources/i18n/zh_CN/shell.json" in expected
    missing = sorted(expected - names)
    assert not missing, f"not in the wheel: {missing[:20]}"


def test_every_module_is_in_the_wheel(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {p.relative_to(REPO).as_posix() for p in (REPO / "tfviz").rglob("*.py")}
    missing = sorted(expected - names)
    assert not missing, f"modules left out of the wheel (a folder without __init__.py?): {missing}"


def test_wheel_has_code_entry_point_and_no_tests(wheel):
    zf = zipfile.ZipFile(wheel)
    names = zf.namelist()
    assert "tfviz/cli.py" in names and "tfviz/core/attention.py" in names
    assert not any(n.startswith(("tests/", "benchmarks/")) for n in names)
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "tfviz = tfviz.cli:main" in zf.read(entry).decode()
