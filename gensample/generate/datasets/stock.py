"""Stock of every product in every store on any day, as a pure function of the day: no state.

Each (store, product) pair is restocked every ``cycle_days`` of its category (``supply.csv``),
on days shifted by a phase of its own. A delivery tops the shelf up to the pair's level ``S``:
``cover`` times the cycle's expected sales (at least 1). The cycle's demand ``D`` is drawn
around its expected sales (a log-normal factor of spread ``spread``), spread evenly over the
cycle's days (the first ``t + 1`` days want ``D (t + 1) // cycle_days`` units); the store sells
what it has: once ``S`` units are gone it is out of stock until the next delivery, which
brings back what the cycle sold. Every draw is a hash of the seed, the store, the product and
the cycle number, so the stock of a day is computed without any earlier day, the closing stock
of a day is the opening of the next, and till baskets see the same stockouts as the inventory.

Expected sales: a standard store sells ``units_per_day`` of a category a day, shared among its
products by their popularity (``shelf``), a store of another format in proportion to the
baskets it rings up (or the user's store weights).
"""

import functools
import statistics
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from gensample.generate.datasets import products as products_
from gensample.generate.datasets import shelf as shelf_
from gensample.generate.datasets import stores as stores_
from gensample.generate.datasets.draws import LOOKUP_SIZE
from gensample.generate.datasets.shoppers import curves
from gensample.reference import stamps, supply
from gensample.settings import Settings

STEP = np.uint64(0x9E3779B97F4A7C15)
"""The golden-ratio increment of splitmix64: consecutive keys, unrelated hashes."""
NORMAL = np.array(
    [statistics.NormalDist().inv_cdf((q + 0.5) / LOOKUP_SIZE) for q in range(LOOKUP_SIZE)]
)
"""Standard normal quantiles, drawn by the top 12 bits of a hash."""


def per_catalog(function: Callable) -> Callable:
    """``function`` of (settings, ...) cached by the settings the catalog depends on (seed,
    stores, products, retail): the rest may not be hashable (fuzz maps) and changes nothing."""
    cached = stamps.kept_while_unchanged(functools.lru_cache(maxsize=4)(function))

    @functools.wraps(function)
    def call(settings: Settings, *args: Any) -> Any:
        key = Settings(
            seed=settings.seed,
            stores=settings.stores,
            products=settings.products,
            retail=settings.retail,
        )
        return cached(key, *args)

    call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
    return call


def mix(key: np.ndarray) -> np.ndarray:
    """The splitmix64 finalizer of each uint64 key: a well-spread hash."""
    with np.errstate(over="ignore"):
        z = (key + STEP).astype(np.uint64)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def seed_key(seed: int) -> np.uint64:
    """The hash of a seed (any size) that every key of the run is mixed with."""
    return mix(np.uint64(seed % 2**64))


def text_keys(seed: int, texts: list[str]) -> np.ndarray:
    """A hash of each text under ``seed``, as uint64 keys."""
    crc = np.array([zlib.crc32(text.encode("utf-8")) for text in texts], np.uint64)
    return mix(crc ^ seed_key(seed))


@dataclass(frozen=True, eq=False)
class Stock:
    """What the stock of any store, product and day is computed from (stores and products in
    the order of their tables)."""

    store_key: np.ndarray
    store_factor: np.ndarray
    """Each store's sales against a standard store's."""
    product_key: np.ndarray
    daily: np.ndarray
    """Each product's expected sales a day in a standard store."""
    cycle: np.ndarray
    cover: np.ndarray
    spread: np.ndarray
    drawn: shelf_.Shelf


@dataclass(frozen=True)
class Cycle:
    """Where pairs of (store, product) stand on their days."""

    day_in_cycle: np.ndarray
    level: np.ndarray
    """Stock right after a delivery (``S``)."""
    demand: np.ndarray
    """Demand of the current cycle (``D``)."""
    cycle_days: np.ndarray
    pair: np.ndarray
    number: np.ndarray
    expected: np.ndarray
    spread: np.ndarray
    """Each pair's hash, cycle number, expected sales a cycle and their spread."""

    @functools.cached_property
    def previous(self) -> np.ndarray:
        """Demand of the cycle before, which the day's delivery (on its first day) makes up
        (drawn only when asked: whether a product is in stock needs none)."""
        return _demand(self.pair, self.number - 1, self.expected, self.spread)


