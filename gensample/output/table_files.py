"""Whole tables in files: CSV or Parquet read in a schema, CSV written with a header.

Reading keeps text exactly: an empty field is a null, a quoted empty field ``""`` an empty
string, as the writers wrote them. Every problem is a :class:`TableFileError` naming the file.
"""

import contextlib
import hashlib
import io
import mmap
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import BinaryIO, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from gensample.errors import RunError
from gensample.output.atomic import atomic_output, start_writeback
from gensample.output.digests import hash_range
from gensample.output.encoding import CSV_OPTIONS, ROWS_CSV_OPTIONS
from gensample.output.lifetime import helper_threads
from gensample.output.placement import copy_range

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


def copy_rows(
    source: Path, target: Path, schema: pa.Schema, first: str, fill: Mapping[str, str] = NO_FILL
) -> int:
    """Write the rows of the CSV file ``source`` (in ``schema``, ``fill`` as in read_batches)
    whose first column is the text ``first`` atomically as the CSV file ``target``, with a
    header; return their number.

    When ``source`` has ``schema``'s header, its lines are copied as they are (the bytes
    parsing and writing them again would give, without the cost); else they are parsed.
    """
    with _reading(source), open(source, "rb") as lines:
        if lines.readline() == _header(schema):
            with atomic_output(target) as handle:
                handle.write(_header(schema))
                return _copy_lines_starting(lines, _csv_text(first) + b",", handle)
    kept = (batch.filter(pc.equal(batch[0], first)) for batch in read_batches(source, schema, fill))
    return write_csv(target, schema, kept)


class Lines(NamedTuple):
    """Whole lines of a file: its bytes ``start`` to ``stop``, ``count`` lines."""

    start: int
    stop: int
    count: int


def copy_lines(
    source: Path, target: Path, schema: pa.Schema, first: str, lines: Iterable[Lines]
) -> tuple[int, str]:
    """Write ``lines`` of the CSV file ``source`` (in ``schema``, which wrote them), each run
    of lines starting with the text ``first`` (checked: a run's first field and its last line
    break), atomically as the CSV file ``target``, after a header; return their number and the
    hex SHA-256 of ``target``.

    The bytes are copied in the kernel: nothing is read into this process, nor parsed (as
    ``copy_rows`` must, to find the lines). They are hashed where they lie in ``source``, in a
    thread, while they are copied, and each run's writeback starts once it is copied, for the
    fsync to find it on the disk (a 1M day's 100 MB: 0.27 s one step after the other, 0.15 s
    so)."""
    prefix, header = _csv_text(first) + b",", _header(schema)
    runs = [run for run in lines if run.count]
    with _reading(source), open(source, "rb") as data, atomic_output(target) as handle:
        for run in runs:
            _check_run(source, data.fileno(), run, prefix)
        digest = hashlib.sha256(header)
        with helper_threads() as thread:
            hashed = thread.submit(_hash_runs, digest, data.fileno(), runs)
            handle.write(header)
            handle.flush()  # the copies write below the handle's buffer
            for run in runs:
                at = handle.tell()
                copy_range(data, handle, run.start, run.stop)
                start_writeback(handle.fileno(), at, handle.tell())  # for the fsync to find
            with _reading(source):  # not a failure to write target
                hashed.result()
    return sum(run.count for run in runs), digest.hexdigest()


def _hash_runs(digest: "hashlib._Hash", descriptor: int, runs: list[Lines]) -> None:
    """Add the bytes of each of ``runs`` of an open file to ``digest``."""
    for run in runs:
        hash_range(digest, descriptor, run.start, run.stop)


def _check_run(path: Path, descriptor: int, run: Lines, prefix: bytes) -> None:
    """Fail unless the bytes of ``run`` start with ``prefix`` and end a line."""
    starts = os.pread(descriptor, len(prefix), run.start) == prefix
    if not starts or os.pread(descriptor, 1, run.stop - 1) != b"\n":
        raise TableFileError(
            f"{path}: bytes {run.start} to {run.stop} are not lines starting {prefix!r}"
        )


def _copy_lines_starting(lines: BinaryIO, prefix: bytes, target: BinaryIO) -> int:
    """Copy the lines of ``lines`` (from where it stands) that start with ``prefix`` to
    ``target``, a run of them at a time; return their number. Lines are told apart by their
    line breaks: no value may hold one (a truth file's never do).

    The file is mapped, not read: each run (lines one after another that all start with
    ``prefix``) is found by two searches in C, for its first line and for the first line
    after it, and written from the mapping, so a file of long runs, as a day's truth is
    (dataset by dataset, block by block), is copied at the speed of memory."""
    other_line = re.compile(b"\n(?!" + re.escape(prefix) + b")")
    copied, released = 0, 0
    with mmap.mmap(lines.fileno(), 0, access=mmap.ACCESS_READ) as text:
        for run in _runs(text, lines.tell(), prefix, other_line):
            with memoryview(text)[run.start : run.stop] as lines_of_run:
                target.write(lines_of_run)
                copied += _line_breaks(lines_of_run)
            if run.stop == len(text) and text[-1:] != b"\n":
                target.write(b"\n")  # a last line without its break, as the writer ends it
                copied += 1
            released = release(text, released, run.stop)
    return copied


def _runs(text: mmap.mmap, position: int, prefix: bytes, other_line: re.Pattern) -> Iterator[range]:
    """The runs of lines starting with ``prefix`` in ``text`` from ``position`` (where a line
    starts), as ranges of bytes; ``other_line`` finds a line break before a line that does not
    start so."""
    end = len(text)
    while position < end:
        if text[position : position + len(prefix)] != prefix:
            position = text.find(b"\n" + prefix, position, end) + 1  # 0: no more runs
            if not position:
                return
        after_run = other_line.search(text, position, end)
        stop = after_run.end() if after_run else end
        yield range(position, stop)
        position = stop


def release(text: mmap.mmap, start: int, stop: int) -> int:
    """Unmap the whole pages of ``text`` from ``start`` (where a page starts) to ``stop`` from
    this process, which has read them: they stay in the page cache, but a mapped page counts in
    the process's resident memory (a day's truth is 2.4 GB at 10M customers). Returns where
    the pages released end."""
    stop -= stop % mmap.PAGESIZE
    if stop <= start:
        return start
    text.madvise(mmap.MADV_DONTNEED, start, stop - start)
    return stop


def _line_breaks(text: memoryview) -> int:
    """How many line breaks ``text`` holds."""
    return int(np.count_nonzero(np.frombuffer(text, np.uint8) == ord("\n")))


def _header(schema: pa.Schema) -> bytes:
    """The header line the CSV writer writes for ``schema``."""
    buffer = io.BytesIO()
    pacsv.write_csv(schema.empty_table(), buffer, write_options=CSV_OPTIONS)
    return buffer.getvalue()


def _csv_text(value: str) -> bytes:
    """``value`` as the CSV writer writes a text field."""
    buffer = io.BytesIO()
    pacsv.write_csv(pa.table({"value": [value]}), buffer, write_options=ROWS_CSV_OPTIONS)
    return buffer.getvalue().rstrip(b"\n")


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
