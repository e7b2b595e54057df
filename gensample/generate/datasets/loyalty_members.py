"""``loyalty_members``: the loyalty program, an old system that keeps everything in capitals.

People fill in the enrolment form themselves, so a second enrolment (a lost card, a new e-mail)
differs from the first in few fields. Members earn points on what they spend, at a rate set by
the tier their lifetime spend has reached. Some give the id of their web shop account, which
links the member to that person's customer record.
"""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.generate.datasets import identity, registration, systems
from gensample.generate.datasets.common import DAY_SECONDS, MONEY, money, share_of
from gensample.generate.datasets.contract import BlockInput, Generated, Parents
from gensample.native.take import take
from gensample.settings import DATASET_PARENTS

NAME = "loyalty_members"
REFERENCE = False
IDENTITY = True
PARENTS = DATASET_PARENTS[NAME]
PERSON_COLUMNS = systems.columns(NAME)
SCHEMA = pa.schema(
    [
        ("member_id", pa.int64()),
        ("card_number", pa.string()),
        ("tier", pa.string()),
        ("lifetime_spend", MONEY),
        ("points", pa.int64()),
        ("enrolled_on", pa.date32()),
        *((column, pa.string()) for column in PERSON_COLUMNS),
        ("customer_id", pa.int64()),
    ]
)
PRIMARY_KEY = ("member_id",)
FOREIGN_KEYS = {"customer_id": ("customers", "customer_id")}
DESCRIPTIONS = {
    "member_id": "Member number, unique; the same person may have enrolled more than once.",
    "card_number": "The 16-digit number on the member's card (unique; the last digit is a Luhn "
    "check digit).",
    "tier": "bronze, silver, gold or platinum: the highest tier whose lifetime spend threshold "
    "the member has reached (0, 500, 2,000 and 5,000 dollars).",
    "lifetime_spend": "Dollars spent since enrolment, to the cent.",
    "points": "Points earned: lifetime spend in dollars times the tier's rate (1, 1.25, 1.5 or "
    "2 points a dollar), rounded down.",
    "enrolled_on": "Day the member enrolled (within five years before the day).",
    "first_name": "Given name, in capitals.",
    "last_name": "Family name, in capitals.",
    "email": "E-mail address, in capitals; empty when not given.",
    "phone": "Phone number as given, usually (NPA) NXX-XXXX; empty when not given.",
    "address_line1": "House number and street, in capitals.",
    "city": "City, in capitals.",
    "state": "Two-letter US state code.",
    "postal_code": "Five-digit ZIP code.",
    "customer_id": "The member's web shop account (one of the person's customers records, a "
    "duplicate as likely as the original), when the member gave it; empty otherwise.",
}
TIERS = pa.array(["bronze", "silver", "gold", "platinum"])
TIER_FLOORS_CENTS = np.array([0, 50_000, 200_000, 500_000])
"""Lifetime spend from which each tier applies."""
POINTS_PER_100_DOLLARS = np.array([100, 125, 150, 200])
"""Points a member of each tier earns per 100 dollars spent."""
YEARLY_SPEND_MEDIAN_CENTS = 30_000
YEARLY_SPEND_SIGMA = 1.0
"""A member's spend per year: log-normal around 300 dollars, some spending far more."""
CARD_PREFIX = 7045
"""The program's card number prefix (four digits)."""
CARD_MULTIPLIER, CARD_OFFSET = 48_271_017, 31_415_926_535
"""Spread member ids over the 11 digits between prefix and check digit (a bijection on them:
the multiplier is coprime with 10, and member ids stay below 10**11)."""
CARD_BODY = 10**11


def written(block: BlockInput, columns: pa.Table, person: np.ndarray) -> pa.Table:
    """Every column in capitals."""
    upper = [pc.utf8_upper(values) for values in columns.columns]
    return pa.Table.from_arrays(upper, names=columns.column_names)


SYSTEM = identity.System(NAME, PERSON_COLUMNS, written)


rows = identity.rows_counter(NAME)


def generate(block: BlockInput, parents: Parents) -> Generated:
    """Loyalty members of one block, in id order, with their truth rows."""
    found = identity.records(block, SYSTEM)
    draw = identity.streams(block, NAME)
    start, end = registration.history_window(block.date)
    enrolled = identity.first_times(draw("enrolled"), block, found, start, end)
    spend = lifetime_spend(draw("spend"), (end - enrolled) / (365 * DAY_SECONDS))
    tier = np.searchsorted(TIER_FLOORS_CENTS, spend, side="right") - 1
    program = pa.table(
        {
            "member_id": found.record_id,
            "card_number": card_numbers(found.record_id),
            "tier": take(TIERS, tier),
            "lifetime_spend": money(spend),
            "points": spend * POINTS_PER_100_DOLLARS[tier] // 10_000,
            "enrolled_on": pa.array((enrolled // DAY_SECONDS).astype(np.int32), pa.date32()),
        }
    )
    customer_id = linked_customers(draw("linked"), block, parents, found.person)
    data = pa.Table.from_arrays(
        [*program.columns, *found.columns.columns, customer_id], schema=SCHEMA
    )
    return Generated(data, found.truth)


def lifetime_spend(rng: np.random.Generator, years: np.ndarray) -> np.ndarray:
    """Cents spent by members of ``years`` standing: a yearly spend that varies a lot, times
    the years."""
    yearly = YEARLY_SPEND_MEDIAN_CENTS * rng.lognormal(0.0, YEARLY_SPEND_SIGMA, len(years))
    return np.round(yearly * years).astype(np.int64)


def card_numbers(member_id: np.ndarray) -> pa.Array:
    """A 16-digit card number per member: prefix, 11 digits spread from the id, Luhn digit."""
    body = (member_id * CARD_MULTIPLIER + CARD_OFFSET) % CARD_BODY
    payload = CARD_PREFIX * CARD_BODY + body
    return pc.cast(pa.array(payload * 10 + luhn_digit(payload)), pa.string())


def luhn_digit(payload: np.ndarray) -> np.ndarray:
    """The Luhn check digit of each number: doubling every second digit from the right."""
    total = np.zeros(len(payload), np.int64)
    rest = payload.copy()
    for position in range(16):
        digit = rest % 10
        rest //= 10
        if position % 2 == 0:
            digit = digit * 2 - 9 * (digit >= 5)
        total += digit
    return (10 - total % 10) % 10


def linked_customers(
    rng: np.random.Generator, block: BlockInput, parents: Parents, person: np.ndarray
) -> pa.Array:
    """For a share of the members, the customer id of one of the person's customer records
    (whichever account they gave, a duplicate as likely as the original), else null."""
    customers = parents["customers"]
    plan = block.block
    used = registration.used_rows(rng, customers.truth, plan.entity_start, plan.entities)
    linked = np.zeros(len(person), dtype=bool)
    share = systems.habit(block.settings, NAME, "linked_account")
    linked[rng.permutation(len(person))[: share_of(len(person), share)]] = True
    return pa.array(customers.data["customer_id"].to_numpy()[used[person]], mask=~linked)
