"""ETH/UCY trajectory files: a strict reader and the 8 + 12 step windows.

The format is one observation per line, ``frame ped x y``, separated by tabs or spaces,
no header, metres, one annotation step every 10 frame ids (0.4 s, 2.5 fps)::

    >>> rec = parse_text("0\\t1\\t1.0\\t2.0\\n10\\t1\\t1.5\\t2.0\\n", "demo.txt")
    >>> rec.n_rows, rec.n_peds, rec.frame_ids.tolist()
    (2, 1, [0.0, 10.0])

Every problem is reported with its file and line, never skipped in silence:

    >>> try:
    ...     parse_text("0 1 1.0 nan\\n", "bad.txt")
    ... except TrajFormatError as err:
    ...     print(err)
    bad.txt:1: not a finite number: 'nan'

A *window* is one pedestrian seen in 20 consecutive frames of the recording's frame list
(8 observed, 12 to predict); the start slides by one frame (the Social-GAN protocol).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

OBS = 8  # observed steps (3.2 s)
PRED = 12  # predicted steps (4.8 s)
SEQ = OBS + PRED
SPLITS = ("train", "val", "test")
SCENES = ("eth", "hotel", "univ", "zara1", "zara2")
CHUNK_LINES = 50_000  # lines parsed between two progress reports


class TrajFormatError(ValueError):
    """A malformed trajectory file or folder; ``path`` and ``line`` say where."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")
        self.path = str(path)
        self.line = line
        self.reason = message


@dataclass(frozen=True)
class Recording:
    """One file: rows sorted by frame. ``frames``/``peds``/``xy`` are parallel arrays."""

    name: str
    frames: np.ndarray  # (N,) float64 frame ids, non-decreasing
    peds: np.ndarray  # (N,) float64 pedestrian ids
    xy: np.ndarray  # (N, 2) float64 metres

    @property
    def n_rows(self) -> int:
        return int(self.frames.shape[0])

    @property
    def frame_ids(self) -> np.ndarray:
        """The distinct frame ids, ascending (the recording's frame list)."""
        return np.unique(self.frames)

    @property
    def n_peds(self) -> int:
        return int(np.unique(self.peds).shape[0])

    def track_lengths(self) -> dict[float, int]:
        """Steps each pedestrian is annotated: ``{ped_id: n_steps}``."""
        ids, counts = np.unique(self.peds, return_counts=True)
        return {float(i): int(c) for i, c in zip(ids, counts, strict=True)}

    def short_tracks(self, min_len: int = SEQ) -> int:
        """How many tracks are shorter than one window (they yield no window)."""
        return sum(1 for n in self.track_lengths().values() if n < min_len)


@dataclass(frozen=True)
class LoadProgress:
    """A progress report while a big file is read (``done`` of ``total`` bytes)."""

    path: str
    done: int
    total: int


# ---------------------------------------------------------------- parsing


# Largest size of each field: ids stay exact in float64; positions are metres, and a scene
# spans tens of metres, so a coordinate of 1e308 is a damaged file, not a place.
LIMITS = np.array([2.0**53, 2.0**53, 1e5, 1e5])


def _parse_line(path: str, lineno: int, line: str) -> tuple[float, float, float, float]:
    """One row ``frame ped x y`` -> 4 floats, or a :class:`TrajFormatError`."""
    parts = line.split()
    if len(parts) != 4:
        raise TrajFormatError(path, lineno, f"expected 4 fields (frame ped x y), found {len(parts)}")
    vals = []
    for tok in parts:
        try:
            v = float(tok)
        except ValueError:
            raise TrajFormatError(path, lineno, f"not a number: {tok!r}") from None
        if not math.isfinite(v):
            raise TrajFormatError(path, lineno, f"not a finite number: {tok!r}")
        vals.append(v)
    for name, v, limit in zip(("frame", "pedestrian", "x", "y"), vals, LIMITS, strict=True):
        if abs(v) > limit:
            raise TrajFormatError(path, lineno, f"{name} {v:g} is out of range (allowed: ±{limit:g})")
    return vals[0], vals[1], vals[2], vals[3]


