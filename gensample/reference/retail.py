"""The retailer's shopping curves: packaged CSV files in ``data/retail``, each replaceable.

Every weight of how people shop (category popularity, month, weekday, hour, calendar events,
climate, shopper archetypes, price tiers, items bought together) is a row of one of these files.
A folder given by the ``retail.data_dir`` setting may hold any of them: a file there replaces
the packaged file of the same name. Every file is checked when it is read; a bad one is a
``BadInputError`` naming the file, its line, the column and what is allowed.
"""

import csv
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.errors import BadInputError
from gensample.reference import stamps

PACKAGED = Path(__file__).resolve().parent / "data" / "retail"
FILES = (
    "categories.csv",
    "seasonality.csv",
    "climates.csv",
    "traffic.csv",
    "events.csv",
    "archetypes.csv",
    "tiers.csv",
    "affinity.csv",
)
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CHANNELS = ("store", "web")
PERIODS = {"month": MONTHS, "weekday": WEEKDAYS, "hour": tuple(str(h) for h in range(24))}
DEFAULT_STATE = "*"
"""The state of the climates.csv row every unlisted state takes."""
LARGEST = 1e6
"""The largest number of any curve file: weights, factors, shares, prices in dollars and daily
units all stay far below it, and products of a few of them still fit 64-bit integers."""
STEEPEST = 10.0
"""The largest ``price_elasticity``: a steeper one overflows floats on a wide price range."""


@dataclass(frozen=True, eq=False)
class Traffic:
    """How a channel's visits spread over months, weekdays and hours (relative weights)."""

    month: np.ndarray
    weekday: np.ndarray
    hour: np.ndarray


@dataclass(frozen=True, eq=False)
class Event:
    """A yearly calendar event: its first day (the anchor moved by ``offset`` days), how many
    days it lasts and the factor on each channel's traffic then. The anchor is day ``day`` of
    ``month``, or (``day`` 0) the ``nth`` ``weekday`` of it (-1: the last)."""

    name: str
    month: int
    day: int
    weekday: int
    nth: int
    offset: int
    days: int
    lift: dict[str, float]


@dataclass(frozen=True, eq=False)
class Retail:
    """Every shopping curve, as arrays indexed by the positions of the name tuples (compared
    and hashed by identity: ``load`` makes one per folder)."""

    categories: tuple[str, ...]
    category_weight: np.ndarray
    tail: np.ndarray
    price_elasticity: np.ndarray
    """How steeply a category's sales fall with price: a product twice as dear (as the
    category's median) sells 2 ** -elasticity times as often."""
    climates: tuple[str, ...]
    regional: np.ndarray
    """(category, climate) factor on a category's sales."""
    state_climate: dict[str, int]
    seasonality: np.ndarray
    """(category, month) factor on a category's sales; 1 for categories not listed."""
    traffic: dict[str, Traffic]
    events: tuple[Event, ...]
    archetypes: tuple[str, ...]
    archetype_share: np.ndarray
    archetype_baskets: np.ndarray
    archetype_lines: np.ndarray
    archetype_web: np.ndarray
    archetype_tiers: np.ndarray
    """(archetype, tier) preference."""
    tiers: tuple[str, ...]
    affinity: np.ndarray
    """(category, companion) chance that a basket started with the category adds the
    companion on each further line."""

    def climate_of(self, states: pa.Array | pa.ChunkedArray) -> np.ndarray:
        """The climate index of each state code (the default climate for unknown or blank)."""
        codes = pa.array(list(self.state_climate), pa.string())
        climates = np.array(list(self.state_climate.values()), np.int64)
        index = pc.index_in(states, value_set=codes).fill_null(list(self.state_climate).index("*"))
        return climates[index.to_numpy()]


@stamps.kept_while_unchanged
@functools.lru_cache(maxsize=4)
def load(data_dir: str = "") -> Retail:
    """The curves: each file from ``data_dir`` when it holds it, else the packaged one."""
    rows = {name: read_rows(data_dir, name) for name in FILES}
    categories = rows["categories.csv"]
    names = tuple(row.text("category") for row in categories)
    unique(categories, "category", names)
    tiers = tuple(row.text("tier") for row in rows["tiers.csv"])
    unique(rows["tiers.csv"], "tier", tiers)
    climates = tuple(c for c in categories[0].columns if c not in REQUIRED["categories.csv"])
    if not climates:
        raise categories[0].fail(
            "category", "climate columns after category, weight, tail, price_elasticity"
        )
    return Retail(
        categories=names,
        category_weight=np.array([row.number("weight", positive=True) for row in categories]),
        tail=np.array([row.number("tail") for row in categories]),
        price_elasticity=np.array([row.number("price_elasticity", STEEPEST) for row in categories]),
        climates=climates,
        regional=np.column_stack([weights(categories, c) for c in climates]),
        state_climate=_state_climates(rows["climates.csv"], climates),
        seasonality=_seasonality(rows["seasonality.csv"], names),
        traffic={channel: _traffic(rows["traffic.csv"], channel) for channel in CHANNELS},
        events=tuple(_event(row) for row in rows["events.csv"]),
        **_archetypes(rows["archetypes.csv"], tiers),
        tiers=tiers,
        affinity=_affinity(rows["affinity.csv"], names),
    )


