"""``mobile_events``: what people do in the retailer's app, one row per event.

The app users are an exact share (``coverage.mobile_app``) of the block's people, each on one
device. A user's sessions each open the app, then browse; most are logged in from the start (the
app remembers them), some log in midway (a ``login`` event) and some never do. A logged-in event
carries the person's web shop account (any of their customer records, the one they remember); a
user who is a loyalty member may log in with a card instead (any of theirs), and their logged-in
events also carry the member id.
A user's sessions follow one another in time.
"""

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.generate import truth
from gensample.generate.datasets import registration, systems
from gensample.generate.datasets.common import (
    DAY_SECONDS,
    TIMESTAMP,
    count_stream,
    event_window,
    share_of,
    timestamps,
)
from gensample.generate.datasets.contract import BlockInput, Generated, Parents
from gensample.generate.datasets.draws import by_odds, random_ids
from gensample.generate.datasets.sessions import login_positions, login_windows, place_sessions
from gensample.generate.datasets.texts import hex_text, random_bytes
from gensample.generate.seeding import stream
from gensample.native.take import take
from gensample.reference import Pool
from gensample.settings import DATASET_PARENTS, Settings

NAME = "mobile_events"
REFERENCE = False
IDENTITY = False
PARENTS = DATASET_PARENTS[NAME]
SCHEMA = pa.schema(
    [
        ("event_id", pa.int64()),
        ("device_id", pa.string()),
        ("advertising_id", pa.string()),
        ("platform", pa.string()),
        ("app_version", pa.string()),
        ("customer_id", pa.int64()),
        ("member_id", pa.int64()),
        ("event_type", pa.string()),
        ("event_at", TIMESTAMP),
    ]
)
PRIMARY_KEY = ("event_id",)
FOREIGN_KEYS = {
    "customer_id": ("customers", "customer_id"),
    "member_id": ("loyalty_members", "member_id"),
}
DESCRIPTIONS = {
    "event_id": "Id of the event; unique across days.",
    "device_id": "The app's id of the device (a random UUID): one device per app user.",
    "advertising_id": "The device's advertising id (IDFA on iOS in capitals, Google advertising "
    "id on Android); empty when the user limits ad tracking, as most iPhone users do.",
    "platform": "ios or android.",
    "app_version": "Version of the app installed on the device.",
    "customer_id": "The user's web shop account (one of their customer records) once logged "
    "in; empty before the login of a session that logs in midway, for guest sessions and for "
    "users whose account was closed before the window.",
    "member_id": "The user's loyalty member record when they log in with their loyalty card; "
    "empty otherwise (and before the login).",
    "event_type": "app_open (a session's first event), login, view_product, search, "
    "view_category, add_to_cart, view_cart, purchase (logged in only) or logout (a session's "
    "last event).",
    "event_at": "When it happened: inside the event window, never before the user's account "
    "was opened (nor, for card logins, the day they enrolled) nor after it was closed; a "
    "session's events a few seconds apart, in order, and a user's sessions one after another.",
}
EVENT_TYPES = pa.array(
    [
        "app_open",
        "login",
        "logout",
        "view_product",
        "search",
        "view_category",
        "add_to_cart",
        "view_cart",
        "purchase",
    ]
)
APP_OPEN, LOGIN, LOGOUT, VIEW_PRODUCT, VIEW_CART, PURCHASE = 0, 1, 2, 3, 7, 8
BROWSING = np.array([0.42, 0.2, 0.15, 0.12, 0.06, 0.05])
"""Odds of the event types from view_product on, between a session's first and last event."""
GUEST_SHARE = 0.15
"""Share of sessions that never log in."""
LOGGED_IN_AT_START = 0.7
"""Share of the other sessions logged in from their first event; the rest log in midway."""
LOGOUT_SHARE = 0.15
"""Share of logged-in sessions that end with a logout."""
CARD_LOGIN_SHARE = 0.5
"""Share of app users in the loyalty program who log in with their card."""
EVENT_GAP_SECONDS = 25
"""Mean time between two events of a session."""
MEAN_SECONDS_BETWEEN = {"full": 9 * DAY_SECONDS, "daily": 3 * 3600}
"""Mean time from a user's session to their next one, by ``trans_type``."""
PLATFORMS = Pool(pa.array(["ios", "android"]), np.array([0.55, 0.45]))
IOS = 0
NO_AD_TRACKING = np.array([0.7, 0.1])
"""Share of users of each platform who limit ad tracking (no advertising id)."""
APP_VERSIONS = Pool(
    pa.array(["7.4.1", "7.4.0", "7.3.2", "7.2.0", "7.1.5", "6.9.3"]),
    np.array([0.35, 0.2, 0.18, 0.12, 0.1, 0.05]),
)
UUID_GROUPS = (4, 2, 2, 2, 6)


def rows(
    settings: Settings, entity_start: int, entities: int, parent_rows: Mapping[str, int]
) -> int:
    """Events of the block: those of its app users' sessions."""
    return int(app_sizes(settings, entity_start, entities)[1].sum())


def app_sizes(settings: Settings, entity_start: int, entities: int) -> tuple[np.ndarray, ...]:
    """Sessions of each app user of the block, and events of each session."""
    rng = count_stream(settings, NAME, entity_start)
    users = share_of(entities, settings.coverage.mobile_app)
    sessions = systems.counts(settings, NAME, "sessions_per_user").draw(rng, users)
    events = systems.counts(settings, NAME, "events_per_session")
    return sessions, events.draw(rng, int(sessions.sum()))


