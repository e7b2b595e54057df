"""The small building blocks of the dataset modules (``gensample.datasets.common``)."""

import numpy as np
from conftest import DAY
from hypothesis import given, settings
from hypothesis import strategies as st

from gensample.datasets import common


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.integers(0, 5 * 365 * common.DAY_SECONDS), min_size=1, max_size=50),
    st.integers(0, 30),
    st.tuples(st.integers(0, 23), st.integers(1, 24)).filter(lambda hours: hours[0] < hours[1]),
    st.integers(0, 2**32),
)
def test_in_hours_stays_between_earliest_and_last_in_the_hours(offsets, days, hours, seed):
    last = common.day_end(DAY)
    earliest = last - np.array(offsets) - days * common.DAY_SECONDS
    moments = common.in_hours(np.random.default_rng(seed), earliest, last, hours, len(offsets))
    assert np.all((earliest <= moments) & (moments <= last))
    hour = moments % common.DAY_SECONDS // 3600
    assert np.all(((hours[0] <= hour) & (hour < hours[1])) | (moments == earliest))


@given(st.integers(0, 10**6), st.floats(0.0, 0.9))
def test_share_added_makes_the_share_of_the_whole(n, share):
    added = common.share_added(n, share)
    assert abs(added - share * (n + added)) <= 0.5 + 1e-6
