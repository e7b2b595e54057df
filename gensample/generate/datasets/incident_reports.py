"""``incident_reports``: incidents customers reported in stores, written up by staff.

The reporter is whoever the form names, typed as the member of staff heard it: "First Last",
sometimes the family name alone or all in capitals, and a phone number, often missing, written
any way. A person's later reports are the duplicates of their first.
"""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.generate import characters
from gensample.generate.datasets import formats, identity, stores, systems
from gensample.generate.datasets.common import DAY_SECONDS, TIMESTAMP, during_hours, event_window
from gensample.generate.datasets.contract import BlockInput, Generated, Parents
from gensample.native.take import take
from gensample.reference import Pool
from gensample.settings import DATASET_PARENTS

NAME = "incident_reports"
REFERENCE = False
IDENTITY = True
PARENTS = DATASET_PARENTS[NAME]
SCHEMA = pa.schema(
    [
        ("incident_id", pa.int64()),
        ("store_id", pa.int64()),
        ("occurred_at", TIMESTAMP),
        ("reported_at", TIMESTAMP),
        ("incident_type", pa.string()),
        ("description", pa.string()),
        ("reporter_name", pa.string()),
        ("reporter_phone", pa.string()),
    ]
)
PRIMARY_KEY = ("incident_id",)
FOREIGN_KEYS = {"store_id": ("stores", "store_id")}
DESCRIPTIONS = {
    "incident_id": "Incident number, unique; one person may report several incidents.",
    "store_id": "Store the incident happened in (usually one in the reporter's state).",
    "occurred_at": "When the incident happened, in opening hours.",
    "reported_at": "When it was written up: at or after occurred_at, within four days, and no "
    "later than the day.",
    "incident_type": "injury, incident, near_miss or observation.",
    "description": "What happened, in a few words.",
    "reporter_name": "Name of the customer who reported it, as staff typed it: usually 'First "
    "Last', often with the middle name or initial ('John Allen Smith'), sometimes the family "
    "name alone or all in capitals.",
    "reporter_phone": "Reporter's phone number, written any way (digits, dashes, dots, "
    "brackets); often empty.",
}
DESCRIPTIONS_BY_TYPE = {
    "injury": (
        "Slipped on wet floor near entrance",
        "Cut hand on damaged shelf edge",
        "Struck by falling item in aisle",
        "Tripped over pallet in aisle",
        "Trapped fingers in cart corral",
    ),
    "incident": (
        "Shopping cart rolled into parked car",
        "Glass jar broke at checkout",
        "Item fell from top shelf",
        "Dispute at returns desk",
        "Automatic door closed on customer",
    ),
    "near_miss": (
        "Nearly slipped on spilled liquid",
        "Forklift reversed close to customer",
        "Loose floor mat at entrance",
        "Unstable display nearly toppled",
        "Box left blocking fire exit",
    ),
    "observation": (
        "Leaking freezer in frozen aisle",
        "Broken light in parking lot",
        "Ice on walkway outside",
        "Flickering lights in aisle",
        "Exposed wiring at self checkout",
    ),
}
TYPE_SHARES = {"injury": 0.12, "incident": 0.28, "near_miss": 0.3, "observation": 0.3}
REPORTS = Pool(
    pa.array([text for texts in DESCRIPTIONS_BY_TYPE.values() for text in texts]),
    np.repeat(
        [TYPE_SHARES[kind] / len(texts) for kind, texts in DESCRIPTIONS_BY_TYPE.items()],
        [len(texts) for texts in DESCRIPTIONS_BY_TYPE.values()],
    ),
)
"""Descriptions, by how often their type is reported."""
REPORT_TYPES = pa.array([kind for kind, texts in DESCRIPTIONS_BY_TYPE.items() for _ in texts])
"""The type of each description in ``REPORTS``."""
NAME_HABITS = (0.65, 0.2, 0.15)
"""How often a person's name is written as said, in capitals, or as the family name alone."""
CAPITALS, FAMILY_ONLY = 1, 2
PHONE_SEPARATORS = ("", "-", ".")
PHONE_HABITS = (0.4, 0.3, 0.2, 0.1)
"""How often a person's phone is written as given, or as its digits joined by each of
``PHONE_SEPARATORS``."""
WRITE_UP_MEAN_DAYS = 0.7
WRITE_UP_MOST_DAYS = 4
"""A report is written up after an exponential delay (mean in days), cut at a few days."""


def written(block: BlockInput, columns: pa.Table, person: np.ndarray) -> pa.Table:
    """Each person's name (often with the middle name) and phone written in that person's
    habit."""
    name_habit = formats.person_habit(block, NAME, "name_habit", NAME_HABITS, person)
    capitals = pa.array(name_habit == CAPITALS)
    middle = systems.habit(block.settings, NAME, "middle_name")  # given to staff, as given
    first = formats.with_middle(block, NAME, columns, person, middle, initial=False)
    first = pc.if_else(capitals, pc.utf8_upper(first), first)
    first = pc.if_else(pa.array(name_habit == FAMILY_ONLY), pa.scalar(None, pa.string()), first)
    last = pc.if_else(capitals, pc.utf8_upper(columns["last_name"]), columns["last_name"])
    phone_habit = formats.person_habit(block, NAME, "phone_habit", PHONE_HABITS, person)
    phone = pc.choose(
        pa.array(phone_habit),
        columns["phone"],
        *(phones_separated(columns["phone"], sep) for sep in PHONE_SEPARATORS),
    )
    return pa.table({"first_name": first, "last_name": last, "phone": phone})


def phones_separated(phones: pa.Array, separator: str) -> pa.Array:
    """Ten-digit numbers as 'NPA<sep>NXX<sep>XXXX' (other digit counts as digits alone)."""
    return pc.replace_substring_regex(
        characters.digits(phones), r"^(\d{3})(\d{3})(\d{4})$", rf"\1{separator}\2{separator}\3"
    )


SYSTEM = identity.System(NAME, systems.columns(NAME), written)


rows = identity.rows_counter(NAME)


def generate(block: BlockInput, parents: Parents) -> Generated:
    """Incident reports of one block, in id order, with their truth rows."""
    found = identity.records(block, SYSTEM)
    draw = identity.streams(block, NAME)
    start, end = event_window(block.settings, block.date)
    occurred = identity.first_times(draw("occurred"), block, found, start, end)
    delay = draw("reported").exponential(WRITE_UP_MEAN_DAYS * DAY_SECONDS, len(occurred))
    reported = np.minimum(
        occurred + np.minimum(delay, WRITE_UP_MOST_DAYS * DAY_SECONDS).astype(np.int64), end
    )
    occurred, reported = (during_hours(t, stores.OPENING_HOURS) for t in (occurred, reported))
    report = pa.array(REPORTS.draw(draw("report"), len(occurred)))
    state = take(block.people["state"], found.person)
    data = pa.table(
        {
            "incident_id": found.record_id,
            "store_id": stores.near(draw("store"), parents["stores"].data, state),
            "occurred_at": pa.array(occurred, TIMESTAMP),
            "reported_at": pa.array(reported, TIMESTAMP),
            "incident_type": take(REPORT_TYPES, report),
            "description": take(REPORTS.values, report),
            "reporter_name": formats.join_present(
                found.columns["first_name"], found.columns["last_name"], " "
            ),
            "reporter_phone": found.columns["phone"],
        },
        schema=SCHEMA,
    )
    return Generated(data, found.truth)