class Users(NamedTuple):
    """The app users: their accounts, earliest possible event and device."""

    customer_id: np.ndarray
    member_id: np.ndarray
    """Loyalty member record of users logging in with the card, else -1."""
    earliest: np.ndarray
    latest: np.ndarray
    """First and last second of the user's events: in the window, while their account is open
    and (for card logins) once they enrolled."""
    open_account: np.ndarray
    """Whether the user can log in: not when their account was closed before the window."""
    platform: np.ndarray
    device_id: pa.Array
    advertising_id: pa.Array
    app_version: np.ndarray


def generate(block: BlockInput, parents: Parents) -> Generated:
    """App events of one block, in event id order."""
    settings, entity_start = block.settings, block.block.entity_start
    sessions, events = app_sizes(settings, entity_start, block.block.entities)
    rng = stream(settings.seed, NAME, "events", entity_start)
    users = app_users(rng, block, parents, len(sessions))
    session_user = np.repeat(np.arange(len(sessions)), sessions)
    session = np.repeat(np.arange(len(events)), events)
    position = np.arange(len(session)) - (np.cumsum(events) - events)[session]
    logs_in = users.open_account[session_user] & (rng.random(len(events)) >= GUEST_SHARE)
    login = login_positions(rng, events, logs_in, LOGGED_IN_AT_START)
    logged_in = position >= login[session]
    kind = event_kinds(rng, events, session, position, login, logged_in)
    user = session_user[session]
    mean_gap = np.where(position == 0, MEAN_SECONDS_BETWEEN[settings.trans_type], EVENT_GAP_SECONDS)
    gaps = 1 + rng.exponential(mean_gap).astype(np.int64)
    no_tail = np.zeros(len(sessions), np.int64)
    event_at, _, _ = place_sessions(rng, user, users.earliest, users.latest, gaps, no_tail)
    ids = random_ids(rng, *block.id_range(NAME))
    order = ids.order
    user, logged_in = user[order], logged_in[order]
    member_id = users.member_id[user]
    data = pa.table(
        {
            "event_id": ids.in_order,
            "device_id": take(users.device_id, user),
            "advertising_id": take(users.advertising_id, user),
            "platform": take(PLATFORMS.values, users.platform[user]),
            "app_version": take(APP_VERSIONS.values, users.app_version[user]),
            "customer_id": pa.array(users.customer_id[user], mask=~logged_in),
            "member_id": pa.array(member_id, mask=~logged_in | (member_id < 0)),
            "event_type": take(EVENT_TYPES, kind[order]),
            "event_at": timestamps(event_at[order]),
        }
    )
    return Generated(data.cast(SCHEMA), truth.RECORDS_SCHEMA.empty_table())


def app_users(rng: np.random.Generator, block: BlockInput, parents: Parents, users: int) -> Users:
    """``users`` people of the block, drawn at random, with their accounts and devices."""
    entity_start, entities = block.block.entity_start, block.block.entities
    person = np.sort(rng.permutation(entities)[:users])
    customers, members = parents["customers"], parents["loyalty_members"]
    account = registration.used_rows(rng, customers.truth, entity_start, entities)[person]
    membership = registration.used_rows(rng, members.truth, entity_start, entities)[person]
    window = event_window(block.settings, block.date)
    earliest, latest, open_account = login_windows(customers.data, account, window)
    member = np.flatnonzero(membership >= 0)
    enrolled = np.full(users, window[1] + 1)  # never, for people not in the program
    enrolled_day = members.data["enrolled_on"].cast(pa.int32()).to_numpy().astype(np.int64)
    enrolled[member] = enrolled_day[membership[member]] * DAY_SECONDS
    by_card = (enrolled <= latest) & (rng.random(users) < CARD_LOGIN_SHARE)
    member_id = np.full(users, -1, np.int64)
    member_id[by_card] = members.data["member_id"].to_numpy()[membership[by_card]]
    earliest = np.where(by_card, np.maximum(earliest, enrolled), earliest)
    platform = PLATFORMS.draw(rng, users)
    tracked = rng.random(users) >= NO_AD_TRACKING[platform]
    return Users(
        customer_id=customers.data["customer_id"].to_numpy()[account],
        member_id=member_id,
        earliest=earliest,
        latest=latest,
        open_account=open_account,
        platform=platform,
        device_id=uuids(rng, users),
        advertising_id=pc.if_else(
            pa.array(tracked), uuids(rng, users, platform == IOS), pa.nulls(users, pa.string())
        ),
        app_version=APP_VERSIONS.draw(rng, users),
    )


def event_kinds(
    rng: np.random.Generator,
    events: np.ndarray,
    session: np.ndarray,
    position: np.ndarray,
    login: np.ndarray,
    logged_in: np.ndarray,
) -> np.ndarray:
    """Each event's index into ``EVENT_TYPES``: the app opens first, a login where a session
    logs in midway, a logout ending some logged-in sessions, browsing in between."""
    kind = VIEW_PRODUCT + by_odds(rng, BROWSING, len(session))
    kind[(kind == PURCHASE) & ~logged_in] = VIEW_CART
    kind[position == login[session]] = LOGIN
    ends = (rng.random(len(events)) < LOGOUT_SHARE) & (login < events - 1)
    kind[(np.cumsum(events) - 1)[ends]] = LOGOUT
    kind[position == 0] = APP_OPEN
    return kind


def uuids(rng: np.random.Generator, n: int, upper: np.ndarray | None = None) -> pa.Array:
    """``n`` random (version 4) UUIDs, in capitals where ``upper``."""
    raw = random_bytes(rng, n, 16)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
    return hex_text(raw, UUID_GROUPS, "-", upper)
