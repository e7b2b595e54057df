"""Customer rows that do not come from the day's new people: tracer drops, archival records and
updates of earlier records (drift and closures).

They are added to the day's ``customers`` as one extra block after the generated ones: new
records (tracer, archival) with fresh record ids (shuffled among themselves) and their own truth
kinds, then the update rows under the ids they update, with the truth rows of those records.
"""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from gensample.corruptions import fuzz_steps, fuzzmap
from gensample.daily import tracer_drops
from gensample.daily.drift import Changes
from gensample.daily.reinjection import Picked
from gensample.generate import truth
from gensample.generate.datasets import Generated, customers, fuzzing
from gensample.generate.datasets.common import repeat
from gensample.generate.pipeline import BlockResult
from gensample.generate.seeding import stream
from gensample.output import table_files
from gensample.output.day_files import ENTITIES_FILE
from gensample.settings import Settings

NO_RECORD = -1
_NONE = np.zeros(0, dtype=np.int64)
_NOTHING = Generated(customers.SCHEMA.empty_table(), truth.RECORDS_SCHEMA.empty_table())


@dataclass(frozen=True)
class Extras:
    """The extra block of a batch, how many new records it adds, its counts for the manifest
    (tracer, archival, updates, closures)."""

    result: BlockResult
    new_records: int
    counts: dict[str, int]


def listed_people(day_dir: Path, settings: Settings) -> np.ndarray:
    """Entity ids the day's truth already lists, when this batch is appended to it."""
    path = day_dir / ENTITIES_FILE
    if settings.load_type != "append" or not path.exists():
        return _NONE
    return table_files.read_column(path, "entity_id").to_numpy()


def extra_block(
    settings: Settings,
    date: dt.date,
    drop: tracer_drops.TracerDrop | None,
    picks: list[Picked],
    changes: Changes,
    *,
    entity_start: int,
    record_start: int,
    listed: np.ndarray,
) -> Extras | None:
    """The tracer, archival and update rows of a batch, from the given first ids; None if none.

    People the day's ``truth/entities.csv`` already ``listed`` (earlier batches) are not
    listed again.

    ``changes`` holds the updates and the current version of the archived people (those picked
    included), which the day's entities list instead of their archived version.
    """
    parts = ([_tracer_part(drop, entity_start)] if drop is not None else []) + (
        [_archival_part(settings, date, picks, record_start)] if picks else []
    )
    if not parts and not changes.rows.num_rows:
        return None
    inserted = _inserted(settings, date, parts, record_start) if parts else _NOTHING
    new_people = [part.entities for part in parts if part.kind == "tracer"]
    archived = [part.entities for part in parts if part.kind == "archival"]
    # current versions (changes.people) come first, so they replace the archived ones
    entities = _unique_entities(_concat([*new_people, changes.people, *archived]), listed)
    rows = Generated(
        _concat([inserted.data, changes.rows]), _concat([inserted.truth, changes.truth])
    )
    history = _concat(
        [truth.history_rows(people, date, None) for people in new_people] + [changes.history]
    )
    result = BlockResult(entities, {customers.NAME: rows}, {}, history)
    counts = {
        "tracer": _rows_of(parts, "tracer"),
        "archival": _rows_of(parts, "archival"),
        "updates": changes.rows.num_rows,
        "closures": changes.closures,
    }
    return Extras(result, inserted.data.num_rows, counts)


def _rows_of(parts: list["_Part"], kind: str) -> int:
    """Rows of the parts of ``kind``."""
    return sum(part.rows.num_rows for part in parts if part.kind == kind)


def _concat(tables: list[pa.Table]) -> pa.Table:
    """The tables one after another, in one chunk: pyarrow 26 writes garbage for a headerless
    CSV whose first chunk is empty."""
    return pa.concat_tables(tables).combine_chunks()


