"""Day files: a CSV file's header written once, Parquet parts joined in order."""

from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sample_tables import SCHEMA, expected_csv, sample_table, split

from gensample.errors import RunError
from gensample.output import encoding
from gensample.output.encoding import ParquetDayFile, check_csv_end, start_csv, write_part

SIZES = [[7], [3, 5, 8], [4, 0, 9], [0], [1, 1, 1, 1]]


def test_a_new_csv_day_file_holds_the_header_and_its_rows_start_after_it(tmp_path):
    path = tmp_path / "data" / "customers.csv"
    start = start_csv(path, SCHEMA)
    assert path.read_bytes() == expected_csv([]) == b'"record_id","name","note"\n'
    assert start == path.stat().st_size


def test_an_existing_csv_day_file_is_continued_as_it_is(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_bytes(b'"record_id","name","note"\n1,"a","b"\n')
    assert start_csv(path, SCHEMA) == path.stat().st_size
    assert path.read_bytes() == b'"record_id","name","note"\n1,"a","b"\n'


def test_a_csv_day_file_that_does_not_end_where_its_rows_did_fails(tmp_path):
    path = tmp_path / "customers.csv"
    end = start_csv(path, SCHEMA)
    check_csv_end(path, end)
    with pytest.raises(RunError) as raised:
        check_csv_end(path, end + 10)
    assert str(path) in str(raised.value)


def join_parquet(tmp_path, path, tables) -> list:
    """Write each table as a part, join the parts in order into ``path``; return the parts."""
    (tmp_path / "parts").mkdir()
    parts = [tmp_path / "parts" / f"{number:04d}.part" for number in range(len(tables))]
    for table, part in zip(tables, parts, strict=True):
        write_part(table, part)
    day_file = ParquetDayFile(path, SCHEMA)
    for part in parts:
        day_file.append(part)
    day_file.close()
    return parts


@pytest.mark.parametrize("sizes", SIZES)
def test_parquet_parts_join_into_the_whole_table(tmp_path, sizes):
    tables, path = split(sizes), tmp_path / "customers.parquet"
    join_parquet(tmp_path, path, tables)
    assert pq.read_table(path).equals(pa.concat_tables(tables))


def test_parquet_parts_are_deleted_once_joined(tmp_path):
    parts = join_parquet(tmp_path, tmp_path / "customers.parquet", split([2, 3]))
    assert not any(part.exists() for part in parts)


def blocked(tmp_path, name: str):
    """A path under a regular file, which no one (not even root) can create."""
    (tmp_path / "blocker").write_text("")
    return tmp_path / "blocker" / "day" / name


def test_writing_a_part_where_it_cannot_go_names_the_path(tmp_path):
    path = blocked(tmp_path, "customers.parquet.0.part")
    with pytest.raises(RunError) as raised:
        write_part(sample_table(3), path)
    assert str(path) in str(raised.value)


@pytest.mark.parametrize(
    "start",
    [lambda path: start_csv(path, SCHEMA), lambda path: ParquetDayFile(path, SCHEMA)],
    ids=["csv", "parquet"],
)
def test_starting_a_day_file_where_it_cannot_go_names_the_path(tmp_path, start):
    path = blocked(tmp_path, "customers")
    with pytest.raises(RunError) as raised:
        start(path)
    assert str(path) in str(raised.value)


def test_appending_a_missing_part_names_the_day_file(tmp_path):
    path = tmp_path / "customers.parquet"
    day_file = ParquetDayFile(path, SCHEMA)
    with pytest.raises(RunError) as raised:
        day_file.append(tmp_path / "missing.part")
    day_file.close()
    assert str(path) in str(raised.value)


def test_rows_after_an_empty_first_chunk_are_written_as_lines(tmp_path):
    # pyarrow 26.0.1 wrote buffer bytes (NULs) before the lines of such a table
    empty = pa.record_batch({"s": pa.array([], pa.string())})
    table = pa.Table.from_batches([empty, pa.record_batch({"s": ["x", "y"]})])
    path = tmp_path / "rows.csv"
    with path.open("wb") as file:
        encoding.write_csv_rows(table, file)
    assert path.read_bytes() == b'"x"\n"y"\n'


def test_money_is_written_as_pyarrow_writes_its_decimals(tmp_path):
    values = ["0.00", "-0.05", "12.30", "-9999999999.99", "9999999999.99", None, "7.00"]
    table = pa.table(
        {
            "money": pa.array([v and Decimal(v) for v in values], pa.decimal128(12, 2)),
            "wide": pa.array([v and Decimal(v) for v in values], pa.decimal128(38, 2)),
        }
    )
    path = tmp_path / "rows.csv"
    with path.open("wb") as file:
        encoding.write_csv_rows(table, file)
    lines = [f"{v},{v}" if v else "," for v in values]
    assert path.read_text() == "\n".join(lines) + "\n"
