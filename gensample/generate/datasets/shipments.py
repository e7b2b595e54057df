"""``shipments``: the day's deliveries, one per purchase order (``orders``): to the stores,
shipped by the store's distributor ``transit_days`` before (``inventory.deliveries``), an own
product with the lot number of the newest batch that had reached the distributor; and to the
distributors, every own product of a lot, shipped by the manufacturer the day the lot was made
(``production_batches``)."""

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.generate.datasets import lots, orders
from gensample.generate.datasets.common import epoch_day
from gensample.generate.datasets.contract import Parents
from gensample.settings import DATASET_PARENTS, Settings

NAME = "shipments"
REFERENCE = True
IDENTITY = False
PARENTS = DATASET_PARENTS[NAME]
SCHEMA = pa.schema(
    [
        ("shipment_id", pa.int64()),
        ("po_id", pa.int64()),
        ("origin", pa.string()),
        ("distributor_id", pa.int64()),
        ("store_id", pa.int64()),
        ("sku", pa.string()),
        ("lot_number", pa.string()),
        ("quantity", pa.int64()),
        ("shipped_on", pa.date32()),
        ("delivered_on", pa.date32()),
    ]
)
PRIMARY_KEY = ("shipment_id",)
FOREIGN_KEYS = {
    "po_id": ("purchase_orders", "po_id"),
    "distributor_id": ("distributors", "distributor_id"),
    "store_id": ("stores", "store_id"),
    "sku": ("products", "sku"),
    "lot_number": ("production_batches", "lot_number"),
}
DESCRIPTIONS = {
    "shipment_id": "Shipment number: unique, the same whenever its day is generated again.",
    "po_id": "Purchase order it fills (purchase_orders.po_id), in full.",
    "origin": "distributor (to a store) or manufacturer (to a distributor).",
    "distributor_id": "Distributor (distributors.distributor_id): shipping to the store, or "
    "receiving when store_id is empty.",
    "store_id": "Store receiving (stores.store_id); empty for a delivery to a distributor.",
    "sku": "Product shipped (products.sku).",
    "lot_number": "Lot of an own product (production_batches.lot_number): to a store, the newest "
    "made at least ready_days (production.csv) before shipping; empty for other brands.",
    "quantity": "Units shipped: the order's quantity (to a store, the day's inventory.deliveries).",
    "shipped_on": "Day it left: the distributor, delivered_on - transit_days; the manufacturer, "
    "the day the lot was made.",
    "delivered_on": "Day it reached the store: the day of the file, the order's due_on.",
}


def table(settings: Settings, parents: Parents, date: dt.date) -> pa.Table:
    """The deliveries of ``date`` (the contract of reference datasets)."""
    coming = orders.of_day(settings, epoch_day(date))
    orders_table = parents["purchase_orders"].data
    own = coming.line >= 0
    lot = lots.lot_numbers(np.maximum(coming.line, 0), coming.made_on)
    return pa.table(
        {
            "shipment_id": coming.shipment_id,
            "po_id": orders_table["po_id"],
            "origin": orders_table["supplier"],
            "distributor_id": orders_table["distributor_id"],
            "store_id": orders_table["store_id"],
            "sku": orders_table["sku"],
            "lot_number": pc.if_else(pa.array(own), lot, pa.scalar(None, pa.string())),
            "quantity": coming.quantity,
            "shipped_on": pa.array(coming.shipped.astype("datetime64[D]")),
            "delivered_on": pa.repeat(pa.scalar(date), len(coming.store)),
        },
        schema=SCHEMA,
    )
