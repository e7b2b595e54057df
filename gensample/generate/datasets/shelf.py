"""What people buy: products drawn by category curves, basket affinity, price tier and a long
tail of popularity, all vectorised over a block's basket lines.

A line's category is drawn by its month and its store's climate (``categories.csv`` weight x
``seasonality.csv`` x the climate column), or is a companion of its basket's first line
(``affinity.csv``); its price tier by the shopper's archetype; its product, within that
category and tier, by popularity: a ``weight`` column of the products table when it has one,
else a Zipf long tail over each category's products (in SKU order) with the category's ``tail``,
times (price / the category's median price) ** -``price_elasticity``; its quantity by its
category's ``quantities.csv`` in its packs (``quantities``).
"""

import functools
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.generate.datasets import quantities as quantities_
from gensample.generate.datasets.shoppers import draw_rows, lookups
from gensample.native.search import pick_in_groups
from gensample.native.take import one_array
from gensample.reference import retail
from gensample.reference.search import Sorted

MONTHS = 12
FOREVER = 1 << 40
"""A day number beyond any date: the end of a product never discontinued."""
REDRAWS = 3
"""Times a line whose product is not on sale that day is drawn again in its category and tier,
before it takes its category's steadiest product."""


@dataclass(frozen=True)
class Shelf:
    """A products table made ready for drawing lines from it."""

    categories: int
    tiers: int
    """Tiers of the curves, plus one for products of no known tier."""
    climates: int
    order: np.ndarray
    """Products sorted by (category, tier) group."""
    cumulative: np.ndarray
    """Running popularity over ``order``, starting at 0."""
    group_start: np.ndarray
    """Where each (category, tier) group starts in ``order``, and the end."""
    category_lookup: np.ndarray
    """(month x climate, category) lookup table (``shoppers.lookups``)."""
    affinity_lookup: np.ndarray
    """(category, companion or none) lookup table (``shoppers.lookups``)."""
    tier_lookup: np.ndarray
    """(archetype x category, tier) lookup table (``shoppers.lookups``)."""
    introduced: np.ndarray
    """First day (days since the epoch) each product sells."""
    discontinued: np.ndarray
    """First day each product no longer sells (far in the future when never)."""
    steady: np.ndarray
    """Per category, its product sold longest (first introduced, never discontinued)."""
    category: np.ndarray
    """Each product's category (index among the shelf's categories)."""
    group: np.ndarray
    """Each product's (category, tier) group: category x tiers + tier."""
    share: np.ndarray
    """Each product's share of its category's sales."""
    quantities: quantities_.Quantities
    """How many of each product a line buys."""

    @functools.cached_property
    def sorted_cumulative(self) -> Sorted:
        """``cumulative``, for searching."""
        return Sorted(self.cumulative)


def shelf(curves: retail.Retail, products: pa.Table, weights: np.ndarray | None = None) -> Shelf:
    """The drawing tables of ``products`` under ``curves`` (``weights``: each product's share
    of sales, else a long tail per category)."""
    encoded = one_array(products["category"]).dictionary_encode()
    category = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    known = pc.index_in(encoded.dictionary, value_set=pa.array(curves.categories))
    known = known.fill_null(-1).to_numpy()
    tiers = len(curves.tiers) + 1
    tier = _tiers(curves, products)
    group = category * tiers + tier
    order = np.argsort(group, kind="stable")
    popularity = _popularity(curves, products, category, known) if weights is None else weights
    groups = len(known) * tiers
    present = np.bincount(group, minlength=groups).reshape(len(known), tiers) > 0
    return Shelf(
        categories=len(known),
        tiers=tiers,
        climates=len(curves.climates),
        order=order,
        cumulative=np.concatenate([[0.0], np.cumsum(popularity[order])]),
        group_start=np.searchsorted(group[order], np.arange(groups + 1)),
        category_lookup=_category_lookup(curves, np.bincount(category, popularity), known),
        affinity_lookup=_affinity_lookup(curves, known),
        tier_lookup=_tier_lookup(curves, present),
        category=category,
        group=group,
        share=popularity / np.bincount(category, popularity)[category],
        quantities=quantities_.of(curves, products, category, encoded.dictionary),
        **_lifecycles(products, category, len(known)),
    )


def _lifecycles(products: pa.Table, category: np.ndarray, categories: int) -> dict:
    """The ``introduced``, ``discontinued`` and ``steady`` fields of a shelf: a products table
    without lifecycle columns sells everything always."""
    n = products.num_rows
    introduced, discontinued = np.full(n, -FOREVER), np.full(n, FOREVER)
    if "introduced_on" in products.column_names:
        column = products["introduced_on"].cast(pa.int32()).cast(pa.int64())
        introduced = column.fill_null(-FOREVER).to_numpy()
    if "discontinued_on" in products.column_names:
        column = products["discontinued_on"].cast(pa.int32()).cast(pa.int64())
        discontinued = column.fill_null(FOREVER).to_numpy()
    # the steadiest product of a category: never discontinued, introduced first
    key = np.lexsort((introduced, discontinued < FOREVER, category))
    first = np.searchsorted(category[key], np.arange(categories))
    return {
        "introduced": introduced,
        "discontinued": discontinued,
        "steady": key[np.minimum(first, n - 1)],
    }


def _tiers(curves: retail.Retail, products: pa.Table) -> np.ndarray:
    """Each product's tier index; the extra last one for a product of no known tier."""
    if "tier" not in products.column_names:
        return np.full(products.num_rows, len(curves.tiers), np.int64)
    index = pc.index_in(products["tier"], value_set=pa.array(curves.tiers))
    return index.fill_null(len(curves.tiers)).to_numpy().astype(np.int64)


