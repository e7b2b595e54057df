"""``stores``: the retailer's stores, reference data the same every day.

A pure function of ``(seed, count)``. Every attribute is drawn from its own stream, one value per
store in id order, so adding stores keeps the earlier ones as they were: the first ``n`` stores
of a bigger catalog are the catalog of ``n``.
"""

import datetime as dt
import functools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample import reference
from gensample.generate.datasets.common import epoch_day
from gensample.generate.datasets.contract import Parents
from gensample.generate.seeding import stream
from gensample.native.strings import join_element_wise
from gensample.native.take import take
from gensample.reference import user_tables
from gensample.settings import DATASET_PARENTS, Settings

NAME = "stores"
REFERENCE = True
IDENTITY = False
PARENTS = DATASET_PARENTS[NAME]
SCHEMA = pa.schema(
    [
        ("store_id", pa.int64()),
        ("store_name", pa.string()),
        ("address_line1", pa.string()),
        ("city", pa.string()),
        ("state", pa.string()),
        ("postal_code", pa.string()),
        ("region", pa.string()),
        ("opened_on", pa.date32()),
        ("format", pa.string()),
    ]
)
PRIMARY_KEY = ("store_id",)
FOREIGN_KEYS: dict[str, tuple[str, str]] = {}
DESCRIPTIONS = {
    "store_id": "Store number, 1 to the number of stores; a store keeps its number and "
    "attributes when stores are added.",
    "store_name": "Name of the store: its city and format (e.g. Dayton Superstore), numbered "
    "when the city has several of that format.",
    "address_line1": "House number and street of the store.",
    "city": "City of the store.",
    "state": "Two-letter US state code of the store.",
    "postal_code": "Five-digit ZIP code of the store, in its city and state.",
    "region": "US census region of the state: Northeast, Midwest, South or West.",
    "opened_on": "Day the store opened, between 1985 and 2015 (so before any event of a run "
    "dated 2021 or later).",
    "format": "superstore, standard, express (a small counter store) or outlet.",
}
OPENING_HOURS = (7, 21)
"""Hours the stores are open, from 7:00 to (not including) 21:00: tills, wifi, incidents."""
FORMATS = ("superstore", "standard", "express", "outlet")
FORMAT_SHARES = np.array([0.15, 0.6, 0.2, 0.05])
FORMAT_TRAFFIC = np.array([2.0, 1.0, 0.6, 0.5])
"""Relative number of baskets a store of each format rings up (for the till data)."""
FORMAT_TITLES = ("Superstore", "Auto Parts", "Express", "Outlet")
"""How each format reads in a store's name."""
OPENED_FROM, OPENED_TO = dt.date(1985, 1, 1), dt.date(2015, 12, 31)
REGIONS = {
    "Northeast": "CT ME MA NH RI VT NJ NY PA",
    "Midwest": "IL IN MI OH WI IA KS MN MO NE ND SD",
    "South": "DE DC FL GA MD NC SC VA WV AL KY MS TN AR LA OK TX",
    "West": "AZ CO ID MT NV NM UT WY AK CA HI OR WA",
}
"""US census regions and their states."""


def table(settings: Settings, parents: Parents, date: dt.date) -> pa.Table:
    """The run's stores (the contract of reference datasets)."""
    return of_run(settings)


def of_run(settings: Settings) -> pa.Table:
    """The run's stores: the user's file when ``retail.stores_file`` names one, else the
    generated stores."""
    if settings.retail.stores_file:
        return from_user(user_tables.read(settings.retail.stores_file, user_tables.STORES))
    return catalog(settings.seed, settings.stores)


def weights(settings: Settings) -> np.ndarray | None:
    """The user's basket weight of each store (in table order), or None for weights by
    format."""
    if not settings.retail.stores_file:
        return None
    given = user_tables.read(settings.retail.stores_file, user_tables.STORES)
    return given["weight"].fill_null(0).to_numpy() if "weight" in given.column_names else None


def traffic(store_table: pa.Table, given: np.ndarray | None = None) -> np.ndarray:
    """Each store's weight among the stores: ``given``, else the baskets its format rings up
    (an unknown format like a standard store)."""
    if given is not None:
        return given
    known = pc.index_in(store_table["format"], value_set=pa.array(FORMATS))
    return FORMAT_TRAFFIC[known.fill_null(FORMATS.index("standard")).to_numpy()]


def from_user(given: pa.Table) -> pa.Table:
    """A user's stores in the dataset's schema: the region from the state, a missing name
    'Store <id>', a missing format standard, other missing columns empty."""
    columns = {
        field.name: given[field.name].cast(field.type)
        if field.name in given.column_names
        else pa.nulls(given.num_rows, field.type)
        for field in SCHEMA
    }
    number = pc.cast(given["store_id"], pa.string())
    columns["store_name"] = pc.coalesce(
        columns["store_name"], join_element_wise("Store ", number, "")
    )
    columns["format"] = pc.coalesce(columns["format"], pa.scalar("standard"))
    columns["region"] = regions(given["state"])
    return pa.table(columns, schema=SCHEMA)


