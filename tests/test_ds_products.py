"""The products catalog: SKUs, categories, brands and prices, a pure function of (seed, count)."""

import itertools
from collections import Counter
from decimal import Decimal

import pyarrow.compute as pc
import pytest
from conftest import DAY
from hypothesis import given, settings
from hypothesis import strategies as st

from gensample.errors import BadInputError
from gensample.generate.datasets import brands, products
from gensample.reference import catalog as catalog_data
from gensample.reference import retail
from gensample.settings import Settings, load

CATEGORIES = set(retail.load().categories)
"""The catalog's departments are those the packaged shopping curves know."""


@pytest.fixture(scope="module")
def catalog():
    """The default-sized catalog."""
    return products.catalog(11, 2000)


def test_schema_no_nulls_and_unique_skus_in_order(catalog):
    assert catalog.schema == products.SCHEMA
    assert list(products.DESCRIPTIONS) == products.SCHEMA.names
    optional = {"discontinued_on", "vehicle_fit"}
    assert all(
        catalog[name].null_count == 0 for name in catalog.column_names if name not in optional
    )
    skus = catalog["sku"].to_pylist()
    assert skus == sorted(set(skus)) and len(skus) == 2000
    assert pc.all(pc.match_substring_regex(catalog["sku"], r"^AP-\d{6}$")).as_py()


REAL_AUTO_PARTS_COMPANIES = {
    "autozone",
    "o'reilly",
    "advance auto parts",
    "napa",
    "genuine parts",
    "pep boys",
    "carquest",
    "duralast",
    "super start",
    "brakebest",
    "worldpac",
    "lkq",
    "rockauto",
    "carparts.com",
    "acdelco",
    "motorcraft",
    "mopar",
    "dorman",
    "standard motor products",
    "federal-mogul",
    "champion",
    "autopoint",
    "autocraft",
    "valucraft",
    "supertech",
    "everstart",
    "kirkland",
    "napa gold",
    "mobil",
    "castrol",
    "valvoline",
    "fram",
    "wix",
    "bosch",
    "denso",
    "ngk",
    "quaker state",
    "pennzoil",
    "amsoil",
    "royal purple",
    "lucas",
    "prestone",
    "peak",
}
"""Real auto-parts retailers, own brands and makers (lower case): none may be the fictional
retailer's own brand or manufacturer."""


def test_the_own_line_is_fictional_and_made_in_two_modes(catalog):
    own = catalog.filter(pc.starts_with(catalog["brand"], "Quillmark"))
    assert set(own["brand"].to_pylist()) == {"Quillmark", "Quillmark Pro", "Quillmark Elite"}
    assert own.num_rows > 100
    names = own["product_name"].to_pylist()
    for grade in ("0W-20", "5W-30", "15W-40"):
        assert any(grade in name for name in names), grade
    for pack in (", 1 qt", ", 5 qt", ", 1 gal", "55 gal drum", "Gear Oil", "Grease", "Coolant"):
        assert any(pack in name for name in names), pack
    filters = own.filter(pc.match_substring(own["category"], "filters"))
    assert len({name.split(" Oil Filter")[0] for name in filters["product_name"].to_pylist()}) > 20
    own_makers = {b.manufacturer.lower() for b in catalog_data.load().brands if b.own}
    for name in {*map(str.lower, own["brand"].to_pylist()), *own_makers}:
        assert not any(real in name for real in REAL_AUTO_PARTS_COMPANIES), name


def test_every_category_at_every_tier_with_competing_brands(catalog):
    assert set(catalog["category"].to_pylist()) == CATEGORIES
    assert set(catalog["tier"].to_pylist()) == {"budget", "mid", "premium"}
    competing = catalog.filter(pc.invert(pc.starts_with(catalog["brand"], "Quillmark")))
    assert len(set(competing["brand"].to_pylist())) > 30
    for category in CATEGORIES:
        tiers = competing.filter(pc.equal(competing["category"], category))["tier"].to_pylist()
        assert len(set(tiers)) >= 2, category


