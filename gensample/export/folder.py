"""Writing an exported corpus: a Parquet file per table and the card, all or nothing."""

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from gensample.api import Corpus, read_day
from gensample.errors import BadInputError, RunError
from gensample.export.card import render_card
from gensample.output.atomic import swap_directory, sync_tree, write_text

LICENSES = ("cc0-1.0", "cc-by-4.0", "mit", "apache-2.0", "odc-by", "other")
"""Licences a card may name (hub identifiers); the data is synthetic, so CC0 is the default."""


@dataclass(frozen=True)
class ExportReport:
    """What an export wrote: its folder, and the rows of each table."""

    folder: Path
    rows: dict[str, int]


def table_path(corpus: Corpus, table: str) -> str:
    """Where a table goes in the folder: ``data/<dataset>.parquet``, ``truth/<table>.parquet``."""
    kind = "data" if table in corpus.datasets else "truth"
    return f"{kind}/{table}.parquet"


def export_day(
    run_dir: Path,
    date: dt.date,
    folder: Path,
    *,
    license: str = "cc0-1.0",
    replace: bool = False,
) -> ExportReport:
    """Export the committed day ``date`` of ``run_dir`` into ``folder`` (outside ``run_dir``,
    and which must not exist, or be empty, unless ``replace``): written beside it and renamed
    into place whole."""
    _refuse_overlap(Path(run_dir), Path(folder))
    if license not in LICENSES:
        raise BadInputError(f"--license {license!r} is not allowed: expected one of {LICENSES}")
    folder = Path(os.path.abspath(folder))  # "." and ".." have no name to write beside
    if folder.exists() and not folder.is_dir():
        raise BadInputError(f"{folder} is a file, not a folder: export into a new folder")
    if folder.exists() and any(folder.iterdir()) and not replace:
        raise BadInputError(f"{folder} is not empty: export into a new folder, or --replace it")
    corpus = read_day(run_dir, date)
    staging = folder.with_name(f".{folder.name}.staging")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir()  # not its parents: a folder whose parent is missing is refused
        files = _write_tables(corpus, staging)
        write_text(staging / "README.md", render_card(corpus, license, files))
        sync_tree(staging)
        if folder.exists() and not any(folder.iterdir()):
            folder.rmdir()
        swap_directory(staging, folder)
    except OSError as error:  # the folder's parent missing or not writable, a full disk
        raise RunError(f"cannot export to {folder}: {error.strerror or error}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return ExportReport(folder, {table: corpus[table].num_rows for table in files})


def _refuse_overlap(run_dir: Path, folder: Path) -> None:
    """A :class:`BadInputError` if ``folder`` is ``run_dir``, contains it or lies inside it
    (symbolic links resolved): replacing it could delete the run directory or its days."""
    run, target = run_dir.resolve(), folder.resolve()
    if target == run:
        where = "is"
    elif target.is_relative_to(run):
        where = "lies inside"
    elif run.is_relative_to(target):
        where = "contains"
    else:
        return
    raise BadInputError(
        f"--to {folder} {where} the run directory {run_dir}: export outside the run directory"
    )


def _write_tables(corpus: Corpus, staging: Path) -> dict[str, tuple[str, pa.Schema]]:
    """Write every table of ``corpus`` as Parquet under ``staging``; return each one's path
    and stored schema."""
    import pyarrow.parquet as pq  # here: importing it would slow every start by 40 ms

    files = {}
    for table in corpus.tables:
        name, content = table_path(corpus, table), stored(corpus[table])
        (staging / name).parent.mkdir(exist_ok=True)
        pq.write_table(content, staging / name, compression="zstd")
        files[table] = (name, content.schema)
    return files


def stored(table: pa.Table) -> pa.Table:
    """``table`` as its Parquet file holds it: Parquet has no seconds unit, so timestamps are
    kept in milliseconds (the same instants)."""
    fields = [
        field.with_type(pa.timestamp("ms")) if pa.types.is_timestamp(field.type) else field
        for field in table.schema
    ]
    return table.cast(pa.schema(fields))


def describe_export(report: ExportReport) -> str:
    """The export in a few lines, for ``gensample export``."""
    lines = [f"exported {sum(report.rows.values()):,} rows to {report.folder}:"]
    lines += [f"  {table:<24} {rows:>12,} rows" for table, rows in report.rows.items()]
    return "\n".join(lines)
