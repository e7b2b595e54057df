"""The truth contract: who is who, as tables written beside the data."""

import datetime as dt

import numpy as np
import pyarrow as pa

from gensample import population

RECORDS_SCHEMA = pa.schema(
    [
        ("dataset", pa.string()),
        ("record_id", pa.int64()),
        ("entity_id", pa.int64()),
        ("kind", pa.string()),
        ("duplicate_of", pa.int64()),
        ("corruptions", pa.string()),
    ]
)
"""``truth/records.csv``: every identity record of every dataset, exactly once."""

ENTITIES_SCHEMA = population.SCHEMA
"""``truth/entities.csv``: the clean person behind each ``entity_id``."""

HISTORY_SCHEMA = ENTITIES_SCHEMA.append(pa.field("valid_from", pa.date32())).append(
    pa.field("valid_to", pa.date32())
)
"""``truth/entities_history.csv``: versions of people, each valid from a day until (not
including) another, or still valid when ``valid_to`` is empty.

A day's file holds the versions that start or end that day: one row for each new person, and
for each person who changed, the old version (now with ``valid_to``) and the new one. The union
of all days' files is the full history: a version appears when it starts and again when it
ends; keep, for each ``(entity_id, valid_from)``, the row with ``valid_to`` when there is one."""

KINDS = ("original", "duplicate", "archival", "tracer")


def record_rows(
    dataset: str,
    record_id: np.ndarray,
    entity_id: np.ndarray,
    kind: pa.Array,
    duplicate_of: pa.Array,
    corruptions: pa.Array,
) -> pa.Table:
    """Truth rows for records of ``dataset``."""
    return pa.table(
        {
            "dataset": pa.repeat(pa.scalar(dataset), len(record_id)),
            "record_id": record_id,
            "entity_id": entity_id,
            "kind": kind,
            "duplicate_of": duplicate_of,
            "corruptions": corruptions,
        },
        schema=RECORDS_SCHEMA,
    )


def history_rows(
    people: pa.Table, valid_from: pa.Array | dt.date, valid_to: pa.Array | dt.date | None
) -> pa.Table:
    """Versions of ``people`` (ENTITIES_SCHEMA) valid from ``valid_from`` to ``valid_to``:
    one day for all, or one per person."""
    columns = people.select(ENTITIES_SCHEMA.names).cast(ENTITIES_SCHEMA).columns
    days = [_days(value, people.num_rows) for value in (valid_from, valid_to)]
    return pa.Table.from_arrays([*columns, *days], schema=HISTORY_SCHEMA)


def _days(value: pa.Array | dt.date | None, n: int) -> pa.Array:
    if isinstance(value, (pa.Array, pa.ChunkedArray)):
        return value.cast(pa.date32())
    return pa.repeat(pa.scalar(value, pa.date32()), n)
