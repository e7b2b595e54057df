"""``brands``: every brand the retailer sells, reference data the same every day.

The rows of ``brands.csv`` (``gensample.reference.catalog``): the fictional retailer's own
lines, made by its own manufacturer, and the competing brands (real names, in a file users can
replace). ``products.brand`` names one of them.
"""

import datetime as dt

import pyarrow as pa

from gensample.generate.datasets.contract import Parents
from gensample.generate.datasets.texts import listed
from gensample.reference import catalog
from gensample.settings import DATASET_PARENTS, Settings

NAME = "brands"
REFERENCE = True
IDENTITY = False
PARENTS = DATASET_PARENTS[NAME]
SCHEMA = pa.schema(
    [
        ("brand", pa.string()),
        ("manufacturer", pa.string()),
        ("own_brand", pa.bool_()),
        ("tier", pa.string()),
        ("categories", pa.string()),
    ]
)
PRIMARY_KEY = ("brand",)
FOREIGN_KEYS: dict[str, tuple[str, str]] = {}
DESCRIPTIONS = {
    "brand": "Brand name, as products.brand writes it.",
    "manufacturer": "Company making the brand's products; the own lines' maker is the "
    "retailer's own (fictional) manufacturer.",
    "own_brand": "Whether the brand is one of the retailer's own lines.",
    "tier": f"Price tier: {listed(['budget', 'mid', 'premium'])}.",
    "categories": "Categories it sells, separated by ';' (* for an own line: whatever its "
    "manufacturer makes).",
}


def table(settings: Settings, parents: Parents, date: dt.date) -> pa.Table:
    """The brands of the run's catalog files (the contract of reference datasets)."""
    brands = catalog.load(settings.retail.data_dir).brands
    return pa.table(
        {
            "brand": [brand.name for brand in brands],
            "manufacturer": [brand.manufacturer for brand in brands],
            "own_brand": [brand.own for brand in brands],
            "tier": [brand.tier for brand in brands],
            "categories": [";".join(brand.categories) for brand in brands],
        },
        schema=SCHEMA,
    )