def _popularity(
    curves: retail.Retail, products: pa.Table, category: np.ndarray, known: np.ndarray
) -> np.ndarray:
    """Each product's share of sales: its category's weight spread over a Zipf long tail,
    cheaper products selling more (a category unknown to the curves sells like the least
    popular known one)."""
    by_category = np.argsort(category, kind="stable")
    counts = np.bincount(category, minlength=len(known))
    rank = np.empty(len(category), np.int64)
    rank[by_category] = np.arange(len(category)) - np.repeat(np.cumsum(counts) - counts, counts)
    least = curves.category_weight.min()
    tail = np.where(known >= 0, curves.tail[known], 1.0)[category]
    elasticity = np.where(known >= 0, curves.price_elasticity[known], 1.0)[category]
    weight = np.where(known >= 0, curves.category_weight[known], least)
    price = products["price"].cast(pa.float64()).to_numpy()
    typical = np.array([np.median(price[category == c]) for c in range(len(known))])
    raw = (rank + 1.0) ** -tail * (price / typical[category]) ** -elasticity
    return raw / np.bincount(category, raw, len(known))[category] * weight[category]


def _category_lookup(curves: retail.Retail, base: np.ndarray, known: np.ndarray) -> np.ndarray:
    """(month x climate, category) draws by base x seasonality x climate factor."""
    ones = known < 0
    index = np.maximum(known, 0)
    season = np.where(ones[:, None], 1.0, curves.seasonality[index])  # (category, month)
    regional = np.where(ones[:, None], 1.0, curves.regional[index])  # (category, climate)
    weights = base[None, None, :] * season.T[:, None, :] * regional.T[None, :, :]
    return lookups(weights.reshape(MONTHS * len(curves.climates), len(known)))


def _affinity_lookup(curves: retail.Retail, known: np.ndarray) -> np.ndarray:
    """(category, companion) chances among the catalog's categories, and none last."""
    index = np.maximum(known, 0)
    both = (known >= 0)[:, None] & (known >= 0)[None, :]
    chances = np.where(both, curves.affinity[index][:, index], 0.0)
    none = np.clip(1 - chances.sum(axis=1, keepdims=True), 0, 1)
    return lookups(np.hstack([chances, none]))


def _tier_lookup(curves: retail.Retail, present: np.ndarray) -> np.ndarray:
    """(archetype x category, tier) draws over the tiers a category has; a
    product of no known tier is liked as much as an archetype's average tier."""
    liking = curves.archetype_tiers
    liking = np.hstack([liking, liking.mean(axis=1, keepdims=True)])  # (archetype, tier)
    weights = liking[:, None, :] * present[None, :, :]
    weights = np.where(weights.sum(axis=2, keepdims=True) > 0, weights, present[None, :, :])
    return lookups(weights.reshape(-1, present.shape[1]))


def months(seconds: np.ndarray) -> np.ndarray:
    """The month (0 for January) of each moment: found once per day of the moments' span (the
    calendar's arithmetic is slow), then looked up."""
    days = seconds // 86_400
    if not len(days):
        return days
    first = days.min()
    span = np.arange(first, days.max() + 1).astype("datetime64[D]")
    month = span.astype("datetime64[M]").astype(np.int64) % MONTHS
    return month[days - first]


def choose(
    rng: np.random.Generator,
    drawn: Shelf,
    month: np.ndarray,
    climate: np.ndarray,
    archetype: np.ndarray,
    first_line: np.ndarray,
    day: np.ndarray,
) -> np.ndarray:
    """The product (row of the products table) of each line: ``month``, ``climate``,
    ``archetype`` and ``day`` (days since the epoch) per line, ``first_line`` the line each
    line's basket starts with. Only products on sale that day are chosen (unless a category
    has none at all)."""
    category = draw_rows(rng, drawn.category_lookup, month * drawn.climates + climate)
    companion = draw_rows(rng, drawn.affinity_lookup, category[first_line])
    follows = (first_line != np.arange(len(first_line))) & (companion < drawn.categories)
    category = np.where(follows, companion, category)
    tier = draw_rows(rng, drawn.tier_lookup, archetype * drawn.categories + category)
    group = category * drawn.tiers + tier
    product = in_groups(rng, drawn, group)
    again = np.flatnonzero(~on_sale(drawn, product, day))
    for _ in range(REDRAWS):  # only the lines drawn again may still be off sale
        if not len(again):
            return product
        product[again] = in_groups(rng, drawn, group[again])
        again = again[~on_sale(drawn, product[again], day[again])]
    product[again] = drawn.steady[category[again]]
    return product


def in_groups(rng: np.random.Generator, drawn: Shelf, group: np.ndarray) -> np.ndarray:
    """A product of each (category, tier) ``group``, by popularity (in one compiled pass where
    ``native.search`` can, else as below)."""
    uniform, cumulative = rng.random(len(group)), drawn.sorted_cumulative
    picked = pick_in_groups(
        group, uniform, drawn.group_start, cumulative.values, cumulative.guide, drawn.order
    )
    if picked is not None:
        return picked
    start, stop = drawn.group_start[group], drawn.group_start[group + 1]
    low, high = drawn.cumulative[start], drawn.cumulative[stop]
    position = drawn.sorted_cumulative.right(low + uniform * (high - low)) - 1
    return drawn.order[np.clip(position, start, stop - 1)]


def on_sale(drawn: Shelf, product: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Whether each product sells on its day."""
    return (drawn.introduced[product] <= day) & (day < drawn.discontinued[product])
