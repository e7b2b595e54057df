"""``distributors``: the (fictional) distributors supplying the stores, reference data the same
every day: the rows of ``distributors.csv`` (``gensample.reference.supply``)."""

import datetime as dt

import pyarrow as pa

from gensample.generate.datasets.contract import Parents
from gensample.reference import supply
from gensample.settings import DATASET_PARENTS, Settings

NAME = "distributors"
REFERENCE = True
IDENTITY = False
PARENTS = DATASET_PARENTS[NAME]
SCHEMA = pa.schema(
    [
        ("distributor_id", pa.int64()),
        ("distributor_name", pa.string()),
        ("city", pa.string()),
        ("state", pa.string()),
        ("regions", pa.string()),
        ("lead_days", pa.int64()),
        ("transit_days", pa.int64()),
    ]
)
PRIMARY_KEY = ("distributor_id",)
FOREIGN_KEYS: dict[str, tuple[str, str]] = {}
DESCRIPTIONS = {
    "distributor_id": "Distributor number, 1 up in the order of distributors.csv.",
    "distributor_name": "Name of the distributor: fictional, like the retailer and its "
    "manufacturer.",
    "city": "City of its warehouse.",
    "state": "Two-letter US state code of its warehouse.",
    "regions": "Census regions whose stores it supplies, separated by ';' (* for every "
    "region no other distributor lists).",
    "lead_days": "Days from a store's purchase order to its delivery.",
    "transit_days": "Days a shipment is on the road, from the warehouse to the store.",
}


def table(settings: Settings, parents: Parents, date: dt.date) -> pa.Table:
    """The distributors of the run's supply files (the contract of reference datasets)."""
    listed = supply.load(settings.retail.data_dir).distributors
    return pa.table(
        {
            "distributor_id": range(1, len(listed) + 1),
            "distributor_name": [d.name for d in listed],
            "city": [d.city for d in listed],
            "state": [d.state for d in listed],
            "regions": [";".join(d.regions) for d in listed],
            "lead_days": [d.lead_days for d in listed],
            "transit_days": [d.transit_days for d in listed],
        },
        schema=SCHEMA,
    )
