"""``email_events``: what happened to the newsletter mail of each subscriber record.

A subscriber's events follow one another in time, as groups that each start with a campaign
``send``, then maybe an ``open`` (or a ``bounce`` instead of delivery), then maybe a ``click``
(after an open only). How many events a subscriber has comes from the count stream; its status
shapes them:

- ``pending`` (never confirmed): sends only, never opened;
- ``bounced``: the last send bounces, and nothing follows it;
- ``unsubscribed``: the last send is followed by the ``unsubscribe`` (directly or after an
  open), at the subscriber's ``unsubscribed_at`` exactly when that lies in the event window, and
  nothing follows it. When it lies before the window (a ``daily`` run), the subscriber gets no
  sends: its events are late opens (and clicks) of campaigns mailed before it left.
"""

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.generate import truth
from gensample.generate.datasets import email_subscribers, systems
from gensample.generate.datasets.common import (
    DAY_SECONDS,
    TIMESTAMP,
    count_stream,
    event_window,
    times_between,
    timestamps,
)
from gensample.generate.datasets.contract import BlockInput, Generated, Parents
from gensample.generate.datasets.draws import by_odds, random_ids
from gensample.generate.datasets.sessions import place_sessions
from gensample.generate.seeding import stream
from gensample.native.take import take
from gensample.settings import DATASET_PARENTS, Settings

NAME = "email_events"
REFERENCE = False
IDENTITY = False
PARENTS = DATASET_PARENTS[NAME]
SCHEMA = pa.schema(
    [
        ("event_id", pa.int64()),
        ("subscriber_id", pa.int64()),
        ("campaign_id", pa.string()),
        ("event_type", pa.string()),
        ("event_at", TIMESTAMP),
    ]
)
PRIMARY_KEY = ("event_id",)
FOREIGN_KEYS = {"subscriber_id": ("email_subscribers", "subscriber_id")}
DESCRIPTIONS = {
    "event_id": "Id of the event; unique across days.",
    "subscriber_id": "The subscriber record the mail went to.",
    "campaign_id": "The campaign mailed: CMP-, its year and its day of the year (one campaign a "
    "day, e.g. CMP-2026-031 went out on January 31, 2026); an event's campaign is that of the "
    "send it follows.",
    "event_type": "send, open (of the send before it), click (on a link of the mail opened just "
    "before), bounce (the send before it was not delivered) or unsubscribe (from the send or "
    "open before it; the subscriber's last event). Pending subscribers never open; a subscriber "
    "who left before the window only opens and clicks mail received earlier.",
    "event_at": "When it happened: inside the event window, never before the subscriber signed "
    "up, never after it unsubscribed except to open mail received earlier; an open never before "
    "its send, a click never before its open.",
}
EVENT_TYPES = pa.array(["send", "open", "click", "bounce", "unsubscribe"])
SEND, OPEN, CLICK, BOUNCE, UNSUBSCRIBE = range(5)
"""Events of a subscriber record, by ``trans_type`` (five years of mail, or one day's)."""
GROUP_SIZES = np.array([0.55, 0.33, 0.12])
"""Odds that a send is left unopened, opened, or opened and clicked."""
SOFT_BOUNCE = 0.05
"""Share of sends followed by one event only (not the last send of a bounced or unsubscribed
subscriber) where that event is a bounce instead of an open."""
OPEN_AND_UNSUBSCRIBE = 0.5
"""Share of unsubscribing subscribers who open the mail before unsubscribing (when there are
events enough)."""
MEAN_SECONDS_BEFORE = np.array([21 * DAY_SECONDS, 8 * 3600, 180, 20, 120])
"""Mean time from the previous event of a subscriber to each type of event (by EVENT_TYPES)."""
UNSUBSCRIBED, PENDING, BOUNCED = "unsubscribed", "pending", "bounced"
KINDS_BY_ROLE = np.array(
    [
        [SEND, OPEN, CLICK],  # a send, maybe opened, maybe then clicked
        [SEND, BOUNCE, -1],  # a send that bounced
        [OPEN, CLICK, -1],  # mail received before leaving, opened late, maybe clicked
        [SEND, UNSUBSCRIBE, -1],  # the last send, unsubscribed from
        [SEND, OPEN, UNSUBSCRIBE],  # the last send, opened, then unsubscribed from
    ]
)
"""The type of each event of a group by its position (-1: a group of that role is shorter)."""
NORMAL, BOUNCING, OLD_MAIL, UNSUBSCRIBING, OPEN_THEN_UNSUBSCRIBING = range(len(KINDS_BY_ROLE))


