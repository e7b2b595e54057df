"""``production_batches``: the own manufacturer's lots that the day's shipments carry, one row
per lot: a blend of oil or another fluid packed into several products (its packs), or a run of
one product (a filter of one size); ``lots`` says when each is made."""

import datetime as dt

import numpy as np
import pyarrow as pa

from gensample.generate.datasets import lots, orders
from gensample.generate.datasets.common import epoch_day
from gensample.generate.datasets.contract import Parents
from gensample.native.take import take
from gensample.reference import supply
from gensample.settings import DATASET_PARENTS, Settings

NAME = "production_batches"
REFERENCE = True
IDENTITY = False
PARENTS = DATASET_PARENTS[NAME]
SCHEMA = pa.schema(
    [
        ("lot_number", pa.string()),
        ("batch_kind", pa.string()),
        ("product_line", pa.string()),
        ("produced_on", pa.date32()),
        ("quantity", pa.int64()),
        ("unit", pa.string()),
        ("skus", pa.string()),
    ]
)
PRIMARY_KEY = ("lot_number",)
FOREIGN_KEYS: dict[str, tuple[str, str]] = {}
DESCRIPTIONS = {
    "lot_number": "Lot: Q, the day made (yymmdd), a dash and the batch line's number; printed "
    "on every unit of the lot, so a shipment's lot_number finds its batch.",
    "batch_kind": "blend (process manufacturing: one blend packed into several products) or "
    "run (discrete manufacturing: one product), as production.csv names the modes.",
    "product_line": "What was made: the own brand, variant and item of a blend (Quillmark Pro "
    "5W-30 Synthetic Blend Motor Oil), the product of a run.",
    "produced_on": "Day the lot was made: every every_days (production.csv) of its line.",
    "quantity": "Size of the batch in unit: the mode's batch_size, give or take 20 %.",
    "unit": "Unit of quantity (gal for blends, each for runs, as production.csv says).",
    "skus": "Products packed from the lot (products.sku), separated by ';'.",
}


def table(settings: Settings, parents: Parents, date: dt.date) -> pa.Table:
    """The lots the shipments of ``date`` carry (the contract of reference datasets)."""
    coming = orders.of_day(settings, epoch_day(date))
    made = lots.lines(settings)
    own = coming.line >= 0
    pairs = np.unique(np.stack([coming.line[own], coming.made_on[own]], axis=1), axis=0)
    line, made_on = pairs[:, 0], pairs[:, 1]
    production = supply.load(settings.retail.data_dir).production
    modes = [made.modes[i] for i in line]
    sizes = np.array([production[mode].batch_size for mode in modes], np.float64)
    return pa.table(
        {
            "lot_number": lots.lot_numbers(line, made_on),
            "batch_kind": [production[mode].batch_kind for mode in modes],
            "product_line": [made.names[i] for i in line],
            "produced_on": pa.array(made_on.astype("datetime64[D]")),
            "quantity": lots.batch_size(made, line, made_on, sizes),
            "unit": [production[mode].unit for mode in modes],
            "skus": [_packed(made, parents["products"].data, i) for i in line],
        },
        schema=SCHEMA,
    )


def _packed(made: lots.Lines, products_table: pa.Table, line: int) -> str:
    """The SKUs of one batch line, separated by ';'."""
    rows = np.flatnonzero(made.of_product == line)
    return ";".join(take(products_table["sku"], rows).to_pylist())
