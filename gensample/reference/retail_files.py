"""Reading the retail data files a row at a time, every value checked: a packaged file in
``data/retail``, or the file of the same name in the ``retail.data_dir`` folder that replaces
it. A bad value is a ``BadInputError`` naming the file, its line, the column and what is
allowed."""

import csv
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gensample.errors import BadInputError

PACKAGED = Path(__file__).resolve().parent / "data" / "retail"
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CHANNELS = ("store", "web")
ANY = "*"
"""The category (supply.csv, quantities.csv) or region (distributors.csv) standing for every
unlisted one."""
LARGEST = 1e6
"""The largest number of any curve file: weights, factors, shares, prices in dollars and daily
units all stay far below it, and products of a few of them still fit 64-bit integers."""


def path_of(data_dir: str, name: str) -> Path:
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
    "quantities.csv": ("category", "units", "weight"),
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
    path = path_of(data_dir, name)
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


def weights(rows: list[Row], column: str) -> np.ndarray:
    """The numbers of ``column`` (one of the file's columns), not all 0."""
    if column not in rows[0].columns or sum(row.number(column) for row in rows) <= 0:
        raise rows[0].fail(column, f"a column {column} of weights, not all 0")
    return np.array([row.number(column) for row in rows])
