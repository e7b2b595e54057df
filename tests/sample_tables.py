"""Small tables whose text needs quoting, escaping and null handling, and their CSV as pyarrow
itself writes it, for the tests of day files."""

import io
import itertools

import pyarrow as pa
import pyarrow.csv as pacsv

SCHEMA = pa.schema([("record_id", pa.int64()), ("name", pa.string()), ("note", pa.string())])
AWKWARD = ["plain", "with, comma", 'with "quotes"', "two\nlines", "", None, "naïve café", " pad "]


def sample_table(rows: int, offset: int = 0) -> pa.Table:
    """Rows ``offset`` to ``offset + rows`` of an endless table of awkward texts."""
    return pa.table(
        {
            "record_id": pa.array(range(offset, offset + rows), pa.int64()),
            "name": [AWKWARD[(offset + i) % len(AWKWARD)] for i in range(rows)],
            "note": [AWKWARD[(offset + 3 * i) % len(AWKWARD)] for i in range(rows)],
        },
        schema=SCHEMA,
    )


def split(sizes: list[int]) -> list[pa.Table]:
    """Consecutive slices of the sample table, of ``sizes`` rows each."""
    offsets = [0, *itertools.accumulate(sizes)]
    return [sample_table(size, offset) for size, offset in zip(sizes, offsets, strict=False)]


def expected_csv(tables: list[pa.Table]) -> bytes:
    """The tables concatenated and written at once (with the header), by pyarrow itself."""
    buffer = io.BytesIO()
    pacsv.write_csv(pa.concat_tables(tables) if tables else SCHEMA.empty_table(), buffer)
    return buffer.getvalue()
