"""reference.search: sorted values searched for many keys at once."""

import numpy as np
import pytest

from gensample.reference import search


@pytest.mark.parametrize(
    "values",
    [
        np.cumsum(np.arange(1, 3000.0) ** -1.1),  # a long tail: many values in few buckets
        np.array([0.0, 0.0, 0.25, 0.25, 0.25, 1.0]),  # ties
        np.array([2.0]),
        np.full(5, 3.0),
    ],
)
def test_sorted_search_equals_numpy_searchsorted(rng, values):
    low, high = values[0], values[-1]
    keys = np.concatenate(
        [
            low - 1 + rng.random(1_000) * (high - low + 2),  # some below and above the values
            values,  # exactly on them
            np.nextafter(values, -np.inf),
        ]
    )
    found = search.Sorted(values).right(keys)
    np.testing.assert_array_equal(found, np.searchsorted(values, keys, side="right"))
