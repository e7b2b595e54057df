"""The supply chain as data: how stores are restocked, who distributes, how the own
manufacturer makes its batches.

Three files of ``data/retail`` (each replaceable from ``retail.data_dir``, like the curves):

- ``supply.csv``: per category (``*`` for every unlisted one), the units a standard store sells
  a day, the days between its deliveries of a product, the stock a delivery tops up to (as a
  multiple of a cycle's expected sales) and how much a cycle's demand varies;
- ``distributors.csv``: the (fictional) distributors, the census regions whose stores each
  serves (``*``: every region no other lists), their lead time from order to delivery and the
  days a shipment is on the road;
- ``production.csv``: per manufacturing mode of ``items.csv`` (``process``: blends packed into
  several products; ``discrete``: runs of one product), how often a batch is made, the days it
  takes to reach the distributors and its size.
"""

import functools
from dataclasses import dataclass

import numpy as np

from gensample.reference import retail, retail_files, stamps
from gensample.reference.retail_files import ANY

MODES = ("process", "discrete")


@dataclass(frozen=True, eq=False)
class Restocking:
    """supply.csv as arrays over ``categories`` (the curves' categories, then ``*``)."""

    categories: tuple[str, ...]
    units_per_day: np.ndarray
    cycle_days: np.ndarray
    cover: np.ndarray
    spread: np.ndarray

    def of(self, categories: list[str]) -> np.ndarray:
        """The row of each category (``*``'s row for a category the file does not list)."""
        index = {name: i for i, name in enumerate(self.categories)}
        return np.array([index.get(c, index[ANY]) for c in categories], np.int64)


@dataclass(frozen=True)
class Distributor:
    """One row of distributors.csv."""

    name: str
    city: str
    state: str
    regions: tuple[str, ...]
    lead_days: int
    transit_days: int


@dataclass(frozen=True)
class Production:
    """One row of production.csv."""

    mode: str
    batch_kind: str
    every_days: int
    ready_days: int
    batch_size: float
    unit: str


@dataclass(frozen=True, eq=False)
class Supply:
    """Every supply-chain file, checked."""

    restocking: Restocking
    distributors: tuple[Distributor, ...]
    production: dict[str, Production]

    def distributor_of(self, region: str) -> int:
        """The distributor (index) serving stores of ``region``: the first listing it, else
        the first listing ``*``, else the first."""
        for wanted in (region, ANY):
            for d, distributor in enumerate(self.distributors):
                if wanted in distributor.regions:
                    return d
        return 0


@stamps.kept_while_unchanged
@functools.lru_cache(maxsize=4)
def load(data_dir: str = "") -> Supply:
    """The supply files: each from ``data_dir`` when it holds it, else the packaged one."""
    curves = retail.load(data_dir)
    distributors = retail_files.read_rows(data_dir, "distributors.csv")
    production = retail_files.read_rows(data_dir, "production.csv")
    made = tuple(_production(row) for row in production)
    retail_files.unique(production, "mode", tuple(p.mode for p in made))
    if len(made) != len(MODES):
        raise production[0].fail("mode", f"one row for each of {', '.join(MODES)}")
    listed = tuple(_distributor(row) for row in distributors)
    retail_files.unique(distributors, "distributor", tuple(d.name for d in listed))
    return Supply(
        _restocking(retail_files.read_rows(data_dir, "supply.csv"), curves.categories),
        listed,
        {p.mode: p for p in made},
    )


def _restocking(rows: list[retail_files.Row], categories: tuple[str, ...]) -> Restocking:
    """supply.csv, one row per known category and ``*`` (which must be there)."""
    names = tuple(row.choice("category", (*categories, ANY)) for row in rows)
    retail_files.unique(rows, "category", names)
    if len(categories) not in names:
        raise rows[0].fail("category", f"a row for every category or one for {ANY}")
    fallback = names.index(len(categories))
    order = [names.index(i) if i in names else fallback for i in range(len(categories) + 1)]
    return Restocking(
        categories=(*categories, ANY),
        units_per_day=np.array([rows[i].number("units_per_day") for i in order]),
        cycle_days=np.array([rows[i].whole("cycle_days", 1, 365) for i in order], np.int64),
        cover=np.array([_positive(rows[i], "cover") for i in order]),
        spread=np.array([_bounded(rows[i], "spread", 3.0) for i in order]),
    )


def _positive(row: retail_files.Row, column: str) -> float:
    """A number above 0."""
    value = row.number(column)
    if value <= 0:
        raise row.fail(column, "a number above 0")
    return value


def _bounded(row: retail_files.Row, column: str, most: float) -> float:
    """A number from 0 to ``most``."""
    value = row.number(column)
    if value > most:
        raise row.fail(column, f"a number from 0 to {most:g}")
    return value


def _distributor(row: retail_files.Row) -> Distributor:
    """One row of distributors.csv; a shipment cannot take longer than its order."""
    lead = row.whole("lead_days", 1, 365)
    transit = row.whole("transit_days", 0, 365)
    if transit > lead:
        raise row.fail("transit_days", f"a whole number from 0 to lead_days ({lead})")
    regions = tuple(part.strip() for part in row.text("regions").split(";") if part.strip())
    return Distributor(
        name=row.text("distributor"),
        city=row.text("city"),
        state=row.text("state"),
        regions=regions,
        lead_days=lead,
        transit_days=transit,
    )


def _production(row: retail_files.Row) -> Production:
    """One row of production.csv."""
    return Production(
        mode=MODES[row.choice("mode", MODES)],
        batch_kind=row.text("batch_kind"),
        every_days=row.whole("every_days", 1, 365),
        ready_days=row.whole("ready_days", 0, 365),
        batch_size=_positive(row, "batch_size"),
        unit=row.text("unit"),
    )
