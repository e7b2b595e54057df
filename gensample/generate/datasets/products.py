"""``products``: the fictional auto-parts retailer's catalog, reference data the same every day.

Built from ``items.csv`` and ``brands.csv`` (``gensample.reference.catalog``): what each
product is (own line or competing brand, item, variant, pack) comes from ``product_picks``.

A pure function of ``(seed, count)`` (and the catalog files): SKUs are the first ``count``
numbers of a fixed shuffle of all six-digit numbers and every attribute is drawn from its own
stream, one value per product in order, so a bigger catalog holds every product of a smaller one
unchanged.
"""

import datetime as dt
import functools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.generate.datasets import product_picks, product_texts
from gensample.generate.datasets.common import MONEY, epoch_day, money
from gensample.generate.datasets.contract import Parents
from gensample.generate.datasets.draws import shares
from gensample.generate.datasets.product_texts import column_of, pack_table
from gensample.generate.seeding import stream
from gensample.native.strings import join_element_wise
from gensample.native.take import take
from gensample.reference import catalog as catalog_data
from gensample.reference import retail, stamps, user_tables
from gensample.settings import DATASET_PARENTS, Settings

NAME = "products"
REFERENCE = True
IDENTITY = False
PARENTS = DATASET_PARENTS[NAME]
SCHEMA = pa.schema(
    [
        ("sku", pa.string()),
        ("product_name", pa.string()),
        ("category", pa.string()),
        ("brand", pa.string()),
        ("tier", pa.string()),
        ("price", MONEY),
        ("cost", MONEY),
        ("unit", pa.string()),
        ("pack_size", pa.float64()),
        ("introduced_on", pa.date32()),
        ("discontinued_on", pa.date32()),
        ("vehicle_fit", pa.string()),
    ]
)
PRIMARY_KEY = ("sku",)
FOREIGN_KEYS = {"brand": ("brands", "brand")}
SKU_PREFIX = "AP-"
SKU_DIGITS = 6
ENDING_CENTS = np.array([99, 49, 79, 29, 69])
"""The cents prices end in."""
ENDINGS = shares([0.6, 0.15, 0.1, 0.08, 0.07])
"""How often each of ``ENDING_CENTS`` ends a brand's prices of an item: mostly .99."""
BULK_EXPONENT = 0.92
"""A pack of n units costs n ** BULK_EXPONENT single units: big packs are cheaper per unit."""
ESTABLISHED = (dt.date(1995, 1, 1), dt.date(2018, 12, 31))
NEW = (dt.date(2019, 1, 1), dt.date(2027, 12, 31))
NEW_SHARE = 0.25
"""Share of competing products introduced recently (in ``NEW``), the rest in ``ESTABLISHED``."""
DISCONTINUED_SHARE = 0.15
"""Share of competing products discontinued 2 to 10 years after their introduction."""
OWN_LAUNCH = (dt.date(2005, 1, 1), dt.date(2015, 12, 31))
"""When the own line's products came out; they are never discontinued."""
DESCRIPTIONS = {
    "sku": "Stock keeping unit: AP- and six digits; a product keeps its SKU and attributes when "
    "the catalog grows.",
    "product_name": "Name on the shelf label: brand, variant (grade, size, fit), item and pack.",
    "category": "Department (retail/categories.csv).",
    "brand": "Brand (brands.csv): Quillmark, Quillmark Pro and Quillmark Elite are the "
    "retailer's own lines, the rest competing brands.",
    "tier": "Price tier of the brand: budget, mid or premium.",
    "price": "Shelf price in US dollars: the item's range per unit (the tier's third of it, "
    "one place in it for all of a brand's packs of the item) times the brand's price factor, "
    "times pack size ** 0.92 (bigger packs cost less per unit), rounded up to the brand's "
    "price ending for the item (.99 mostly; .49, .79, .29, .69).",
    "cost": "What the retailer pays for one: the price times the brand's cost share.",
    "unit": "Unit of the pack size: qt, gal, oz, each, pair or set.",
    "pack_size": "Units in one pack (5 for a 5 qt jug, 220 for a 55 gal drum of oil in qt).",
    "introduced_on": "Day the product came on sale; nothing sells before it.",
    "discontinued_on": "Day the product stopped being sold (nothing sells on or after it); "
    "empty while it is sold.",
    "vehicle_fit": "Make, model and model years the part fits; empty for universal products.",
}


def table(settings: Settings, parents: Parents, date: dt.date) -> pa.Table:
    """The run's catalog (the contract of reference datasets)."""
    return of_run(settings)


def of_run(settings: Settings) -> pa.Table:
    """The run's catalog: the user's file when ``retail.products_file`` names one, else the
    generated catalog."""
    if settings.retail.products_file:
        return from_user(user_tables.read(settings.retail.products_file, user_tables.PRODUCTS))
    return catalog(settings.seed, settings.products, settings.retail.data_dir)


def weights(settings: Settings) -> np.ndarray | None:
    """The user's sales weight of each product (in table order), or None for the generated
    catalog's long tail."""
    if not settings.retail.products_file:
        return None
    given = user_tables.read(settings.retail.products_file, user_tables.PRODUCTS)
    return given["weight"].fill_null(0).to_numpy() if "weight" in given.column_names else None


def from_user(given: pa.Table) -> pa.Table:
    """A user's products in the dataset's schema: prices to the cent, a missing name the SKU,
    other missing columns empty."""
    columns = {}
    for field in SCHEMA:
        if field.name in given.column_names and field.type == MONEY:
            cents = pc.round(pc.multiply(given[field.name], 100)).cast(pa.int64())
            columns[field.name] = money(cents.fill_null(0).to_numpy())
        elif field.name in given.column_names:
            columns[field.name] = given[field.name].cast(field.type)
        else:
            columns[field.name] = pa.nulls(given.num_rows, field.type)
    columns["product_name"] = pc.coalesce(columns["product_name"], given["sku"])
    return pa.table(columns, schema=SCHEMA)


