"""Small building blocks the dataset modules share: ids, counts, times, money, text."""

import datetime as dt

import numpy as np
import pyarrow as pa

from gensample.generate.seeding import stream
from gensample.settings import Settings

DAY_SECONDS = 86_400
HISTORY_DAYS = 5 * 365
"""How far back ``trans_type = "full"`` spreads events (and accounts are opened)."""
TIMESTAMP = pa.timestamp("s")
MONEY = pa.decimal128(12, 2)


def repeat(text: str, n: int) -> pa.Array:
    """``text`` ``n`` times, as a string array."""
    return pa.repeat(pa.scalar(text), n)


def shuffled_ids(rng: np.random.Generator, start: int, count: int) -> np.ndarray:
    """The ids ``start..start+count`` in a random order, so an id tells nothing of its row."""
    return start + rng.permutation(count)


def share_of(n: int, share: float) -> int:
    """How many of ``n`` a ``share`` (0-1) is: exact, so counts scale linearly with ``n``."""
    return round(n * share)


def share_added(n: int, share: float) -> int:
    """How many to add to ``n`` so that the added make a ``share`` (0-1) of the whole."""
    return share_of(n, share / (1 - share))


def count_stream(settings: Settings, dataset: str, entity_start: int) -> np.random.Generator:
    """The stream a dataset draws its per-parent row counts from, in ``rows`` (for the plan)
    and again in ``generate``: the same draws both times, apart from every other draw."""
    return stream(settings.seed, dataset, "rows", entity_start)


def epoch_day(day: dt.date) -> int:
    """Days since the epoch (1970-01-01) of ``day``."""
    return (day - dt.date(1970, 1, 1)).days


def day_end(date: dt.date) -> int:
    """The last second of ``date`` (UTC), in seconds since the epoch."""
    midnight = dt.datetime(date.year, date.month, date.day, tzinfo=dt.timezone.utc)
    return int(midnight.timestamp()) + DAY_SECONDS - 1


def event_window(settings: Settings, date: dt.date) -> tuple[int, int]:
    """First and last second events of ``date`` may have, by ``trans_type``: the day itself
    (``daily``) or the five years before its end (``full``)."""
    end = day_end(date)
    days = 1 if settings.trans_type == "daily" else HISTORY_DAYS
    return end - days * DAY_SECONDS + 1, end


def times_between(
    rng: np.random.Generator, start: np.ndarray | int, end: np.ndarray | int, n: int
) -> np.ndarray:
    """``n`` uniform whole seconds from ``start`` to ``end`` (both included, per row or all)."""
    return start + (rng.random(n) * (np.asarray(end) - start + 1)).astype(np.int64)


def in_hours(
    rng: np.random.Generator,
    earliest: np.ndarray | int,
    last: int,
    hours: tuple[int, int],
    n: int,
) -> np.ndarray:
    """``n`` moments from ``earliest`` (per row, or for all) to ``last`` (a day's last second)
    on uniform days, at uniform seconds of ``hours`` (from, to); ``earliest`` itself when the
    moment drawn comes before it (on its day)."""
    first_day = earliest // DAY_SECONDS
    day = first_day + (rng.random(n) * (last // DAY_SECONDS - first_day + 1)).astype(np.int64)
    second = rng.integers(hours[0] * 3600, hours[1] * 3600, n)
    return np.maximum(day * DAY_SECONDS + second, earliest)


def during_hours(seconds: np.ndarray, hours: tuple[int, int]) -> np.ndarray:
    """``seconds`` moved into ``hours`` (from, to) of their own day, in the same order: the
    day's 24 hours squeezed into those hours."""
    day, second = np.divmod(seconds, DAY_SECONDS)
    return day * DAY_SECONDS + hours[0] * 3600 + second * (hours[1] - hours[0]) // 24


def open_seconds(seconds: np.ndarray | int, hours: tuple[int, int]) -> np.ndarray | int:
    """Seconds since the epoch counted only while ``hours`` (from, to) of each day run: a clock
    that stops outside them (a moment outside counts as the next opening)."""
    day, second = np.divmod(seconds, DAY_SECONDS)
    opening, length = hours[0] * 3600, (hours[1] - hours[0]) * 3600
    return day * length + np.clip(second - opening, 0, length)


def from_open_seconds(seconds: np.ndarray, hours: tuple[int, int]) -> np.ndarray:
    """The moments ``open_seconds`` counted, back on the ordinary clock: inside ``hours``, in
    the same order, as far apart while open."""
    day, second = np.divmod(seconds, (hours[1] - hours[0]) * 3600)
    return day * DAY_SECONDS + hours[0] * 3600 + second


def timestamps(seconds: np.ndarray) -> pa.Array:
    """Seconds since the epoch as a timestamp column."""
    return pa.array(seconds, TIMESTAMP)


def money(cents: np.ndarray) -> pa.Array:
    """Whole cents as an exact ``decimal(12, 2)`` column (written as e.g. ``12.34``)."""
    cents = np.asarray(cents, np.int64)
    words = np.empty((len(cents), 2), np.int64)  # little-endian 128-bit integers
    words[:, 0] = cents
    np.right_shift(cents, 63, out=words[:, 1])  # the high word: the sign, extended
    return pa.Array.from_buffers(MONEY, len(cents), [None, pa.py_buffer(words)])
