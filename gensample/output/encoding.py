"""Output files: CSV day files are filled in place by the blocks (see ``placement``); Parquet
day files are joined from part files in order.

CSV rows are written without a header, after the file's one header line. Parquet parts are
Arrow IPC files, joined as one row group each.
"""

import contextlib
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.csv as pacsv

from gensample.errors import RunError
from gensample.output import csv_native
from gensample.output.atomic import refuse_symlink
from gensample.output.digests import sha256 as sha256  # where its readers look for it

CSV_BATCH_ROWS = 8192
"""Rows Arrow's CSV writer converts at a time: about 12% faster than its default of 1024, with
the same bytes."""
CSV_OPTIONS = pacsv.WriteOptions(quoting_style="needed", batch_size=CSV_BATCH_ROWS)
ROWS_CSV_OPTIONS = pacsv.WriteOptions(
    quoting_style="needed", include_header=False, batch_size=CSV_BATCH_ROWS
)


def write_csv_rows(table: pa.Table, file: BinaryIO) -> None:
    """Write ``table``'s rows to ``file`` as CSV lines, without a header: by the compiled
    writer when the package was installed with it (``csv_native``, about twice as fast), else
    by Arrow's; the same bytes."""
    if csv_native.available():
        csv_native.write_rows(table, file)
        return
    table = table.cast(narrow_decimals(table.schema))
    # pyarrow 26 writes buffer bytes, not lines, after an empty first chunk with these options
    batches = [batch for batch in table.to_batches() if batch.num_rows]
    pacsv.write_csv(pa.Table.from_batches(batches, table.schema), file, ROWS_CSV_OPTIONS)


def narrow_decimals(schema: pa.Schema) -> pa.Schema:
    """``schema`` with each 128-bit decimal that fits in 64 bits (18 digits) as a 64-bit one:
    the same text, which Arrow's writer writes in about 15 % less time, the cast included (the
    retail datasets' money columns; the compiled writer reads those of 128 bits as they are)."""
    return pa.schema(
        field.with_type(pa.decimal64(field.type.precision, field.type.scale))
        if pa.types.is_decimal128(field.type) and field.type.precision <= 18
        else field
        for field in schema
    )


def start_csv(path: Path, schema: pa.Schema) -> int:
    """Create the CSV day file ``path`` with its header, or keep an existing one (an earlier
    batch of the day) as it is; return where its rows continue."""
    refuse_symlink(path)
    try:
        if path.exists():
            return path.stat().st_size
        path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        with open(os.open(path, flags, 0o666), "wb") as handle:
            pacsv.write_csv(schema.empty_table(), handle, write_options=CSV_OPTIONS)
            return handle.tell()
    except OSError as error:
        raise RunError(f"cannot write {path}: {error.strerror or error}") from error


def check_csv_end(path: Path, end: int) -> None:
    """Fail unless the CSV day file ``path`` ends exactly where its last rows were placed."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise RunError(f"cannot read {path}: {error.strerror or error}") from error
    if size != end:
        raise RunError(f"{path} holds {size} bytes where {end} were written")


def write_part(table: pa.Table, path: Path) -> None:
    """Write one block's rows of a Parquet file as a part file (Arrow IPC), in the existing
    folder of its path."""
    with part_output(path) as temporary, pa.ipc.new_file(str(temporary), table.schema) as writer:
        writer.write_table(table)


@contextlib.contextmanager
def part_output(path: Path) -> Iterator[Path]:
    """A temporary name to write the part file ``path`` under, renamed to ``path`` once it is
    written: a part is whole or absent, even when a lost worker's block runs again elsewhere
    (the name holds the host and process, so two writers never share one)."""
    temporary = path.with_name(f".{path.name}.tmp-{socket.gethostname()}-{os.getpid()}")
    try:
        yield temporary
        os.replace(temporary, path)
    except BaseException as error:
        with contextlib.suppress(OSError):  # e.g. its folder could not be made
            temporary.unlink()
        if isinstance(error, OSError):
            raise RunError(f"cannot write {path}: {error.strerror or error}") from error
        raise


class ParquetDayFile:
    """One Parquet file of a day, built from part files appended in order (always a new file:
    a later batch of the day writes a file of its own)."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        import pyarrow.parquet as pq  # here: importing it would slow every start by 40 ms

        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(str(self.path), schema, compression="zstd")
        except OSError as error:
            raise RunError(f"cannot write {self.path}: {error}") from error

    def append(self, part: Path) -> None:
        """Append a part file's rows as a row group, then delete the part."""
        try:
            with pa.memory_map(str(part)) as source:
                self._writer.write_table(pa.ipc.open_file(source).read_all())
            part.unlink()
        except OSError as error:
            raise RunError(f"cannot write {self.path}: {error}") from error

    def close(self) -> None:
        """Write the footer and close the file."""
        try:
            self._writer.close()
        except OSError as error:
            raise RunError(f"cannot write {self.path}: {error}") from error
