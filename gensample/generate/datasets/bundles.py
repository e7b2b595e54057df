"""``bundles``: the retailer's kits (an oil-change kit: oil, filter and drain-plug gasket), one
row per kit item, reference data the same every day.

Each recipe of ``bundles.csv`` makes ``kits`` kits; each component is a product of its category
whose name holds its words, sold throughout (never discontinued), of an own line when one
matches, drawn per recipe from the seed. A kit costs its items' prices less the recipe's
discount, taken off each item and rounded to the cent.
"""

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.generate.datasets import products as products_
from gensample.generate.datasets.common import MONEY, money
from gensample.generate.datasets.contract import Parents
from gensample.generate.datasets.stock import per_catalog
from gensample.generate.seeding import stream
from gensample.native.take import take
from gensample.reference import catalog, deals
from gensample.settings import DATASET_PARENTS, Settings

NAME = "bundles"
REFERENCE = True
IDENTITY = False
PARENTS = DATASET_PARENTS[NAME]
SCHEMA = pa.schema(
    [
        ("bundle_id", pa.int64()),
        ("line_number", pa.int64()),
        ("bundle_name", pa.string()),
        ("sku", pa.string()),
        ("quantity", pa.int64()),
        ("item_discount", MONEY),
        ("bundle_price", MONEY),
    ]
)
PRIMARY_KEY = ("bundle_id", "line_number")
FOREIGN_KEYS = {"sku": ("products", "sku")}
DESCRIPTIONS = {
    "bundle_id": "Kit number, 1 to the number of kits.",
    "line_number": "Item of the kit, 1 to the number of its items.",
    "bundle_name": "Name of the kit: its recipe (bundles.csv) and its first item.",
    "sku": "Product in the kit (products.sku), sold throughout its life.",
    "quantity": "Units of the product in the kit.",
    "item_discount": "What the kit takes off this item: quantity x price x the recipe's "
    "discount, rounded to the cent.",
    "bundle_price": "Price of the whole kit, on each of its rows: the sum of its items' "
    "quantity x price less their item_discount.",
}


def table(settings: Settings, parents: Parents, date: dt.date) -> pa.Table:
    """The run's kits (the contract of reference datasets)."""
    return of_run(settings)


@per_catalog
def of_run(settings: Settings) -> pa.Table:
    """The kits of the run's catalog (``products.of_run``), made once a process: the same
    every day and every block."""
    products = products_.of_run(settings)
    own = {b.name for b in catalog.load(settings.retail.data_dir).brands if b.own}
    rows: list[dict] = []
    for r, recipe in enumerate(deals.load(settings.retail.data_dir).recipes):
        rng = stream(settings.seed, NAME, r)
        for _ in range(recipe.kits):
            items = [_pick(rng, products, part, own) for part in recipe.components]
            items = [(s, p) for s, p in zip(items, recipe.components, strict=True) if s]
            if items:
                rows += _kit(len({row["bundle_id"] for row in rows}) + 1, recipe, items, products)
    return pa.Table.from_pylist(rows, schema=SCHEMA) if rows else SCHEMA.empty_table()


def _pick(
    rng: np.random.Generator, products: pa.Table, part: deals.Component, own: set[str]
) -> str | None:
    """The SKU of a product fit for ``part`` (an own line's when one fits), or None."""
    fits = pc.and_(
        pc.equal(products["category"], part.category),
        pc.match_substring(products["product_name"], part.words),
    )
    if "discontinued_on" in products.column_names:
        fits = pc.and_(fits, pc.is_null(products["discontinued_on"]))
    candidates = products.filter(fits)
    ours = candidates.filter(pc.is_in(candidates["brand"], value_set=pa.array(sorted(own))))
    chosen = ours if ours.num_rows else candidates
    draw = rng.integers(0, 1 << 30)  # drawn even when nothing fits: later kits stay put
    return chosen["sku"][int(draw % chosen.num_rows)].as_py() if chosen.num_rows else None


def _kit(bundle_id: int, recipe: deals.Recipe, items: list, products: pa.Table) -> list[dict]:
    """The rows of one kit of ``items`` ((sku, component) pairs)."""
    at = pc.index_in(pa.array([sku for sku, _ in items]), value_set=products["sku"])
    price = take(products["price"], at).to_pylist()
    first_name = take(products["product_name"], at)[0].as_py()
    cents = [round(p * 100) * part.quantity for p, (_, part) in zip(price, items, strict=True)]
    off = [round(value * recipe.discount) for value in cents]
    total = sum(cents) - sum(off)
    return [
        {
            "bundle_id": bundle_id,
            "line_number": line,
            "bundle_name": f"{recipe.name} ({first_name})",
            "sku": sku,
            "quantity": part.quantity,
            "item_discount": money(np.array([discount]))[0].as_py(),
            "bundle_price": money(np.array([total]))[0].as_py(),
        }
        for line, ((sku, part), discount) in enumerate(zip(items, off, strict=True), 1)
    ]