def _inserted(
    settings: Settings, date: dt.date, parts: list["_Part"], record_start: int
) -> Generated:
    """The new records of ``parts``, with fresh ids from ``record_start``."""
    n = sum(part.rows.num_rows for part in parts)
    rng = stream(settings.seed, "extras", date.toordinal(), record_start)
    record_id = record_start + rng.permutation(n)
    duplicate_of, offset = np.full(n, NO_RECORD), 0
    for part in parts:
        size = part.rows.num_rows
        in_batch = part.original_position >= 0
        duplicate_of[offset : offset + size] = np.where(
            in_batch, record_id[offset + np.maximum(part.original_position, 0)], part.original_id
        )
        offset += size
    return customers.assemble(
        pa.concat_tables([part.rows for part in parts]),
        record_id,
        np.concatenate([part.entity_id for part in parts]),
        pa.concat_arrays([repeat(part.kind, part.rows.num_rows) for part in parts]),
        pa.array(duplicate_of, mask=duplicate_of == NO_RECORD),
        pa.concat_arrays([part.corruptions for part in parts]),
        rng,
        date,
        variations=pa.concat_arrays([part.variations for part in parts]),
        earlier=pa.concat_tables([part.copied for part in parts]),
    )


@dataclass(frozen=True)
class _Part:
    """Extra customer rows of one kind, with their truth."""

    kind: str
    rows: pa.Table
    entity_id: np.ndarray
    original_position: np.ndarray  # row (within this part) of the record it copies, or -1
    original_id: np.ndarray  # record id (from an earlier day) it copies, or -1
    corruptions: pa.Array
    entities: pa.Table
    copied: pa.Table  # the person columns of the record each row copies, row for row
    variations: pa.Array


def _tracer_part(drop: tracer_drops.TracerDrop, entity_start: int) -> _Part:
    """Tracer rows as given; each row but its group's first points at that first row and is
    labelled with what differs from it."""
    n = drop.people.num_rows
    first_of_group = np.unique(drop.group, return_index=True)[1][drop.group]
    return _Part(
        "tracer",
        drop.people.select(customers.PERSON_COLUMNS),
        entity_start + drop.group,
        np.where(first_of_group == np.arange(n), NO_RECORD, first_of_group),
        np.full(n, NO_RECORD),
        tracer_drops.differences(drop),
        tracer_drops.entities(drop, entity_start),
        drop.people.select(customers.PERSON_COLUMNS).take(pa.array(first_of_group)),
        repeat("", n),
    )


def _archival_part(
    settings: Settings, date: dt.date, picks: list[Picked], record_start: int
) -> _Part:
    """Archived records, every one corrupted through the fuzz map; labelled with the archived
    record's own variations and corruptions too, so the labels name what differs from the
    person."""
    rows = pa.concat_tables([p.customers.select(customers.PERSON_COLUMNS) for p in picks])
    archived = pa.concat_tables([truth.conform_records(p.records) for p in picks])
    rng = stream(settings.seed, "archival", "fuzz", date.toordinal(), record_start)
    request = fuzzing.run_request(settings, customers.NAME, rows, np.arange(rows.num_rows), rng)
    fuzzed, corruptions = fuzz_steps.fuzz_until_changed(request)
    return _Part(
        "archival",
        fuzzed,
        np.concatenate([p.records["entity_id"].to_numpy() for p in picks]),
        np.full(rows.num_rows, NO_RECORD),
        np.concatenate([p.records["record_id"].to_numpy() for p in picks]),
        fuzzmap.join_labels(
            [archived["corruptions"].combine_chunks(), corruptions], len(corruptions)
        ),
        pa.concat_tables([p.entities for p in picks]).cast(truth.ENTITIES_SCHEMA),
        rows,
        archived["variations"].combine_chunks().fill_null(""),
    )


def _unique_entities(entities: pa.Table, listed: np.ndarray) -> pa.Table:
    """Each entity once (an archived person may be picked twice), in first-seen order, leaving
    out those the day already ``listed`` (in an earlier batch)."""
    ids = entities["entity_id"].to_numpy()
    first = np.sort(np.unique(ids, return_index=True)[1])
    first = first[~np.isin(ids[first], listed)]
    return entities.take(pa.array(first))
