"""What the basket lines read from the run's kits and promotions (``offers``), worked out once
per run: the promotions of a product and their terms, the kits' recipes and items, each
product's price in cents and whether it is an oil filter.
"""

import functools
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.corruptions.arrays import current_index
from gensample.generate.datasets import bundles as bundles_
from gensample.generate.datasets import products as products_
from gensample.generate.datasets import promotions as promotions_
from gensample.generate.datasets.stock import per_catalog
from gensample.reference import deals
from gensample.reference.search import Sorted
from gensample.settings import Settings

FILTERS = "oil filters"
"""The category a lube_with_filter promotion wants in the basket."""


class Promoted(NamedTuple):
    """The promotions of a product (``Tables.priced``) as lines read them, one entry each:
    the product (row of products), the first and last day, the last day of word of mouth, the
    lift inside and after the window, the terms (the kind's index in ``deals.KINDS``, percent
    off, units a deal counts in (bought and free), free units) and the promotion's id."""

    product: np.ndarray
    start: np.ndarray
    end: np.ndarray
    after: np.ndarray
    lift: np.ndarray
    code: np.ndarray
    percent: np.ndarray
    group: np.ndarray
    free: np.ndarray
    promotion_id: np.ndarray


class KitPromotions(NamedTuple):
    """The promotions of a kit at a lower price (``Tables.bundle_price``) as kit baskets read
    them: their first days (ascending, as the promotions come) to search, their last days,
    their kits (id - 1), the percent off the kit's list price they give on top of the kit's
    own discount, and their ids."""

    start: Sorted
    end: np.ndarray
    kit: np.ndarray
    percent: float
    promotion_id: np.ndarray


class KitItems(NamedTuple):
    """The kits' items as lines read them: each item's kit (id - 1), product (row of
    products), quantity and discount (cents); each kit's number of items and its first."""

    kit: np.ndarray
    product: np.ndarray
    quantity: np.ndarray
    cents: np.ndarray
    items: np.ndarray
    first_item: np.ndarray


@dataclass(frozen=True)
class Tables:
    """The reference tables deals come from, with the deal files; what the lines read from
    them is worked out once (every block of a run gets the same ``Tables``: ``of_run``)."""

    products: pa.Table
    bundles: pa.Table
    promotions: pa.Table
    deals: deals.Deals

    @functools.cached_property
    def kinds(self) -> dict[str, deals.Kind]:
        """The promotion kinds by name."""
        return {k.name: k for k in self.deals.kinds}

    @functools.cached_property
    def priced(self) -> pa.Table:
        """The promotions of a product (not of a kit)."""
        return self.promotions.filter(pc.is_valid(self.promotions["sku"]))

    @functools.cached_property
    def promoted(self) -> Promoted:
        """``priced`` as lines read it."""
        promotions = self.priced
        kind = [self.kinds[k] for k in promotions["kind"].to_pylist()]
        end = _days(promotions["ends_on"])
        return Promoted(
            product=current_index(promotions["sku"], self.products["sku"]),
            start=_days(promotions["starts_on"]),
            end=end,
            after=end + np.array([k.after_days for k in kind]),
            lift=np.array([[k.lift, k.after_lift] for k in kind]),
            code=np.array([deals.KINDS.index(k.name) for k in kind]),
            percent=np.array([k.percent_off for k in kind]),
            group=np.array([max(k.buy + k.free, 1) for k in kind]),
            free=np.array([k.free for k in kind]),
            promotion_id=promotions["promotion_id"].to_numpy(),
        )

    @functools.cached_property
    def bundle_price(self) -> KitPromotions:
        """The promotions of a kit at a lower price, as kit baskets read them."""
        promotions = self.promotions.filter(pc.equal(self.promotions["kind"], "bundle_price"))
        kind = self.kinds.get("bundle_price")
        return KitPromotions(
            start=Sorted(_days(promotions["starts_on"])),
            end=_days(promotions["ends_on"]),
            kit=promotions["bundle_id"].to_numpy() - 1,
            percent=kind.percent_off if kind else 0.0,
            promotion_id=promotions["promotion_id"].to_numpy(),
        )

    @functools.cached_property
    def kit_recipe(self) -> np.ndarray:
        """The recipe of each kit id - 1, read from the kit's name."""
        first = self.bundles.filter(pc.equal(self.bundles["line_number"], 1))
        names = [name.split(" (")[0] for name in first["bundle_name"].to_pylist()]
        known = [r.name for r in self.deals.recipes]
        return np.array([known.index(n) if n in known else -1 for n in names], np.int64)

    @functools.cached_property
    def kit_items(self) -> KitItems:
        """The kits' items as lines read them."""
        bundles = self.bundles
        item_kit = bundles["bundle_id"].to_numpy() - 1
        items = np.bincount(item_kit, minlength=int(item_kit.max()) + 1)
        cents = np.round(bundles["item_discount"].cast(pa.float64()).to_numpy() * 100)
        return KitItems(
            kit=item_kit,
            product=current_index(bundles["sku"], self.products["sku"]),
            quantity=bundles["quantity"].to_numpy(),
            cents=cents.astype(np.int64),
            items=items,
            first_item=np.cumsum(items) - items,
        )

    @functools.cached_property
    def cents(self) -> np.ndarray:
        """Each product's price in cents."""
        cents = np.round(self.products["price"].cast(pa.float64()).to_numpy() * 100)
        return cents.astype(np.int64)

    @functools.cached_property
    def filters(self) -> np.ndarray:
        """Whether each product is an oil filter (what a lube_with_filter deal asks for)."""
        return pc.equal(self.products["category"], FILTERS).to_numpy(zero_copy_only=False)


@per_catalog
def of_run(settings: Settings) -> Tables:
    """The run's deal tables: its products, kits and promotions, and the deal files."""
    return Tables(
        products_.of_run(settings),
        bundles_.of_run(settings),
        promotions_.of_run(settings),
        deals.load(settings.retail.data_dir),
    )


def _days(dates: pa.ChunkedArray) -> np.ndarray:
    """``dates`` as days since the epoch."""
    return dates.cast(pa.int32()).to_numpy().astype(np.int64)
