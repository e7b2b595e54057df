"""The archive: past days' customer records and their truth, kept for re-injection and drift.

``archive/<date>/`` holds ``customers.csv`` (new and updated records), ``records.csv`` (their
truth), ``entities.csv`` (the people behind them, as they were at the end of that day),
``history.csv`` (the day's ``truth/entities_history.csv``: versions started or ended that day) and
``archive.json`` (rows and sha256 of each, and the id ranges of the day's batches); it is
staged and renamed into place, so readers see all or nothing. Days archived before drift existed
have no ``history.csv`` and no ``operation`` column: they read as no history and inserts.
"""

import datetime as dt
import json
import logging
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from gensample.daily import pruning
from gensample.daily.state import id_ranges
from gensample.errors import RunError
from gensample.generate import population
from gensample.generate.datasets.customers import NAME, SCHEMA
from gensample.generate.truth import (
    BEFORE_SIMILARITY,
    ENTITIES_SCHEMA,
    HISTORY_SCHEMA,
    RECORDS_SCHEMA,
)
from gensample.output import day_files
from gensample.output.atomic import recover_directories, swap_directory, sync_directory, write_json
from gensample.output.encoding import sha256
from gensample.output.manifest import MANIFEST_FILE
from gensample.output.table_files import (
    Lines,
    TableFileError,
    copy_lines,
    copy_rows,
    read,
    read_batches,
    read_column,
    write_csv,
)

log = logging.getLogger(__name__)

CUSTOMERS_FILE = "customers.csv"
RECORDS_FILE = "records.csv"
ENTITIES_FILE = "entities.csv"
HISTORY_FILE = "history.csv"
INDEX_FILE = "archive.json"
DATA_FILE = re.compile(rf"{NAME}(?:\.(\d+))?\.(csv|parquet)")
SCHEMAS = {
    CUSTOMERS_FILE: SCHEMA,
    RECORDS_FILE: RECORDS_SCHEMA,
    ENTITIES_FILE: ENTITIES_SCHEMA,
    HISTORY_FILE: HISTORY_SCHEMA,
}
BEFORE_DRIFT = {"operation": "I"}
"""Customer columns that days archived before drift lack, with the value they stand for."""
FILLS = {
    CUSTOMERS_FILE: BEFORE_DRIFT,
    RECORDS_FILE: BEFORE_SIMILARITY,
    ENTITIES_FILE: population.BEFORE_VARIETY,
    HISTORY_FILE: population.BEFORE_VARIETY,
}
"""Per file, the columns days archived by earlier versions lack, with what they stand for."""


class ArchiveError(RunError):
    """An archived day's file (or a file to archive) that is missing, unreadable or inconsistent."""


@dataclass(frozen=True)
class ArchivedDay:
    """An archived day: its customers and their truth (RECORDS_SCHEMA), aligned row by row, the
    people (ENTITIES_SCHEMA) behind them, and the day's history rows (HISTORY_SCHEMA)."""

    date: dt.date
    customers: pa.Table
    records: pa.Table
    entities: pa.Table
    history: pa.Table = field(default_factory=HISTORY_SCHEMA.empty_table)


def store(
    archive_dir: Path, date: dt.date, day_dir: Path, customer_truth: list[Lines] | None = None
) -> Path:
    """Keep the day's customers, their truth, people and history in ``archive/<date>/``,
    replacing it whole; the truth rows of its customers copied from ``customer_truth`` (where
    they lie in the day's truth file, when the run that wrote them says), else found there."""
    recover_directories(archive_dir)
    staging = archive_dir / f".{date.isoformat()}.staging"
    try:
        sources = _customer_files(day_dir)
        if not _link_day(staging, date, sources, day_dir, customer_truth):
            _write_day(staging, date, sources, day_dir)
        sync_directory(staging)  # its files are synced: written atomically, or the day's own
        return swap_directory(staging, archive_dir / date.isoformat())
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def prune(archive_dir: Path, today: dt.date, retention_days: int) -> list[dt.date]:
    """Delete archived days older than ``today - retention_days`` (0 keeps all); return them."""
    days, strangers = _scan(archive_dir)
    for name in strangers:
        log.warning(
            "%s is not an archived day (a YYYY-MM-DD folder, not a link); left alone",
            archive_dir / name,
        )
    oldest = kept_since(today, retention_days)
    removed = [day for day in days if day < oldest]
    try:  # a day half-deleted by a crash is skipped as malformed, then deleted by the next prune
        for day in removed:
            shutil.rmtree(archive_dir / day.isoformat())
    except OSError as error:
        raise RunError(f"cannot prune {archive_dir}: {error}") from error
    if removed:
        sync_directory(archive_dir)
    return removed


