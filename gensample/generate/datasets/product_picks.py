"""What each product of the catalog is: its item, variant, pack and brand, and its vehicle.

About ``OWN_SHARE`` of the products are the own brand's line (Quillmark, made by the retailer's
own manufacturer): every process item (oils, greases, coolants, fluids) in each variant and
pack, every discrete item (filters) in each size, in an order shuffled once per seed. The rest
are competing brands' products: an item drawn by its share, then the item's next choice of
variant, pack and brand (a brand selling the item's category), in an order shuffled once per
seed. So no two products are the same choice while their item has others left. An item that
fits particular vehicles (wipers, brake pads) then makes its choices again for other vehicles;
any other item with no choice left passes the product on to another item, drawn again.

Every draw is made per product in order, so a bigger catalog holds every product of a smaller
one unchanged.
"""

import itertools
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from gensample.generate.emails import ranks
from gensample.reference import catalog as catalog_data

OWN_SHARE = 0.3
"""Share of the catalog's slots the own line takes, until every own product is in it."""
REDRAWS = 8
"""Times a competing product draws another item when its item has no choice left, before it
repeats one."""

Draw = Callable[[str], np.random.Generator]
"""The stream of one product attribute, by its purpose."""


class Picks(NamedTuple):
    """What each product is (indices into the catalog files), and a number naming the vehicle
    a fitted product fits (taken modulo the vehicles)."""

    item: np.ndarray
    variant: np.ndarray
    pack: np.ndarray
    brand: np.ndarray
    vehicle: np.ndarray


def picks(draw: Draw, count: int, data: catalog_data.CatalogData) -> Picks:
    """The first ``count`` products of the catalog."""
    own_grid = own_products(draw, data)
    own = draw("own_brand").random(count) < OWN_SHARE
    slot = np.cumsum(own) - 1
    own &= slot < len(own_grid)
    choices, sizes = _choices(draw, data)
    item = _items(draw, data, own, sizes)
    nth = ranks(item, ~own)  # the competing products before it of its item
    row = np.cumsum(sizes)[item] - sizes[item] + nth % sizes[item]
    picked = np.column_stack([item, choices[row]])
    # a fitted product made again fits the next vehicle after its choice's first
    vehicle = draw("fit_choice").integers(0, 1 << 30, len(choices))[row] + nth // sizes[item]
    if len(own_grid):
        own_rows = own_grid[np.where(own, slot, 0)]
        own_rows = np.column_stack([own_rows, own_lines(data)[own_rows[:, 0]]])
        picked = np.where(own[:, None], own_rows, picked)
        vehicle = np.where(own, draw("fit").integers(0, 1 << 30, count), vehicle)
    return Picks(*picked.T, vehicle)


def own_products(draw: Draw, data: catalog_data.CatalogData) -> np.ndarray:
    """Every own-line product as (item, variant, pack) rows, in a shuffled order per seed."""
    grid = [
        (i, v, p)
        for i, item in enumerate(data.items)
        if item.own_tier
        for v in range(max(len(item.variants), 1))
        for p in range(len(item.packs))
    ]
    rows = np.array(grid, np.int64).reshape(-1, 3)
    return rows[draw("own_order").permutation(len(rows))]


def own_lines(data: catalog_data.CatalogData) -> np.ndarray:
    """The own brand (index) of each item's own tier, -1 for a resale item."""
    index = {brand.name: b for b, brand in enumerate(data.brands)}
    lines = [data.own_line(item.own_tier) if item.own_tier else None for item in data.items]
    return np.array([index[line.name] if line else -1 for line in lines], np.int64)


def _choices(draw: Draw, data: catalog_data.CatalogData) -> tuple[np.ndarray, np.ndarray]:
    """Every competing (variant, pack, brand) of every item, item by item, each item's in a
    shuffled order (a brand of the item's category, else the item's own line), and how many
    each item has."""
    index = {brand.name: b for b, brand in enumerate(data.brands)}
    own_line = own_lines(data)
    grids = []
    for i, entry in enumerate(data.items):
        brands = [index[b.name] for b in data.sellers(entry.category)] or [own_line[i]]
        variants, packs = range(max(len(entry.variants), 1)), range(len(entry.packs))
        grids.append(np.array(list(itertools.product([i], variants, packs, brands)), np.int64))
    cells = np.concatenate(grids)
    cells = cells[np.lexsort((draw("choice").random(len(cells)), cells[:, 0]))]
    return cells[:, 1:], np.array([len(grid) for grid in grids])


def _items(
    draw: Draw, data: catalog_data.CatalogData, own: np.ndarray, sizes: np.ndarray
) -> np.ndarray:
    """The item of each product (of the competing ones: not ``own``), drawn by the items'
    shares; an item that fits no vehicles and has made all its ``sizes`` choices passes the
    product on to the next draw (up to ``REDRAWS`` of them)."""
    shares = np.array([item.share for item in data.items])
    purposes = ["item", *(f"item_again_{n}" for n in range(1, REDRAWS + 1))]
    drawn = np.stack(
        [draw(p).choice(len(shares), len(own), p=shares / shares.sum()) for p in purposes]
    )
    item = drawn[0].copy()
    left = np.where([entry.fits for entry in data.items], np.inf, sizes)
    for product in np.flatnonzero(~own & (left[drawn[0]] < len(own))).tolist():
        tries = drawn[:, product].tolist()
        item[product] = next((i for i in tries if left[i] >= 1), tries[-1])
        left[item[product]] -= 1
    return item
