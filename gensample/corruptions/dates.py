"""Errors in dates: day and month read the other way round, slipped digits, guessed days."""

from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


class Parts(NamedTuple):
    """Year, month (1-12) and day (1-31) of each date, as int64 arrays."""

    year: np.ndarray
    month: np.ndarray
    day: np.ndarray


def _days(values: pa.Array) -> np.ndarray:
    """Dates as numpy days since 1970-01-01 (nulls read as that day)."""
    days = values.cast(pa.int32()).fill_null(0).to_numpy(zero_copy_only=False)
    return days.astype("datetime64[D]")


def _parts(days: np.ndarray) -> Parts:
    months = days.astype("datetime64[M]")
    years = days.astype("datetime64[Y]")
    return Parts(
        years.astype(np.int64) + 1970,
        (months - years).astype(np.int64) + 1,
        (days - months).astype(np.int64) + 1,
    )


def _from_parts(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    months = (year - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (month - 1)
    return months.astype("datetime64[D]") + (day - 1)


def _days_in_month(year: np.ndarray, month: np.ndarray) -> np.ndarray:
    first = _from_parts(year, month, np.ones_like(month))
    return ((first.astype("datetime64[M]") + 1).astype("datetime64[D]") - first).astype(np.int64)


def _to_array(days: np.ndarray, like: pa.Array) -> pa.Array:
    """Numpy days back to a ``date32`` column with the nulls of ``like``."""
    result = pa.array(days.astype(np.int64).astype(np.int32)).cast(pa.date32())
    return (
        pc.if_else(pc.is_valid(like), result, pa.scalar(None, pa.date32()))
        if like.null_count
        else result
    )


def swap_day_month(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Read the day as the month and the other way round (US vs European order): 03/04 -> 04/03."""
    days = _days(values)
    year, month, day = _parts(days)
    swappable = (day <= 12) & (day != month)
    swapped = _from_parts(year, np.where(swappable, day, month), np.where(swappable, month, day))
    return _to_array(swapped, values)


def mistype_day(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Type a day one off, staying within the month: 1984-03-14 -> 1984-03-15."""
    days = _days(values)
    step = np.where(rng.random(len(values)) < 0.5, -1, 1)
    month = days.astype("datetime64[M]")
    leaves_month = (days + step).astype("datetime64[M]") != month
    return _to_array(days + np.where(leaves_month, -step, step), values)


def _digits_swapped(year: np.ndarray) -> np.ndarray:
    """Year with its last two digits exchanged: 1985 -> 1958."""
    return year - year % 100 + (year % 10) * 10 + (year // 10) % 10


def _is_leap(year: np.ndarray) -> np.ndarray:
    return (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))


def mistype_year(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Slip the year by one or swap its last two digits: 1985 -> 1986, 1984 or 1958.

    A 29 February moved to a year without one becomes the 28th.
    """
    year, month, day = _parts(_days(values))
    swapped = _digits_swapped(year)
    swap_valid = (swapped != year) & ((month != 2) | (day != 29) | _is_leap(swapped))
    options = np.stack([year + 1, year - 1, swapped], axis=1)
    pick = np.minimum((rng.random(len(values)) * (2 + swap_valid)).astype(np.int64), 1 + swap_valid)
    new_year = options[np.arange(len(values)), pick]
    new_day = np.minimum(day, _days_in_month(new_year, month))
    return _to_array(_from_parts(new_year, month, new_day), values)


def use_first_of_month(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Put the 1st for a day not remembered; a date on the 1st gets the 15th, the other guess."""
    days = _days(values)
    first = days.astype("datetime64[M]").astype("datetime64[D]")
    return _to_array(np.where(days == first, first + 14, first), values)


def use_january_first(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Put 1 January for a birthday not known (a form's default): 1984-03-14 -> 1984-01-01;
    a date already on 1 January gets 1 July, the other default."""
    days = _days(values)
    new_year = days.astype("datetime64[Y]").astype("datetime64[D]")
    july = new_year.astype("datetime64[M]") + 6
    return _to_array(np.where(days == new_year, july.astype("datetime64[D]"), new_year), values)


TWO_DIGIT_PIVOT = 69
"""Two-digit years below it are read in the 2000s, as POSIX ``%y`` does ('45' -> 2045)."""


def misread_two_digit_year(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Keep two digits of the year and read them in the wrong century: 1945 -> 2045,
    2012 -> 1912. A 29 February moved to a year without one becomes the 28th."""
    year, month, day = _parts(_days(values))
    two_digits = year % 100
    read = np.where(two_digits < TWO_DIGIT_PIVOT, 2000, 1900) + two_digits
    read = np.where(read == year, year + np.where(year >= 2000, -100, 100), read)
    new_day = np.minimum(day, _days_in_month(read, month))
    return _to_array(_from_parts(read, month, new_day), values)


def accepted(values: pa.Array, latest: np.ndarray) -> np.ndarray:
    """Which dates a source system accepts when a record is captured on day ``latest`` (days
    since 1970-01-01, one per value): none after it, so no birth date lies in the future and no
    account is older than its owner. A missing date is accepted."""
    days = values.cast(pa.int32()).fill_null(np.iinfo(np.int32).min)
    return days.to_numpy(zero_copy_only=False) <= latest
