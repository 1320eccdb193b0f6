"""Every step of every bundled lesson renders, in both languages, and differs from the step
before it (what ``tfviz shot --lesson ID --step all`` does)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QImage

from tfviz.core.lessons.store import bundled_entries
from tfviz.gui.lessons.shot import shot_lesson

LESSONS = [e.id for e in bundled_entries()]


def _differing_fraction(a: QImage, b: QImage, step: int = 3) -> float:
    assert a.size() == b.size()
    total = differ = 0
    for y in range(0, a.height(), step):
        for x in range(0, a.width(), step):
            total += 1
            differ += a.pixel(x, y) != b.pixel(x, y)
    return differ / total


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("lesson_id", LESSONS)
def test_every_step_renders_and_differs_from_the_previous(lesson_id, lang, tmp_path, monkeypatch):
    monkeypatch.setenv("TFVIZ_DATA_DIR", str(tmp_path / "data"))
    files = shot_lesson(lesson_id, "all", tmp_path / "shots", lang=lang, size=(1400, 860))
    n = len(next(e for e in bundled_entries() if e.id == lesson_id).lesson.steps)
    assert [f.name for f in files] == [f"{lesson_id}-{i:02d}.png" for i in range(1, n + 1)]
    images = [QImage(str(f)) for f in files]
    assert all(not im.isNull() and im.size() == images[0].size() for im in images)
    assert images[0].width() >= 1400  # wider only when a panel and the pane need more room
    for i in range(1, n):
        frac = _differing_fraction(images[i - 1], images[i])
        assert frac > 0.002, f"{lesson_id} step {i + 1} looks like step {i} ({frac:.2%} of pixels differ)"


def test_one_step_to_a_file(tmp_path, monkeypatch):
    monkeypatch.setenv("TFVIZ_DATA_DIR", str(tmp_path / "data"))
    files = shot_lesson("family", "3", tmp_path / "slide.png", lang="zh")
    assert files == [tmp_path / "slide.png"] and not QImage(str(files[0])).isNull()
    with pytest.raises(ValueError, match="has steps 1..8"):
        shot_lesson("family", "9", tmp_path / "x.png")
    with pytest.raises(ValueError, match="must be a folder"):
        shot_lesson("family", "all", tmp_path / "x.png")
