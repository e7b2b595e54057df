"""``promotions``: the retailer's dated promotions, reference data the same every day.

Each kind of ``promotions.csv`` starts ``per_month`` promotions every month from
``FIRST_YEAR`` to ``LAST_YEAR``, on a day drawn in the month, for its ``days``: percent off a
product, buy x get y free, a percentage off a motor oil bought with an oil filter, or a kit
(``bundles``) at a further percentage off. Promoted items sell more in the window and, by word
of mouth, for a while after it (``pos_transactions``).
"""

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.generate.datasets import bundles as bundles_
from gensample.generate.datasets import products as products_
from gensample.generate.datasets.common import epoch_day
from gensample.generate.datasets.contract import Parents
from gensample.generate.datasets.stock import per_catalog
from gensample.generate.datasets.texts import listed
from gensample.generate.seeding import stream
from gensample.native.strings import join_element_wise
from gensample.native.take import take
from gensample.reference import deals
from gensample.settings import DATASET_PARENTS, Settings

NAME = "promotions"
REFERENCE = True
IDENTITY = False
PARENTS = DATASET_PARENTS[NAME]
SCHEMA = pa.schema(
    [
        ("promotion_id", pa.int64()),
        ("promotion_name", pa.string()),
        ("kind", pa.string()),
        ("sku", pa.string()),
        ("bundle_id", pa.int64()),
        ("starts_on", pa.date32()),
        ("ends_on", pa.date32()),
        ("percent_off", pa.int64()),
        ("buy_quantity", pa.int64()),
        ("free_quantity", pa.int64()),
    ]
)
PRIMARY_KEY = ("promotion_id",)
FOREIGN_KEYS = {"sku": ("products", "sku")}
FIRST_YEAR, LAST_YEAR = 2015, 2030
LUBRICANT = "motor oil"
"""The category a lube_with_filter promotion takes its product from."""
DESCRIPTIONS = {
    "promotion_id": "Promotion number, 1 up, in order of start.",
    "promotion_name": "How the flyer announces it.",
    "kind": f"{listed(list(deals.KINDS))}.",
    "sku": "Promoted product (products.sku), on sale throughout the promotion years; empty for "
    "a bundle_price promotion.",
    "bundle_id": "Promoted kit (bundles.bundle_id) of a bundle_price promotion, else empty.",
    "starts_on": f"First day of the promotion, between {FIRST_YEAR} and {LAST_YEAR}.",
    "ends_on": "Last day of the promotion.",
    "percent_off": "Percent off the product (or kit); with an oil filter in the basket for "
    "lube_with_filter; empty for buy_x_get_y.",
    "buy_quantity": "Units to buy for the free ones of a buy_x_get_y promotion, else empty.",
    "free_quantity": "Units free with buy_quantity bought, else empty.",
}


def table(settings: Settings, parents: Parents, date: dt.date) -> pa.Table:
    """The run's promotions (the contract of reference datasets)."""
    return of_run(settings)


@per_catalog
def of_run(settings: Settings) -> pa.Table:
    """The promotions of the run's catalog and kits, made once a process: the same every day
    and every block."""
    products, bundles = products_.of_run(settings), bundles_.of_run(settings)
    parts = [
        _of_kind(settings.seed, k, kind, products, bundles)
        for k, kind in enumerate(deals.load(settings.retail.data_dir).kinds)
    ]
    made = pa.concat_tables(parts) if parts else SCHEMA.empty_table()
    made = take(made, pc.sort_indices(made, [("starts_on", "ascending"), ("kind", "ascending")]))
    return made.set_column(0, "promotion_id", pa.array(np.arange(1, made.num_rows + 1)))


def _of_kind(
    seed: int, k: int, kind: deals.Kind, products: pa.Table, bundles: pa.Table
) -> pa.Table:
    """Every promotion of one kind (ids still 0)."""
    rng = stream(seed, NAME, k)
    months = [(y, m) for y in range(FIRST_YEAR, LAST_YEAR + 1) for m in range(1, 13)]
    month = np.repeat(np.arange(len(months)), kind.per_month)
    start = np.array(
        [_day(*months[i]) + int(u * 28) for i, u in zip(month, rng.random(len(month)), strict=True)]
    )
    target = rng.integers(0, 1 << 30, len(month))
    sku, bundle, label = _targets(kind, target, products, bundles)
    n = len(month)
    percent = None if kind.name == "buy_x_get_y" else kind.percent_off
    deal = _deal_text(kind)
    return pa.table(
        {
            "promotion_id": np.zeros(n, np.int64),
            "promotion_name": join_element_wise(pa.repeat(deal, n), label, ": "),
            "kind": pa.repeat(kind.name, n),
            "sku": sku,
            "bundle_id": bundle,
            "starts_on": pa.array(start.astype(np.int32), pa.date32()),
            "ends_on": pa.array((start + kind.days - 1).astype(np.int32), pa.date32()),
            "percent_off": pa.repeat(pa.scalar(percent, pa.int64()), n),
            "buy_quantity": pa.repeat(pa.scalar(kind.buy if not percent else None, pa.int64()), n),
            "free_quantity": pa.repeat(
                pa.scalar(kind.free if not percent else None, pa.int64()), n
            ),
        },
        schema=SCHEMA,
    )


def _day(year: int, month: int) -> int:
    """Days since the epoch of the first of ``month``."""
    return epoch_day(dt.date(year, month, 1))


def _targets(
    kind: deals.Kind, target: np.ndarray, products: pa.Table, bundles: pa.Table
) -> tuple[pa.Array, pa.Array, pa.Array]:
    """The promoted SKU, kit and the name to announce, one per drawn ``target`` number."""
    n = len(target)
    if kind.name == "bundle_price":
        ids = pc.unique(bundles["bundle_id"])
        if not len(ids):
            return _none(n, pa.string()), _none(n, pa.int64()), pa.repeat("no kit", n)
        chosen = take(ids, target % len(ids))
        names = take(bundles["bundle_name"], pc.index_in(chosen, value_set=bundles["bundle_id"]))
        return _none(n, pa.string()), chosen, names
    pool = _always_on_sale(products)
    if kind.name == "lube_with_filter":
        lubricants = pool.filter(pc.equal(pool["category"], LUBRICANT))
        pool = lubricants if lubricants.num_rows else pool
    picked = pa.array(target % pool.num_rows)
    return take(pool["sku"], picked), _none(n, pa.int64()), take(pool["product_name"], picked)


def _always_on_sale(products: pa.Table) -> pa.Table:
    """The products on sale throughout the promotions' years (all, when none is)."""
    if "introduced_on" not in products.column_names:
        return products
    first = pa.scalar(dt.date(FIRST_YEAR, 1, 1), pa.date32())
    steady = pc.and_(
        pc.less_equal(products["introduced_on"], first), pc.is_null(products["discontinued_on"])
    )
    chosen = products.filter(steady)
    return chosen if chosen.num_rows else products


def _none(n: int, kind: pa.DataType) -> pa.Array:
    """``n`` nulls."""
    return pa.nulls(n, kind)


def _deal_text(kind: deals.Kind) -> str:
    """How a promotion of ``kind`` reads in front of its item."""
    return {
        "percent_off": f"{kind.percent_off}% off",
        "buy_x_get_y": f"Buy {kind.buy} get {kind.free} free",
        "lube_with_filter": f"{kind.percent_off}% off with an oil filter",
        "bundle_price": f"Kit deal, {kind.percent_off}% off",
    }[kind.name]
