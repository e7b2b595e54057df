"""The deliveries of one day and what they trace back to: the purchase order behind each, and
the lot of an own product shipped.

A store's delivery of a product (``stock``: the first day of a cycle, making up what the cycle
before sold) was ordered ``lead_days`` of its distributor before and left the distributor
``transit_days`` before. A store is served by the distributor of its census region
(``distributors.csv``). A distributor receives every own product of a lot ``ready_days``
(``production.csv``) after the lot was made, on a standing order placed that day. Ids are made
from the day, the buyer and the product, so each is unique and the same whenever the day is
generated again.
"""

from typing import NamedTuple

import numpy as np
import pyarrow as pa

from gensample.generate.datasets import lots, shelf, stock
from gensample.generate.datasets import stores as stores_
from gensample.generate.datasets.stock import per_catalog
from gensample.reference import supply
from gensample.settings import Settings


class Deliveries(NamedTuple):
    """One day's deliveries, one per purchase order: to stores (one per store and product with
    stock coming), then to distributors (one per distributor and own product of a lot
    arriving from the manufacturer)."""

    store: np.ndarray
    """Row of the store receiving, -1 for a delivery to a distributor."""
    distributor: np.ndarray
    """Index into ``distributors.csv``: the one shipping to a store, or receiving."""
    product: np.ndarray
    quantity: np.ndarray
    ordered: np.ndarray
    shipped: np.ndarray
    order_id: np.ndarray
    shipment_id: np.ndarray
    line: np.ndarray
    """The batch line (``lots``) of each product, -1 when the own manufacturer does not make it."""
    made_on: np.ndarray
    """The day the lot shipped was made (meaningless where ``line`` is -1)."""


@per_catalog
def of_day(settings: Settings, day: int) -> Deliveries:
    """The deliveries of ``day`` (days since the epoch): to the stores, then to the
    distributors."""
    parts = (_to_stores(settings, day), _to_distributors(settings, day))
    return Deliveries(*(np.concatenate(column) for column in zip(*parts, strict=True)))


def _to_stores(settings: Settings, day: int) -> Deliveries:
    """The stores' deliveries of ``day``, from their distributors."""
    shelves = stock.of_day(settings, day)
    coming = np.flatnonzero(shelves.stock.deliveries > 0)
    store, product = shelves.store[coming], shelves.product[coming]
    distributor = serving(settings)[store]
    listed = supply.load(settings.retail.data_dir).distributors
    lead = np.array([d.lead_days for d in listed], np.int64)[distributor]
    transit = np.array([d.transit_days for d in listed], np.int64)[distributor]
    made = lots.lines(settings)
    line = made.of_product[product]
    shipped = day - transit
    local = _local_ids(settings, store, product)
    return Deliveries(
        store=store,
        distributor=distributor,
        product=product,
        quantity=shelves.stock.deliveries[coming],
        ordered=day - lead,
        shipped=shipped,
        order_id=_ids(settings, day - lead, local),
        shipment_id=_ids(settings, np.full(len(store), day), local),
        line=line,
        made_on=lots.made_by(made, np.maximum(line, 0), shipped) if len(made.names) else shipped,
    )


def _to_distributors(settings: Settings, day: int) -> Deliveries:
    """The distributors' deliveries of ``day``: every own product of each lot reaching them
    that day, ordered when the lot was made (a standing order), in the units their stores are
    expected to sell until the line's next batch."""
    made, found = lots.lines(settings), stock.model(settings)
    made_on = day - made.ready
    arriving = np.append((made_on + made.phase) % made.every == 0, False)  # [-1]: not made
    line_of = made.of_product
    selling = shelf.on_sale(found.drawn, np.arange(len(line_of)), day)
    product = np.flatnonzero(arriving[line_of] & selling)
    count = len(supply.load(settings.retail.data_dir).distributors)
    served = np.bincount(serving(settings), weights=found.store_factor, minlength=count)
    receiving = np.flatnonzero(served > 0)
    distributor = np.repeat(receiving, len(product))
    product = np.tile(product, len(receiving))
    line = line_of[product]
    wanted = found.daily[product] * served[distributor] * made.every[line]
    local = _local_ids(settings, -1 - distributor, product)
    return Deliveries(
        store=np.full(len(product), -1),
        distributor=distributor,
        product=product,
        quantity=np.maximum(np.ceil(wanted), 1).astype(np.int64),
        ordered=made_on[line],
        shipped=made_on[line],
        order_id=_ids(settings, made_on[line], local),
        shipment_id=_ids(settings, np.full(len(product), day), local),
        line=line,
        made_on=made_on[line],
    )


def _local_ids(settings: Settings, buyer: np.ndarray, product: np.ndarray) -> np.ndarray:
    """A number per (buyer, product), unique in a day: ``buyer`` a store row, or -1 - the
    distributor (numbered after the stores)."""
    found = stock.model(settings)
    stores = len(found.store_key)
    row = np.where(buyer >= 0, buyer, stores - 1 - buyer)
    return row * len(found.product_key) + product


def _ids(settings: Settings, day: np.ndarray, local: np.ndarray) -> np.ndarray:
    """Ids unique over days: the day, then the (buyer, product) number."""
    found = stock.model(settings)
    count = len(supply.load(settings.retail.data_dir).distributors)
    return day * (len(found.store_key) + count) * len(found.product_key) + local


def parties(coming: Deliveries) -> pa.Array:
    """Who ships each delivery: a store's comes from its distributor, a distributor's from the
    manufacturer (the ``supplier`` of its order, the ``origin`` of its shipment)."""
    return pa.array(np.where(coming.store >= 0, "distributor", "manufacturer"))


def store_ids(coming: Deliveries, store_table: pa.Table) -> pa.Array:
    """The id of the store receiving each delivery, empty for a distributor's."""
    ids = store_table["store_id"].to_numpy()[np.maximum(coming.store, 0)]
    return pa.array(ids, mask=coming.store < 0)


@per_catalog
def serving(settings: Settings) -> np.ndarray:
    """The distributor (index into distributors.csv) of each store, by its region."""
    found = supply.load(settings.retail.data_dir)
    regions = stores_.of_run(settings)["region"].to_pylist()
    by_region = {region: found.distributor_of(region) for region in set(regions)}
    return np.array([by_region[region] for region in regions], np.int64)
