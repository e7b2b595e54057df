"""Kits and promotions: the bundles and promotions reference datasets."""

import datetime as dt
from collections import Counter

import pytest
from conftest import DAY

from gensample.generate.datasets import bundles, promotions
from gensample.generate.pipeline import reference_tables
from gensample.reference import deals
from gensample.settings import Settings


@pytest.fixture(scope="module")
def tables():
    """The default run's reference tables."""
    return {name: made.data for name, made in reference_tables(Settings(), DAY).items()}


@pytest.mark.parametrize("module", [bundles, promotions])
def test_schema_and_descriptions(tables, module):
    assert tables[module.NAME].schema == module.SCHEMA
    assert list(module.DESCRIPTIONS) == module.SCHEMA.names


def test_every_recipe_makes_its_kits_of_items_on_sale_throughout(tables):
    products = {row["sku"]: row for row in tables["products"].to_pylist()}
    kits: dict[int, list[dict]] = {}
    for row in tables["bundles"].to_pylist():
        kits.setdefault(row["bundle_id"], []).append(row)
    recipes = deals.load().recipes
    assert len(kits) == sum(recipe.kits for recipe in recipes)
    for items in kits.values():
        recipe = next(r for r in recipes if items[0]["bundle_name"].startswith(r.name))
        assert [row["line_number"] for row in items] == list(range(1, len(items) + 1))
        full = sum(row["quantity"] * products[row["sku"]]["price"] for row in items)
        assert items[0]["bundle_price"] == full - sum(row["item_discount"] for row in items)
        assert abs(float(items[0]["bundle_price"] / full) - (1 - recipe.discount)) < 0.01
        for row, part in zip(items, recipe.components, strict=True):
            product = products[row["sku"]]
            assert product["category"] == part.category and part.words in product["product_name"]
            assert product["discontinued_on"] is None


def test_promotions_run_every_month_in_dated_windows(tables):
    rows = tables["promotions"].to_pylist()
    assert [row["promotion_id"] for row in rows] == list(range(1, len(rows) + 1))
    kinds = {kind.name: kind for kind in deals.load().kinds}
    months = (promotions.LAST_YEAR - promotions.FIRST_YEAR + 1) * 12
    assert Counter(row["kind"] for row in rows) == {
        k: v.per_month * months for k, v in kinds.items()
    }
    products = {row["sku"]: row for row in tables["products"].to_pylist()}
    for row in rows:
        kind = kinds[row["kind"]]
        assert (row["ends_on"] - row["starts_on"]).days == kind.days - 1
        assert (row["sku"] is None) == (row["kind"] == "bundle_price") != (row["bundle_id"] is None)
        if row["kind"] == "lube_with_filter":
            assert products[row["sku"]]["category"] == "motor oil"
        if row["sku"]:
            assert products[row["sku"]]["introduced_on"] <= dt.date(promotions.FIRST_YEAR, 1, 1)
    starts = [row["starts_on"] for row in rows]
    assert starts == sorted(starts)


@pytest.mark.parametrize("module", [bundles, promotions])
def test_kits_and_promotions_are_made_once_a_catalog_whatever_the_day(tables, module):
    other_day = reference_tables(Settings(), DAY + dt.timedelta(days=40))[module.NAME].data
    assert other_day is tables[module.NAME]  # made once, not again every block or day
    other_catalog = module.of_run(Settings(products=Settings().products // 2))
    assert not other_catalog.equals(tables[module.NAME])