@stamps.kept_while_unchanged
@functools.lru_cache(maxsize=4)
def catalog(seed: int, count: int, data_dir: str = "") -> pa.Table:
    """``count`` products, in SKU order."""
    data = catalog_data.load(data_dir)
    picked = product_picks.picks(functools.partial(_draw, seed), count, data)
    item, variant, pack, brand = picked.item, picked.variant, picked.pack, picked.brand
    items, brands = data.items, data.brands
    unit_dollars = column_of(items, "low")[item], column_of(items, "high")[item]
    tiers = retail.load(data_dir).tiers
    tier = np.array([tiers.index(b.tier) for b in brands], np.int64)[brand]
    size = pack_table(items, lambda label_size: label_size[1], 0.0)[item, pack]
    factor = column_of(brands, "price_factor")[brand]
    # one place in the tier's range and one price ending per brand and item, for all its packs
    place = _draw(seed, "price").random((len(items), len(brands)))[item, brand]
    spread = (tier + place) / len(tiers)
    ending = ENDINGS.draw(_draw(seed, "ending"), len(items) * len(brands))
    ending = ENDING_CENTS[ending.reshape(len(items), len(brands))[item, brand]]
    cents = prices(spread, *unit_dollars, factor * size**BULK_EXPONENT, ending)
    cost = np.round(cents * column_of(brands, "cost_share")[brand]).astype(np.int64)
    introduced, discontinued = lifecycles(seed, item, brand, data)
    numbers = skus(seed, count)
    built = pa.table(
        {
            "sku": sku_text(numbers),
            "product_name": product_texts.names(data, item, variant, pack, brand),
            "category": take(pa.array(column_of(items, "category")), item),
            "brand": take(pa.array(column_of(brands, "name")), brand),
            "tier": take(pa.array(tiers, pa.string()), tier),
            "price": money(cents),
            "cost": money(cost),
            "unit": take(pa.array(column_of(items, "unit")), item),
            "pack_size": size,
            "introduced_on": introduced,
            "discontinued_on": discontinued,
            "vehicle_fit": product_texts.vehicle_fits(
                functools.partial(_draw, seed), item, picked.vehicle, data
            ),
        },
        schema=SCHEMA,
    )
    return take(built, np.argsort(numbers))


def makeup(seed: int, count: int, data_dir: str = "") -> tuple[np.ndarray, np.ndarray]:
    """The item and variant (indices into the catalog files) of each product of the generated
    catalog, in SKU order (the order of ``catalog``)."""
    picked = product_picks.picks(functools.partial(_draw, seed), count, catalog_data.load(data_dir))
    order = np.argsort(skus(seed, count))
    return picked.item[order], picked.variant[order]


def _draw(seed: int, purpose: str) -> np.random.Generator:
    """The stream of one product attribute."""
    return stream(seed, NAME, purpose)


@functools.lru_cache(maxsize=4)
def skus(seed: int, count: int) -> np.ndarray:
    """The SKU numbers of ``count`` products (read-only): a prefix of one shuffle of all of
    them, made once (15 ms) for the catalog, its makeup and the shop's pages."""
    shuffled = _draw(seed, "sku").permutation(10**SKU_DIGITS)  # settings cap count
    numbers = shuffled[:count].copy()  # not a view: that would keep the whole shuffle
    numbers.setflags(write=False)
    return numbers


def sku_text(numbers: np.ndarray) -> pa.Array:
    """SKU numbers as "AP-" and six digits."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), SKU_DIGITS, "0")
    return join_element_wise(SKU_PREFIX, digits, "")


def prices(
    spread: np.ndarray, low: np.ndarray, high: np.ndarray, factor: np.ndarray, ending: np.ndarray
) -> np.ndarray:
    """Prices in cents: at ``spread`` (0-1) on a log scale of each unit price range, times
    ``factor``, rounded up to the next price ending in ``ending`` cents."""
    cents = low * (high / low) ** spread * factor * 100
    return np.maximum(np.ceil((cents - ending) / 100), 0).astype(np.int64) * 100 + ending


def lifecycles(
    seed: int, item: np.ndarray, brand: np.ndarray, data: catalog_data.CatalogData
) -> tuple[pa.Array, pa.Array]:
    """Introduction and discontinuation days; the own line and the first competing product of
    each item (in catalog order) are established and sold throughout."""
    n = len(item)
    new, gone, when, lasts = (_draw(seed, part).random(n) for part in ("new", "gone", "on", "life"))
    own = np.array([data.brands[b].own for b in brand], bool)
    competing = np.flatnonzero(~own)
    steady = own.copy()
    steady[competing[np.unique(item[competing], return_index=True)[1]]] = True
    recent = (new < NEW_SHARE) & ~steady
    start = np.where(recent, epoch_day(NEW[0]), epoch_day(ESTABLISHED[0]))
    start = np.where(own, epoch_day(OWN_LAUNCH[0]), start)
    stop = np.where(recent, epoch_day(NEW[1]), epoch_day(ESTABLISHED[1]))
    stop = np.where(own, epoch_day(OWN_LAUNCH[1]), stop)
    introduced = start + (when * (stop - start + 1)).astype(np.int64)
    discontinued = introduced + 730 + (lasts * 2922).astype(np.int64)  # 2 to 10 years on
    ended = (gone < DISCONTINUED_SHARE) & ~steady
    return (
        pa.array(introduced.astype(np.int32), pa.date32()),
        pa.array(discontinued.astype(np.int32), pa.date32(), mask=~ended),
    )
