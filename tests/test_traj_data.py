"""ETH/UCY reader: strict validation, windows, and the published test-window counts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tfviz.core.traj.data import (
    LoadProgress,
    Recording,
    TrajFormatError,
    find_scenes,
    iter_parse_text,
    load_file,
    make_windows,
    parse_text,
    scene_windows,
)


def _track(ped: int, start: int, n: int, x0: float = 0.0) -> list[tuple[int, int, float, float]]:
    return [(10 * (start + i), ped, x0 + 0.4 * i, 1.0) for i in range(n)]


def _text(rows) -> str:
    rows = sorted(rows, key=lambda r: (r[0], r[1]))
    return "".join(f"{f}\t{p}\t{x}\t{y}\n" for f, p, x, y in rows)


def test_parses_tabs_spaces_and_integer_frames():
    rec = parse_text("780\t1.0\t8.46\t3.59\n790 1.0  9.57 3.79\n", "a.txt")
    assert rec.n_rows == 2 and rec.frame_ids.tolist() == [780.0, 790.0]
    assert rec.xy[1].tolist() == [9.57, 3.79]


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("0 1 1.0 2.0\n10 1 1.0\n", 2, "expected 4 fields"),
        ("0 1 1.0 2.0\n10 1 abc 2.0\n", 2, "not a number"),
        ("0 1 1.0 2.0\n\n10 1 NaN 2.0\n", 3, "not a finite number"),
        ("0 1 1.0 2.0\n10 1 inf 2.0\n", 2, "not a finite number"),
        ("10 1 1.0 2.0\n0 2 1.0 2.0\n", 2, "frames not sorted"),
        ("0 1 1.0 2.0\n0 2 1.0 2.0\n0 1 3.0 2.0\n", 3, "duplicate (frame 0, pedestrian 1), first on line 1"),
    ],
)
def test_bad_rows_name_file_and_line(text, line, words):
    with pytest.raises(TrajFormatError) as err:
        parse_text(text, "scene/bad.txt")
    assert err.value.path == "scene/bad.txt" and err.value.line == line
    assert words in str(err.value) and f"scene/bad.txt:{line}:" in str(err.value)


def test_empty_file_and_missing_file(tmp_path):
    with pytest.raises(TrajFormatError, match="empty"):
        parse_text("\n\n", "e.txt")
    with pytest.raises(TrajFormatError, match="missing.txt"):
        load_file(tmp_path / "missing.txt")
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(TrajFormatError, match="UTF-8"):
        load_file(binary)


def test_folder_without_dataset_is_reported(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.md").write_text("hi")
    with pytest.raises(TrajFormatError, match="no recognisable dataset"):
        find_scenes(tmp_path)


def test_windows_slide_by_one_frame_and_short_tracks_are_counted():
    rows = _track(1, 0, 21) + _track(2, 0, 19) + _track(3, 5, 5)
    w = make_windows([parse_text(_text(rows))])
    assert len(w) == 2  # 21 steps -> windows starting at 0 and 1
    assert w.short_tracks == 2  # 19 and 5 steps: no window, but counted
    np.testing.assert_allclose(w.obs[1, 0], [0.4, 1.0])
    np.testing.assert_allclose(w.fut[0, -1], [0.4 * 19, 1.0])
    # the 19-step pedestrian is a neighbour seen while observing, never a target
    assert w.groups[w.group[0]].shape[0] == 2


def test_one_pedestrian_scene_works():
    w = make_windows([parse_text(_text(_track(7, 0, 20)))])
    assert len(w) == 1 and w.ped.tolist() == [7.0] and w.groups[0].shape == (1, 8, 2)


def test_windows_use_the_frame_list_gaps():
    """A jump in the frame list (nobody annotated) does not break the sliding start."""
    rows = _track(1, 0, 20) + _track(2, 30, 20)  # frames 0..190 and 300..490
    w = make_windows([parse_text(_text(rows))])
    assert len(w) == 2 and sorted(w.ped.tolist()) == [1.0, 2.0]


def test_progress_is_reported_for_big_texts():
    text = _text(_track(1, 0, 120_000))
    items = list(iter_parse_text(text, "big.txt"))
    progress = [i for i in items if isinstance(i, LoadProgress)]
    assert len(progress) >= 3 and progress[-1].done == progress[-1].total
    assert isinstance(items[-1], Recording) and items[-1].n_rows == 120_000


# ---------------------------------------------------------------- fuzz

_row = st.tuples(
    st.integers(0, 50).map(lambda f: f * 10),
    st.integers(0, 5),
    st.floats(-50, 50, allow_nan=False),
    st.floats(-50, 50, allow_nan=False),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_row, min_size=1, max_size=40))
def test_fuzz_valid_files_round_trip(rows):
    unique = {(f, p): (f, p, x, y) for f, p, x, y in rows}
    text = _text(unique.values())
    rec = parse_text(text, "f.txt")
    assert rec.n_rows == len(unique)
    w = make_windows([rec])
    assert w.obs.shape[1:] == (8, 2) and len(w) <= rec.n_rows


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789.-e \tnaif\n,x")), max_size=120))
def test_fuzz_arbitrary_text_parses_or_fails_cleanly(text):
    try:
        rec = parse_text(text, "fuzz.txt")
    except TrajFormatError as err:
        assert str(err).startswith("fuzz.txt")
        assert err.line is None or 1 <= err.line <= text.count("\n") + 1
    else:
        assert np.isfinite(rec.xy).all() and (np.diff(rec.frames) >= 0).all()


# ---------------------------------------------------------------- real data


@pytest.mark.parametrize(
    "scene, count", [("eth", 364), ("hotel", 1197), ("univ", 24334), ("zara1", 2356), ("zara2", 5910)]
)
def test_published_test_window_counts(shared_dir, scene, count):
    w = scene_windows(shared_dir / "datasets" / "eth_ucy", scene, "test")
    assert len(w) == count


def test_every_shared_file_is_valid(shared_dir):
    root = shared_dir / "datasets" / "eth_ucy"
    assert find_scenes(root) == ["eth", "hotel", "univ", "zara1", "zara2"]
    files = sorted(root.rglob("*.txt"))
    assert len(files) == 98
    for path in files:
        assert load_file(path).n_rows > 0


def test_many_frames_and_people_stay_linear_in_memory():
    """20,000 frames x 4,000 people would be a 1.3 GB dense table; the index is O(rows)."""
    from tfviz.core.traj.playback import Playback

    f = np.repeat(np.arange(20_000), 5)  # 5 people per frame
    k = np.tile(np.arange(5), 20_000)
    peds = (f // 25) * 5 + k  # each person walks for 25 frames
    xy = np.stack([0.4 * (f % 25), k.astype(float)], -1)
    rec = Recording("big", f * 10.0, peds.astype(float), xy)
    assert rec.n_peds == 4000
    w = make_windows([rec])
    assert len(w) == 800 * 5 * 6  # 6 window starts per 25-frame track
    st = Playback(rec).state(20_000 - 1)
    assert st.obs.shape == (5, 8, 2) and np.isnan(st.fut).all()


def _naive_windows(rec: Recording, obs: int = 8, seq: int = 20) -> list[tuple[int, float]]:
    """(start, ped) of every window, by the definition: present in 20 consecutive frames."""
    frames = list(np.unique(rec.frames))
    seen = {(f, p) for f, p in zip(rec.frames.tolist(), rec.peds.tolist(), strict=True)}
    out = []
    for start in range(len(frames) - seq + 1):
        for p in sorted(set(rec.peds.tolist())):
            if all((frames[start + k], p) in seen for k in range(seq)):
                out.append((start, p))
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 30), st.integers(1, 30)), min_size=1, max_size=8))
@example(tracks=[(0, 0, 9), (0, 10, 11)])  # frame 9 annotated for nobody: the window spans it
def test_fuzz_windows_match_the_definition(tracks):
    """Random tracks (ped, first frame, length), possibly with gaps: same windows as a naive count."""
    rows = {}
    for ped, first, length in tracks:
        for f in range(first, first + length):
            rows[(f * 10, ped)] = (f * 10, ped, float(f), float(ped))
    rec = parse_text(_text(rows.values()))
    w = make_windows([rec])
    expected = _naive_windows(rec)
    assert len(w) == len(expected)
    assert sorted(w.ped.tolist()) == sorted(p for _, p in expected)
    np.testing.assert_allclose(w.obs[:, :, 1], np.repeat(w.ped[:, None], 8, 1))  # y = ped id
    # x = frame number: each window covers 20 consecutive entries of the recording's frame
    # list (a frame nobody was annotated in is not in that list, so x may jump there)
    frame_list = np.unique(rec.frames) / 10.0
    starts = {round(float(x)): i for i, x in enumerate(frame_list)}
    for seq_x in np.concatenate([w.obs[:, :, 0], w.fut[:, :, 0]], axis=1):
        i = starts[round(float(seq_x[0]))]
        np.testing.assert_allclose(seq_x, frame_list[i : i + 20])