def archived_days(
    archive_dir: Path, before: dt.date, since: dt.date = dt.date.min
) -> list[dt.date]:
    """The archived days from ``since`` to strictly before ``before``, oldest first."""
    return [day for day in _scan(archive_dir)[0] if since <= day < before]


def kept_since(today: dt.date, retention_days: int) -> dt.date:
    """The oldest archived day a run of ``today`` keeps (``retention_days`` 0: every day), and
    so the oldest it reads: a re-run of the day, after its run pruned older ones, reads the
    same days."""
    return pruning.cutoff(today, retention_days) if retention_days else dt.date.min


def load_day(archive_dir: Path, date: dt.date) -> ArchivedDay:
    """One archived day, checked: ArchiveError naming the file and the problem if malformed."""
    folder = archive_dir / date.isoformat()
    if not (folder / RECORDS_FILE).is_file():
        raise ArchiveError(f"{folder / RECORDS_FILE}: missing (customers without their truth)")
    files = _read_files(folder)
    _check_index(folder, {name: table.num_rows for name, table in files.items()})
    customers, records, entities = files[CUSTOMERS_FILE], files[RECORDS_FILE], files[ENTITIES_FILE]
    _require_unique(folder / CUSTOMERS_FILE, customers, "customer_id")
    records = records.filter(pc.equal(records["dataset"], NAME))
    _require_unique(folder / RECORDS_FILE, records, "record_id")
    records = _align(folder / RECORDS_FILE, customers, records)
    if not pc.all(pc.is_in(records["entity_id"], entities["entity_id"])).as_py():
        raise ArchiveError(f"{folder / ENTITIES_FILE}: misses people of the archived records")
    return ArchivedDay(
        date, customers, records, entities, files.get(HISTORY_FILE, HISTORY_SCHEMA.empty_table())
    )


def _read_files(folder: Path) -> dict[str, pa.Table]:
    """The files of an archived day; ``history.csv`` only if there (it came with drift)."""
    names = [name for name in SCHEMAS if name != HISTORY_FILE or (folder / name).exists()]
    try:
        return {name: read(folder / name, SCHEMAS[name], FILLS.get(name, {})) for name in names}
    except TableFileError as error:
        raise ArchiveError(str(error)) from error


def _customer_files(day_dir: Path) -> list[Path]:
    """The day's customer data files: ``customers.csv|parquet``, then batches ``customers.2.*``."""
    folder = day_dir / "data"
    found = [path for path in folder.glob(f"{NAME}.*") if DATA_FILE.fullmatch(path.name)]
    if not found:
        raise RunError(f"nothing to archive: no {NAME} data file in {folder}")
    return sorted(found, key=lambda path: (int(DATA_FILE.fullmatch(path.name)[1] or 1), path.name))


