"""Kits and promotions as data: ``bundles.csv`` and ``promotions.csv`` of ``data/retail``
(each replaceable from ``retail.data_dir``, like the curves).

- ``bundles.csv``: kit recipes: how many kits of each (``kits``), the share of till baskets
  that buy one (``share``), the kit's discount on its items' prices, and its components as
  ``category|words in the product name|quantity`` separated by ';';
- ``promotions.csv``: per kind of promotion (``percent_off``, ``buy_x_get_y``,
  ``lube_with_filter``, ``bundle_price``): how many start each month, how many days each
  runs, its terms (percent off; buy ``buy`` get ``free``), the lift of its item's sales while
  it runs, and the word-of-mouth lift for ``after_days`` after it.
"""

import functools
from dataclasses import dataclass

from gensample.reference import retail, retail_files, stamps

KINDS = ("percent_off", "buy_x_get_y", "lube_with_filter", "bundle_price")


@dataclass(frozen=True)
class Component:
    """One part of a kit recipe: a product of ``category`` whose name holds ``words``."""

    category: str
    words: str
    quantity: int


@dataclass(frozen=True)
class Recipe:
    """One row of bundles.csv."""

    name: str
    kits: int
    share: float
    discount: float
    components: tuple[Component, ...]


@dataclass(frozen=True)
class Kind:
    """One row of promotions.csv."""

    name: str
    per_month: int
    days: int
    percent_off: float
    buy: int
    free: int
    lift: float
    after_days: int
    after_lift: float


@dataclass(frozen=True, eq=False)
class Deals:
    """Kit recipes and promotion kinds."""

    recipes: tuple[Recipe, ...]
    kinds: tuple[Kind, ...]


@stamps.kept_while_unchanged
@functools.lru_cache(maxsize=4)
def load(data_dir: str = "") -> Deals:
    """The deal files: each from ``data_dir`` when it holds it, else the packaged one."""
    curves = retail.load(data_dir)
    recipes = retail_files.read_rows(data_dir, "bundles.csv")
    kinds = retail_files.read_rows(data_dir, "promotions.csv")
    deals = Deals(
        tuple(_recipe(row, curves) for row in recipes), tuple(_kind(row) for row in kinds)
    )
    retail_files.unique(recipes, "bundle", tuple(recipe.name for recipe in deals.recipes))
    retail_files.unique(kinds, "kind", tuple(kind.name for kind in deals.kinds))
    if sum(recipe.share for recipe in deals.recipes) > 1:
        raise recipes[0].fail("share", "shares of baskets adding up to at most 1")
    return deals


def _recipe(row: retail_files.Row, curves: retail.Retail) -> Recipe:
    """One row of bundles.csv."""
    components = []
    for part in row.text("components").split(";"):
        category, words, quantity = ([*part.split("|"), "", ""])[:3]
        if category.strip() not in curves.categories or not quantity.strip().isdigit():
            raise row.fail("components", "category|words|quantity parts separated by ';'")
        components.append(Component(category.strip(), words.strip(), int(quantity)))
    return Recipe(
        name=row.text("bundle"),
        kits=row.whole("kits", 1, 10_000),
        share=row.number("share"),
        discount=_fraction(row, "discount"),
        components=tuple(components),
    )


def _fraction(row: retail_files.Row, column: str) -> float:
    """A number from 0 to 1 (below 1)."""
    value = row.number(column)
    if value >= 1:
        raise row.fail(column, "a number from 0 to below 1")
    return value


def _kind(row: retail_files.Row) -> Kind:
    """One row of promotions.csv."""
    return Kind(
        name=KINDS[row.choice("kind", KINDS)],
        per_month=row.whole("per_month", 0, 1000),
        days=row.whole("days", 1, 366),
        percent_off=row.whole("percent_off", 0, 99),
        buy=row.whole("buy", 0, 100),
        free=row.whole("free", 0, 100),
        lift=row.number("lift"),
        after_days=row.whole("after_days", 0, 366),
        after_lift=row.number("after_lift"),
    )