def test_costs_below_prices_and_lifecycles_in_order(catalog):
    for row in catalog.to_pylist():
        assert 0 < row["cost"] < row["price"]
        assert row["discontinued_on"] is None or row["introduced_on"] < row["discontinued_on"]
        assert row["pack_size"] > 0 and row["unit"]
    ended = catalog["discontinued_on"].null_count
    assert 0.03 < 1 - ended / catalog.num_rows < 0.2
    fitted = catalog.filter(pc.equal(catalog["category"], "brakes"))["vehicle_fit"]
    assert fitted.null_count == 0
    assert pc.all(pc.match_substring_regex(fitted, r"^\w.* \d{4}-\d{4}$")).as_py()


def test_bigger_packs_cost_less_per_unit():
    packs: dict[str, list[tuple[float, float]]] = {}  # a brand's item and variant: its packs
    for row in products.catalog(5, 3000).to_pylist():
        if "," in row["product_name"]:
            kind = row["product_name"].rsplit(",", 1)[0]
            packs.setdefault(kind, []).append((row["pack_size"], float(row["price"])))
    compared = 0
    for sizes in packs.values():
        for (small, small_price), (big, big_price) in itertools.pairwise(sorted(sizes)):
            if big > small:
                compared += 1  # rounding up to a price ending adds less than a dollar
                assert big_price / big < small_price / small + 1 / big, sizes
    assert compared > 100


def test_names_start_with_the_brand(catalog):
    for row in catalog.to_pylist():
        assert row["product_name"].startswith(row["brand"] + " ")
        assert "  " not in row["product_name"] and not row["product_name"].endswith(" ")


def test_prices_end_mostly_in_99_and_fit_the_category(catalog):
    prices = catalog["price"].to_pylist()
    endings = Counter(int(price % 1 * 100) for price in prices)
    assert all(price > 0 for price in prices) and set(endings) == {99, 49, 79, 29, 69}
    assert endings[99] > 0.45 * len(prices) and endings.most_common(1)[0][0] == 99
    by_category: dict[str, list[Decimal]] = {}
    for row in catalog.to_pylist():
        by_category.setdefault(row["category"], []).append(row["price"])
    assert min(by_category["batteries"]) > Decimal(90)
    assert max(by_category["spark plugs"]) < Decimal(120)
    assert max(by_category["wipers"]) < Decimal(40)
    median = {name: sorted(p)[len(p) // 2] for name, p in by_category.items()}
    assert median["batteries"] > median["brakes"] > median["oil filters"]
    # the own line is a little cheaper than competing brands of its tier
    rows = catalog.to_pylist()
    filters = [r for r in rows if r["category"] == "oil filters" and r["tier"] == "budget"]
    own = [r["price"] for r in filters if r["brand"] == "Quillmark"]
    other = [r["price"] for r in filters if r["brand"] != "Quillmark"]
    assert sum(own) / len(own) < sum(other) / len(other)


def test_no_two_products_are_the_same(catalog):
    names, fits = catalog["product_name"].to_pylist(), catalog["vehicle_fit"].to_pylist()
    assert len(set(zip(names, fits, strict=True))) == 2000  # a part made again fits another car
    shared = {name for name, times in Counter(names).items() if times > 1}
    assert shared and all(fit for name, fit in zip(names, fits, strict=True) if name in shared)
    items = Counter(catalog["category"].to_pylist())
    assert items["motor oil"] < 0.3 * 2000 and items["brakes"] > 0.05 * 2000  # shares kept


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


def test_every_brand_is_a_brands_row(catalog):
    listed = set(brands.table(Settings(), {}, DAY)["brand"].to_pylist())
    assert set(catalog["brand"].to_pylist()) <= listed
    assert brands.table(Settings(), {}, DAY).schema == brands.SCHEMA
    assert list(brands.DESCRIPTIONS) == brands.SCHEMA.names
