"""Sessions the behavioural event datasets share: consecutive events laid out in time, and when
and at which event people log in to their customer account."""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

CLOSED = "closed"
"""The account status nobody logs in to after it was set."""


def place_sessions(
    rng: np.random.Generator,
    session: np.ndarray,
    earliest: np.ndarray,
    latest: int | np.ndarray,
    gaps: np.ndarray,
    tails: np.ndarray,
    at_latest: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lay sessions of consecutive events out in time: event times, session starts and ends.

    ``session`` gives each event's session (events grouped by session, every session with one
    at least); ``gaps`` the seconds from the previous event of its session (ignored for the
    first); ``tails`` the seconds from a session's last event to its end. Each session starts at
    a uniform time so that ``earliest <= start <= events <= end <= latest`` (per session); one
    too long for that is shrunk to fit, its events kept a second apart at least when the gaps
    and the room allow. ``at_latest`` sessions end at ``latest`` exactly.
    """
    sizes = np.bincount(session, minlength=len(earliest))
    first = np.cumsum(sizes) - sizes
    steps = gaps.astype(np.int64)
    steps[first] = 0
    offsets = np.cumsum(steps)
    offsets -= offsets[first][session]
    span = offsets[first + sizes - 1] + tails
    room = latest - earliest
    too_long = span > room
    if too_long.any():
        shrunk = too_long[session]
        owner = session[shrunk]
        rank = np.flatnonzero(shrunk) - first[owner]
        offsets[shrunk] = _shrink(offsets[shrunk], rank, sizes[owner] - 1, span[owner], room[owner])
        span = np.where(too_long, room, span)
    start = earliest + (rng.random(len(earliest)) * (room - span + 1)).astype(np.int64)
    if at_latest is not None:
        start = np.where(at_latest, latest - span, start)
    return start[session] + offsets, start, start + span


def _shrink(
    offsets: np.ndarray, rank: np.ndarray, gaps: np.ndarray, span: np.ndarray, room: np.ndarray
) -> np.ndarray:
    """Offsets of events in sessions longer than their room, fitted into it (all per event, with
    the event's rank in its session and its session's gaps, span and room): the seconds beyond
    one of each gap scaled down, or all seconds when the room is shorter than a second a gap."""
    apart = rank + (offsets - rank) * (room - gaps) // np.maximum(span - gaps, 1)
    return np.where(room >= gaps, apart, offsets * room // span)


def login_windows(
    accounts: pa.Table, rows: np.ndarray, window: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """When one may be logged in to the customer records at ``rows`` of ``accounts`` (the
    customers data) inside the event ``window``: from the record's creation to the window's
    end, or to its last change (its closure) for a closed account; and whether that is possible
    at all (not for an account closed before the window, whose person stays logged out)."""
    first, last = window
    created = np.clip(accounts["created_at"].cast(pa.int64()).to_numpy()[rows], first, last)
    closed = pc.equal(accounts["account_status"], CLOSED).to_numpy(zero_copy_only=False)[rows]
    changed = accounts["updated_at"].cast(pa.int64()).to_numpy()[rows]
    until = np.where(closed, np.minimum(changed, last), last)
    possible = until >= created
    return created, np.where(possible, until, last), possible


def login_positions(
    rng: np.random.Generator, events: np.ndarray, logs_in: np.ndarray, at_start: float
) -> np.ndarray:
    """The event each session logs in at, for sessions of ``events`` events: for those that
    ``logs_in``, 0 (logged in from the start) for a share ``at_start`` of them, else a random
    one; never (its event count) for the others."""
    midway = (rng.random(len(events)) * events).astype(np.int64)
    from_start = rng.random(len(events)) < at_start
    return np.where(logs_in, np.where(from_start, 0, midway), events)
