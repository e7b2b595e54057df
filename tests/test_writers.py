"""Part files joined in order into a day file: the same bytes as writing the whole table once."""

import hashlib
import io
import itertools

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from gensample.errors import RunError
from gensample.writers import DayFile, sha256, write_part

SCHEMA = pa.schema([("record_id", pa.int64()), ("name", pa.string()), ("note", pa.string())])
AWKWARD = ["plain", "with, comma", 'with "quotes"', "two\nlines", "", None, "naïve café", " pad "]


def sample_table(rows: int, offset: int = 0) -> pa.Table:
    """Rows whose text needs quoting, escaping and null handling."""
    return pa.table(
        {
            "record_id": pa.array(range(offset, offset + rows), pa.int64()),
            "name": [AWKWARD[(offset + i) % len(AWKWARD)] for i in range(rows)],
            "note": [AWKWARD[(offset + 3 * i) % len(AWKWARD)] for i in range(rows)],
        },
        schema=SCHEMA,
    )


def split(sizes: list[int]) -> list[pa.Table]:
    offsets = [0, *itertools.accumulate(sizes)]
    return [sample_table(size, offset) for size, offset in zip(sizes, offsets, strict=False)]


def expected_csv(tables: list[pa.Table]) -> bytes:
    """The whole table written at once, by pyarrow itself."""
    buffer = io.BytesIO()
    pacsv.write_csv(pa.concat_tables(tables), buffer)
    return buffer.getvalue()


def join(tmp_path, day_file, tables, file_format, first_part=0):
    """Write each table as a part and append the parts in order; return the part paths."""
    parts = []
    for number, table in enumerate(tables, start=first_part):
        part = tmp_path / "parts" / f"{number:04d}.part"
        write_part(table, part, file_format)
        parts.append(part)
    for part in parts:
        day_file.append(part)
    return parts


SIZES = [[7], [3, 5, 8], [4, 0, 9], [0], [1, 1, 1, 1]]


def write_day_file(tmp_path, path, tables, file_format) -> None:
    """Open a day file, join ``tables`` into it as parts, and close it."""
    day_file = DayFile(path, SCHEMA, file_format)
    join(tmp_path, day_file, tables, file_format)
    day_file.close()


@pytest.mark.parametrize("sizes", SIZES)
def test_csv_parts_join_into_the_csv_of_the_whole_table(tmp_path, sizes):
    tables, path = split(sizes), tmp_path / "customers.csv"
    write_day_file(tmp_path, path, tables, "csv")
    assert path.read_bytes() == expected_csv(tables)
    assert path.read_bytes().count(b"record_id") == 1  # one header


@pytest.mark.parametrize(("before", "after"), [([5], [6]), ([2, 3], [0, 4]), ([0], [3])])
def test_a_second_day_file_continues_an_existing_csv_without_a_header(tmp_path, before, after):
    tables, path = split(before + after), tmp_path / "customers.csv"
    for batch in (tables[: len(before)], tables[len(before) :]):
        write_day_file(tmp_path, path, batch, "csv")
    assert path.read_bytes() == expected_csv(tables)


@pytest.mark.parametrize("sizes", SIZES)
def test_parquet_parts_join_into_the_whole_table(tmp_path, sizes):
    tables, path = split(sizes), tmp_path / "customers.parquet"
    write_day_file(tmp_path, path, tables, "parquet")
    assert pq.read_table(path).equals(pa.concat_tables(tables))


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_parts_are_deleted_once_joined(tmp_path, file_format):
    day_file = DayFile(tmp_path / f"customers.{file_format}", SCHEMA, file_format)
    parts = join(tmp_path, day_file, split([2, 3]), file_format)
    day_file.close()
    assert not any(part.exists() for part in parts)


@pytest.mark.parametrize("size", [0, 1, 1000, 5 * 2**20 + 7])  # the last spans hash chunks
def test_sha256_is_hashlibs(tmp_path, size):
    data = np.random.default_rng(size).bytes(size)
    path = tmp_path / "file.bin"
    path.write_bytes(data)
    assert sha256(path) == hashlib.sha256(data).hexdigest()


def blocked(tmp_path):
    """A path under a regular file, which no one (not even root) can create."""
    (tmp_path / "blocker").write_text("")
    return tmp_path / "blocker" / "day" / "customers.csv"


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_writing_a_part_where_it_cannot_go_names_the_path(tmp_path, file_format):
    path = blocked(tmp_path)
    with pytest.raises(RunError) as raised:
        write_part(sample_table(3), path, file_format)
    assert str(path) in str(raised.value)


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_opening_a_day_file_where_it_cannot_go_names_the_path(tmp_path, file_format):
    path = blocked(tmp_path)
    with pytest.raises(RunError) as raised:
        DayFile(path, SCHEMA, file_format)
    assert str(path) in str(raised.value)


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_appending_a_missing_part_names_the_day_file(tmp_path, file_format):
    path = tmp_path / f"customers.{file_format}"
    day_file = DayFile(path, SCHEMA, file_format)
    with pytest.raises(RunError) as raised:
        day_file.append(tmp_path / "missing.part")
    day_file.close()
    assert str(path) in str(raised.value)