@functools.lru_cache(maxsize=4)
def catalog(seed: int, count: int) -> pa.Table:
    """``count`` stores numbered 1 to ``count``, in places people live."""
    places = reference.places()
    # people live at uniformly drawn ZIP codes, so uniform ZIP codes put stores where they live
    place = pa.array(_draw(seed, "place").integers(0, places.num_rows, count))
    state = take(places["state"], place)
    city = take(places["city"], place)
    format_index = _draw(seed, "format").choice(len(FORMATS), count, p=FORMAT_SHARES)
    return pa.table(
        {
            "store_id": np.arange(1, count + 1, dtype=np.int64),
            "store_name": store_names(city, format_index),
            "address_line1": street_addresses(seed, count),
            "city": city,
            "state": state,
            "postal_code": take(places["postal_code"], place),
            "region": regions(state),
            "opened_on": opening_days(seed, count),
            "format": take(pa.array(FORMATS), format_index),
        },
        schema=SCHEMA,
    )


def _draw(seed: int, purpose: str) -> np.random.Generator:
    """The stream of one store attribute."""
    return stream(seed, NAME, purpose)


def store_names(city: pa.ChunkedArray, format_index: np.ndarray) -> pa.Array:
    """ "<City> <Format>", with " #2", " #3"... on the later stores of the same name."""
    titles = take(pa.array(FORMAT_TITLES), format_index)
    names = join_element_wise(city, titles, " ")
    occurrence = occurrence_numbers(names.to_numpy(zero_copy_only=False))
    suffix = join_element_wise(" #", pc.cast(pa.array(occurrence), pa.string()), "")
    return pc.if_else(pa.array(occurrence > 1), join_element_wise(names, suffix, ""), names)


def occurrence_numbers(values: np.ndarray) -> np.ndarray:
    """1 for the first of each value, 2 for its second occurrence, and so on, in array order."""
    group = np.unique(values, return_inverse=True)[1]
    by_group = np.argsort(group, kind="stable")
    sorted_group = group[by_group]
    occurrence = np.empty(len(values), np.int64)
    occurrence[by_group] = np.arange(len(values)) - np.searchsorted(sorted_group, sorted_group) + 1
    return occurrence


def street_addresses(seed: int, count: int) -> pa.Array:
    """A house number and a street for each store."""
    number = pc.cast(pa.array(_draw(seed, "number").integers(100, 20_000, count)), pa.string())
    streets, suffixes = reference.street_names(), reference.street_suffixes()
    street = take(streets.values, _weighted(seed, "street", streets, count))
    suffix = take(suffixes.values, _weighted(seed, "suffix", suffixes, count))
    return join_element_wise(number, street, suffix, " ")


def _weighted(seed: int, purpose: str, pool: reference.Pool, count: int) -> pa.Array:
    """``count`` indices into ``pool`` by its probabilities, one draw per store in id order."""
    return pa.array(
        _draw(seed, purpose).choice(len(pool.probabilities), count, p=pool.probabilities)
    )


def opening_days(seed: int, count: int) -> pa.Array:
    """Opening days from ``OPENED_FROM`` to ``OPENED_TO``."""
    first, last = (epoch_day(day) for day in (OPENED_FROM, OPENED_TO))
    days = _draw(seed, "opened").integers(first, last + 1, count)
    return pa.array(days.astype(np.int32), pa.date32())


def regions(state: pa.ChunkedArray) -> pa.Array:
    """The census region of each state."""
    states, names = _region_table()
    return take(names, pc.index_in(state, value_set=states))


@functools.cache
def _region_table() -> tuple[pa.Array, pa.Array]:
    """Every state code and its region, side by side."""
    pairs = [(state, region) for region, states in REGIONS.items() for state in states.split()]
    return pa.array([state for state, _ in pairs]), pa.array([region for _, region in pairs])


def near(rng: np.random.Generator, stores: pa.Table, states: pa.Array) -> np.ndarray:
    """A store id for each state: one in that state when it has any, else any store."""
    store_ids = stores["store_id"].to_numpy()
    state_names = pc.unique(stores["state"])
    store_state = pc.index_in(stores["state"], value_set=state_names).to_numpy()
    by_state = store_ids[np.argsort(store_state, kind="stable")]
    per_state = np.bincount(store_state, minlength=len(state_names))
    first = np.cumsum(per_state) - per_state
    state = pc.index_in(states, value_set=state_names).fill_null(-1).to_numpy()
    local = np.where(state >= 0, per_state[state], 0)
    offset = (rng.random(len(state)) * local).astype(np.int64)
    nearby = by_state[np.where(local > 0, first[state] + offset, 0)]
    anywhere = store_ids[rng.integers(0, len(store_ids), len(state))]
    return np.where(local > 0, nearby, anywhere)
