"""How streamed rows are written: CSV, JSON Lines or Parquet, into files that grow chunk by chunk.

JSON values are texts where exactness matters (money ``"12.34"``, timestamps
``"2026-11-23 10:00:00"`` and dates as in the CSV files), numbers for whole numbers, null for
an empty value.
"""

import json
from typing import BinaryIO

import pyarrow as pa
import pyarrow.csv as pacsv

from gensample.output.encoding import CSV_OPTIONS

FORMATS = ("csv", "jsonl", "parquet")
EXTENSIONS = {"csv": ".csv", "jsonl": ".jsonl", "parquet": ".parquet"}


def _as_text(field: pa.Field) -> pa.Field:
    """The field as JSON writes it: exact types (decimals, times, dates) as text."""
    kind = field.type
    exact = pa.types.is_decimal(kind) or pa.types.is_temporal(kind)
    return field.with_type(pa.string()) if exact else field


def json_rows(table: pa.Table) -> list[str]:
    """Each row of ``table`` as one JSON object (no line ends)."""
    textual = table.cast(pa.schema([_as_text(field) for field in table.schema]))
    return [json.dumps(row, ensure_ascii=False) for row in textual.to_pylist()]


def json_lines(table: pa.Table) -> bytes:
    """``table`` as JSON Lines."""
    return "".join(row + "\n" for row in json_rows(table)).encode("utf-8")


class CsvWriter:
    """A CSV file: the header, then the rows of every chunk."""

    def __init__(self, handle: BinaryIO, schema: pa.Schema) -> None:
        self._writer = pacsv.CSVWriter(handle, schema, write_options=CSV_OPTIONS)

    def write(self, table: pa.Table) -> None:
        """Append the rows of ``table``."""
        self._writer.write_table(table)

    def close(self) -> None:
        """Finish the file (the caller closes the handle)."""
        self._writer.close()


class JsonLinesWriter:
    """A JSON Lines file: one object per row."""

    def __init__(self, handle: BinaryIO, schema: pa.Schema) -> None:
        self._handle = handle

    def write(self, table: pa.Table) -> None:
        """Append the rows of ``table``."""
        self._handle.write(json_lines(table))

    def close(self) -> None:
        """Nothing to finish: every line is whole once written."""


class ParquetWriter:
    """A Parquet file: chunks are kept and written as one row group when the file closes (a
    row group per chunk of a few rows would make a file no reader handles well)."""

    def __init__(self, handle: BinaryIO, schema: pa.Schema) -> None:
        self._handle, self._schema, self._chunks = handle, schema, []

    def write(self, table: pa.Table) -> None:
        """Keep the rows of ``table`` for the file."""
        self._chunks.append(table)

    def close(self) -> None:
        """Write the rows kept and the footer."""
        import pyarrow.parquet as pq  # here: importing it slows every start by 40 ms

        table = pa.concat_tables(self._chunks) if self._chunks else self._schema.empty_table()
        pq.write_table(table, self._handle, compression="zstd")


WRITERS = {"csv": CsvWriter, "jsonl": JsonLinesWriter, "parquet": ParquetWriter}
"""Format name -> the writer of its files."""
