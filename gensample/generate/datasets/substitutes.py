"""What a shopper buys when the store has none of the product on the shelf that day
(``stock``): a substitute of the same category, in the same price tier when one is there, else
in the next tier down or up; the stockout's lost sale is in ``inventory.lost_sales``. A kit
item or promoted product that is out of stock is replaced at its full price (no kit, no
promotion on that line)."""

import numpy as np

from gensample.generate.datasets import offers, shelf, stock

DRAWS = 3
"""Times a substitute is drawn by popularity in each tier tried."""
TIER_STEPS = (0, -1, 1)
"""Tiers tried, from the missing product's: the same, the next cheaper, the next dearer."""


def replace_missing(
    rng: np.random.Generator, found: stock.Stock, store: np.ndarray, lines: offers.Lines
) -> offers.Lines:
    """``lines`` (``store``: each line's store row) with every product out of stock at its
    store that day replaced by a substitute."""
    missing = np.flatnonzero(~_available(found, store, lines.product, lines.day))
    if not len(missing):
        return lines
    product, bundle, promotion = lines.product.copy(), lines.bundle.copy(), lines.promotion.copy()
    discount = lines.discount.copy()
    product[missing] = substitutes(rng, found, store[missing], product[missing], lines.day[missing])
    bundle[missing], promotion[missing], discount[missing] = -1, -1, 0
    return lines._replace(product=product, bundle=bundle, promotion=promotion, discount=discount)


def substitutes(
    rng: np.random.Generator,
    found: stock.Stock,
    store: np.ndarray,
    product: np.ndarray,
    day: np.ndarray,
) -> np.ndarray:
    """A product in stock of the category of each ``product`` (missing at its ``store`` on its
    ``day``), by popularity: the same tier first, then the neighbouring ones."""
    drawn = found.drawn
    group = drawn.group[product]
    tier = group % drawn.tiers
    chosen = np.full(len(product), -1, np.int64)
    for step in TIER_STEPS:
        near = np.flatnonzero((chosen < 0) & (tier + step >= 0) & (tier + step < drawn.tiers))
        near = near[
            drawn.group_start[group[near] + step + 1] > drawn.group_start[group[near] + step]
        ]
        for _ in range(DRAWS):
            picked = shelf.in_groups(rng, drawn, group[near] + step)
            ok = _available(found, store[near], picked, day[near])
            chosen[near[ok]] = picked[ok]
            near = near[~ok]
    left = np.flatnonzero(chosen < 0)
    if len(left):
        by_share = np.argsort(-drawn.share, kind="stable")
        chosen[left] = [
            _first_available(found, by_share, *at)
            for at in zip(store[left], product[left], day[left], strict=True)
        ]
    return chosen


def _available(
    found: stock.Stock, store: np.ndarray, product: np.ndarray, day: np.ndarray
) -> np.ndarray:
    """Whether each product is on sale and on its store's shelf on its day."""
    return shelf.on_sale(found.drawn, product, day) & stock.in_stock(found, store, product, day)


def _first_available(
    found: stock.Stock, everything: np.ndarray, store: int, product: int, day: int
) -> int:
    """The most popular product available at the store that day (``everything``: the products
    by share, the most sold first): of the category of ``product`` when it has one, else of the
    whole catalog (rarely needed: a few lines a block)."""
    drawn = found.drawn
    ranked = np.concatenate(
        [everything[drawn.category[everything] == drawn.category[product]], everything]
    )
    ok = _available(found, np.full(len(ranked), store), ranked, np.full(len(ranked), day))
    return int(ranked[np.argmax(ok)]) if ok.any() else product