def _parse_chunk(path: str, first_lineno: int, lines: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Rows of one chunk as ``(R, 4)`` floats plus their 1-based line numbers ``(R,)``.

    Fast path: split all tokens at once and let numpy convert them; if anything is off,
    the slow path walks line by line to name the exact line.
    """
    numbers = [i for i, ln in enumerate(lines) if ln.strip()]
    tokens: list[str] = []
    ok = True
    for i in numbers:
        parts = lines[i].split()
        if len(parts) != 4:
            ok = False
            break
        tokens.extend(parts)
    if ok:
        try:
            arr = np.array(tokens, dtype=np.float64).reshape(-1, 4)  # (R, 4)
            ok = bool(np.isfinite(arr).all()) and bool((np.abs(arr) <= LIMITS).all())
        except ValueError:
            ok = False
    if not ok:  # find and report the first bad line
        for i in numbers:
            _parse_line(path, first_lineno + i, lines[i])
        raise AssertionError("unreachable: a bad chunk has a bad line")  # pragma: no cover
    return arr, np.asarray(numbers, dtype=np.int64) + first_lineno


def _check_order(path: str, rows: np.ndarray, linenos: np.ndarray) -> None:
    """Frames must not go backwards; a (frame, ped) pair must not repeat."""
    frames, peds = rows[:, 0], rows[:, 1]
    back = np.nonzero(np.diff(frames) < 0)[0]
    if back.size:
        i = int(back[0]) + 1
        raise TrajFormatError(
            path, int(linenos[i]), f"frames not sorted: {frames[i]:g} after {frames[i - 1]:g}"
        )
    order = np.lexsort((peds, frames))  # stable: frame, then ped
    f, p = frames[order], peds[order]
    dup = np.nonzero((np.diff(f) == 0) & (np.diff(p) == 0))[0]
    if dup.size:
        a, b = sorted((int(order[dup[0]]), int(order[dup[0] + 1])))
        raise TrajFormatError(
            path,
            int(linenos[b]),
            f"duplicate (frame {frames[b]:g}, pedestrian {peds[b]:g}), first on line {int(linenos[a])}",
        )


def iter_parse_text(text: str, path: str = "<text>") -> Iterator[LoadProgress | Recording]:
    """Parse ``text``; yields :class:`LoadProgress` every chunk, then the :class:`Recording`."""
    lines = text.splitlines()
    total = len(text)
    done = 0
    arrays, linenos = [], []
    for start in range(0, len(lines), CHUNK_LINES):
        chunk = lines[start : start + CHUNK_LINES]
        rows, nums = _parse_chunk(path, start + 1, chunk)
        arrays.append(rows)
        linenos.append(nums)
        done = min(total, done + sum(len(c) + 1 for c in chunk))
        yield LoadProgress(path, done, total)
    rows = np.concatenate(arrays) if arrays else np.zeros((0, 4))  # (N, 4)
    nums = np.concatenate(linenos) if linenos else np.zeros((0,), dtype=np.int64)
    if rows.shape[0] == 0:
        raise TrajFormatError(path, None, "no observations (empty file)")
    _check_order(path, rows, nums)
    yield Recording(Path(path).stem, rows[:, 0].copy(), rows[:, 1].copy(), rows[:, 2:4].copy())


def parse_text(text: str, path: str = "<text>") -> Recording:
    """Parse a whole file's text at once (see :func:`iter_parse_text`)."""
    result = None
    for item in iter_parse_text(text, path):
        result = item
    assert isinstance(result, Recording)
    return result


def _read_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8", newline=None) as fh:
            return fh.read()
    except UnicodeDecodeError as exc:
        raise TrajFormatError(path, None, f"not a UTF-8 text file ({exc.reason})") from None
    except OSError as exc:
        raise TrajFormatError(path, None, exc.strerror or str(exc)) from None


def iter_load_file(path: str | os.PathLike) -> Iterator[LoadProgress | Recording]:
    """Read and parse one file with progress (for 100 MB files run in the background)."""
    path = str(path)
    yield LoadProgress(path, 0, max(1, os.path.getsize(path) if os.path.exists(path) else 1))
    yield from iter_parse_text(_read_text(path), path)


def load_file(path: str | os.PathLike) -> Recording:
    """Read one ETH/UCY text file (strict)."""
    return parse_text(_read_text(str(path)), str(path))


def format_recording(rec: Recording) -> str:
    """The ETH/UCY text of a recording (tab separated), e.g. to save a synthetic scene.

    >>> format_recording(parse_text("0 1 1.5 2\\n"))
    '0\\t1\\t1.5\\t2.0\\n'
    """
    rows = zip(rec.frames.tolist(), rec.peds.tolist(), rec.xy[:, 0].tolist(), rec.xy[:, 1].tolist())
    return "".join(f"{f:g}\t{p:g}\t{x!r}\t{y!r}\n" for f, p, x, y in rows)


# ---------------------------------------------------------------- folders


def scene_files(root: str | os.PathLike, scene: str, split: str) -> list[Path]:
    """``root/<scene>/<split>/*.txt``, sorted; a :class:`TrajFormatError` if none."""
    folder = Path(root) / scene / split
    files = sorted(folder.glob("*.txt"))
    if not files:
        raise TrajFormatError(str(folder), None, "no .txt trajectory files here")
    return files


def find_scenes(root: str | os.PathLike) -> list[str]:
    """Scene folders under ``root`` that hold ``test/*.txt`` (the layout ``<scene>/{train,val,test}``)."""
    root = Path(root)
    if not root.is_dir():
        raise TrajFormatError(str(root), None, "not a folder")
    found = sorted(p.name for p in root.iterdir() if p.is_dir() and any((p / "test").glob("*.txt")))
    if not found:
        raise TrajFormatError(
            str(root), None, "no recognisable dataset: expected <scene>/{train,val,test}/*.txt"
        )
    return found


def load_split(root: str | os.PathLike, scene: str, split: str) -> list[Recording]:
    """All recordings of one scene's split."""
    return [load_file(p) for p in scene_files(root, scene, split)]


# ---------------------------------------------------------------- windows


@dataclass(frozen=True)
class Windows:
    """Windows of 20 steps, plus, for each, who else was in the scene while observing.

    ``obs``/``fut`` are the target pedestrians. ``group[w]`` names the window start (one
    start = one scene snapshot); ``agents`` holds, per group, every pedestrian seen in all 8
    observed frames of that start (the neighbours a social model may look at; no future).
    """

    obs: np.ndarray  # (W, 8, 2) observed positions
    fut: np.ndarray  # (W, 12, 2) true future positions
    group: np.ndarray  # (W,) index into groups
    ped: np.ndarray  # (W,) pedestrian id
    agent_index: np.ndarray  # (W,) this target's row inside its group's agents
    groups: list[np.ndarray] = field(repr=False)  # per group: (N_g, 8, 2) agents' observed xy
    short_tracks: int = 0  # tracks shorter than 20 steps (no window), counted

    def __len__(self) -> int:
        return int(self.obs.shape[0])


@dataclass(frozen=True)
class TrackIndex:
    """The rows of a recording arranged per pedestrian, so windows cost O(rows), not
    O(frames x pedestrians) (a 100 MB file has millions of rows and thousands of people).

    ``order`` lists the rows by (pedestrian, frame); ``pos[r]`` is row r's place in it, so
    ``order[pos[r] - k]`` is the same person k steps earlier when ``back[r] > k``.
    """

    frame_list: np.ndarray  # (F,) distinct frame ids
    starts: np.ndarray  # (F + 1,) rows starts[i]:starts[i + 1] are at frame i
    order: np.ndarray  # (N,) rows sorted by pedestrian, then frame
    pos: np.ndarray  # (N,) position of each row in `order`
    back: np.ndarray  # (N,) steps this person has been seen without a gap, up to this row
    fwd: np.ndarray  # (N,) steps this person stays in view without a gap, from this row on

    @staticmethod
    def of(rec: Recording) -> TrackIndex:
        """Build the index (rows are sorted by frame, as the reader guarantees)."""
        frame_list = rec.frame_ids
        fi = np.searchsorted(frame_list, rec.frames)  # (N,) frame index of each row
        n = fi.size
        order = np.lexsort((fi, rec.peds))  # (N,)
        p, f = rec.peds[order], fi[order]
        idx = np.arange(n)
        cont = np.zeros(n, dtype=bool)  # this row continues the previous one's track
        cont[1:] = (p[1:] == p[:-1]) & (f[1:] == f[:-1] + 1)
        last_break = np.maximum.accumulate(np.where(cont, 0, idx))
        ends = np.ones(n, dtype=bool)  # the track stops after this row
        ends[:-1] = ~cont[1:]
        next_end = np.minimum.accumulate(np.where(ends, idx, n - 1)[::-1])[::-1]
        back, fwd, pos = np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n, np.int64)
        back[order] = idx - last_break + 1
        fwd[order] = next_end - idx + 1
        pos[order] = idx
        starts = np.searchsorted(fi, np.arange(frame_list.size + 1))
        return TrackIndex(frame_list, starts, order, pos, back, fwd)

    def rows_at(self, i: int, peds: np.ndarray) -> np.ndarray:
        """Rows at frame index ``i``, ordered by pedestrian id."""
        rows = np.arange(self.starts[i], self.starts[i + 1])
        return rows[np.argsort(peds[rows], kind="stable")]

    def steps(self, rows: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """Row of the same person ``offsets`` steps away: (R,), (T,) -> (R, T) row numbers.

        Only meaningful where the track reaches that far (see ``back`` and ``fwd``).
        """
        at = np.clip(self.pos[rows][:, None] + offsets[None, :], 0, self.order.size - 1)
        return self.order[at]


def make_windows(recordings: list[Recording], obs: int = OBS, pred: int = PRED) -> Windows:
    """Cut every recording into windows of ``obs + pred`` consecutive frames.

    >>> rec = parse_text("".join(f"{10*i} 1 {0.4*i} 0\\n" for i in range(21)))
    >>> w = make_windows([rec]); len(w), w.obs.shape, w.fut[0, -1].round(6).tolist()
    (2, (2, 8, 2), [7.6, 0.0])
    """
    seq = obs + pred
    all_obs, all_fut, all_group, all_ped, all_idx, groups = [], [], [], [], [], []
    short = 0
    path_steps, past_steps = np.arange(seq), np.arange(-obs + 1, 1)
    for rec in recordings:
        short += rec.short_tracks(seq)
        ti = TrackIndex.of(rec)
        for start in range(0, ti.frame_list.size - seq + 1):
            here = ti.rows_at(start, rec.peds)
            targets = here[ti.fwd[here] >= seq]  # seen in all 20 frames
            if targets.size == 0:
                continue
            now = ti.rows_at(start + obs - 1, rec.peds)
            agents = now[ti.back[now] >= obs]  # seen in all observed frames
            g = len(groups)
            groups.append(rec.xy[ti.steps(agents, past_steps)])  # (N_g, 8, 2)
            path = rec.xy[ti.steps(targets, path_steps)]  # (M, 20, 2)
            all_obs.append(path[:, :obs])
            all_fut.append(path[:, obs:])
            all_group.append(np.full(targets.size, g))
            all_ped.append(rec.peds[targets])
            all_idx.append(np.searchsorted(rec.peds[agents], rec.peds[targets]))  # both by id
    if not all_obs:
        empty = np.zeros((0, obs, 2))
        return Windows(empty, np.zeros((0, pred, 2)), np.zeros(0, int), np.zeros(0),
                       np.zeros(0, int), [], short)
    return Windows(
        np.concatenate(all_obs),
        np.concatenate(all_fut),
        np.concatenate(all_group),
        np.concatenate(all_ped),
        np.concatenate(all_idx),
        groups,
        short,
    )


def scene_windows(root: str | os.PathLike, scene: str, split: str) -> Windows:
    """Windows of ``root/<scene>/<split>``: e.g. ``scene_windows(root, "eth", "test")`` has 364."""
    return make_windows(load_split(root, scene, split))
