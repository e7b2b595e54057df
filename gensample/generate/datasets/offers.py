"""What kits and promotions do to till baskets: kits bought whole, promoted products bought
more in their window (and, by word of mouth, for a while after), and the discounts they give.

A basket buys a kit of a ``bundles.csv`` recipe with the recipe's ``share`` when it has lines
enough and every item is on sale: its first lines become the kit's items. While a
``bundle_price`` promotion runs, kit baskets of its recipe take the promoted kit with chance
1 - 1/lift, and its percent off the items' list price on top of the kit's own discount. Any
other line whose category has a promoted product that day switches to it with
the chance that multiplies the product's sales by the kind's lift (``after_lift`` in the
``after_days`` following the window).
"""

from typing import NamedTuple

import numpy as np

from gensample.generate.datasets.deal_tables import KitItems, Tables
from gensample.generate.datasets.draws import by_odds
from gensample.generate.datasets.shelf import Shelf, on_sale
from gensample.reference import deals


class Lines(NamedTuple):
    """A block's basket lines: product (row of products), quantity, basket, the basket's first
    line, the day (days since the epoch); and the kit, promotion and discount (cents) of each,
    -1 (or 0) for none."""

    product: np.ndarray
    quantity: np.ndarray
    basket: np.ndarray
    first_line: np.ndarray
    day: np.ndarray
    bundle: np.ndarray
    promotion: np.ndarray
    discount: np.ndarray


def apply(rng: np.random.Generator, drawn: Shelf, tables: Tables, lines: Lines) -> Lines:
    """``lines`` after kits and promotions."""
    lines = _kits(rng, drawn, tables, lines)
    return _promoted(rng, drawn, tables, lines)


def _kits(rng: np.random.Generator, drawn: Shelf, tables: Tables, lines: Lines) -> Lines:
    """Baskets that buy a kit: their first lines become its items."""
    recipes = tables.deals.recipes
    if not tables.bundles.num_rows:
        return lines
    kit_recipe = tables.kit_recipe
    starts = np.flatnonzero(lines.first_line == np.arange(len(lines.first_line)))
    size = np.diff(np.append(starts, len(lines.first_line)))
    shares = np.array([r.share for r in recipes])
    recipe = by_odds(rng, np.append(shares, max(0.0, 1 - shares.sum())), len(starts))
    by_recipe = np.argsort(kit_recipe, kind="stable")  # kit ids, recipe by recipe
    count = np.bincount(kit_recipe[kit_recipe >= 0], minlength=len(recipes) + 1)
    count[len(recipes)] = 0  # the "no kit" draw
    first = np.cumsum(count) - count + np.sum(kit_recipe < 0)
    pick = (rng.random(len(starts)) * count[recipe]).astype(np.int64)
    kit = np.where(
        count[recipe] > 0, by_recipe[np.minimum(first[recipe] + pick, len(kit_recipe) - 1)], -1
    )
    kit, deal = _promoted_kits(rng, tables, kit, lines.day[starts])
    lines = _put_kits(drawn, tables.kit_items, lines, starts, size, kit)
    return _kit_deals(tables, lines, starts, deal)


def _promoted_kits(
    rng: np.random.Generator, tables: Tables, kit: np.ndarray, day: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Kit baskets of a recipe under a bundle_price promotion that take the promoted kit, and
    per basket the promotion (index into ``tables.bundle_price``) it bought under, else -1."""
    promotions = tables.bundle_price
    if "bundle_price" not in tables.kinds or not len(promotions.kit):
        return kit, np.full(len(kit), -1)
    active = promotions.start.right(day) - 1  # the latest started
    running = (active >= 0) & (day <= promotions.end[np.maximum(active, 0)])
    target = promotions.kit[np.maximum(active, 0)]
    kit_recipe = tables.kit_recipe
    same = running & (kit >= 0) & (kit_recipe[np.maximum(kit, 0)] == kit_recipe[target])
    take = same & (rng.random(len(kit)) < 1 - 1 / max(tables.kinds["bundle_price"].lift, 1))
    return np.where(take, target, kit), np.where(take, active, -1)


def _kit_deals(tables: Tables, lines: Lines, starts: np.ndarray, deal: np.ndarray) -> Lines:
    """The lines of kits bought under a bundle_price promotion: its id, and its percent off
    their list price added to the kit's own discount (never past the line's price)."""
    promotions = tables.bundle_price
    on_deal = np.flatnonzero(deal >= 0)
    bought = np.zeros(len(lines.basket), bool)  # the baskets' kit lines bought under a deal
    bought[starts[on_deal]] = True
    row = np.flatnonzero(bought[lines.first_line] & (lines.bundle >= 0))
    if not len(row):
        return lines
    which = deal[np.searchsorted(starts, lines.first_line[row])]
    price = lines.quantity[row] * tables.cents[lines.product[row]]
    extra = np.round(price * promotions.percent / 100).astype(np.int64)
    return lines._replace(
        promotion=_put(lines.promotion, row, promotions.promotion_id[which]),
        discount=_put(lines.discount, row, np.minimum(lines.discount[row] + extra, price)),
    )


def _put_kits(
    drawn: Shelf,
    kits: KitItems,
    lines: Lines,
    starts: np.ndarray,
    size: np.ndarray,
    kit: np.ndarray,
) -> Lines:
    """The kits' items on the first lines of their baskets (when they fit and are on sale)."""
    has = (kit >= 0) & (size >= kits.items[np.maximum(kit, 0)])
    basket, kit = np.flatnonzero(has), kit[has]
    count = kits.items[kit]
    offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    item = np.repeat(kits.first_item[kit], count) + offset
    line = np.repeat(starts[basket], count) + offset
    product = kits.product
    sells = on_sale(drawn, product[item], lines.day[line]) & (product[item] >= 0)
    whole = np.repeat(np.add.reduceat(sells, np.cumsum(count) - count) == count, count)
    item, line = item[whole], line[whole]
    return lines._replace(
        product=_put(lines.product, line, product[item]),
        quantity=_put(lines.quantity, line, kits.quantity[item]),
        bundle=_put(lines.bundle, line, kits.kit[item]),
        discount=_put(lines.discount, line, kits.cents[item]),
    )


