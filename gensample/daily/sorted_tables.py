"""Tables kept on disk in key order (Arrow IPC files), merged with a day's rows batch by batch.

Reading memory-maps the file, so a table costs no memory until its pages are read; merging
streams the old table one batch at a time, so memory holds a batch and the new rows only.
Every table has a ``day`` column (the archived day its row came from); rows of days that are no
longer archived are forgotten as they stream past, and so is a ``valid_from`` before them.
"""

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

BATCH_ROWS = 65_536


def read(path: Path, schema: pa.Schema) -> pa.Table:
    """The table in ``path``, memory-mapped; ValueError if its schema is not ``schema``."""
    with pa.memory_map(str(path)) as source:
        table = pa.ipc.open_file(source).read_all()
    if not table.schema.equals(schema):
        raise ValueError(f"{path}: columns {table.schema.names}, expected {schema.names}")
    return table


def write(path: Path, schema: pa.Schema, batches: Iterator[pa.RecordBatch]) -> None:
    """Write ``batches`` to the Arrow IPC file ``path`` and sync it."""
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, schema) as writer:
        for batch in batches:
            writer.write_batch(batch)
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def merged(old: pa.Table, new: pa.Table, key: str, oldest: dt.date) -> Iterator[pa.RecordBatch]:
    """``old`` (in ``key`` order) with the rows of ``new`` (in ``key`` order, keys unique)
    replacing or joining them, in ``key`` order, forgetting what days before ``oldest`` told.

    A batch of ``old`` that no new row falls among, and that tells nothing forgotten, is
    passed through as it is (most are: new rows are mostly new ids, after the old ones)."""
    keys, taken = _numpy(new[key]), 0
    forgetting = _tells_before(old, oldest)
    for batch in old.to_batches(max_chunksize=BATCH_ROWS):
        ids = batch.column(key).to_numpy()
        if not len(ids):
            continue
        stop = int(np.searchsorted(keys, ids[-1], side="right"))
        if stop == taken and not forgetting:
            yield batch
            continue
        kept = pa.Table.from_batches([batch]).filter(pa.array(~np.isin(ids, keys[taken:stop])))
        both = pa.concat_tables([kept, new.slice(taken, stop - taken)])
        both = both.take(pa.array(np.argsort(_numpy(both[key]), kind="stable")))
        yield from forget_before(both, oldest).to_batches()
        taken = stop
    yield from forget_before(new.slice(taken), oldest).to_batches(max_chunksize=BATCH_ROWS)


def _tells_before(table: pa.Table, oldest: dt.date) -> bool:
    """Whether ``table`` has a row of a day before ``oldest``, or a ``valid_from`` before it."""
    columns = [name for name in ("day", "valid_from") if name in table.column_names]
    earliest = [pc.min(table[name]).as_py() for name in columns]
    return any(day is not None and day < oldest for day in earliest)


def forget_before(table: pa.Table, oldest: dt.date) -> pa.Table:
    """``table`` without rows of days before ``oldest``, and a ``valid_from`` before it nulled
    (the day it started is no longer archived)."""
    cutoff = pa.scalar(oldest, pa.date32())
    table = table.filter(pc.greater_equal(table["day"], cutoff))
    if "valid_from" in table.column_names:
        valid_from = table["valid_from"]
        forgotten = pc.fill_null(pc.less(valid_from, cutoff), False)
        position = table.schema.get_field_index("valid_from")
        nulls = pa.nulls(len(table), pa.date32())
        table = table.set_column(position, "valid_from", pc.if_else(forgotten, nulls, valid_from))
    return table


def lookup(table: pa.Table, key: str, keys: np.ndarray, column: str) -> pa.Array:
    """``column`` of the rows whose ``key`` is each of ``keys`` (ascending), null where none,
    reading ``table`` (in ``key`` order) batch by batch."""
    found = [pa.nulls(0, table.schema.field(column).type)]
    positions = [np.zeros(0, dtype=np.int64)]
    for batch in table.to_batches(max_chunksize=BATCH_ROWS):
        ids = batch.column(key).to_numpy()
        if not len(ids):
            continue
        start = int(np.searchsorted(keys, ids[0], side="left"))
        stop = int(np.searchsorted(keys, ids[-1], side="right"))
        at = np.minimum(np.searchsorted(ids, keys[start:stop]), len(ids) - 1)
        hit = ids[at] == keys[start:stop]
        found.append(batch.column(column).take(pa.array(at[hit])))
        positions.append(start + np.flatnonzero(hit))
    values, position = pa.concat_arrays(found), np.concatenate(positions)
    where = np.full(len(keys), -1)
    where[position] = np.arange(len(position))
    return values.take(pa.array(where, mask=where < 0))


def _numpy(values: pa.ChunkedArray | pa.Array) -> np.ndarray:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return values.to_numpy()
