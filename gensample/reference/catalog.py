"""The retailer's catalog as data: brands, the items it sells and the vehicles parts fit.

Three files of ``data/retail`` (each replaceable from ``retail.data_dir``, like the curves):

- ``brands.csv``: every brand, its maker, whether it is the retailer's own (a line of its own
  manufacturer), its price tier, price factor, cost share and the categories it sells (``*``
  for all its manufacturer makes);
- ``items.csv``: every item, how it is made (``process``: blended and packed, e.g. oils;
  ``discrete``: built in runs, e.g. filters; both made by the own manufacturer, in the own
  line of ``own_tier``; ``resale``: bought from other brands only), its variants and packs
  (``label=size`` in ``unit``), its price range per unit, its share of the catalog and whether
  it fits particular vehicles;
- ``vehicles.csv``: makes and models with their model years, for a part's vehicle fit.

The retailer, its own brand (Quillmark), manufacturer (Quillbrook Blending & Filtration Works)
and distributor are fictional; the competing brands are real names in a file users can replace.
"""

import functools
from dataclasses import dataclass

from gensample.errors import BadInputError
from gensample.reference import retail, retail_files, stamps

MODES = ("process", "discrete", "resale")
YES_NO = ("yes", "no")
ALL = "*"
"""The categories of an own brand that sells whatever its manufacturer makes."""


@dataclass(frozen=True)
class Brand:
    """One row of brands.csv."""

    name: str
    manufacturer: str
    own: bool
    tier: str
    price_factor: float
    cost_share: float
    categories: tuple[str, ...]


@dataclass(frozen=True)
class Item:
    """One row of items.csv; ``packs`` are (label, size) pairs, ``("", 1)`` when none."""

    category: str
    name: str
    mode: str
    own_tier: str
    variants: tuple[str, ...]
    packs: tuple[tuple[str, float], ...]
    unit: str
    low: float
    high: float
    share: float
    fits: bool


@dataclass(frozen=True)
class Vehicle:
    """One row of vehicles.csv."""

    make: str
    model: str
    first_year: int
    last_year: int


@dataclass(frozen=True, eq=False)
class CatalogData:
    """Brands, items and vehicles, checked against each other and the curves."""

    brands: tuple[Brand, ...]
    items: tuple[Item, ...]
    vehicles: tuple[Vehicle, ...]

    def own_line(self, tier: str) -> Brand | None:
        """The own brand of ``tier``, if there is one."""
        return next((b for b in self.brands if b.own and b.tier == tier), None)

    def sellers(self, category: str) -> tuple[Brand, ...]:
        """The competing brands selling ``category``."""
        return tuple(b for b in self.brands if not b.own and category in b.categories)


@stamps.kept_while_unchanged
@functools.lru_cache(maxsize=4)
def load(data_dir: str = "") -> CatalogData:
    """The catalog files: each from ``data_dir`` when it holds it, else the packaged one."""
    curves = retail.load(data_dir)
    brand_rows, item_rows = (
        retail_files.read_rows(data_dir, f"{n}.csv") for n in ("brands", "items")
    )
    brands = tuple(_brand(row, curves) for row in brand_rows)
    retail_files.unique(brand_rows, "brand", tuple(b.name for b in brands))
    items = tuple(_item(row, curves) for row in item_rows)
    vehicles = tuple(_vehicle(row) for row in retail_files.read_rows(data_dir, "vehicles.csv"))
    data = CatalogData(brands, items, vehicles)
    _check_sellers(data, item_rows)
    return data


def _brand(row: retail_files.Row, curves: retail.Retail) -> Brand:
    """One row of brands.csv."""
    listed = tuple(part.strip() for part in row.text("categories").split(";"))
    for category in listed:
        if category != ALL and category not in curves.categories:
            raise row.fail("categories", "categories of categories.csv, ';'-separated, or *")
    return Brand(
        name=row.text("brand"),
        manufacturer=row.text("manufacturer"),
        own=row.choice("own_brand", YES_NO) == 0,
        tier=curves.tiers[row.choice("tier", curves.tiers)],
        price_factor=row.number("price_factor"),
        cost_share=_share(row, "cost_share"),
        categories=listed,
    )


def _share(row: retail_files.Row, column: str) -> float:
    """A number from 0 to 1."""
    value = row.number(column)
    if value > 1:
        raise row.fail(column, "a number from 0 to 1")
    return value


def _item(row: retail_files.Row, curves: retail.Retail) -> Item:
    """One row of items.csv."""
    mode = MODES[row.choice("mode", MODES)]
    own_tier = row.values["own_tier"].strip()
    if (mode == "resale") != (own_tier == ""):
        raise row.fail("own_tier", "a tier of tiers.csv for process and discrete items only")
    if own_tier:
        row.choice("own_tier", curves.tiers)
    low, high = row.number("low"), row.number("high")
    if not 0 < low <= high:
        raise row.fail("high", "a price range with 0 < low <= high")
    return Item(
        category=curves.categories[row.choice("category", curves.categories)],
        name=row.text("item"),
        mode=mode,
        own_tier=own_tier,
        variants=_listed(row, "variants"),
        packs=_packs(row),
        unit=row.text("unit"),
        low=low,
        high=high,
        share=row.number("share"),
        fits=row.choice("fit", YES_NO) == 0,
    )


def _listed(row: retail_files.Row, column: str) -> tuple[str, ...]:
    """A ';'-separated list, empty for none."""
    return tuple(part.strip() for part in row.values[column].split(";") if part.strip())


def _packs(row: retail_files.Row) -> tuple[tuple[str, float], ...]:
    """The ``label=size`` packs of an item, or one unlabelled pack of size 1."""
    packs = []
    for part in _listed(row, "packs"):
        label, _, size = part.partition("=")
        try:
            packs.append((label.strip(), float(size)))
        except ValueError:
            raise row.fail("packs", "';'-separated label=size pairs, e.g. 5 qt=5") from None
        if not label.strip() or not packs[-1][1] > 0:
            raise row.fail("packs", "';'-separated label=size pairs, e.g. 5 qt=5")
    return tuple(packs) or (("", 1.0),)


def _vehicle(row: retail_files.Row) -> Vehicle:
    """One row of vehicles.csv."""
    first = row.whole("first_year", 1900, 2100)
    return Vehicle(row.text("make"), row.text("model"), first, row.whole("last_year", first, 2100))


def _check_sellers(data: CatalogData, rows: list[retail_files.Row]) -> None:
    """Refuse an item no brand can sell: a resale item without competing brands, or an own
    item without an own brand of its tier."""
    for row, item in zip(rows, data.items, strict=True):
        if item.mode == "resale" and not data.sellers(item.category):
            raise row.fail("category", "a category some competing brand of brands.csv sells")
        if item.own_tier and data.own_line(item.own_tier) is None:
            raise row.fail("own_tier", "a tier with an own brand in brands.csv")
    if not data.items or sum(item.share for item in data.items) <= 0:
        raise BadInputError("items.csv: expected at least one item with a share above 0")
