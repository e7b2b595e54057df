"""``wifi_sessions``: logins to the free wifi of the stores, one row per connection.

The wifi users are an exact share (``coverage.store_wifi``) of the block's people. Each logs in
through the captive portal with their e-mail address or their phone number (always the same
one), mostly at a store of their own state, from one device, whose MAC address some phones
randomise per connection. A user logs in with one of their e-mails or phones, mostly their own,
sometimes a work e-mail or a landline (a variation, named in the truth). A user's connections
follow one another in time; the first is the ``original`` record of the person and each later
one a ``duplicate`` of it, a share of either with the login mistyped (through the fuzz map,
never left blank: the portal requires it).
"""

from collections.abc import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.corruptions import fuzzmap
from gensample.generate import truth, variants
from gensample.generate.datasets import identity, stores, systems
from gensample.generate.datasets.common import (
    DAY_SECONDS,
    TIMESTAMP,
    count_stream,
    event_window,
    from_open_seconds,
    open_seconds,
    share_of,
    timestamps,
)
from gensample.generate.datasets.contract import BlockInput, Generated, Parents
from gensample.generate.datasets.draws import random_ids
from gensample.generate.datasets.fuzzing import run_original_share, run_variation_shares
from gensample.generate.datasets.sessions import place_sessions
from gensample.generate.datasets.texts import hex_text, random_bytes
from gensample.native.take import one_array, take
from gensample.settings import DATASET_PARENTS, Settings

NAME = "wifi_sessions"
REFERENCE = False
IDENTITY = True
PARENTS = DATASET_PARENTS[NAME]
SCHEMA = pa.schema(
    [
        ("session_id", pa.int64()),
        ("store_id", pa.int64()),
        ("mac_address", pa.string()),
        ("login_type", pa.string()),
        ("portal_login", pa.string()),
        ("connected_at", TIMESTAMP),
        ("disconnected_at", TIMESTAMP),
    ]
)
PRIMARY_KEY = ("session_id",)
FOREIGN_KEYS = {"store_id": ("stores", "store_id")}
DESCRIPTIONS = {
    "session_id": "Id of the wifi connection; unique across days.",
    "store_id": "The store whose wifi it was: mostly the user's home store, in their state.",
    "mac_address": "MAC address of the device, aa:bb:cc:dd:ee:ff: the same for all of a user's "
    "connections, unless the phone randomises it per connection (then the second hex digit is "
    "2, 6, a or e).",
    "login_type": "email or phone: what the user logs in with (always the same for a user).",
    "portal_login": "The e-mail address or phone number typed into the captive portal: the "
    "user's own, sometimes a work e-mail or a landline; a login may be mistyped.",
    "connected_at": "When the device connected: in opening hours, inside the event window.",
    "disconnected_at": "When it disconnected: after connecting, before the user's next "
    "connection, inside the event window.",
}
LOGIN_TYPES = pa.array(["email", "phone"])
KINDS = pa.array(["duplicate", "original"])
"""Truth kinds, by whether a connection is its user's first."""
RANDOM_MAC_SHARE = 0.35
"""Share of users whose phone shows a new random MAC address at each connection."""
MISTYPED_SHARE = 0.2
"""Share of later logins (duplicates) typed with a mistake."""
MEAN_CONNECTED_SECONDS = 35 * 60
MEAN_SECONDS_BETWEEN = {"full": 12 * DAY_SECONDS, "daily": 2 * 3600}
"""Mean time from a disconnection to the user's next connection, by ``trans_type``."""
PORTAL_FORBIDDEN = ("leave_blank",)
"""Corruptions the portal does not let through."""


def rows(
    settings: Settings, entity_start: int, entities: int, parent_rows: Mapping[str, int]
) -> int:
    """Connections of the block: those of its wifi users."""
    return int(connections_per_user(settings, entity_start, entities).sum())


