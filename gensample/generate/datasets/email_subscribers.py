"""``email_subscribers``: the newsletter list of an e-mail service provider.

It knows little of a person: the address and, when the sign-up form asked for it, a first name.
A person on the list twice usually signed up again with another address or mistyped it; a few
are the same address imported twice.
"""

import numpy as np
import pyarrow as pa

from gensample.generate.datasets import formats, identity, registration, systems
from gensample.generate.datasets.common import TIMESTAMP, times_between
from gensample.generate.datasets.contract import BlockInput, Generated, Parents
from gensample.generate.seeding import stream
from gensample.native.take import take
from gensample.reference import Pool
from gensample.settings import DATASET_PARENTS, Settings

NAME = "email_subscribers"
REFERENCE = False
IDENTITY = True
PARENTS = DATASET_PARENTS[NAME]
SCHEMA = pa.schema(
    [
        ("subscriber_id", pa.int64()),
        ("email", pa.string()),
        ("first_name", pa.string()),
        ("status", pa.string()),
        ("subscribed_at", TIMESTAMP),
        ("unsubscribed_at", TIMESTAMP),
    ]
)
PRIMARY_KEY = ("subscriber_id",)
FOREIGN_KEYS: dict[str, tuple[str, str]] = {}
DESCRIPTIONS = {
    "subscriber_id": "Subscriber id, unique; the same person may be on the list more than once.",
    "email": "E-mail address as signed up with (possibly mistyped).",
    "first_name": "First name as typed on the sign-up form; empty when the form did not ask.",
    "status": "subscribed, unsubscribed, pending (sign-up not confirmed yet) or bounced (the "
    "address no longer takes mail).",
    "subscribed_at": "When the address signed up (within five years before the day).",
    "unsubscribed_at": "When the subscriber opted out: after subscribed_at and no later than "
    "the day; empty unless status is unsubscribed.",
}
STATUSES = Pool(
    pa.array(["subscribed", "unsubscribed", "pending", "bounced"]),
    np.array([0.72, 0.16, 0.04, 0.08]),
)
UNSUBSCRIBED, BOUNCED = 1, 3
"""Positions of ``unsubscribed`` and ``bounced`` in ``STATUSES``."""
SYSTEM = identity.System(NAME, systems.columns(NAME), formats.as_given)


rows = identity.rows_counter(NAME)


def statuses(settings: Settings, entity_start: int, subscribers: int) -> np.ndarray:
    """The status (index into ``STATUSES``) of each subscriber record of a block, in id order:
    from its own stream, so ``email_events`` can count the events a status needs."""
    return STATUSES.draw(stream(settings.seed, NAME, "status", entity_start), subscribers)


def generate(block: BlockInput, parents: Parents) -> Generated:
    """Subscribers of one block, in id order, with their truth rows."""
    found = identity.records(block, SYSTEM)
    draw = identity.streams(block, NAME)
    start, end = registration.history_window(block.date)
    subscribed = identity.first_times(draw("subscribed"), block, found, start, end)
    status = statuses(block.settings, block.block.entity_start, len(subscribed))
    left = times_between(draw("unsubscribed"), subscribed, end, len(subscribed))
    data = pa.table(
        {
            "subscriber_id": found.record_id,
            "email": found.columns["email"],
            "first_name": found.columns["first_name"],
            "status": take(STATUSES.values, status),
            "subscribed_at": pa.array(subscribed, TIMESTAMP),
            "unsubscribed_at": pa.array(left, TIMESTAMP, mask=status != UNSUBSCRIBED),
        },
        schema=SCHEMA,
    )
    return Generated(data, found.truth)
