"""The random draws the dataset modules share: lookup tables, exact counts and picks, ids."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gensample.generate.datasets import common
from gensample.generate.datasets.draws import (
    CappedGeometric,
    by_odds,
    choices,
    in_id_order,
    random_ids,
    shares,
    truncated_geometric,
)

fast = settings(max_examples=60, deadline=None)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0.01, 100), min_size=1, max_size=12), st.integers(0, 2**32))
def test_lookup_shares_draw_in_proportion(weights, seed):
    drawn = shares(weights).draw(np.random.default_rng(seed), 200_000)
    expected = np.array(weights) / sum(weights)
    observed = np.bincount(drawn, minlength=len(weights)) / len(drawn)
    assert len(observed) == len(weights)
    assert np.abs(observed - expected).max() < 0.01


@given(st.integers(1, 100), st.floats(0.05, 0.95))
def test_truncated_geometric_stays_in_range_and_decreases(most, p):
    table = truncated_geometric(most, p).table
    assert table.min() == 1 and table.max() <= most
    assert np.all(np.diff(table) >= 0)
    counts = np.bincount(table)[1:]
    assert np.all(np.diff(counts) <= 1)  # each count at most as likely as the one before


def test_choices_draw_their_texts_by_weight():
    drawn = choices({"a": 0.75, "b": 0.25}).draw(np.random.default_rng(2), 100_000).to_pylist()
    assert set(drawn) == {"a", "b"} and abs(drawn.count("a") / len(drawn) - 0.75) < 0.01


@fast
@given(least=st.integers(0, 2), extra=st.floats(0, 5), span=st.integers(0, 30))
def test_capped_geometric_counts_stay_within_their_bounds(least, extra, span):
    law = CappedGeometric(least, least + extra, least + span)
    counts = law.draw(np.random.default_rng(7), 2_000)
    assert counts.min() >= least and counts.max() <= least + span


def test_capped_geometric_counts_have_about_their_mean():
    counts = CappedGeometric(1, 3.0, 1_000).draw(np.random.default_rng(3), 200_000)
    assert abs(counts.mean() - 3.0) < 0.05


def test_by_odds_draws_indices_in_proportion():
    odds = np.array([0.55, 0.33, 0.12])
    drawn = by_odds(np.random.default_rng(4), odds, 200_000)
    assert np.abs(np.bincount(drawn, minlength=3) / len(drawn) - odds).max() < 0.01


@fast
@given(start=st.integers(0, 10**9), count=st.integers(0, 50), seed=st.integers(0, 2**32))
def test_random_ids_hand_out_the_range_and_sort_rows_by_id(start, count, seed):
    ids = random_ids(np.random.default_rng(seed), start, count)
    assert sorted(ids.of_row.tolist()) == ids.in_order.tolist() == list(range(start, start + count))
    assert ids.of_row[ids.order].tolist() == ids.in_order.tolist()


@fast
@given(start=st.integers(0, 10**9), count=st.integers(0, 50), seed=st.integers(0, 2**32))
def test_in_id_order_puts_each_value_at_its_records_shuffled_id(start, count, seed):
    values = np.arange(count) * 10
    ordered = in_id_order(np.random.default_rng(seed), start, values)
    ids = common.shuffled_ids(np.random.default_rng(seed), start, count)  # the same draw
    assert ordered[ids - start].tolist() == values.tolist()