def connections_per_user(settings: Settings, entity_start: int, entities: int) -> np.ndarray:
    """How many connections each wifi user of the block makes."""
    rng = count_stream(settings, NAME, entity_start)
    sessions = systems.counts(settings, NAME, "sessions_per_user")
    return sessions.draw(rng, share_of(entities, settings.coverage.store_wifi))


def generate(block: BlockInput, parents: Parents) -> Generated:
    """Wifi connections of one block, in session id order, with their truth rows."""
    settings, entity_start = block.settings, block.block.entity_start
    per_user = connections_per_user(settings, entity_start, block.block.entities)
    draw = identity.streams(block, NAME)
    chosen = draw("users").permutation(block.block.entities)[: len(per_user)]
    users = take(block.people, np.sort(chosen))
    user = np.repeat(np.arange(len(per_user)), per_user)
    first = np.cumsum(per_user) - per_user
    by_email = draw("login_type").random(len(per_user)) < systems.habit(
        settings, NAME, "email_login"
    )
    login, variations = chosen_logins(
        draw("variants"), settings, users, block.other_values, np.sort(chosen), by_email
    )
    login, corruptions = portal_logins(draw("typos"), settings, login, by_email, user, first)
    connected, disconnected = connection_times(draw("times"), block, user, len(per_user))
    ids = random_ids(draw("ids"), *block.id_range(NAME))
    session_id, order = ids.of_row, ids.order
    data = pa.table(
        {
            "session_id": ids.in_order,
            "store_id": stores_visited(draw("stores"), settings, parents, users, user)[order],
            "mac_address": take(mac_addresses(draw("devices"), user, len(per_user)), order),
            "login_type": take(LOGIN_TYPES, (~by_email[user[order]]).astype(np.int64)),
            "portal_login": take(login, order),
            "connected_at": timestamps(connected[order]),
            "disconnected_at": timestamps(disconnected[order]),
        }
    )
    original = np.zeros(len(session_id), bool)
    original[first] = True
    records = truth.record_rows(
        NAME,
        session_id,
        users["entity_id"].to_numpy()[user],
        take(KINDS, original.astype(np.int64)),
        pa.array(session_id[first][user], mask=original),
        corruptions,
        logins_by_type(login, by_email[user]),
        take(variations, user),
    )
    return Generated(data.cast(SCHEMA), take(records, order))


def chosen_logins(
    rng: np.random.Generator,
    settings: Settings,
    users: pa.Table,
    others: variants.OtherValues,
    person: np.ndarray,
    by_email: np.ndarray,
) -> tuple[pa.Array, pa.Array]:
    """The e-mail address or phone number each user logs in with: their own, or another true
    one of theirs (a work e-mail, a landline: the system's variation shares), and which;
    ``person`` is each user's row among the block's people, whose other values ``others``
    holds."""
    logins = logins_by_type(
        pc.if_else(pa.array(by_email), users["email"], users["phone"]), by_email
    )
    shares = run_variation_shares(settings, NAME)
    carried, variations = variants.carry(logins, others, person, shares, rng)
    return pc.coalesce(carried["email"], carried["phone"]), variations


def logins_by_type(logins: pa.Array, by_email: np.ndarray) -> pa.Table:
    """Logins as ``email`` and ``phone`` columns, each empty where the login is the other."""
    nothing = pa.scalar(None, pa.string())
    return pa.table(
        {
            "email": pc.if_else(pa.array(by_email), logins, nothing),
            "phone": pc.if_else(pa.array(~by_email), logins, nothing),
        }
    )


