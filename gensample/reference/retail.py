"""The retailer's shopping curves: packaged CSV files in ``data/retail``, each replaceable.

Every weight of how people shop (category popularity, month, weekday, hour, calendar events,
climate, shopper archetypes, price tiers, items bought together) is a row of one of these files.
A folder given by the ``retail.data_dir`` setting may hold any of them: a file there replaces
the packaged file of the same name. Every file is checked when it is read; a bad one is a
``BadInputError`` naming the file, its line, the column and what is allowed.
"""

import functools
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.reference import stamps
from gensample.reference.retail_files import (
    ANY,
    CHANNELS,
    MONTHS,
    REQUIRED,
    WEEKDAYS,
    Row,
    read_rows,
    unique,
    weights,
)

FILES = (
    "categories.csv",
    "seasonality.csv",
    "climates.csv",
    "traffic.csv",
    "events.csv",
    "archetypes.csv",
    "tiers.csv",
    "affinity.csv",
    "quantities.csv",
)
PERIODS = {"month": MONTHS, "weekday": WEEKDAYS, "hour": tuple(str(h) for h in range(24))}
DEFAULT_STATE = "*"
"""The state of the climates.csv row every unlisted state takes."""
MOST_UNITS = 1000
"""The most units a row of quantities.csv may give a line."""
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
    quantity_units: np.ndarray
    """The units a line may buy (quantities.csv), ascending."""
    quantity_weights: np.ndarray
    """(category, units) weights of how many units a line buys, in its category's smallest
    pack; the last row (``*``'s) for a category of no row."""

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
        **_quantities(rows["quantities.csv"], names),
    )


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


def _affinity(rows: list[Row], categories: tuple[str, ...]) -> np.ndarray:
    """(category, companion) chances; those of one category add up to at most 1."""
    table = np.zeros((len(categories), len(categories)))
    for row in rows:
        category = row.choice("category", categories)
        table[category, row.choice("companion", categories)] = row.number("probability")
        if table[category].sum() > 1:
            raise row.fail("probability", "chances of one category adding up to at most 1")
    return table


def _quantities(rows: list[Row], categories: tuple[str, ...]) -> dict[str, np.ndarray]:
    """The quantity fields of ``Retail``: units and their weights for each category, and for
    ``*`` (which must be there), which every unlisted category takes."""
    named = (*categories, ANY)
    category = [row.choice("category", named) for row in rows]
    units = [row.whole("units", 1, MOST_UNITS) for row in rows]
    values = np.unique(units)
    table = np.full((len(named), len(values)), np.nan)
    for row, c, u in zip(rows, category, np.searchsorted(values, units), strict=True):
        if not np.isnan(table[c, u]):
            raise row.fail("units", "each number of units once per category")
        table[c, u] = row.number("weight")
    listed = ~np.isnan(table).all(axis=1)
    table = np.nan_to_num(table)
    for row, c in zip(rows, category, strict=True):
        if table[c].sum() <= 0:
            raise row.fail("weight", "weights of a category not all 0")
    if not listed[-1]:
        raise rows[0].fail("category", f"rows for {ANY} (every category without rows)")
    table[~listed] = table[-1]
    return {"quantity_units": values, "quantity_weights": table}
