"""The stores catalog: a pure function of (seed, count), with consistent real places."""

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gensample import reference
from gensample.generate.datasets import stores

CENSUS_REGION_SIZES = {"Northeast": 9, "Midwest": 12, "South": 17, "West": 13}
"""States (DC counted in the South) per US census region."""


@pytest.fixture(scope="module")
def catalog():
    """A catalog big enough for cities with several stores of one format."""
    return stores.catalog(7, 3000)


def test_schema_and_ids_one_to_count(catalog):
    assert catalog.schema == stores.SCHEMA
    assert list(stores.DESCRIPTIONS) == stores.SCHEMA.names
    assert catalog["store_id"].to_pylist() == list(range(1, 3001))
    assert all(column.null_count == 0 for column in catalog.columns)


def test_city_state_and_zip_are_one_real_place(catalog):
    places = reference.places()
    known = set(
        zip(
            places["postal_code"].to_pylist(),
            places["city"].to_pylist(),
            places["state"].to_pylist(),
            strict=True,
        )
    )
    rows = zip(
        catalog["postal_code"].to_pylist(),
        catalog["city"].to_pylist(),
        catalog["state"].to_pylist(),
        strict=True,
    )
    assert all(row in known for row in rows)


def test_every_state_has_one_census_region():
    states = pc.unique(reference.places()["state"])
    table = stores.regions(states).to_pylist()
    assert None not in table
    sizes = {region: table.count(region) for region in set(table)}
    assert sizes == CENSUS_REGION_SIZES


def test_regions_follow_the_state(catalog):
    expected = {"TX": "South", "CA": "West", "NY": "Northeast", "OH": "Midwest", "DC": "South"}
    states, regions = catalog["state"].to_pylist(), catalog["region"].to_pylist()
    for state, region in zip(states, regions, strict=True):
        if state in expected:
            assert region == expected[state]


def test_names_are_unique_city_and_format_numbered_when_repeated(catalog):
    names = catalog["store_name"].to_pylist()
    assert len(set(names)) == len(names)
    seen: dict[str, int] = {}
    titles = dict(zip(stores.FORMATS, stores.FORMAT_TITLES, strict=True))
    for row in catalog.to_pylist():
        base = f"{row['city']} {titles[row['format']]}"
        seen[base] = seen.get(base, 0) + 1
        expected = base if seen[base] == 1 else f"{base} #{seen[base]}"
        assert row["store_name"] == expected
    assert max(seen.values()) > 1  # the catalog is big enough to test the numbering


def test_addresses_formats_and_opening_days(catalog):
    assert pc.all(pc.match_substring_regex(catalog["address_line1"], r"^\d+ \S.* \S+$")).as_py()
    assert pc.all(pc.match_substring_regex(catalog["postal_code"], r"^\d{5}$")).as_py()
    assert set(catalog["format"].to_pylist()) == set(stores.FORMATS)
    days = catalog["opened_on"].to_pylist()
    assert dt.date(1985, 1, 1) <= min(days) and max(days) <= dt.date(2015, 12, 31)
    assert len(set(days)) > 2000  # spread over the years, not a handful of days


def test_same_seed_same_catalog_other_seed_other_catalog():
    assert stores.catalog(3, 50).equals(stores.catalog(3, 50))
    assert not stores.catalog(3, 50).equals(stores.catalog(4, 50))


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**32), st.integers(1, 200), st.integers(0, 200))
def test_more_stores_keep_the_earlier_ones(seed, count, more):
    smaller = stores.catalog(seed, count)
    assert stores.catalog(seed, count + more).slice(0, count).equals(smaller)


STATES = st.sampled_from(["CA", "TX", "NY", "WY", "VT"])


@settings(max_examples=50, deadline=None)
@given(store_states=st.lists(STATES, min_size=1, max_size=30), wanted=st.lists(STATES))
def test_near_picks_a_store_of_the_state_when_it_has_one(store_states, wanted):
    catalog = pa.table({"store_id": np.arange(1, len(store_states) + 1), "state": store_states})
    picked = stores.near(np.random.default_rng(1), catalog, pa.array(wanted, pa.string()))
    assert len(picked) == len(wanted)
    for store_id, state in zip(picked, wanted, strict=True):
        assert 1 <= store_id <= len(store_states)
        if state in store_states:
            assert store_states[store_id - 1] == state
