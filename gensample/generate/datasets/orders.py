"""The deliveries of one day and what they trace back to: the purchase order each store placed
with its distributor, and the lot of an own product the distributor shipped.

A store's delivery of a product (``stock``: the first day of a cycle, making up what the cycle
before sold) was ordered ``lead_days`` of its distributor before and left the distributor
``transit_days`` before. A store is served by the distributor of its census region
(``distributors.csv``). Ids are made from the day and the (store, product) pair, so each is
unique and the same whenever the day is generated again.
"""

from dataclasses import dataclass

import numpy as np

from gensample.generate.datasets import lots, stock
from gensample.generate.datasets import stores as stores_
from gensample.generate.datasets.stock import per_catalog
from gensample.reference import supply
from gensample.settings import Settings


@dataclass(frozen=True, eq=False)
class Deliveries:
    """One day's deliveries to stores, one per (store, product) with stock coming."""

    store: np.ndarray
    product: np.ndarray
    quantity: np.ndarray
    distributor: np.ndarray
    """Index into ``distributors.csv``."""
    ordered: np.ndarray
    shipped: np.ndarray
    delivered: int
    order_id: np.ndarray
    shipment_id: np.ndarray
    line: np.ndarray
    """The batch line (``lots``) of each product, -1 when the own manufacturer does not make it."""
    made_on: np.ndarray
    """The day the lot shipped was made (meaningless where ``line`` is -1)."""


@per_catalog
def of_day(settings: Settings, day: int) -> Deliveries:
    """The deliveries of ``day`` (days since the epoch)."""
    shelves = stock.of_day(settings, day)
    coming = np.flatnonzero(shelves.stock.deliveries > 0)
    store, product = shelves.store[coming], shelves.product[coming]
    distributor = serving(settings)[store]
    listed = supply.load(settings.retail.data_dir).distributors
    lead = np.array([d.lead_days for d in listed], np.int64)[distributor]
    transit = np.array([d.transit_days for d in listed], np.int64)[distributor]
    pairs = len(stock.model(settings).product_key)
    pair = store * pairs + product
    stores_count = len(stock.model(settings).store_key)
    made = lots.lines(settings)
    line = made.of_product[product]
    shipped = day - transit
    return Deliveries(
        store=store,
        product=product,
        quantity=shelves.stock.deliveries[coming],
        distributor=distributor,
        ordered=day - lead,
        shipped=shipped,
        delivered=day,
        order_id=(day - lead) * pairs * stores_count + pair,
        shipment_id=day * pairs * stores_count + pair,
        line=line,
        made_on=lots.made_by(made, np.maximum(line, 0), shipped) if len(made.names) else shipped,
    )


@per_catalog
def serving(settings: Settings) -> np.ndarray:
    """The distributor (index into distributors.csv) of each store, by its region."""
    found = supply.load(settings.retail.data_dir)
    regions = stores_.of_run(settings)["region"].to_pylist()
    by_region = {region: found.distributor_of(region) for region in set(regions)}
    return np.array([by_region[region] for region in regions], np.int64)
