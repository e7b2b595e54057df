"""``customers``: the e-commerce customer master, with duplicate accounts of the same people.

Rows are changes, as a source system's feed sends them: ``operation`` is ``I`` for a record
inserted that day and ``U`` for a new version of an earlier day's record (see ``drift``).
"""

import datetime as dt
from collections.abc import Generator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.corruptions import fuzz_steps, fuzzmap
from gensample.generate import duplicates, population, truth, variants
from gensample.generate.datasets import formats, fuzzing, identity, systems
from gensample.generate.datasets.common import (
    DAY_SECONDS,
    HISTORY_DAYS,
    TIMESTAMP,
    day_end,
    repeat,
    times_between,
)
from gensample.generate.datasets.contract import BlockInput, Generated, Parents
from gensample.generate.seeding import stream
from gensample.native.strings import join_element_wise
from gensample.native.take import take
from gensample.reference import Pool
from gensample.settings import DATASET_PARENTS, Settings

NAME = "customers"
REFERENCE = False
IDENTITY = True
PARENTS = DATASET_PARENTS[NAME]
PERSON_COLUMNS = [
    column for column in population.SCHEMA.names if column not in population.TRUTH_ONLY
]
"""The person as the customer master holds it: the true person's columns but those only the
truth holds."""
SCHEMA = pa.schema(
    [
        ("customer_id", pa.int64()),
        *(population.SCHEMA.field(column) for column in PERSON_COLUMNS),
        ("account_status", pa.string()),
        ("created_at", pa.timestamp("s")),
        ("updated_at", pa.timestamp("s")),
        ("operation", pa.string()),
    ]
)
PRIMARY_KEY = ("customer_id",)
"""Unique within a day (an update row repeats the id of an earlier day's record)."""
FOREIGN_KEYS: dict[str, tuple[str, str]] = {}
DESCRIPTIONS = {
    "customer_id": "Account id: unique within a day and never handed out again; an update row "
    "(operation U) repeats the id of the earlier day's record it updates.",
    "first_name": "Given name as entered, some with a middle initial after it ('John A'; a "
    "duplicate's may be a nickname, an initial, misspelt or blank).",
    "last_name": "Family name as entered, a suffix (Jr, Sr, II, III) after it (a duplicate's "
    "may be misspelt or blank).",
    "gender": "F or M as entered (a duplicate's may be mistyped or blank).",
    "birth_date": "Date of birth as entered (a duplicate's may have day and month swapped, a "
    "mistyped day or year, or be blank).",
    "email": "E-mail address as entered.",
    "phone": "Phone number as entered, usually (NPA) NXX-XXXX.",
    "address_line1": "House number and street as entered.",
    "address_line2": "Apartment or unit; usually empty.",
    "city": "City as entered.",
    "state": "Two-letter US state code.",
    "postal_code": "Five-digit ZIP code as entered.",
    "account_status": "active, inactive, suspended or closed.",
    "created_at": "When the account was opened: within five years before the day, after the "
    "owner's 18th birthday; a person's first account is the one the truth calls original.",
    "updated_at": "When the account last changed; on the day itself for an update row.",
    "operation": "I: a record new that day; U: a new version of an earlier day's record.",
}
ACCOUNT_STATUSES = Pool(
    pa.array(["active", "inactive", "suspended", "closed"]), np.array([0.86, 0.09, 0.01, 0.04])
)
INSERT, UPDATE = "I", "U"


def generate(block: BlockInput, parents: Parents) -> Generated:
    """Customer records of one block: one original per person, then duplicates, shuffled; every
    record may carry the person's other true values and errors (``identity`` describes how).
    Their fuzz passes are made with the identity systems' (``identity.with_systems``).

    Its rows are counted by the plan (originals and the block's duplicate budget).
    """
    return identity.with_systems(block, NAME, lambda: _records(block))


def _records(block: BlockInput) -> Generator[fuzzmap.Request, fuzzmap.Fuzzed, Generated]:
    """``generate``, as a step that yields each fuzz pass it needs."""
    settings, plan = block.settings, block.block
    rng = stream(settings.seed, NAME, plan.entity_start)
    copies = duplicates.copies_per_entity(
        rng,
        plan.entities,
        plan.duplicates,
        settings.duplicates_distribution,
        settings.max_duplicates_per_entity,
    )
    people = entered(block)
    source = np.concatenate([np.arange(plan.entities), np.repeat(np.arange(plan.entities), copies)])
    carried, variations = variants.carry(
        take(people, source),
        block.other_values,
        source,
        fuzzing.run_variation_shares(settings, NAME),
        stream(settings.seed, NAME, "variants", plan.entity_start),
    )
    written, corruptions = yield from fuzz_records(carried, plan.entities, settings, rng)
    entity_id = block.people["entity_id"].to_numpy()
    originals = plan.entities
    record_id = plan.record_start + rng.permutation(plan.records)
    opened = opening_times(rng, block, source[originals:])
    written, corruptions = fuzzing.validated(
        written,
        take(people["birth_date"], source),
        corruptions,
        opened // DAY_SECONDS,
        settings,
        rng,
    )
    return assemble(
        written,
        record_id,
        entity_id[source],
        pa.concat_arrays([repeat("original", originals), repeat("duplicate", plan.duplicates)]),
        pa.array(
            np.concatenate([np.zeros(originals, np.int64), record_id[source[originals:]]]),
            mask=np.arange(plan.records) < originals,
        ),
        corruptions,
        rng,
        block.date,
        opened,
        variations,
        original=source,  # a person's first row, its original, is the person's row
    )