def rows(
    settings: Settings, entity_start: int, entities: int, parent_rows: Mapping[str, int]
) -> int:
    """Events of the block: those of each subscriber record."""
    return int(events_per_subscriber(settings, entity_start, parent_rows[PARENTS[0]]).sum())


def events_per_subscriber(settings: Settings, entity_start: int, subscribers: int) -> np.ndarray:
    """How many events each subscriber record has: with ``trans_type = "full"`` (the window
    holds its whole life) at least the send and the bounce or unsubscribe its status says."""
    rng = count_stream(settings, NAME, entity_start)
    per_subscriber = f"events_per_subscriber_{settings.trans_type}"
    events = systems.counts(settings, NAME, per_subscriber).draw(rng, subscribers)
    if settings.trans_type != "full":
        return events
    status = email_subscribers.statuses(settings, entity_start, subscribers)
    ended = np.isin(status, [email_subscribers.UNSUBSCRIBED, email_subscribers.BOUNCED])
    return np.where(ended, np.maximum(events, 2), events)


def generate(block: BlockInput, parents: Parents) -> Generated:
    """Events of one block, in event id order."""
    settings, entity_start = block.settings, block.block.entity_start
    subscribers = parents[PARENTS[0]].data
    events = events_per_subscriber(settings, entity_start, subscribers.num_rows)
    rng = stream(settings.seed, NAME, "events", entity_start)
    mail = mailboxes(subscribers, events, event_window(settings, block.date))
    subscriber = np.repeat(np.arange(len(events)), events)
    group, group_start, kind = event_kinds(rng, mail, subscriber, events)
    active = np.flatnonzero(events > 0)
    gaps = rng.exponential(MEAN_SECONDS_BEFORE[kind]).astype(np.int64) + 1
    event_at, _, _ = place_sessions(
        rng,
        np.cumsum(events > 0)[subscriber] - 1,
        mail.earliest[active],
        mail.latest[active],
        gaps,
        np.zeros(len(active), np.int64),
        mail.leaves_in_window[active] & (kind[np.cumsum(events)[active] - 1] == UNSUBSCRIBE),
    )
    campaign = campaign_days(rng, mail, subscriber[group_start], group_start, event_at)[group]
    ids = random_ids(rng, *block.id_range(NAME))
    order = ids.order
    data = pa.table(
        {
            "event_id": ids.in_order,
            "subscriber_id": subscribers["subscriber_id"].to_numpy()[subscriber[order]],
            "campaign_id": campaign_ids(campaign[order]),
            "event_type": take(EVENT_TYPES, kind[order]),
            "event_at": timestamps(event_at[order]),
        }
    )
    return Generated(data.cast(SCHEMA), truth.RECORDS_SCHEMA.empty_table())


class Mailboxes(NamedTuple):
    """What the status and dates of each subscriber record allow."""

    signed_up: np.ndarray
    left: np.ndarray
    """When it unsubscribed (after the window when it did not)."""
    earliest: np.ndarray
    latest: np.ndarray
    """First and last second its events may have."""
    leaves_in_window: np.ndarray
    """It unsubscribes inside the window: its last event may be the unsubscribe, at ``left``."""
    left_before: np.ndarray
    """It unsubscribed before the window: it only opens (and clicks) mail received earlier."""
    pending: np.ndarray
    bounced: np.ndarray
    last_group: np.ndarray
    """Events of its last group when its status fixes them (a bounce or an unsubscribe after
    the send; 3: room for an open before the unsubscribe), else 0."""

    def largest_group(self) -> np.ndarray:
        """The most events one group (a send and what follows it) may have."""
        return np.select([self.pending, self.left_before], [1, 2], 3)


