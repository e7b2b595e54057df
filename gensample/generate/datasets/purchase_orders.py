"""``purchase_orders``: the orders behind the day's deliveries (``orders``): each store orders a
product from the distributor of its region ``lead_days`` before its delivery; each distributor
has a standing order with the own manufacturer for every own product of a batch, placed the
day the lot is made and filled when it is ready."""

import datetime as dt

import pyarrow as pa

from gensample.generate.datasets import orders
from gensample.generate.datasets.common import epoch_day
from gensample.generate.datasets.contract import Parents
from gensample.native.take import take
from gensample.settings import DATASET_PARENTS, Settings

NAME = "purchase_orders"
REFERENCE = True
IDENTITY = False
PARENTS = DATASET_PARENTS[NAME]
SCHEMA = pa.schema(
    [
        ("po_id", pa.int64()),
        ("supplier", pa.string()),
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
    "supplier": "distributor (a store's order from its distributor) or manufacturer (a "
    "distributor's order of an own product from the retailer's own manufacturer).",
    "store_id": "Store ordering (stores.store_id); empty for a distributor's order.",
    "distributor_id": "Distributor (distributors.distributor_id): ordered from, the one serving "
    "the store's region; ordering, when store_id is empty.",
    "sku": "Product ordered (products.sku).",
    "quantity": "Units ordered: what the store sold of it in its last replenishment cycle; for "
    "a distributor, what its stores are expected to sell until the product's next batch.",
    "ordered_on": "Day the order was placed: due_on - lead_days.",
    "lead_days": "The distributor's lead time (distributors.lead_days); for a distributor's "
    "order, the days the lot takes to reach it (production.csv ready_days).",
    "due_on": "Day the delivery arrives: the day of the file (its shipment's delivered_on).",
}


def table(settings: Settings, parents: Parents, date: dt.date) -> pa.Table:
    """The orders of the deliveries of ``date`` (the contract of reference datasets)."""
    coming = orders.of_day(settings, epoch_day(date))
    distributor_id = parents["distributors"].data["distributor_id"].to_numpy()
    return pa.table(
        {
            "po_id": coming.order_id,
            "supplier": orders.parties(coming),
            "store_id": orders.store_ids(coming, parents["stores"].data),
            "distributor_id": distributor_id[coming.distributor],
            "sku": take(parents["products"].data["sku"], coming.product),
            "quantity": coming.quantity,
            "ordered_on": pa.array(coming.ordered.astype("datetime64[D]")),
            "lead_days": epoch_day(date) - coming.ordered,
            "due_on": pa.repeat(pa.scalar(date), len(coming.store)),
        },
        schema=SCHEMA,
    )