def _link_day(
    staging: Path, date: dt.date, sources: list[Path], day_dir: Path, lines: list[Lines] | None
) -> bool:
    """Archive the day's own files as hard links when they are already what the archive keeps:
    one customers CSV, and the people and history (every person of a day has a customer
    record). The truth is linked too when it is of customers only, else copied. Committed
    files never change (a re-run swaps in new ones), so a link costs nothing and stays valid.
    False when it cannot."""
    if not (day_dir / MANIFEST_FILE).exists() or [path.name for path in sources] != [
        CUSTOMERS_FILE
    ]:
        return False
    manifest = json.loads((day_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
    linked = {
        CUSTOMERS_FILE: f"data/{CUSTOMERS_FILE}",
        ENTITIES_FILE: day_files.ENTITIES_FILE,
        HISTORY_FILE: day_files.HISTORY_FILE,
    }
    truth_of_customers_only = manifest["settings"]["datasets"] == [NAME]
    if truth_of_customers_only:
        linked[RECORDS_FILE] = day_files.RECORDS_FILE
    try:
        staging.mkdir(parents=True)
        for name, source in linked.items():
            os.link(day_dir / source, staging / name)
    except OSError:  # a filesystem without hard links: copy through Arrow instead
        shutil.rmtree(staging, ignore_errors=True)
        return False
    files = {
        name: {key: manifest["files"][source][key] for key in ("rows", "sha256")}
        for name, source in linked.items()
    }
    if not truth_of_customers_only:
        files[RECORDS_FILE] = _customer_truth(day_dir, staging / RECORDS_FILE, lines)
    write_json(staging / INDEX_FILE, _index(date, files, day_dir))
    return True


def _customer_truth(day_dir: Path, path: Path, lines: list[Lines] | None) -> dict:
    """Write the day's truth rows of customer records as ``path``, from their ``lines`` in the
    day's truth file when known, else found there; return its entry of ``archive.json``: their
    number and the file's hex SHA-256 (the truth of every dataset is several times the
    customers' part)."""
    source = day_dir / day_files.RECORDS_FILE
    if lines is not None:
        rows, digest = copy_lines(source, path, RECORDS_SCHEMA, NAME, lines)
    else:
        rows = copy_rows(source, path, RECORDS_SCHEMA, NAME, BEFORE_SIMILARITY)
        digest = sha256(path)
    return {"rows": rows, "sha256": digest}


def _write_day(staging: Path, date: dt.date, sources: list[Path], day_dir: Path) -> None:
    """Write the archive files of a day into ``staging``: customers, truth, people, history,
    index."""
    customers = (batch for path in sources for batch in read_batches(path, SCHEMA))
    truth = _customer_truth(day_dir, staging / RECORDS_FILE, None)
    entity_id = read_column(staging / RECORDS_FILE, "entity_id").cast(pa.int64())
    people = (
        batch.filter(pc.is_in(batch["entity_id"], entity_id))
        for batch in read_batches(day_dir / day_files.ENTITIES_FILE, ENTITIES_SCHEMA)
    )
    history = read_batches(day_dir / day_files.HISTORY_FILE, HISTORY_SCHEMA)
    rows = {
        CUSTOMERS_FILE: write_csv(staging / CUSTOMERS_FILE, SCHEMA, customers),
        ENTITIES_FILE: write_csv(staging / ENTITIES_FILE, ENTITIES_SCHEMA, people),
        HISTORY_FILE: write_csv(staging / HISTORY_FILE, HISTORY_SCHEMA, history),
    }
    files = {name: {"rows": n, "sha256": sha256(staging / name)} for name, n in rows.items()}
    files[RECORDS_FILE] = truth  # its entry came with its copy
    write_json(staging / INDEX_FILE, _index(date, files, day_dir))


def _index(date: dt.date, files: dict, day_dir: Path) -> dict:
    """``archive.json``: the date, each file's rows and sha256, and the id ranges of the day's
    batches (``batches``: what ids continue from if ``state.json`` and ``out/`` are lost;
    absent when the day has no readable manifest)."""
    try:
        entries = json.loads((day_dir / MANIFEST_FILE).read_text(encoding="utf-8"))["batches"]
        kept = {"batches": [id_ranges(entry) for entry in entries]}
    except (OSError, ValueError, LookupError, TypeError):
        kept = {}
    return {"date": date.isoformat(), "files": files, **kept}


def _check_index(folder: Path, rows: dict[str, int]) -> None:
    """Require the rows and sha256 that ``archive.json`` recorded when the day was stored."""
    path = folder / INDEX_FILE
    try:
        files = json.loads(path.read_text(encoding="utf-8"))["files"]
        expected = {name: (int(files[name]["rows"]), files[name]["sha256"]) for name in rows}
    except (OSError, ValueError, LookupError, TypeError) as error:
        reason = f"{type(error).__name__}: {str(error)[:80]!r}"  # never much of the file
        raise ArchiveError(f"{path}: missing or unreadable ({reason})") from error
    for name, count in rows.items():
        recorded, digest = expected[name]
        if count != recorded:
            raise ArchiveError(f"{folder / name}: {count} rows, {INDEX_FILE} says {recorded}")
        if sha256(folder / name) != digest:
            raise ArchiveError(f"{folder / name}: changed since archived (sha256 differs)")


def _require_unique(path: Path, table: pa.Table, column: str) -> None:
    """Require ``column`` to be set and distinct on every row."""
    if pc.count_distinct(table[column]).as_py() != table.num_rows:
        raise ArchiveError(f"{path}: {column} repeated or empty")


def _align(path: Path, customers: pa.Table, records: pa.Table) -> pa.Table:
    """The truth row of each customer record, in the customers' order."""
    where = pc.index_in(customers["customer_id"], value_set=records["record_id"])
    if where.null_count:
        missing = customers["customer_id"].filter(pc.is_null(where)).to_pylist()
        raise ArchiveError(f"{path}: no truth row for {len(missing)} customers, e.g. {missing[:5]}")
    return records.take(where)


def _scan(archive_dir: Path) -> tuple[list[dt.date], list[str]]:
    """Archived days (sorted) and the names of other visible folders in ``archive_dir`` (a
    symbolic link is never an archived day: the run does not follow one)."""
    entries = archive_dir.iterdir() if archive_dir.is_dir() else ()
    folders = [entry.name for entry in entries if entry.is_dir() and entry.name[:1] != "."]
    links = {name for name in folders if (archive_dir / name).is_symlink()}
    days = {name: None if name in links else folder_date(name) for name in folders}
    strangers = [name for name, day in days.items() if day is None]
    return sorted(day for day in days.values() if day), sorted(strangers)


def folder_date(name: str) -> dt.date | None:
    """The date a folder name spells as YYYY-MM-DD, or None."""
    try:
        day = dt.date.fromisoformat(name)
    except ValueError:
        return None
    return day if day.isoformat() == name else None