def _path(data_dir: str, name: str) -> Path:
    """The file ``name`` of ``data_dir`` if there is one, else the packaged file."""
    replaced = Path(data_dir) / name if data_dir else None
    return replaced if replaced is not None and replaced.is_file() else PACKAGED / name


@dataclass(frozen=True)
class Row:
    """One line of a curve file, with what an error about it must name."""

    path: Path
    line: int
    values: dict[str, str]
    columns: tuple[str, ...]

    def fail(self, column: str, expected: str) -> BadInputError:
        """The error for a bad value of ``column`` on this line."""
        value = self.values.get(column, "")
        return BadInputError(
            f"{self.path}: line {self.line}: {column} = {value[:40]!r} is not allowed: "
            f"expected {expected}"
        )

    def text(self, column: str) -> str:
        """A non-empty text value."""
        value = self.values[column].strip()
        if not value:
            raise self.fail(column, "a non-empty value")
        return value

    def number(self, column: str, most: float = LARGEST, positive: bool = False) -> float:
        """A finite number from 0 (above 0 when ``positive``) to ``most``."""
        expected = f"a number {'above 0, at most' if positive else 'from 0 to'} {most:.15g}"
        return self._parsed(
            column,
            float,
            lambda v: math.isfinite(v) and (v > 0 if positive else v >= 0) and v <= most,
            expected,
        )

    def whole(self, column: str, low: int, high: int) -> int:
        """A whole number from ``low`` to ``high``."""
        return self._parsed(
            column, int, lambda v: low <= v <= high, f"a whole number from {low} to {high}"
        )

    def choice(self, column: str, allowed: tuple[str, ...]) -> int:
        """The position of the value of ``column`` among ``allowed``."""
        value = self.values[column].strip()
        if value not in allowed:
            raise self.fail(column, "one of " + ", ".join(allowed))
        return allowed.index(value)

    def _parsed(self, column: str, kind: type, ok: Callable, expected: str):
        try:
            value = kind(self.values[column])
        except ValueError:
            raise self.fail(column, expected) from None
        if not ok(value):
            raise self.fail(column, expected)
        return value


REQUIRED = {
    "categories.csv": ("category", "weight", "tail", "price_elasticity"),
    "seasonality.csv": ("category", *MONTHS),
    "climates.csv": ("state", "climate"),
    "traffic.csv": ("channel", "period", "value", "weight"),
    "events.csv": ("event", "month", "day", "weekday", "nth", "offset", "days", *CHANNELS),
    "archetypes.csv": ("archetype", "share", "baskets", "lines", "web"),
    "tiers.csv": ("tier",),
    "affinity.csv": ("category", "companion", "probability"),
    "brands.csv": (
        "brand",
        "manufacturer",
        "own_brand",
        "tier",
        "price_factor",
        "cost_share",
        "categories",
    ),
    "items.csv": (
        "category",
        "item",
        "mode",
        "own_tier",
        "variants",
        "packs",
        "unit",
        "low",
        "high",
        "share",
        "fit",
    ),
    "vehicles.csv": ("make", "model", "first_year", "last_year"),
    "supply.csv": ("category", "units_per_day", "cycle_days", "cover", "spread"),
    "distributors.csv": ("distributor", "city", "state", "regions", "lead_days", "transit_days"),
    "production.csv": ("mode", "batch_kind", "every_days", "ready_days", "batch_size", "unit"),
    "bundles.csv": ("bundle", "kits", "share", "discount", "components"),
    "promotions.csv": (
        "kind",
        "per_month",
        "days",
        "percent_off",
        "buy",
        "free",
        "lift",
        "after_days",
        "after_lift",
    ),
}
"""The columns each file must have (categories.csv: then one per climate; archetypes.csv:
then one per tier of tiers.csv)."""