def _put(values: np.ndarray, at: np.ndarray, new: np.ndarray) -> np.ndarray:
    """A copy of ``values`` with ``new`` at positions ``at``."""
    values = values.copy()
    values[at] = new
    return values


def _promoted(rng: np.random.Generator, drawn: Shelf, tables: Tables, lines: Lines) -> Lines:
    """Lines switched to promoted products, and the promotions' discounts."""
    if not tables.priced.num_rows or not len(lines.product):
        return lines
    deal = tables.promoted
    product = deal.product
    first, last = int(lines.day.min()), int(lines.day.max())
    running, talked = _calendar(drawn, product, deal.start, deal.end, deal.after, first, last)
    cell = (lines.day - first) * drawn.categories + drawn.category[lines.product]
    inside = running.ravel()[cell]  # (day, category) read flat: one index for both tables
    promo = np.where(inside >= 0, inside, talked.ravel()[cell])
    draw = rng.random(len(promo))
    row = np.flatnonzero((lines.bundle < 0) & (promo >= 0))  # lines a promotion may switch
    share = drawn.share[product]
    chance = np.clip((share / np.maximum(1 - share, 1e-9))[:, None] * (deal.lift - 1), 0, 1)
    promo, phase = promo[row], (inside[row] < 0).astype(np.int64)
    switched = draw[row] < chance[promo, phase]
    switched &= on_sale(drawn, product[promo], lines.day[row])
    switch = np.zeros(len(draw), bool)
    switch[row] = switched
    lines = lines._replace(product=_put(lines.product, row[switched], product[promo[switched]]))
    return _discounts(tables, lines, inside, switch)


def _calendar(
    drawn: Shelf,
    product: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    after: np.ndarray,
    first: int,
    last: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(day - ``first``, category) -> the promotion running then (the latest started), and
    the one whose word of mouth still carries; -1 for none."""
    running = np.full((last - first + 1, drawn.categories), -1, np.int64)
    talked = running.copy()
    near = np.flatnonzero((product >= 0) & (start <= last) & (after >= first))
    for p in near:  # promotions in start order, a few hundred in five years
        category = drawn.category[product[p]]
        running[max(start[p] - first, 0) : max(end[p] - first + 1, 0), category] = p
        talked[max(end[p] + 1 - first, 0) : max(after[p] - first + 1, 0), category] = p
    return running, talked


def _discounts(tables: Tables, lines: Lines, inside: np.ndarray, switch: np.ndarray) -> Lines:
    """The promotion and discount of lines of a product promoted that day: percent off,
    units free for a buy_x_get_y (a switched line takes the deal's quantity), percent off a
    lubricant in a basket holding an oil filter."""
    deal = tables.promoted
    row = np.flatnonzero(inside >= 0)  # lines of a category with a promotion that day
    p = inside[row]
    promoted = (lines.bundle[row] < 0) & (lines.product[row] == deal.product[p])
    row, p = row[promoted], p[promoted]  # only these few lines may get a discount
    cents = tables.cents[lines.product[row]]
    code, percent, group, free = deal.code[p], deal.percent[p], deal.group[p], deal.free[p]
    percent_off, buying, lube_with_filter = (
        code == deals.KINDS.index(name)
        for name in ("percent_off", "buy_x_get_y", "lube_with_filter")
    )
    bought = lines.quantity[row]
    quantity = np.where(buying & switch[row], np.maximum(bought, group), bought)
    by_percent = np.round(quantity * cents * percent / 100).astype(np.int64)
    by_free = quantity // group * free * cents
    with_filter = _baskets_with(tables.filters, lines)[lines.basket[row]]
    discount = np.select(
        [percent_off, buying, lube_with_filter & with_filter],
        [by_percent, by_free, by_percent],
        0,
    )
    applied = discount > 0
    promotion_id = deal.promotion_id[p]
    return lines._replace(
        quantity=_put(lines.quantity, row, quantity),
        promotion=_put(lines.promotion, row[applied], promotion_id[applied]),
        discount=_put(lines.discount, row[applied], discount[applied]),
    )


def _baskets_with(of: np.ndarray, lines: Lines) -> np.ndarray:
    """Whether each basket holds a line of a product ``of`` marks."""
    return np.bincount(lines.basket, of[lines.product], minlength=lines.basket.max() + 1) > 0
