"""The small building blocks of the dataset modules (``gensample.generate.datasets.common``)."""

import numpy as np
from conftest import DAY
from hypothesis import given, settings
from hypothesis import strategies as st

from gensample.generate.datasets import common


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


HOURS = st.tuples(st.integers(0, 23), st.integers(1, 24)).filter(lambda h: h[0] < h[1])
MOMENTS = st.lists(st.integers(0, 60 * 365 * common.DAY_SECONDS), min_size=2, max_size=50)


@given(MOMENTS, HOURS)
def test_during_hours_keeps_the_day_and_the_order(moments, hours):
    moments = np.sort(np.array(moments))
    moved = common.during_hours(moments, hours)
    assert np.all(moved // common.DAY_SECONDS == moments // common.DAY_SECONDS)
    hour = moved % common.DAY_SECONDS // 3600
    assert np.all((hours[0] <= hour) & (hour < hours[1]))
    assert np.all(np.diff(moved) >= 0)


@given(MOMENTS, HOURS)
def test_the_opening_hours_clock_runs_only_in_the_hours_and_goes_back_exactly(moments, hours):
    moments = np.sort(np.array(moments))
    counted = common.open_seconds(moments, hours)
    assert np.all(np.diff(counted) >= 0)
    back = common.from_open_seconds(counted, hours)
    hour = back % common.DAY_SECONDS // 3600
    assert np.all((hours[0] <= hour) & (hour < hours[1]))
    inside = (hours[0] <= moments % common.DAY_SECONDS // 3600) & (
        moments % common.DAY_SECONDS // 3600 < hours[1]
    )
    assert np.array_equal(back[inside], moments[inside])  # moments in the hours come back
    assert np.all(back[~inside] >= moments[~inside])  # the others move to the next opening
