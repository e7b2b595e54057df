"""Existing records and people: what the archive knows before a day, as current versions.

Every archived day holds its new and updated customer rows, and lists the people of those rows
as they were at the end of that day. So the current row of a record is its row in the newest
archived day that has it, and the current version of a person their row in the newest day that
lists them. When that version started is known when the day it started is still archived (its
``history.csv`` opened it); people whose version started before the archive's memory can still
have records closed, but cannot change (their old version could not be closed exactly).

Days are read twice, as ``reinjection.pick`` does: once to index ids, then to take the rows asked
for; memory holds ids of the whole archive but rows only of the records and people asked for.
"""

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.daily import archiving
from gensample.generate.datasets.customers import SCHEMA
from gensample.generate.truth import ENTITIES_SCHEMA, RECORDS_SCHEMA

log = logging.getLogger(__name__)

UNKNOWN = -1
_NONE = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class Index:
    """Where the newest archived row of each record and person is; ids ascending."""

    days: tuple[dt.date, ...]
    record_id: np.ndarray
    record_entity: np.ndarray
    record_day: np.ndarray  # position in ``days`` of the record's newest row
    record_open: np.ndarray  # whether the account of that row is not closed
    entity_id: np.ndarray
    entity_day: np.ndarray  # position in ``days`` of the person's newest row
    since: np.ndarray  # days since 1970 of the start of their current version, or UNKNOWN

    def records_of(self, people: np.ndarray) -> np.ndarray:
        """The archived records of ``people`` (entity ids)."""
        return self.record_id[np.isin(self.record_entity, people)]

    def people_of(self, records: np.ndarray) -> np.ndarray:
        """The people (entity ids) of archived ``records``."""
        return np.unique(self.record_entity[np.isin(self.record_id, records)])


@dataclass(frozen=True)
class Existing:
    """Current rows of some archived records with their truth, and current versions of people."""

    customers: pa.Table  # customers SCHEMA, in record id order
    records: pa.Table  # RECORDS_SCHEMA, row by row with customers
    people: pa.Table
    """Current versions, in entity id order, with ``valid_from``: the day each began (null:
    before the archive's memory)."""


def scan(archive_dir: Path, before: dt.date) -> Index:
    """Index the good archived days before ``before``; a malformed one is logged and skipped."""
    days, parts = [], []
    for day in archiving.archived_days(archive_dir, before):
        try:
            loaded = archiving.load_day(archive_dir, day)
        except archiving.ArchiveError as error:
            log.warning("archived day %s skipped: %s", day, error)
            continue
        parts.append(_day_ids(loaded, len(days)))
        days.append(day)
    ids = {key: np.concatenate([part[key] for part in parts] or [_NONE]) for key in _KEYS}
    records = _newest(ids["record_id"], ids["record_day"])
    people = _newest(ids["entity_id"], ids["entity_day"])
    entity_id = ids["entity_id"][people]
    started = _newest(ids["started_id"], ids["started_on"])
    started_id, started_on = ids["started_id"][started], ids["started_on"][started]
    known = np.isin(started_id, entity_id)
    since = np.full(len(entity_id), UNKNOWN, dtype=np.int64)
    since[np.searchsorted(entity_id, started_id[known])] = started_on[known]
    return Index(
        tuple(days),
        ids["record_id"][records],
        ids["record_entity"][records],
        ids["record_day"][records],
        ids["record_open"][records].astype(bool),
        entity_id,
        ids["entity_day"][people],
        since,
    )


_KEYS = (
    "record_id",
    "record_entity",
    "record_day",
    "record_open",
    "entity_id",
    "entity_day",
    "started_id",
    "started_on",
)


def _day_ids(day: archiving.ArchivedDay, position: int) -> dict[str, np.ndarray]:
    """The ids of one archived day, by ``_KEYS``; versions started are the open history rows."""
    history = day.history
    opened = history.filter(
        pc.and_(pc.is_null(history["valid_to"]), pc.is_valid(history["valid_from"]))
    )
    records, people = day.customers.num_rows, day.entities.num_rows
    return {
        "record_id": day.customers["customer_id"].to_numpy(),
        "record_entity": day.records["entity_id"].to_numpy(),
        "record_day": np.full(records, position),
        "record_open": pc.fill_null(
            pc.not_equal(day.customers["account_status"], "closed"), True
        ).to_numpy(),
        "entity_id": day.entities["entity_id"].to_numpy(),
        "entity_day": np.full(people, position),
        "started_id": opened["entity_id"].to_numpy(),
        "started_on": opened["valid_from"].cast(pa.int32()).to_numpy().astype(np.int64),
    }


def _newest(ids: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Positions of the last row of each id by ``order`` (ties: the later row), ids ascending."""
    ranked = np.lexsort((order, ids))
    ids = ids[ranked]
    return ranked[np.append(ids[1:] != ids[:-1], True)] if len(ids) else ranked


def fetch(archive_dir: Path, index: Index, records: np.ndarray, people: np.ndarray) -> Existing:
    """The current rows of ``records`` and current versions of ``people`` (ids in the index)."""
    record_at = np.flatnonzero(np.isin(index.record_id, records))
    person_at = np.flatnonzero(np.isin(index.entity_id, people))
    customers, truth, versions = [], [], []
    for position in np.union1d(index.record_day[record_at], index.entity_day[person_at]):
        day = archiving.load_day(archive_dir, index.days[position])
        wanted = index.record_id[record_at[index.record_day[record_at] == position]]
        rows = pc.is_in(day.customers["customer_id"], pa.array(wanted))
        customers.append(day.customers.filter(rows))
        truth.append(day.records.filter(rows))
        wanted = index.entity_id[person_at[index.entity_day[person_at] == position]]
        versions.append(day.entities.filter(pc.is_in(day.entities["entity_id"], pa.array(wanted))))
    customers_table = pa.concat_tables([SCHEMA.empty_table(), *customers])
    order = pa.array(np.argsort(customers_table["customer_id"].to_numpy(), kind="stable"))
    since = index.since[person_at]
    people_table = _last_of_each(pa.concat_tables([ENTITIES_SCHEMA.empty_table(), *versions]))
    return Existing(
        customers_table.take(order),
        pa.concat_tables([RECORDS_SCHEMA.empty_table(), *truth]).take(order),
        people_table.append_column(
            "valid_from", pa.array(since, pa.int32(), mask=since == UNKNOWN).cast(pa.date32())
        ),
    )


def _last_of_each(people: pa.Table) -> pa.Table:
    """Each person once, in id order: a day that lists someone twice (appended batches) counts
    by its last row."""
    return people.take(pa.array(_newest(people["entity_id"].to_numpy(), np.arange(len(people)))))
