"""The two generated tasks: ``dates`` and ``reverse``. Deterministic by seed, character level.

``dates`` turns a date written in one of nine formats into ISO 8601::

    >>> format_date(datetime.date(2026, 11, 29), "zh_words")
    '二〇二六年十一月二十九日'
    >>> format_date(datetime.date(2026, 11, 29), "mdy_slash")
    '11/29/2026'

``reverse`` turns a string of letters into the same letters backwards (``"abcd" -> "dcba"``);
its lengths run from 4 to 60, the models see only up to 40 in training.

Every task is a :class:`Task`: its vocabularies, a sampler of (input, target) pairs for
training and a fixed held-out set for evaluation.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass

from tfviz.core.seq2seq.vocab import Vocab

# ---------------------------------------------------------------- dates

FIRST_DATE = datetime.date(1900, 1, 1)
LAST_DATE = datetime.date(2099, 12, 31)
N_DAYS = (LAST_DATE - FIRST_DATE).days + 1  # 73 049 calendar days

MONTHS = ["January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December"]  # fmt: skip
ZH_DIGITS = "〇一二三四五六七八九"

# The nine formats, shown for 29 November 2026.
DATE_FORMATS = {
    "mon_d_y": "Nov 29, 2026",
    "month_d_y": "November 29, 2026",
    "d_month_y": "29 November 2026",
    "d_mon_y": "29 Nov 2026",
    "mdy_slash": "11/29/2026",
    "ymd_slash": "2026/11/29",
    "dmy_dot": "29.11.2026",
    "zh_digits": "2026年11月29日",
    "zh_words": "二〇二六年十一月二十九日",
}


def zh_number(n: int) -> str:
    """1..31 in Chinese numerals, as written in dates.

    >>> [zh_number(n) for n in (1, 10, 11, 20, 29, 31)]
    ['一', '十', '十一', '二十', '二十九', '三十一']
    """
    tens, ones = divmod(n, 10)
    out = "" if tens == 0 else ("十" if tens == 1 else ZH_DIGITS[tens] + "十")
    return out + (ZH_DIGITS[ones] if ones else "")


def zh_year(y: int) -> str:
    """A year read digit by digit: ``2026 -> 二〇二六``."""
    return "".join(ZH_DIGITS[int(c)] for c in str(y))


def format_date(d: datetime.date, fmt: str, pad: bool = False) -> str:
    """Write ``d`` in format ``fmt``; ``pad`` adds leading zeros to one-digit days/months."""
    day = f"{d.day:02d}" if pad else str(d.day)
    mon = f"{d.month:02d}" if pad else str(d.month)
    name = MONTHS[d.month - 1]
    table: dict[str, Callable[[], str]] = {
        "mon_d_y": lambda: f"{name[:3]} {day}, {d.year}",
        "month_d_y": lambda: f"{name} {day}, {d.year}",
        "d_month_y": lambda: f"{day} {name} {d.year}",
        "d_mon_y": lambda: f"{day} {name[:3]} {d.year}",
        "mdy_slash": lambda: f"{mon}/{day}/{d.year}",
        "ymd_slash": lambda: f"{d.year}/{mon}/{day}",
        "dmy_dot": lambda: f"{day}.{mon}.{d.year}",
        "zh_digits": lambda: f"{d.year}年{mon}月{day}日",
        "zh_words": lambda: f"{zh_year(d.year)}年{zh_number(d.month)}月{zh_number(d.day)}日",
    }
    return table[fmt]()


def is_valid_iso_date(text: str) -> bool:
    """True when ``text`` is a real calendar date ``YYYY-MM-DD``.

    >>> is_valid_iso_date("2026-02-28"), is_valid_iso_date("2026-02-30")
    (True, False)
    """
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def random_date(rng: random.Random) -> datetime.date:
    return FIRST_DATE + datetime.timedelta(days=rng.randrange(N_DAYS))


def sample_date_pair(rng: random.Random) -> tuple[str, str]:
    """One (input, target) pair: uniform over days, formats and zero padding."""
    d = random_date(rng)
    fmt = rng.choice(list(DATE_FORMATS))
    return format_date(d, fmt, pad=rng.random() < 0.5), d.isoformat()


# ---------------------------------------------------------------- reverse

REVERSE_SYMBOLS = "abcdefghijklmnopqrstuvwxyz"
REVERSE_MIN, REVERSE_TRAIN_MAX, REVERSE_MAX = 4, 40, 60


def sample_reverse_pair(rng: random.Random, lo: int = REVERSE_MIN, hi: int = REVERSE_TRAIN_MAX):
    """A random string of length lo..hi and its reverse: ``("abcd", "dcba")``."""
    n = rng.randint(lo, hi)
    s = "".join(rng.choice(REVERSE_SYMBOLS) for _ in range(n))
    return s, s[::-1]


# ---------------------------------------------------------------- the Task record

DATE_INPUT_CHARS = sorted(
    set("".join(MONTHS)) | set("0123456789 ,/.年月日") | set(ZH_DIGITS + "十")
)


@dataclass(frozen=True)
class Task:
    """A generated task: vocabularies, limits and samplers."""

    name: str
    src: Vocab  # input characters
    tgt: Vocab  # output characters
    max_src: int  # longest input a model supports (longer ones are truncated)
    max_tgt: int  # longest output decoded
    sample: Callable[[random.Random], tuple[str, str]]  # one training pair
    examples: tuple[str, ...]  # shown in the panel

    def heldout(self, n_per_group: int | None = None, seed: int = 20261129) -> list[tuple[str, str]]:
        """The fixed held-out evaluation set (the same on every machine)."""
        rng = random.Random(seed)
        if self.name == "dates":
            n = n_per_group or 2000
            return [sample_date_pair(rng) for _ in range(n)]
        n = n_per_group or 50
        return [sample_reverse_pair(rng, length, length)
                for length in range(REVERSE_MIN, REVERSE_MAX + 1) for _ in range(n)]  # fmt: skip

    def train_sampler(self, seed: int) -> Callable[[], tuple[str, str]]:
        """Draw training pairs, skipping any that are in the held-out set."""
        rng = random.Random(seed)
        heldout = self.heldout()
        held = {x for x, _ in heldout}
        if self.name == "dates":
            held_days = {y for _, y in heldout}  # a held-out day is never trained, in any format

            def draw() -> tuple[str, str]:
                while True:
                    x, y = self.sample(rng)
                    if y not in held_days:
                        return x, y

            return draw

        def draw_rev() -> tuple[str, str]:
            while True:
                x, y = self.sample(rng)
                if x not in held:
                    return x, y

        return draw_rev


TASKS: dict[str, Task] = {
    "dates": Task(
        name="dates",
        src=Vocab(DATE_INPUT_CHARS),
        tgt=Vocab("0123456789-"),
        max_src=32,
        max_tgt=12,
        sample=sample_date_pair,
        examples=("Nov 29, 2026", "29 November 2026", "11/29/2026", "2026/11/29", "29.11.2026",
                  "2026年11月29日", "二〇二六年十一月二十九日", "February 30, 2026"),  # fmt: skip
    ),
    "reverse": Task(
        name="reverse",
        src=Vocab(REVERSE_SYMBOLS),
        tgt=Vocab(REVERSE_SYMBOLS),
        max_src=64,
        max_tgt=66,
        sample=sample_reverse_pair,
        examples=("abcdefgh", "transformer", "thequickbrownfoxjumpsoverthelazydog",
                  "attentionisallyouneedattentionisallyouneedattentionisall"),  # fmt: skip
    ),
}


def get_task(name: str) -> Task:
    if name not in TASKS:
        raise KeyError(f"unknown task {name!r}; valid: {', '.join(TASKS)}")
    return TASKS[name]
