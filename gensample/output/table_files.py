"""Whole tables in files: CSV or Parquet read in a schema, CSV written with a header.

Reading keeps text exactly: an empty field is a null, a quoted empty field ``""`` an empty
string, as the writers wrote them. Every problem is a :class:`TableFileError` naming the file.
"""

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType

import pyarrow as pa
import pyarrow.csv as pacsv

from gensample.errors import RunError
from gensample.output.atomic import atomic_output
from gensample.output.encoding import CSV_OPTIONS

NO_FILL: Mapping[str, str] = MappingProxyType({})


class TableFileError(RunError):
    """A table file that is missing, unreadable or has other columns than expected."""


def write_csv(path: Path, schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> int:
    """Write ``batches`` atomically as one CSV file with a header; return its rows."""
    rows = 0
    with (
        atomic_output(path) as handle,
        pacsv.CSVWriter(handle, schema, write_options=CSV_OPTIONS) as writer,
    ):
        for batch in batches:
            writer.write_batch(batch)
            rows += batch.num_rows
    return rows


def read(path: Path, schema: pa.Schema, fill: Mapping[str, str] = NO_FILL) -> pa.Table:
    """A whole CSV or Parquet file in ``schema``, read with all threads (see read_batches)."""
    with _reading(path):
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq  # here: importing it would slow every start by 40 ms

            table = pq.read_table(path)
        else:
            table = pacsv.read_csv(path, convert_options=_csv_options(schema))
        return _conform(path, table, schema, fill)


def read_batches(
    path: Path, schema: pa.Schema, fill: Mapping[str, str] = NO_FILL
) -> Iterator[pa.RecordBatch]:
    """The rows of a CSV or Parquet file in ``schema``, batch by batch.

    The file must have exactly the columns of ``schema`` (in any order), except that a column
    named in ``fill`` may be missing: it is then ``fill[name]`` on every row (files written
    before the column existed).
    """
    with _reading(path):
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq  # here: importing it would slow every start by 40 ms

            batches = pq.ParquetFile(path).iter_batches()
        else:
            batches = pacsv.open_csv(path, convert_options=_csv_options(schema))
        for batch in batches:
            yield _conform(path, batch, schema, fill)


def read_column(path: Path, column: str) -> pa.ChunkedArray:
    """One column of a CSV file (typed by inference), without converting the others."""
    with _reading(path):
        options = pacsv.ConvertOptions(include_columns=[column])
        return pacsv.read_csv(path, convert_options=options)[column]


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Turn a failure to read ``path`` into a TableFileError naming it."""
    try:
        yield
    except FileNotFoundError:
        raise TableFileError(f"{path}: missing") from None
    except (OSError, pa.ArrowException) as error:
        raise TableFileError(f"{path}: unreadable ({error})") from error


def _csv_options(schema: pa.Schema) -> pacsv.ConvertOptions:
    """Columns typed by ``schema``; an empty field is null, a quoted empty one ``""``."""
    types = dict(zip(schema.names, schema.types, strict=True))
    return pacsv.ConvertOptions(
        column_types=types, strings_can_be_null=True, quoted_strings_can_be_null=False
    )


def _conform(
    path: Path, rows: pa.Table | pa.RecordBatch, schema: pa.Schema, fill: Mapping[str, str]
) -> pa.Table | pa.RecordBatch:
    """``rows`` with exactly the columns of ``schema``, missing ones of ``fill`` added."""
    _check_columns(path, rows.schema.names, schema, fill)
    for name, text in fill.items():
        if name not in rows.schema.names:
            rows = rows.append_column(name, pa.repeat(pa.scalar(text), rows.num_rows))
    return rows.select(schema.names).cast(schema)


def _check_columns(
    path: Path, columns: list[str], schema: pa.Schema, fill: Mapping[str, str]
) -> None:
    """Require exactly the columns of ``schema`` (in any order), those in ``fill`` optional."""
    missing = [name for name in schema.names if name not in columns and name not in fill]
    unexpected = [name for name in columns if name not in schema.names]
    if missing or unexpected:
        raise TableFileError(f"{path}: wrong columns (missing {missing}, unexpected {unexpected})")