@per_catalog
def model(settings: Settings) -> Stock:
    """The stock model of the run's stores and products."""
    store_table, products = stores_.of_run(settings), products_.of_run(settings)
    drawn = shelf_.shelf(curves(settings), products, products_.weights(settings))
    restocking = supply.load(settings.retail.data_dir).restocking
    row = restocking.of(products["category"].to_pylist())
    traffic = stores_.traffic(store_table, stores_.weights(settings))
    store_id = store_table["store_id"].to_numpy().astype(np.uint64)
    return Stock(
        store_key=mix(store_id ^ seed_key(settings.seed)),
        store_factor=traffic / traffic.mean() if traffic.sum() > 0 else np.ones(len(traffic)),
        product_key=text_keys(settings.seed, products["sku"].to_pylist()),
        daily=restocking.units_per_day[row] * drawn.share,
        cycle=restocking.cycle_days[row],
        cover=restocking.cover[row],
        spread=restocking.spread[row],
        drawn=drawn,
    )


def cycles(stock: Stock, store: np.ndarray, product: np.ndarray, day: np.ndarray) -> Cycle:
    """Where each (store row, product row) pair stands on its day (days since the epoch)."""
    pair = mix(stock.store_key[store] ^ stock.product_key[product])
    cycle_days = stock.cycle[product]
    shifted = day + (pair % cycle_days.astype(np.uint64)).astype(np.int64)
    number = shifted // cycle_days
    expected = stock.daily[product] * stock.store_factor[store] * cycle_days
    spread = stock.spread[product]
    return Cycle(
        day_in_cycle=shifted % cycle_days,
        level=np.maximum(np.ceil(stock.cover[product] * expected), 1).astype(np.int64),
        demand=_demand(pair, number, expected, spread),
        cycle_days=cycle_days,
        pair=pair,
        number=number,
        expected=expected,
        spread=spread,
    )


def _demand(
    pair: np.ndarray, number: np.ndarray, expected: np.ndarray, spread: np.ndarray
) -> np.ndarray:
    """Units wanted in cycle ``number`` of each pair: ``expected`` times a log-normal factor of
    mean 1, rounded down or up at random (so the mean stays ``expected``)."""
    key = mix(pair ^ (number.astype(np.uint64) * STEP))
    z = NORMAL[(key >> np.uint64(52)).astype(np.int64)]
    rounding = (mix(key) >> np.uint64(11)).astype(np.float64) / 2.0**53
    factor = np.exp(spread * z - spread**2 / 2)
    return np.floor(expected * factor + rounding).astype(np.int64)


def sold_before(cycle: Cycle) -> np.ndarray:
    """Units sold in the cycle before each pair's day."""
    return np.minimum(cycle.level, cycle.demand * cycle.day_in_cycle // cycle.cycle_days)


def in_stock(stock: Stock, store: np.ndarray, product: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Whether each store (row) has the product (row) on the shelf on its day."""
    cycle = cycles(stock, store, product, day)
    return sold_before(cycle) < cycle.level


class Day(NamedTuple):
    """The stock of pairs on one day: opening + deliveries - sales = closing."""

    opening: np.ndarray
    deliveries: np.ndarray
    sales: np.ndarray
    lost_sales: np.ndarray
    """Units wanted while the shelf was empty."""
    closing: np.ndarray


def day_stock(cycle: Cycle) -> Day:
    """The stock of each pair on its day."""
    before = sold_before(cycle)
    wanted = cycle.demand * (cycle.day_in_cycle + 1) // cycle.cycle_days
    through = np.minimum(cycle.level, wanted)
    first = cycle.day_in_cycle == 0
    deliveries = np.where(first, np.minimum(cycle.level, cycle.previous), 0)
    sales = through - before
    wanted_today = wanted - cycle.demand * cycle.day_in_cycle // cycle.cycle_days
    return Day(
        opening=cycle.level - before - deliveries,
        deliveries=deliveries,
        sales=sales,
        lost_sales=wanted_today - sales,
        closing=cycle.level - through,
    )


class Shelves(NamedTuple):
    """Every (store, product on sale) pair of one day, in store then product order, and its
    stock."""

    store: np.ndarray
    product: np.ndarray
    stock: Day


@per_catalog
def of_day(settings: Settings, day: int) -> Shelves:
    """The stock of every store and product on sale on ``day`` (days since the epoch)."""
    found = model(settings)
    selling = np.flatnonzero(shelf_.on_sale(found.drawn, np.arange(len(found.product_key)), day))
    store = np.repeat(np.arange(len(found.store_key)), len(selling))
    product = np.tile(selling, len(found.store_key))
    days = np.full(len(store), day, np.int64)
    return Shelves(store, product, day_stock(cycles(found, store, product, days)))