def portal_logins(
    rng: np.random.Generator,
    settings: Settings,
    logins: pa.Array,
    by_email: np.ndarray,
    user: np.ndarray,
    first: np.ndarray,
) -> tuple[pa.Array, pa.Array]:
    """What each connection's user typed into the portal (their ``logins``), and what was
    mistyped (the fuzz labels): the ``original_share`` of the users' first connections and an
    exact share of the later ones are mistyped."""
    typed = take(logins, user)
    later = np.delete(np.arange(len(user)), first)
    firsts = round(len(first) * run_original_share(settings))
    mistyped = np.sort(
        np.concatenate(
            [
                rng.permutation(first)[:firsts],
                rng.permutation(later)[: round(len(later) * MISTYPED_SHARE)],
            ]
        )
    )
    email_login = by_email[user[mistyped]]
    labels = []
    for field, rows in (("email", mistyped[email_login]), ("phone", mistyped[~email_login])):
        fuzz_map = portal_fuzz_map(settings, field)
        fuzzed, label = fuzzmap.fuzz(
            pa.table({field: typed}), rows, fuzz_map, settings.fuzz.max_fields, rng
        )
        typed = one_array(fuzzed[field])
        labels.append(label)
    return typed, fuzzmap.join_labels(labels, len(user))


def portal_fuzz_map(settings: Settings, field: str) -> dict[str, fuzzmap.FieldFuzz]:
    """The settings' fuzz map of one field, without what the portal refuses."""
    entry = fuzzmap.effective(settings.fuzz.fields)[field]
    kept = {name: w for name, w in entry.corruptions.items() if name not in PORTAL_FORBIDDEN}
    return {field: fuzzmap.FieldFuzz(entry.weight, kept)}


def connection_times(
    rng: np.random.Generator, block: BlockInput, user: np.ndarray, users: int
) -> tuple[np.ndarray, np.ndarray]:
    """When each connection starts and ends: a user's connections one after the other, in the
    stores' opening hours (laid out on a clock that runs only while the stores are open; a
    connection still open at closing time ends then)."""
    settings, hours = block.settings, stores.OPENING_HOURS
    first, last = (open_seconds(t, hours) for t in event_window(settings, block.date))
    gaps = np.empty(2 * len(user), np.int64)
    between = rng.exponential(MEAN_SECONDS_BETWEEN[settings.trans_type], len(user))
    gaps[0::2] = 1 + between.astype(np.int64)
    gaps[1::2] = 1 + rng.exponential(MEAN_CONNECTED_SECONDS, len(user)).astype(np.int64)
    no_tail = np.zeros(users, np.int64)
    times, _, _ = place_sessions(
        rng, np.repeat(user, 2), np.full(users, first), last, gaps, no_tail
    )
    connected, disconnected = (from_open_seconds(t, hours) for t in (times[0::2], times[1::2]))
    closing = connected // DAY_SECONDS * DAY_SECONDS + hours[1] * 3600
    return connected, np.minimum(disconnected, closing)


def stores_visited(
    rng: np.random.Generator,
    settings: Settings,
    parents: Parents,
    users: pa.Table,
    user: np.ndarray,
) -> np.ndarray:
    """The store of each connection: its user's home store (one in their state) for the
    ``home_store`` habit's share, else any."""
    catalog = parents["stores"].data
    home = stores.near(rng, catalog, users["state"])
    store_ids = catalog["store_id"].to_numpy()
    elsewhere = store_ids[rng.integers(0, len(store_ids), len(user))]
    at_home = rng.random(len(user)) < systems.habit(settings, NAME, "home_store")
    return np.where(at_home, home[user], elsewhere)


def mac_addresses(rng: np.random.Generator, user: np.ndarray, users: int) -> pa.Array:
    """The MAC address of each connection: its user's device's, or a new random (locally
    administered) one for users whose phone randomises it."""
    device = random_bytes(rng, users, 6)
    device[:, 0] &= 0xFC  # unicast, globally unique
    fresh = random_bytes(rng, len(user), 6)
    fresh[:, 0] = (fresh[:, 0] & 0xFC) | 0x02  # unicast, locally administered
    randomised = rng.random(users) < RANDOM_MAC_SHARE
    return hex_text(np.where(randomised[user][:, None], fresh, device[user]), (1,) * 6, ":")
