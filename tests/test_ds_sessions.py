"""The session helpers of the behavioural event datasets: sessions laid out in time, logins."""

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from gensample.generate.datasets.sessions import login_positions, login_windows, place_sessions


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 6), min_size=1, max_size=20),
    room=st.integers(0, 10_000),
    gap=st.integers(0, 3_000),
    tail=st.integers(0, 3_000),
    seed=st.integers(0, 2**32),
)
def test_place_sessions_keeps_events_in_order_inside_their_bounds(sizes, room, gap, tail, seed):
    rng = np.random.default_rng(seed)
    n = len(sizes)
    earliest = rng.integers(0, 1_000, n)
    latest = 1_000 + room
    session = np.repeat(np.arange(n), sizes)
    gaps = rng.integers(1, gap + 2, len(session))
    tails = rng.integers(0, tail + 1, n)
    at_latest = rng.random(n) < 0.3
    times, start, end = place_sessions(rng, session, earliest, latest, gaps, tails, at_latest)
    assert (earliest <= start).all() and (end <= latest).all() and (start <= end).all()
    assert (times >= start[session]).all() and (times <= end[session]).all()
    first = np.cumsum(sizes) - sizes
    assert (times[first] == start).all()
    same_session = session[1:] == session[:-1]
    assert (np.diff(times)[same_session] >= 0).all()
    roomy = (latest - earliest >= np.array(sizes) - 1)[session[1:]]
    assert (np.diff(times)[same_session & roomy] >= 1).all()  # a second apart when possible
    assert (end[at_latest] == latest).all()


def test_place_sessions_keeps_the_gaps_of_sessions_that_fit():
    rng = np.random.default_rng(1)
    session = np.array([0, 0, 0, 1, 1])
    gaps = np.array([99, 10, 20, 99, 5])
    times, start, end = place_sessions(rng, session, np.array([0, 0]), 1000, gaps, np.array([7, 0]))
    assert (times - start[session]).tolist() == [0, 10, 30, 0, 5]
    assert (end - start).tolist() == [37, 5]
    squeezed, start, end = place_sessions(
        rng, session, np.array([0, 0]), 15, gaps, np.array([7, 0])
    )
    assert start[0] == 0 and end[0] == 15 and squeezed[:3].tolist() == [0, 4, 12]
    tight, start, end = place_sessions(rng, session, np.array([0, 0]), 2, gaps, np.array([7, 0]))
    assert tight[:3].tolist() == [0, 1, 2] and end.tolist() == [2, 2]


def test_login_windows_run_from_creation_to_closure_inside_the_window():
    accounts = pa.table(
        {
            "created_at": pa.array([50, 150, 120, 10], pa.timestamp("s")),
            "updated_at": pa.array([60, 180, 90, 20], pa.timestamp("s")),
            "account_status": ["active", "closed", "closed", "closed"],
        }
    )
    earliest, latest, possible = login_windows(accounts, np.arange(4), (100, 200))
    assert earliest.tolist() == [100, 150, 120, 100]
    assert latest.tolist() == [200, 180, 200, 200]  # the window end where impossible
    assert possible.tolist() == [True, True, False, False]


def test_login_positions_are_a_session_event_or_never():
    events = np.full(10_000, 5)
    logs_in = np.arange(10_000) % 2 == 0
    login = login_positions(np.random.default_rng(3), events, logs_in, 0.6)
    assert (login[~logs_in] == 5).all() and (login[logs_in] < 5).all()
    assert abs((login[logs_in] == 0).mean() - (0.6 + 0.4 / 5)) < 0.02
