"""``inventory``: the day's stock of every product on sale in every store, one row per store
and product: opening + deliveries - sales = closing, never below 0, and the closing stock of a
day is the opening of the next (``stock``: a pure function of the day, so no day depends on a
file of another). ``sales`` are the store's sales to all its shoppers, of which the till
baskets of the generated customers are a sample; both see the same stockouts."""

import datetime as dt

import pyarrow as pa

from gensample.generate.datasets import stock
from gensample.generate.datasets.common import epoch_day
from gensample.generate.datasets.contract import Parents
from gensample.native.take import take
from gensample.settings import DATASET_PARENTS, Settings

NAME = "inventory"
REFERENCE = True
IDENTITY = False
PARENTS = DATASET_PARENTS[NAME]
SCHEMA = pa.schema(
    [
        ("inventory_date", pa.date32()),
        ("store_id", pa.int64()),
        ("sku", pa.string()),
        ("opening", pa.int64()),
        ("deliveries", pa.int64()),
        ("sales", pa.int64()),
        ("closing", pa.int64()),
        ("lost_sales", pa.int64()),
        ("out_of_stock", pa.bool_()),
    ]
)
PRIMARY_KEY = ("store_id", "sku")
FOREIGN_KEYS = {"store_id": ("stores", "store_id"), "sku": ("products", "sku")}
DESCRIPTIONS = {
    "inventory_date": "The day (the run's date).",
    "store_id": "Store (stores.store_id).",
    "sku": "Product (products.sku), on sale that day.",
    "opening": "Units on the shelf when the store opens: the closing stock of the day before.",
    "deliveries": "Units delivered in the morning (shipments.quantity): what the replenishment "
    "cycle before sold, on the first day of a cycle (supply.csv cycle_days), else 0.",
    "sales": "Units the store sold (to all its shoppers; the till baskets hold a sample).",
    "closing": "Units left at closing: opening + deliveries - sales, never below 0.",
    "lost_sales": "Units shoppers wanted while the shelf was empty: they bought a substitute "
    "of the same category or nothing.",
    "out_of_stock": "Whether the store had none all day (opening + deliveries = 0): no till "
    "basket buys the product there that day.",
}


def table(settings: Settings, parents: Parents, date: dt.date) -> pa.Table:
    """The stock of ``date`` (the contract of reference datasets)."""
    shelves = stock.of_day(settings, epoch_day(date))
    day = shelves.stock
    return pa.table(
        {
            "inventory_date": pa.repeat(pa.scalar(date), len(shelves.store)),
            "store_id": take(parents["stores"].data["store_id"], shelves.store),
            "sku": take(parents["products"].data["sku"], shelves.product),
            "opening": day.opening,
            "deliveries": day.deliveries,
            "sales": day.sales,
            "closing": day.closing,
            "lost_sales": day.lost_sales,
            "out_of_stock": day.opening + day.deliveries == 0,
        },
        schema=SCHEMA,
    )
