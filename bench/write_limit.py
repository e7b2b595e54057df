"""The write limit: how long pyarrow's CSV writer takes to write a day's bytes from tables that
are already in memory, in one process, with gensample's own writer options.

Each CSV file of a day is read back in its schema, batch by batch (not timed), and written
again batch by batch (timed, money as gensample writes it: see ``encoding.narrow_decimals``)
into a scratch file, which is then checked against the manifest's SHA-256 (the same bytes, or
the comparison is void) and deleted: at most one file's bytes are on disk twice, and one batch
in memory.
"""

import json
import time
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from gensample.output.day_files import output_files
from gensample.output.encoding import CSV_OPTIONS, narrow_decimals, sha256
from gensample.settings import Settings

READ_BLOCK = 64 << 20
"""Bytes of CSV read (and written again) at a time."""


@dataclass
class WriteLimit:
    """Seconds of the pure writes, bytes written, and the files whose bytes came out different."""

    seconds: float
    bytes_written: int
    different: list[str]


def measure_write_limit(day_dir: Path, scratch: Path) -> WriteLimit:
    """Write every CSV file of ``day_dir`` again from memory into ``scratch``, timed."""
    manifest = json.loads((day_dir / "manifest.json").read_text())
    schemas = {name: schema for name, (schema, _) in output_files(Settings()).items()}
    seconds, written, different = 0.0, 0, []
    for name, entry in manifest["files"].items():
        target = scratch / "rewritten.csv"
        seconds += _rewrite(day_dir / name, schemas[name], target)
        written += target.stat().st_size
        if sha256(target) != entry["sha256"]:
            different.append(name)
        target.unlink()
    return WriteLimit(seconds, written, different)


def _rewrite(source: Path, schema: pa.Schema, target: Path) -> float:
    """Seconds spent writing ``source``'s rows, read in ``schema``, as CSV into ``target``."""
    convert = pacsv.ConvertOptions(
        column_types=schema, strings_can_be_null=True, quoted_strings_can_be_null=False
    )
    reader = pacsv.open_csv(
        source, read_options=pacsv.ReadOptions(block_size=READ_BLOCK), convert_options=convert
    )
    written = narrow_decimals(schema)  # as gensample writes them: the same text, faster
    with open(target, "wb") as handle:
        started = time.perf_counter()
        writer = pacsv.CSVWriter(handle, written, write_options=CSV_OPTIONS)
        seconds = time.perf_counter() - started
        for batch in reader:
            table = pa.Table.from_batches([batch]).select(schema.names).cast(written)
            started = time.perf_counter()
            writer.write_table(table)
            seconds += time.perf_counter() - started
        started = time.perf_counter()
        writer.close()
        return seconds + time.perf_counter() - started
