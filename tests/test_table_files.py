"""Whole tables in files: copying the rows of one kind from a CSV file."""

import hashlib
import mmap
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pytest

from gensample.output import table_files
from gensample.output.encoding import CSV_OPTIONS
from gensample.output.table_files import TableFileError, copy_rows, read

SCHEMA = pa.schema(
    [("dataset", pa.string()), ("id", pa.int64()), ("note", pa.string()), ("score", pa.float64())]
)
KINDS = ["customers", "pos_customers", "customers", "customers", "loyalty", "customers", "x"]


def rows(kinds: list[str]) -> pa.Table:
    """Rows of ``kinds`` in SCHEMA: blanks, empty texts, quotes, commas and fractions."""
    n = len(kinds)
    return pa.table(
        {
            "dataset": kinds,
            "id": list(range(n)),
            "note": [[None, "", 'say "hi", then', "plain"][i % 4] for i in range(n)],
            "score": [None if i % 3 == 0 else i / 7 for i in range(n)],
        },
        SCHEMA,
    )


def written(path: Path, table: pa.Table) -> Path:
    pacsv.write_csv(table, path, write_options=CSV_OPTIONS)
    return path


@pytest.mark.parametrize(
    "kinds",
    [KINDS * 5, ["customers"] * 4, ["x", "customers"], ["customers", "x", "x"], ["x", "loyalty"]],
)
def test_the_copy_is_the_rows_of_the_kind_as_the_writer_writes_them(tmp_path, kinds):
    """Byte for byte what writing the filtered rows gives: runs at the start, in the middle and
    at the end of the file, and none."""
    table = rows(kinds)
    source = written(tmp_path / "all.csv", table)
    expected = written(
        tmp_path / "expected.csv", table.filter(pc.equal(table["dataset"], "customers"))
    )
    count = copy_rows(source, tmp_path / "copy.csv", SCHEMA, "customers")
    assert count == kinds.count("customers")
    assert (tmp_path / "copy.csv").read_bytes() == expected.read_bytes()


def test_a_header_alone_gives_a_header_alone(tmp_path):
    source = written(tmp_path / "all.csv", rows([]))
    assert copy_rows(source, tmp_path / "copy.csv", SCHEMA, "customers") == 0
    assert (tmp_path / "copy.csv").read_bytes() == source.read_bytes()


def test_a_kind_found_nowhere_gives_the_header_alone(tmp_path):
    source = written(tmp_path / "all.csv", rows(KINDS))
    assert copy_rows(source, tmp_path / "copy.csv", SCHEMA, "custom") == 0
    assert read(tmp_path / "copy.csv", SCHEMA).num_rows == 0


def test_a_last_line_without_its_line_break_is_copied_with_one(tmp_path):
    source = written(tmp_path / "all.csv", rows(["x", "customers"]))
    source.write_bytes(source.read_bytes().rstrip(b"\n"))
    assert copy_rows(source, tmp_path / "copy.csv", SCHEMA, "customers") == 1
    header = b'"dataset","id","note","score"\n'
    assert (
        tmp_path / "copy.csv"
    ).read_bytes() == header + b'"customers",1,"",0.14285714285714285\n'


def test_a_file_of_an_earlier_version_is_parsed_with_its_missing_columns_filled(tmp_path):
    """Without ``score`` (an earlier version's file), the header differs: rows are parsed."""
    table = rows(KINDS)
    source = written(tmp_path / "old.csv", table.drop_columns(["score"]))
    count = copy_rows(source, tmp_path / "copy.csv", SCHEMA, "customers", {"score": None})
    copied = read(tmp_path / "copy.csv", SCHEMA)
    assert count == copied.num_rows == KINDS.count("customers")
    assert copied["score"].null_count == count
    assert copied["id"].to_pylist() == [0, 2, 3, 5]


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(TableFileError, match=r"absent\.csv: missing"):
        copy_rows(tmp_path / "absent.csv", tmp_path / "copy.csv", SCHEMA, "customers")


def resident_file_kib() -> int:
    """This process's resident memory that maps files (/proc/self/status), in KiB."""
    line = next(x for x in Path("/proc/self/status").read_text().splitlines() if "RssFile" in x)
    return int(line.split()[1])


def test_released_pages_leave_the_resident_memory(tmp_path):
    path = tmp_path / "truth.csv"
    path.write_bytes(b"x" * (64 << 20))
    with open(path, "rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as text:
        assert text.find(b"y") == -1  # every page read, so mapped
        mapped = resident_file_kib()
        assert table_files.release(text, 0, len(text) - 100) == (64 << 20) - mmap.PAGESIZE
        assert mapped - resident_file_kib() > 48 << 10  # at least 48 of the 64 MiB
        assert text[-1:] == b"x"  # the mapping still reads


def runs_of_kind(source: Path, kind: str) -> list[table_files.Lines]:
    """Where the runs of lines of ``kind`` lie in ``source`` (as a writer would report them)."""
    lines = source.read_bytes().splitlines(keepends=True)
    runs, offset = [], len(lines[0])
    for line in lines[1:]:
        if line.startswith(f'"{kind}",'.encode()):
            if runs and runs[-1].stop == offset:
                runs[-1] = table_files.Lines(runs[-1].start, offset + len(line), runs[-1].count + 1)
            else:
                runs.append(table_files.Lines(offset, offset + len(line), 1))
        offset += len(line)
    return runs


@pytest.mark.parametrize("kinds", [KINDS * 5, ["customers"] * 4, ["x", "loyalty"], []])
def test_lines_copied_from_where_they_lie_are_the_rows_of_the_kind(tmp_path, kinds):
    table = rows(kinds)
    source = written(tmp_path / "all.csv", table)
    expected = written(
        tmp_path / "expected.csv", table.filter(pc.equal(table["dataset"], "customers"))
    )
    runs = runs_of_kind(source, "customers")
    count, digest = table_files.copy_lines(source, tmp_path / "copy.csv", SCHEMA, "customers", runs)
    assert count == kinds.count("customers")
    assert (tmp_path / "copy.csv").read_bytes() == expected.read_bytes()
    assert digest == hashlib.sha256(expected.read_bytes()).hexdigest()


@pytest.mark.parametrize("shift", [(1, 0), (0, -1), (0, 1)])
def test_lines_that_are_not_where_they_were_said_to_be_are_refused(tmp_path, shift):
    source = written(tmp_path / "all.csv", rows(KINDS))
    run = runs_of_kind(source, "customers")[0]
    moved = table_files.Lines(run.start + shift[0], run.stop + shift[1], run.count)
    with pytest.raises(TableFileError, match=r"all\.csv: bytes \d+ to \d+ are not lines"):
        table_files.copy_lines(source, tmp_path / "copy.csv", SCHEMA, "customers", [moved])
    assert not (tmp_path / "copy.csv").exists()


def test_lines_whose_source_cannot_be_read_to_hash_leave_no_copy(tmp_path, monkeypatch):
    source = written(tmp_path / "all.csv", rows(KINDS))

    def unreadable(*args):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(table_files, "hash_range", unreadable)
    runs = runs_of_kind(source, "customers")
    with pytest.raises(TableFileError, match=r"all\.csv: unreadable .*Input/output error"):
        table_files.copy_lines(source, tmp_path / "copy.csv", SCHEMA, "customers", runs)
    assert not (tmp_path / "copy.csv").exists()
