"""reference.search: sorted values searched for many keys at once, compiled or through NumPy."""

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gensample import reference
from gensample.native import search as native
from gensample.reference import search


@pytest.fixture(params=["compiled", "numpy"])
def way(request, monkeypatch):
    """Each test runs with the compiled search and without it (installed without a compiler)."""
    if request.param == "numpy":
        monkeypatch.setattr(native, "_library", lambda: None)
    return request.param


def test_the_compiled_search_is_built_in_this_installation():
    assert native.available()  # else every search goes through NumPy, slower


@pytest.mark.parametrize(
    "values",
    [
        np.cumsum(np.arange(1, 3000.0) ** -1.1),  # a long tail: many values in few buckets
        np.array([0.0, 0.0, 0.25, 0.25, 0.25, 1.0]),  # ties
        np.array([2.0]),
        np.full(5, 3.0),
    ],
)
def test_sorted_search_equals_numpy_searchsorted(rng, values, way):
    low, high = values[0], values[-1]
    keys = np.concatenate(
        [
            low - 1 + rng.random(1_000) * (high - low + 2),  # some below and above the values
            values,  # exactly on them
            np.nextafter(values, -np.inf),
            [np.nan, np.inf, -np.inf],
        ]
    )
    found = search.Sorted(values).right(keys)
    np.testing.assert_array_equal(found, np.searchsorted(values, keys, side="right"))


def test_whole_numbers_are_searched_as_numbers(way):
    values = np.array([-5, 0, 0, 7, 2**40], np.int64)
    keys = np.array([-6, -5, 0, 1, 6, 7, 2**40 - 1, 2**40, 2**62], np.int64)
    found = search.Sorted(values).right(keys)
    assert found.tolist() == [0, 1, 3, 3, 3, 4, 4, 5, 5]


def test_keys_of_another_kind_than_the_values_are_compared_as_numpy_compares_them(way):
    values = np.array([1, 2, 3], np.int64)
    found = search.Sorted(values).right(np.array([1.5, 2.0, 0.5]))
    assert found.tolist() == [1, 2, 0]


finite = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(
    hnp.arrays(np.float64, st.integers(1, 300), elements=finite),
    hnp.arrays(np.float64, st.integers(0, 300), elements=st.floats(allow_nan=True)),
)
def test_any_sorted_values_and_keys_give_numpys_answer(values, keys):
    values = np.sort(values)
    found = search.Sorted(values).right(keys)
    np.testing.assert_array_equal(found, np.searchsorted(values, keys, side="right"))


def test_the_alias_pick_keeps_each_column_by_its_coin_else_its_alias(way):
    rng = np.random.default_rng(5)
    keep, alias = rng.random(300), rng.integers(0, 300, 300)
    column, uniform = rng.integers(0, 300, 10_000), rng.random(10_000)
    picked = native.alias_pick(column, uniform, keep, alias)
    if way == "numpy":
        assert picked is None  # Pool.draw then picks through NumPy
    else:
        expected = [c if u < keep[c] else alias[c] for c, u in zip(column, uniform, strict=True)]
        assert picked.tolist() == expected


def test_an_alias_pick_outside_the_table_raises_and_other_kinds_are_left_to_numpy():
    keep, alias = np.array([0.5, 1.0]), np.array([1, 1])
    with pytest.raises(IndexError, match="outside the table of 2"):
        native.alias_pick(np.array([0, 2]), np.array([0.1, 0.2]), keep, alias)
    assert native.alias_pick(np.array([0, 1], np.int32), np.array([0.1, 0.2]), keep, alias) is None


def test_a_pool_draws_the_same_indices_either_way(monkeypatch):
    pool = reference.Pool(pa.array(["a", "b", "c", "d"]), np.array([0.1, 0.2, 0.3, 0.4]))
    compiled = pool.draw(np.random.default_rng(9), 40_000)
    monkeypatch.setattr(native, "_library", lambda: None)  # installed without it
    assert np.array_equal(pool.draw(np.random.default_rng(9), 40_000), compiled)
    assert np.allclose(np.bincount(compiled) / 40_000, [0.1, 0.2, 0.3, 0.4], atol=0.01)
