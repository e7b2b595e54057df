"""Customer records that do not come from the day's new people: tracer drops and archival ones.

Both are added to the day's ``customers`` as one extra block after the generated ones, with
fresh record ids (shuffled among themselves) and their own truth kinds.
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from gensample import fuzzmap, tracer, truth
from gensample.archive import Picked
from gensample.datasets import customers
from gensample.pipeline import BlockResult
from gensample.seeding import stream
from gensample.settings import Settings

NO_RECORD = -1


def extra_block(
    settings: Settings,
    date: dt.date,
    drop: tracer.TracerDrop | None,
    picks: list[Picked],
    entity_start: int,
    record_start: int,
) -> BlockResult | None:
    """The tracer and archival records of a batch, from the given first ids; None if none."""
    parts = ([_tracer_part(drop, entity_start)] if drop is not None else []) + (
        [_archival_part(settings, date, picks)] if picks else []
    )
    if not parts:
        return None
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
    generated = customers.assemble(
        pa.concat_tables([part.rows for part in parts]),
        record_id,
        np.concatenate([part.entity_id for part in parts]),
        pa.concat_arrays([customers.repeat(part.kind, part.rows.num_rows) for part in parts]),
        pa.array(duplicate_of, mask=duplicate_of == NO_RECORD),
        pa.concat_arrays([part.corruptions for part in parts]),
        rng,
        date,
    )
    entities = _unique_entities(pa.concat_tables([part.entities for part in parts]))
    return BlockResult(entities, {customers.NAME: generated}, {})


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


def _tracer_part(drop: tracer.TracerDrop, entity_start: int) -> _Part:
    """Tracer rows as given; each row but its group's first points at that first row."""
    n = drop.people.num_rows
    first_of_group = np.unique(drop.group, return_index=True)[1][drop.group]
    return _Part(
        "tracer",
        drop.people.select(customers.PERSON_COLUMNS),
        entity_start + drop.group,
        np.where(first_of_group == np.arange(n), NO_RECORD, first_of_group),
        np.full(n, NO_RECORD),
        customers.repeat("", n),
        tracer.entities(drop, entity_start),
    )


def _archival_part(settings: Settings, date: dt.date, picks: list[Picked]) -> _Part:
    """Archived records, every one corrupted through the fuzz map."""
    rows = pa.concat_tables([p.customers.select(customers.PERSON_COLUMNS) for p in picks])
    rng = stream(settings.seed, "archival", "fuzz", date.toordinal())
    fuzz_map = fuzzmap.effective(settings.fuzz.fields)
    fuzzed, corruptions = fuzzmap.fuzz(
        rows, np.arange(rows.num_rows), fuzz_map, settings.fuzz.max_fields, rng
    )
    return _Part(
        "archival",
        fuzzed,
        np.concatenate([p.records["entity_id"].to_numpy() for p in picks]),
        np.full(rows.num_rows, NO_RECORD),
        np.concatenate([p.records["record_id"].to_numpy() for p in picks]),
        corruptions,
        pa.concat_tables([p.entities for p in picks]).cast(truth.ENTITIES_SCHEMA),
    )


def _unique_entities(entities: pa.Table) -> pa.Table:
    """Each entity once (an archived person may be picked twice), in first-seen order."""
    ids = entities["entity_id"].to_numpy()
    first = np.sort(np.unique(ids, return_index=True)[1])
    return entities.take(pa.array(first))
