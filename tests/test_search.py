"""reference.search: sorted values searched for many keys at once, compiled or through NumPy."""

import numpy as np
import pyarrow as pa
import pytest
from conftest import DAY
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gensample import reference
from gensample.generate.pipeline import generate_block
from gensample.generate.plan import make_plan
from gensample.native import search as native
from gensample.reference import search
from gensample.settings import Settings


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


@pytest.mark.parametrize("entries", [np.uint8, np.uint16])
def test_a_lookup_draw_reads_the_entry_at_its_row_and_column_as_numpy_indexes(rng, entries, way):
    table = rng.integers(0, 250, (5, 4096)).astype(entries)
    row = rng.integers(-5, 5, 10_000)  # a negative row counts from the end of the flat table
    column = rng.integers(0, 4096, 10_000).astype(np.uint16)
    drawn = native.lookup_draw(table, 4096, row, column)
    if way == "numpy":
        assert drawn is None  # shoppers.draw_rows then draws through NumPy
    else:
        assert drawn.dtype == np.int64
        assert drawn.tolist() == table.ravel()[row * 4096 + column].tolist()


def test_a_lookup_draw_outside_the_table_raises_as_numpy_does():
    table, column = np.zeros((2, 4096), np.uint8), np.zeros(2, np.uint16)
    with pytest.raises(IndexError):
        table.ravel()[np.array([0, 2]) * 4096 + column]
    with pytest.raises(IndexError, match="outside the lookup table of 8192"):
        native.lookup_draw(table, 4096, np.array([0, 2]), column)
    assert native.lookup_draw(table, 4096, np.array([0, 1], np.int32), column) is None


def test_a_pick_in_groups_is_numpys_search_held_within_the_group(rng, way):
    weights = rng.random(200) ** 4
    weights[rng.random(200) < 0.1] = 0.0  # products nobody buys
    cumulative = np.concatenate([[0.0], np.cumsum(weights)])
    starts = np.sort(rng.integers(0, 201, 31))  # 30 groups, some of them empty
    starts[0], starts[-1] = 0, 200
    order = rng.permutation(200)
    group = rng.integers(-30, 30, 20_000)  # a negative group counts from the end, as in NumPy
    uniform = np.concatenate([[0.0, 1 - 2**-53], rng.random(20_000 - 2)])
    guide = search.Sorted(cumulative).guide
    picked = native.pick_in_groups(group, uniform, starts, cumulative, guide, order)
    if way == "numpy":
        assert picked is None  # shelf.in_groups then picks through NumPy
        return
    start, stop = starts[group], starts[group + 1]
    low, high = cumulative[start], cumulative[stop]
    position = np.searchsorted(cumulative, low + uniform * (high - low), side="right") - 1
    assert picked.tolist() == order[np.clip(position, start, stop - 1)].tolist()


def test_a_pick_in_a_group_beyond_the_bounds_raises():
    starts, cumulative, order = np.array([0, 2]), np.array([0.0, 0.5, 1.0]), np.array([1, 0])
    guide = search.Sorted(cumulative).guide
    with pytest.raises(IndexError, match="outside its array"):
        native.pick_in_groups(
            np.array([0, 1]), np.array([0.5, 0.5]), starts, cumulative, guide, order
        )


def test_retail_lines_are_the_same_without_the_compiled_draws(monkeypatch):
    run = Settings(customers=3_000)
    block = make_plan(run, DAY, 0).blocks[0]
    made = generate_block(run, DAY, block).datasets
    monkeypatch.setattr(native, "_library", lambda: None)  # installed without it
    again = generate_block(run, DAY, block).datasets
    for name in ("transaction_lines", "pos_transactions"):
        assert again[name].data.equals(made[name].data)
