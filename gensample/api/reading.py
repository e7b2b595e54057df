"""``read_day``: a written day back in memory, checked against its manifest."""

import datetime as dt
import os
import re
from pathlib import Path

import pyarrow as pa

from gensample.api.corpus import Corpus, DayFile
from gensample.api.generation import as_date
from gensample.daily.rundir import RunDirectory
from gensample.errors import BadInputError
from gensample.output import dictionary, manifest, table_files

LATER_BATCH = re.compile(r"\.(\d+)\.parquet$")
"""A Parquet file of a day's later batch: ``data/<dataset>.<batch>.parquet``."""


def read_day(directory: str | os.PathLike, date: dt.date | str) -> Corpus:
    """The day ``date`` of the run directory ``directory`` (``out/<date>/``), CSV or Parquet,
    appended batches included, each table in the data dictionary's types (a spec dataset in the
    types the manifest records).

    Every file is first checked against the manifest (bytes and SHA-256): a missing or changed
    file is a :class:`~gensample.errors.BadInputError` naming it.
    """
    day = as_date(date)
    day_dir = RunDirectory(Path(directory)).day(day)
    document = manifest.read(day_dir)
    listed = document["files"]
    specs = dictionary.tables(document)
    files = {
        name: _read_file(day_dir, name, listed[name], specs) for name in sorted(listed, key=_order)
    }
    heading = {key: value for key, value in document.items() if key != "files"}
    return Corpus(day, files, heading, listed)


def _read_file(day_dir: Path, name: str, entry: dict, specs: list[dictionary.TableSpec]) -> DayFile:
    """One file of the day, checked against its manifest ``entry``, in the types of the table
    of ``specs`` (the day's tables) it holds."""
    manifest.verify_file(day_dir, name, entry)
    spec = next((spec for spec in specs if spec.holds(name)), None)
    if spec is None:
        raise BadInputError(f"{day_dir / name}: listed in the manifest, but holds no known table")
    path = day_dir / name
    table = table_files.read(path, spec.schema)
    if path.suffix != ".parquet":
        return DayFile(spec.schema, "csv", (table,))
    return DayFile(spec.schema, "parquet", _row_groups(path, table))


def _row_groups(path: Path, table: pa.Table) -> tuple[pa.Table, ...]:
    """The rows of the Parquet file ``path`` (read as ``table``), one piece per row group."""
    import pyarrow.parquet as pq  # here: importing it would slow every start by 40 ms

    metadata = pq.ParquetFile(path).metadata
    pieces, start = [], 0
    for index in range(metadata.num_row_groups):
        rows = metadata.row_group(index).num_rows
        pieces.append(table.slice(start, rows))
        start += rows
    return tuple(pieces)


def _order(name: str) -> tuple[str, int]:
    """Files in batch order: ``customers.parquet``, then ``customers.2.parquet``, ..."""
    later = LATER_BATCH.search(name)
    return (name[: later.start()], int(later.group(1))) if later else (name.rsplit(".", 1)[0], 1)