def read_rows(data_dir: str, name: str) -> list[Row]:
    """The rows of the file ``name`` (of ``data_dir`` when it holds it), columns checked."""
    path = _path(data_dir, name)
    try:
        with path.open(newline="", encoding="utf-8") as file:
            reader = csv.DictReader(file)
            columns = tuple(reader.fieldnames or ())
            lines = [(reader.line_num, dict(values)) for values in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise BadInputError(f"{path}: cannot read: {error}") from error
    missing = [column for column in REQUIRED[path.name] if column not in columns]
    if missing or not lines:
        raise BadInputError(
            f"{path}: columns {list(columns)} are not allowed: expected a header with "
            f"{', '.join(REQUIRED[path.name])} and at least one row"
        )
    for line, values in lines:
        if None in values or any(value is None for value in values.values()):
            raise BadInputError(f"{path}: line {line}: expected {len(columns)} values")
    return [Row(path, line, values, columns) for line, values in lines]


def unique(rows: list[Row], column: str, values: tuple) -> None:
    """Refuse a value of ``column`` listed twice."""
    seen = set()
    for row, value in zip(rows, values, strict=True):
        if value in seen:
            raise row.fail(column, "each value once")
        seen.add(value)


def _state_climates(rows: list[Row], climates: tuple[str, ...]) -> dict[str, int]:
    """State code -> climate index, with the default under ``DEFAULT_STATE``."""
    found = {row.text("state"): row.choice("climate", climates) for row in rows}
    if DEFAULT_STATE not in found:
        raise rows[0].fail("state", f"a row for state {DEFAULT_STATE} (every other state)")
    return found


def _seasonality(rows: list[Row], categories: tuple[str, ...]) -> np.ndarray:
    """(category, month) factors, 1 where a category has no row."""
    table = np.ones((len(categories), len(MONTHS)))
    for row in rows:
        table[row.choice("category", categories)] = [row.number(m) for m in MONTHS]
    return table


def _traffic(rows: list[Row], channel: str) -> Traffic:
    """One channel's month, weekday and hour weights; each period listed whole."""
    curves = {period: np.full(len(values), np.nan) for period, values in PERIODS.items()}
    for row in rows:
        if CHANNELS[row.choice("channel", CHANNELS)] == channel:
            period = tuple(PERIODS)[row.choice("period", tuple(PERIODS))]
            curves[period][row.choice("value", PERIODS[period])] = row.number("weight")
    for period, curve in curves.items():
        if np.isnan(curve).any() or curve.sum() <= 0:
            raise rows[0].fail(
                "value", f"a row for every {period} of channel {channel}, not all weight 0"
            )
    return Traffic(**curves)


def _event(row: Row) -> Event:
    """One row of events.csv."""
    fixed = bool(row.values["day"].strip())
    return Event(
        name=row.text("event"),
        month=row.whole("month", 1, 12),
        day=row.whole("day", 1, 31) if fixed else 0,
        weekday=0 if fixed else row.choice("weekday", WEEKDAYS),
        nth=0 if fixed else _nth(row),
        offset=row.whole("offset", -366, 366),
        days=row.whole("days", 1, 366),
        lift={channel: row.number(channel) for channel in CHANNELS},
    )


def _nth(row: Row) -> int:
    """Which weekday of the month: 1 to 5, or -1 for the last."""
    nth = row.whole("nth", -1, 5)
    if nth == 0:
        raise row.fail("nth", "1 to 5, or -1 for the last")
    return nth


def _archetypes(rows: list[Row], tiers: tuple[str, ...]) -> dict[str, object]:
    """The archetype fields of ``Retail``; each archetype weighs every tier."""
    names = tuple(row.text("archetype") for row in rows)
    unique(rows, "archetype", names)
    return {
        "archetypes": names,
        "archetype_share": weights(rows, "share"),
        "archetype_baskets": np.array([row.number("baskets") for row in rows]),
        "archetype_lines": np.array([row.number("lines") for row in rows]),
        "archetype_web": np.array([row.number("web") for row in rows]),
        "archetype_tiers": np.column_stack([weights(rows, tier) for tier in tiers]),
    }


def weights(rows: list[Row], column: str) -> np.ndarray:
    """The numbers of ``column`` (one of the file's columns), not all 0."""
    if column not in rows[0].columns or sum(row.number(column) for row in rows) <= 0:
        raise rows[0].fail(column, f"a column {column} of weights, not all 0")
    return np.array([row.number(column) for row in rows])


def _affinity(rows: list[Row], categories: tuple[str, ...]) -> np.ndarray:
    """(category, companion) chances; those of one category add up to at most 1."""
    table = np.zeros((len(categories), len(categories)))
    for row in rows:
        category = row.choice("category", categories)
        table[category, row.choice("companion", categories)] = row.number("probability")
        if table[category].sum() > 1:
            raise row.fail("probability", "chances of one category adding up to at most 1")
    return table
