"""When people shop: days weighted by month, weekday and calendar events, hours by channel.

Every weight comes from the retail curves (``traffic.csv``, ``events.csv``), so a day's share of
a channel's visits is month x weekday x the lift of every event on it.
"""

import datetime as dt
import functools

import numpy as np

from gensample.generate.datasets.common import DAY_SECONDS
from gensample.generate.datasets.draws import Lookup, shares
from gensample.reference import retail
from gensample.reference.search import Sorted

EPOCH = dt.date(1970, 1, 1)
THURSDAY = 3
"""Weekday of the epoch (0 is Monday)."""


def moments(
    rng: np.random.Generator,
    curves: retail.Retail,
    channel: str,
    earliest: np.ndarray,
    last: np.ndarray | int,
    hours: tuple[int, int] = (0, 24),
) -> np.ndarray:
    """One moment (seconds since the epoch) per row from ``earliest`` to ``last`` (per row or
    for all): a day drawn by the channel's day weights, an hour by its hour weights, a uniform
    second of it, only in ``hours`` (from, to); clamped into the row's bounds (so a drawn
    hour before ``earliest`` on its first day, or after ``last`` on its last, becomes that
    bound)."""
    last = np.broadcast_to(np.asarray(last, np.int64), earliest.shape)
    first_day, last_day = earliest // DAY_SECONDS, last // DAY_SECONDS
    if not len(earliest):
        return earliest.copy()
    low = int(first_day.min())
    cumulative = _cumulative_days(curves, channel, low, int(last_day.max()))
    before, through = cumulative.values[first_day - low], cumulative.values[last_day - low + 1]
    target = before + rng.random(len(earliest)) * (through - before)
    day = np.clip(low + cumulative.right(target) - 1, first_day, last_day)
    hour = _hours(curves, channel, hours).draw(rng, len(earliest))
    second = day * DAY_SECONDS + hour * 3600 + rng.integers(0, 3600, len(earliest))
    return np.clip(second, earliest, last)


@functools.lru_cache(maxsize=16)
def _cumulative_days(curves: retail.Retail, channel: str, first: int, last: int) -> Sorted:
    """Running sum of the weights of days ``first..last`` (day numbers), starting at 0."""
    weights = day_weights(curves, channel, first, last)
    return Sorted(np.concatenate([[0.0], np.cumsum(weights)]))


def day_weights(curves: retail.Retail, channel: str, first: int, last: int) -> np.ndarray:
    """The weight of each day ``first..last`` (days since the epoch) for ``channel``."""
    days = np.arange(first, last + 1)
    traffic = curves.traffic[channel]
    month = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
    weights = traffic.month[month] * traffic.weekday[(days + THURSDAY) % 7]
    for event in curves.events:
        for start in event_starts(event, first, last):
            covered = (days >= start) & (days < start + event.days)
            weights[covered] *= event.lift[channel]
    return weights


def event_starts(event: retail.Event, first: int, last: int) -> list[int]:
    """The first day (days since the epoch) of each yearly occurrence of ``event`` that may
    overlap days ``first..last``."""
    years = range((EPOCH + dt.timedelta(first)).year - 1, (EPOCH + dt.timedelta(last)).year + 2)
    starts = []
    for year in years:
        anchor = _anchor(event, year)
        if anchor is not None:
            starts.append((anchor - EPOCH).days + event.offset)
    return starts


def _anchor(event: retail.Event, year: int) -> dt.date | None:
    """The event's anchor day in ``year`` (None when that month has no such day)."""
    if event.day:
        try:
            return dt.date(year, event.month, event.day)
        except ValueError:  # 30 February, or 29 February outside leap years
            return None
    first = dt.date(year, event.month, 1)
    next_month = dt.date(year + event.month // 12, event.month % 12 + 1, 1)
    matching = [
        first + dt.timedelta(n)
        for n in range((next_month - first).days)
        if (first + dt.timedelta(n)).weekday() == event.weekday
    ]
    index = event.nth - 1 if event.nth > 0 else event.nth
    return matching[index] if -len(matching) <= index < len(matching) else None


@functools.lru_cache(maxsize=8)
def _hours(curves: retail.Retail, channel: str, hours: tuple[int, int]) -> Lookup:
    """Hours of the day drawn by the channel's hour weights, none outside ``hours``."""
    weights = curves.traffic[channel].hour.copy()
    weights[: hours[0]] = weights[hours[1] :] = 0
    if weights.sum() <= 0:  # the curve gives no weight while open: every open hour alike
        weights[hours[0] : hours[1]] = 1
    return shares(weights)