def entered(block: BlockInput) -> pa.Table:
    """The block's people as they type themselves into the web shop: a suffix after the family
    name, some a middle initial after the first name."""
    people = block.people
    with_suffix = join_element_wise(people["last_name"], people["suffix"], " ")
    last_name = pc.coalesce(with_suffix, people["last_name"])
    first_name = formats.with_middle(
        block,
        NAME,
        people,
        np.arange(people.num_rows),
        systems.habit(block.settings, NAME, "middle_initial"),
        initial=True,
    )
    columns = people.select(PERSON_COLUMNS)
    columns = formats.replace(columns, "first_name", first_name)
    return formats.replace(columns, "last_name", last_name)


def opening_times(rng: np.random.Generator, block: BlockInput, source: np.ndarray) -> np.ndarray:
    """When each account (the block's originals, then the duplicates of people ``source``) was
    opened: in the five years before the day and after the person's 18th birthday; a person's
    first account is the original, the duplicates come later."""
    end = day_end(block.date)
    adult = population.adult_since(block.people["birth_date"])
    earliest = np.maximum(adult, end - HISTORY_DAYS * DAY_SECONDS + 1)
    first = times_between(rng, earliest, end, len(earliest))
    return np.concatenate([first, times_between(rng, first[source], end, len(source))])


def assemble(
    rows: pa.Table,
    record_id: np.ndarray,
    entity_id: np.ndarray,
    kind: pa.Array,
    duplicate_of: pa.Array,
    corruptions: pa.Array,
    rng: np.random.Generator,
    date: dt.date,
    opened: np.ndarray | None = None,
    variations: pa.Array | None = None,
    earlier: pa.Table | None = None,
    original: np.ndarray | None = None,
) -> Generated:
    """New customer records from person rows and their truth: accounts added, rows in id order.

    ``record_id`` is a range of ids in a shuffled order; ``opened`` the second each account was
    opened (by default any in the five years before the day); ``variations`` the other true
    values each record carries (by default none); ``earlier`` the person columns of the
    record each row copies when that is from an earlier day, ``original`` the row of each
    row's original among the rows when known (``truth.record_rows``).
    """
    accounts = account_columns(rng, rows.num_rows, date, opened)
    order = _in_order(record_id)
    if original is not None:  # the rows of the originals once in id order
        original = _in_order(order)[original[order]]  # _in_order inverts the permutation
    taken = pa.array(order)
    rows, record_id, entity_id = take(rows, taken), record_id[order], entity_id[order]
    status, created, updated = (take(column, taken) for column in accounts)
    data = (
        rows.add_column(0, "customer_id", pa.array(record_id))
        .append_column("account_status", status)
        .append_column("created_at", created)
        .append_column("updated_at", updated)
        .append_column("operation", repeat(INSERT, rows.num_rows))
    )
    kind, duplicate_of, corruptions = (take(c, taken) for c in (kind, duplicate_of, corruptions))
    variations, earlier = (None if v is None else take(v, taken) for v in (variations, earlier))
    records = truth.record_rows(
        NAME,
        record_id,
        entity_id,
        kind,
        duplicate_of,
        corruptions,
        rows,
        variations,
        earlier,
        original,
    )
    return Generated(data.cast(SCHEMA), records)


def _in_order(record_id: np.ndarray) -> np.ndarray:
    """The positions of a shuffled range of ids, smallest id first (its argsort, without a sort)."""
    order = np.empty_like(record_id)
    if len(record_id):
        order[record_id - record_id.min()] = np.arange(len(record_id))
    return order


def fuzz_records(
    records: pa.Table, firsts: int, settings: Settings, rng: np.random.Generator
) -> Generator[fuzzmap.Request, fuzzmap.Fuzzed, fuzzmap.Fuzzed]:
    """Corrupt the records through the fuzz map: the ``original_share`` of the first ``firsts``
    (people's first accounts) and all the others (duplicates) but an exact share; every
    corrupted record shows a change (yielding each fuzz pass)."""
    share = fuzzing.run_original_share(settings)
    rows = fuzzing.fuzzed_rows(
        rng, firsts, records.num_rows, share, fuzzing.run_exact_share(settings)
    )
    return fuzz_steps.until_changed(fuzzing.run_request(settings, NAME, records, rows, rng))


def account_columns(
    rng: np.random.Generator, n: int, date: dt.date, opened: np.ndarray | None = None
) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Status, creation (``opened``, or any time within five years before ``date``) and last
    update of each account."""
    status = take(ACCOUNT_STATUSES.values, ACCOUNT_STATUSES.draw(rng, n))
    end = day_end(date)
    created = end - rng.integers(0, HISTORY_DAYS * 86_400, n) if opened is None else opened
    updated = created + (rng.random(n) * (end - created)).astype(np.int64)
    return status, pa.array(created, TIMESTAMP), pa.array(updated, TIMESTAMP)
