"""Code excerpts read live from the installed ``tfviz.core`` source.

A lesson never copies code. It names it: a module and a function or class
(``"object": "MultiHeadAttention.forward"``), or a module and a marker naming a line range
(``# lesson: NAME`` ... ``# end lesson: NAME`` comments in the source). The lines to highlight
are given as snippets of text; every source line containing one is highlighted. When the code
changes, the excerpt follows, and ``tfviz lesson check`` says which snippet no longer matches.

The source file is located and parsed with :mod:`ast`, never imported: reading an excerpt runs
no code and does not load torch.

>>> ex = read_excerpt("tfviz.core.attention", "softmax", lines=("e / e.sum",))
>>> ex.lines[0]
'def softmax(x: Tensor) -> Tensor:'
>>> [ex.lines[i].strip() for i in ex.highlighted]
['return e / e.sum(dim=-1, keepdim=True)  # (..., T_k), each row sums to 1']
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

#: Only code of this package may be shown: a lesson file is data and cannot point elsewhere.
ROOT_PACKAGE = "tfviz.core"
_MODULE = re.compile(r"^tfviz\.core(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_OBJECT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_MARKER = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class ExcerptError(ValueError):
    """The excerpt cannot be read (unknown module, object or marker)."""


@dataclass(frozen=True)
class Excerpt:
    """Lines of source, dedented, with the indexes of the highlighted ones."""

    module: str
    name: str  # the object or "marker NAME"
    path: str  # the source file
    first_line: int  # line number of lines[0] in the file (1-based)
    lines: tuple[str, ...]
    highlighted: tuple[int, ...]  # indexes into lines
    missing: tuple[str, ...]  # highlight snippets found on no line

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def core_root() -> Path:
    """The folder of the installed ``tfviz.core`` package."""
    import tfviz.core

    return Path(tfviz.core.__file__).resolve().parent


def module_file(module: str, root: Path | None = None) -> Path:
    """The source file of ``module`` (``tfviz.core.x.y`` -> ``<core>/x/y.py``)."""
    if not _MODULE.match(module or ""):
        raise ExcerptError(f"module {module!r} is not part of {ROOT_PACKAGE} "
                           f"(excerpts are read from tfviz.core only, e.g. 'tfviz.core.attention')")
    parts = module.split(".")[2:]
    base = (root or core_root()).joinpath(*parts)
    candidates = (base.with_suffix(".py"), base / "__init__.py") if parts else (base / "__init__.py",)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise ExcerptError(f"module {module!r} has no source file in this installation")


def _find(tree: ast.AST, dotted: str) -> ast.AST | None:
    node = tree
    for part in dotted.split("."):
        found = None
        for child in getattr(node, "body", []):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and child.name == part:
                found = child
        if found is None:
            return None
        node = found
    return node


def _object_span(source: str, dotted: str, module: str) -> tuple[int, int]:
    node = _find(ast.parse(source), dotted)
    if node is None:
        raise ExcerptError(f"{module} has no function or class named {dotted!r}")
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return first, node.end_lineno


def _marker_span(lines: list[str], marker: str, module: str) -> tuple[int, int]:
    start = re.compile(rf"#\s*lesson:\s*{re.escape(marker)}\s*$")
    end = re.compile(rf"#\s*end lesson:\s*{re.escape(marker)}\s*$")
    begin = next((i for i, line in enumerate(lines) if start.search(line)), None)
    if begin is None:
        raise ExcerptError(f"{module} has no '# lesson: {marker}' marker")
    stop = next((i for i in range(begin + 1, len(lines)) if end.search(lines[i])), None)
    if stop is None:
        raise ExcerptError(f"{module}: marker '# lesson: {marker}' has no '# end lesson: {marker}'")
    return begin + 2, stop  # 1-based, the marker lines themselves excluded


def read_excerpt(module: str, obj: str | None = None, marker: str | None = None,
                 lines: tuple[str, ...] | list[str] = (), root: Path | None = None) -> Excerpt:
    """Read ``obj`` (a dotted function / class name) or the ``marker`` range from ``module``.

    ``lines`` are snippets; a source line containing one is highlighted. Raises
    :class:`ExcerptError` with one sentence saying what is wrong.
    """
    if (obj is None) == (marker is None):
        raise ExcerptError("give exactly one of 'object' and 'marker'")
    if obj is not None and not _OBJECT.match(obj):
        raise ExcerptError(f"{obj!r} is not a function or class name (e.g. 'MultiHeadAttention.forward')")
    if marker is not None and not _MARKER.match(marker):
        raise ExcerptError(f"marker {marker!r} must be lower-case letters, digits, '-' and '_'")
    path = module_file(module, root)
    try:
        source = path.read_text(encoding="utf-8")
        all_lines = source.splitlines()
        if obj is not None:
            first, last = _object_span(source, obj, module)
        else:
            first, last = _marker_span(all_lines, marker, module)
    except (OSError, SyntaxError, UnicodeDecodeError) as exc:
        raise ExcerptError(f"cannot read {module}: {exc}") from None
    body = textwrap.dedent("\n".join(all_lines[first - 1:last])).split("\n")
    highlighted = sorted({i for i, line in enumerate(body) for s in lines if s and s in line})
    missing = tuple(s for s in lines if not any(s in line for line in body))
    return Excerpt(module, obj if obj is not None else f"marker {marker}", str(path), first,
                   tuple(body), tuple(highlighted), missing)
