"""The products catalog: SKUs, categories, brands and prices, a pure function of (seed, count)."""

from decimal import Decimal

import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gensample.errors import BadInputError
from gensample.generate.datasets import products
from gensample.reference import retail
from gensample.settings import load

CATEGORIES = set(retail.load().categories)
"""The catalog's departments are those the packaged shopping curves know."""


@pytest.fixture(scope="module")
def catalog():
    """The default-sized catalog."""
    return products.catalog(11, 2000)


def test_schema_no_nulls_and_unique_skus_in_order(catalog):
    assert catalog.schema == products.SCHEMA
    assert list(products.DESCRIPTIONS) == products.SCHEMA.names
    assert all(column.null_count == 0 for column in catalog.columns)
    skus = catalog["sku"].to_pylist()
    assert skus == sorted(set(skus)) and len(skus) == 2000
    assert pc.all(pc.match_substring_regex(catalog["sku"], r"^AP-\d{6}$")).as_py()


def test_every_category_and_the_own_brand_in_each(catalog):
    assert set(catalog["category"].to_pylist()) == CATEGORIES
    own = catalog.filter(pc.equal(catalog["brand"], products.OWN_BRAND))
    assert set(own["category"].to_pylist()) == CATEGORIES
    assert 0.25 < own.num_rows / catalog.num_rows < 0.45
    assert len(set(catalog["brand"].to_pylist())) > 10


def test_names_start_with_the_brand(catalog):
    for row in catalog.to_pylist():
        assert row["product_name"].startswith(row["brand"] + " ")
        assert "  " not in row["product_name"] and not row["product_name"].endswith(" ")


def test_prices_end_in_99_and_fit_the_category(catalog):
    prices = catalog["price"].to_pylist()
    assert all(price > 0 and price % 1 == Decimal("0.99") for price in prices)
    by_category: dict[str, list[Decimal]] = {}
    for row in catalog.to_pylist():
        by_category.setdefault(row["category"], []).append(row["price"])
    assert min(by_category["batteries"]) > Decimal(90)
    assert max(by_category["spark plugs"]) < Decimal(120)
    assert max(by_category["wipers"]) < Decimal(40)
    median = {name: sorted(p)[len(p) // 2] for name, p in by_category.items()}
    assert median["batteries"] > median["brakes"] > median["oil filters"]


def test_too_many_products_is_refused(tmp_path):  # SKUs have six digits
    with pytest.raises(BadInputError, match="products = 1000001 is not allowed"):
        load(tmp_path, environ={}, flags={"products": 1_000_001})


def test_same_seed_same_catalog_other_seed_other_catalog():
    assert products.catalog(3, 50).equals(products.catalog(3, 50))
    assert not products.catalog(3, 50).equals(products.catalog(4, 50))


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**32), st.integers(1, 300), st.integers(0, 300))
def test_a_bigger_catalog_holds_every_product_of_a_smaller_one(seed, count, more):
    smaller = products.catalog(seed, count).to_pylist()
    bigger = {row["sku"]: row for row in products.catalog(seed, count + more).to_pylist()}
    assert all(bigger[row["sku"]] == row for row in smaller)
