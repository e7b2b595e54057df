"""The truth contract: who is who, as tables written beside the data."""

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
