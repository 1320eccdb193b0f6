"""Make sure Chinese renders with a real CJK font, never as tofu boxes.

If the system has no font covering Simplified Chinese, tfviz registers Noto Sans SC
(SIL Open Font License 1.1), which the PyPI package ``pylopdf-fonts-zh-cn`` ships, and adds
it as a fallback for the default UI font family.
"""

from __future__ import annotations

import logging
from importlib import resources

from PySide6.QtGui import QFont, QFontDatabase

log = logging.getLogger(__name__)

_SAMPLE = "汉字"
_registered_family: str | None = None


def system_has_cjk() -> bool:
    return bool(QFontDatabase.families(QFontDatabase.SimplifiedChinese))


def bundled_cjk_font_path() -> str | None:
    try:
        node = resources.files("pylopdf_fonts_zh_cn") / "NotoSansSC-Regular.otf"
    except ModuleNotFoundError:
        return None
    return str(node) if node.is_file() else None


def ensure_cjk_font(force: bool = False) -> str | None:
    """Register the bundled CJK font when needed; return the family used for Chinese."""
    global _registered_family
    if _registered_family is not None:
        return _registered_family
    if not force and system_has_cjk():
        return QFontDatabase.families(QFontDatabase.SimplifiedChinese)[0]
    path = bundled_cjk_font_path()
    if path is None:
        log.warning("no CJK font on this system and the bundled Noto Sans SC is missing")
        return None
    font_id = QFontDatabase.addApplicationFont(path)
    if font_id < 0:
        log.warning("could not register %s", path)
        return None
    family = QFontDatabase.applicationFontFamilies(font_id)[0]
    _registered_family = family
    # Let every family fall back to the CJK font for characters it lacks.
    for base in {QFont().family(), "Sans Serif", "DejaVu Sans", "Monospace", "DejaVu Sans Mono"}:
        subs = QFont.substitutes(base)
        if family not in subs:
            QFont.insertSubstitution(base, family)
    return family
