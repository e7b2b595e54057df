"""``purchase_orders``: the orders behind the day's deliveries, one per store and product: each
store orders from the distributor of its region ``lead_days`` before the delivery
(``orders``)."""

import datetime as dt

import pyarrow as pa

from gensample.generate.datasets import orders, products
from gensample.generate.datasets.contract import Parents
from gensample.settings import DATASET_PARENTS, Settings

NAME = "purchase_orders"
REFERENCE = True
IDENTITY = False
PARENTS = DATASET_PARENTS[NAME]
SCHEMA = pa.schema(
    [
        ("po_id", pa.int64()),
        ("store_id", pa.int64()),
        ("distributor_id", pa.int64()),
        ("sku", pa.string()),
        ("quantity", pa.int64()),
        ("ordered_on", pa.date32()),
        ("lead_days", pa.int64()),
        ("due_on", pa.date32()),
    ]
)
PRIMARY_KEY = ("po_id",)
FOREIGN_KEYS = {
    "store_id": ("stores", "store_id"),
    "distributor_id": ("distributors", "distributor_id"),
    "sku": ("products", "sku"),
}
DESCRIPTIONS = {
    "po_id": "Purchase order number: unique, the same whenever its day is generated again.",
    "store_id": "Store ordering (stores.store_id).",
    "distributor_id": "Distributor ordered from (distributors.distributor_id): the one "
    "serving the store's region.",
    "sku": "Product ordered (products.sku).",
    "quantity": "Units ordered: what the store sold of it in its last replenishment cycle.",
    "ordered_on": "Day the order was placed: due_on - lead_days.",
    "lead_days": "The distributor's lead time (distributors.lead_days).",
    "due_on": "Day the delivery arrives: the day of the file (its shipment's delivered_on).",
}


def table(settings: Settings, parents: Parents, date: dt.date) -> pa.Table:
    """The orders of the deliveries of ``date`` (the contract of reference datasets)."""
    coming = orders.of_day(settings, products.days(date))
    distributor_id = parents["distributors"].data["distributor_id"].to_numpy()
    return pa.table(
        {
            "po_id": coming.order_id,
            "store_id": parents["stores"].data["store_id"].take(pa.array(coming.store)),
            "distributor_id": distributor_id[coming.distributor],
            "sku": parents["products"].data["sku"].take(pa.array(coming.product)),
            "quantity": coming.quantity,
            "ordered_on": pa.array(coming.ordered.astype("datetime64[D]")),
            "lead_days": coming.delivered - coming.ordered,
            "due_on": pa.repeat(pa.scalar(date), len(coming.store)),
        },
        schema=SCHEMA,
    )