def mailboxes(subscribers: pa.Table, events: np.ndarray, window: tuple[int, int]) -> Mailboxes:
    """What the subscriber records allow, given their events and the event window."""
    first, last = window
    signed_up = subscribers["subscribed_at"].cast(pa.int64()).to_numpy()
    left = subscribers["unsubscribed_at"].cast(pa.int64()).fill_null(last + 1).to_numpy()
    status = {
        name: pc.equal(subscribers["status"], name).to_numpy(zero_copy_only=False)
        for name in (UNSUBSCRIBED, PENDING, BOUNCED)
    }
    earliest = np.clip(signed_up, first, last)
    leaves_in_window = status[UNSUBSCRIBED] & (left >= earliest) & (left <= last)
    last_group = np.select(
        [status[BOUNCED] & (events >= 2), leaves_in_window & (events >= 2)],
        [np.full(len(events), 2), 2 + (events >= 3)],
        0,
    )
    return Mailboxes(
        signed_up=signed_up,
        left=left,
        earliest=earliest,
        latest=np.where(leaves_in_window, left, last),
        leaves_in_window=leaves_in_window,
        left_before=status[UNSUBSCRIBED] & (left < earliest),
        pending=status[PENDING],
        bounced=status[BOUNCED],
        last_group=last_group,
    )


def event_kinds(
    rng: np.random.Generator, mail: Mailboxes, subscriber: np.ndarray, events: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split each subscriber's events into groups (a send and what follows it) and give each
    event its type: the group of each event, the first event of each group, and each event's
    index into ``EVENT_TYPES``."""
    first = np.cumsum(events) - events
    unsubscribe_only = rng.random(len(events)) >= OPEN_AND_UNSUBSCRIBE
    last_group = np.where((mail.last_group == 3) & unsubscribe_only, 2, mail.last_group)
    free = events - last_group
    drawn = 1 + by_odds(rng, GROUP_SIZES, len(subscriber))
    size = np.minimum(drawn, mail.largest_group()[subscriber])
    before = np.cumsum(size) - size
    at = before - before[first[subscriber]]  # where each drawn group would start
    kept = at < free[subscriber]
    starts = np.zeros(len(subscriber), bool)
    starts[first[subscriber][kept] + at[kept]] = True
    starts[(first + free)[last_group > 0]] = True
    group = np.cumsum(starts) - 1
    group_start = np.flatnonzero(starts)
    owner = subscriber[group_start]
    in_last = (last_group[owner] > 0) & (group_start >= (first + free)[owner])
    role = group_roles(rng, mail, owner, np.diff(group_start, append=len(subscriber)), in_last)
    position = np.arange(len(subscriber)) - group_start[group]
    return group, group_start, KINDS_BY_ROLE[role[group], position]


def group_roles(
    rng: np.random.Generator,
    mail: Mailboxes,
    owner: np.ndarray,
    size: np.ndarray,
    in_last: np.ndarray,
) -> np.ndarray:
    """The role of each group (a row of ``KINDS_BY_ROLE``), from its size, whether it is its
    subscriber's last one with a fixed shape, and its subscriber's status."""
    old_mail = mail.left_before[owner]
    role = np.where(old_mail, OLD_MAIL, NORMAL)
    role[(size == 2) & ~old_mail & (rng.random(len(owner)) < SOFT_BOUNCE)] = BOUNCING
    bounced = mail.bounced[owner]
    role[in_last & bounced] = BOUNCING
    role[in_last & ~bounced] = np.where(size == 3, OPEN_THEN_UNSUBSCRIBING, UNSUBSCRIBING)[
        in_last & ~bounced
    ]
    return role


def campaign_days(
    rng: np.random.Generator,
    mail: Mailboxes,
    owner: np.ndarray,
    group_start: np.ndarray,
    event_at: np.ndarray,
) -> np.ndarray:
    """The day (since the epoch) of each group's campaign: that of its send, or for mail
    opened after leaving, a day between signing up and leaving."""
    earlier = times_between(rng, mail.signed_up[owner], mail.left[owner], len(owner))
    sent = np.where(mail.left_before[owner], earlier, event_at[group_start])
    return sent // DAY_SECONDS


def campaign_ids(days: np.ndarray) -> pa.Array:
    """Campaign ids of days since the epoch: CMP-, the year and the day of the year."""
    if len(days) == 0:
        return pa.array([], pa.string())
    first = int(days.min())
    calendar = pa.array(np.arange(first, int(days.max()) + 1) * DAY_SECONDS, TIMESTAMP)
    return take(pc.strftime(calendar, format="CMP-%Y-%j"), days - first)
