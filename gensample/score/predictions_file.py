"""A predictions file as an Arrow table: Parquet, or CSV checked to be UTF-8 and read strictly.

Every problem is a :class:`~gensample.errors.BadInputError` naming the file (and the line, in a
CSV: the header is line 1).
"""

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from gensample.errors import BadInputError, excerpt

PARQUET = (".parquet", ".pq")
TEXT_COLUMNS = ("dataset", "dataset_a", "dataset_b")
"""Columns read as text even where every value looks like a number."""


def read_table(path: Path) -> pa.Table:
    """The table of a Parquet (``.parquet``, ``.pq``) or CSV predictions file."""
    if not path.is_file():
        raise BadInputError(f"{path}: no such file")
    try:
        if path.suffix.lower() in PARQUET:
            return pq.read_table(path)
        return _read_csv(path, _utf8(path))
    except (pa.ArrowInvalid, OSError) as error:
        raise BadInputError(f"{path}: not a readable CSV or Parquet file ({error})") from None


def _utf8(path: Path) -> bytes:
    """The bytes of a CSV, checked to be UTF-8; else an error naming the first line that is not.

    Checked first because pyarrow decodes a line with the wrong number of fields strictly before
    handing it to ``invalid_row_handler``, and prints the traceback when that fails.
    """
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadInputError(_not_utf8(path, data, error.start)) from None
    return data


def _not_utf8(path: Path, data: bytes, at: int) -> str:
    """The message naming the line of ``data`` that holds byte ``at``, which is not UTF-8."""
    start = data.rfind(b"\n", 0, at) + 1
    end = data.find(b"\n", at)
    line = data[start : end if end >= 0 else len(data)].rstrip(b"\r").decode("utf-8", "replace")
    number = data.count(b"\n", 0, start) + 1
    return f"{path}, line {number}: not UTF-8 text: {excerpt(line)}; save the file as UTF-8"


def _read_csv(path: Path, data: bytes, threads: bool = True) -> pa.Table:
    """Read the CSV ``data`` of ``path``; a line with the wrong number of fields names its line.

    Only an empty field is null: ``NA`` or ``nan`` are values (a bad id, a score not finite).
    """
    bad = []
    table = pacsv.read_csv(
        pa.BufferReader(data),
        read_options=pacsv.ReadOptions(use_threads=threads),
        parse_options=pacsv.ParseOptions(
            invalid_row_handler=lambda row: bad.append(row) or "skip", ignore_empty_lines=False
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in TEXT_COLUMNS},
            null_values=[""],
            strings_can_be_null=True,
        ),
    )
    if bad and bad[0].number is None and threads:
        return _read_csv(path, data, threads=False)  # only a single-threaded read numbers lines
    if bad:
        row = bad[0]
        raise BadInputError(
            f"{path}, line {row.number}: {row.actual_columns} field(s) where the header has "
            f"{row.expected_columns}: {row.text[:80]!r}"
        )
    return table
