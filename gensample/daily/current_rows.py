"""The files of the current-state table: each archived day's rows, and the index over them.

A day's rows (``rows/<day>-<digest>/``) are its customer rows with their truth (RECORD_ROWS)
and the people it lists (ENTITIES_SCHEMA, its last row of each), in id order, written once.
An index (``<day>/``) is RECORDS and PEOPLE: narrow tables in id order saying, for each record
and person, the day whose rows hold its newest row. Everything is written into a staging folder,
synced and renamed into place, so a reader sees all of it or none.
"""

import datetime as dt
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.daily import sorted_tables
from gensample.daily.archiving import ArchivedDay
from gensample.generate.datasets import customers
from gensample.generate.truth import ENTITIES_SCHEMA, RECORDS_SCHEMA, conform_records
from gensample.output.atomic import (
    recover_directories,
    swap_directory,
    sync_directory,
    write_json,
)

RECORDS_FILE = "records.arrow"
PEOPLE_FILE = "people.arrow"
INDEX_FILE = "current.json"
ROWS_DIR = "rows"
TRUTH_COLUMNS = tuple(n for n in RECORDS_SCHEMA.names if n not in ("dataset", "record_id"))
"""What the truth says of a record besides its dataset and id (which the customer row gives)."""
RECORD_ROWS = pa.schema([*customers.SCHEMA, *(RECORDS_SCHEMA.field(c) for c in TRUTH_COLUMNS)])
DAY = pa.field("day", pa.date32())
RECORDS = pa.schema(
    [("customer_id", pa.int64()), ("entity_id", pa.int64()), ("open", pa.bool_()), DAY]
)
PEOPLE = pa.schema([("entity_id", pa.int64()), ("valid_from", pa.date32()), DAY])
"""``valid_from``: the day the person's current version started (null: before the archive's
memory; such a person's records can close, but the person cannot change)."""


@dataclass(frozen=True)
class Existing:
    """Current rows of some archived records with their truth, and current versions of people."""

    customers: pa.Table  # customers SCHEMA, in record id order
    records: pa.Table  # RECORDS_SCHEMA, row by row with customers
    people: pa.Table  # ENTITIES_SCHEMA + valid_from, in entity id order


def rows_dir(day: str, days: dict[str, str]) -> str:
    """Where the rows of archived ``day`` are, named by the digest ``days`` gives it."""
    return f"{ROWS_DIR}/{day}-{days[day][:16]}"


def write_rows(folder: Path, name: str, day: ArchivedDay) -> tuple[pa.Table, pa.Table]:
    """Write the archived ``day``'s rows to ``folder/name``; return them (records, people)."""
    records = day.customers
    for column in TRUTH_COLUMNS:
        records = records.append_column(column, day.records[column])
    records = records.cast(RECORD_ROWS).sort_by("customer_id")
    ids = day.entities["entity_id"].to_numpy()
    last = len(ids) - 1 - np.unique(ids[::-1], return_index=True)[1]
    people = day.entities.take(pa.array(last))
    target = folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.staging")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    for file, table in ((RECORDS_FILE, records), (PEOPLE_FILE, people)):
        sorted_tables.write(staging / file, table.schema, iter(table.to_batches()))
    sync_directory(staging)
    swap_directory(staging, target)
    return records, people


def check_rows(folder: Path) -> None:
    """Require a day's rows to be there with their columns (ValueError, OSError or an Arrow
    error if not), reading only the files' footers."""
    for name, schema in ((RECORDS_FILE, RECORD_ROWS), (PEOPLE_FILE, ENTITIES_SCHEMA)):
        with pa.memory_map(str(folder / name)) as source:
            if not pa.ipc.open_file(source).schema.equals(schema):
                raise ValueError(f"{folder / name}: not the columns of a day's rows")


def merge_index(
    records: pa.Table,
    people: pa.Table,
    day: ArchivedDay,
    rows: tuple[pa.Table, pa.Table],
    oldest: dt.date,
    folder: Path,
) -> tuple[pa.Table, pa.Table]:
    """The index (RECORDS, PEOPLE) with the archived ``day`` (its ``rows``) merged in, written
    to ``folder`` and memory-mapped, forgetting what days before ``oldest`` told."""
    folder.mkdir()
    record_rows, person_rows = rows
    status = record_rows["account_status"]
    new_records = pa.table(
        {
            "customer_id": record_rows["customer_id"],
            "entity_id": record_rows["entity_id"],
            "open": pc.fill_null(pc.not_equal(status, "closed"), True),
            "day": _days(day.date, record_rows.num_rows),
        },
        schema=RECORDS,
    )
    new_people = _people_index(day, person_rows, people)
    for name, old, new, key, schema in (
        (RECORDS_FILE, records, new_records, "customer_id", RECORDS),
        (PEOPLE_FILE, people, new_people, "entity_id", PEOPLE),
    ):
        sorted_tables.write(folder / name, schema, sorted_tables.merged(old, new, key, oldest))
    return sorted_tables.read(folder / RECORDS_FILE, RECORDS), sorted_tables.read(
        folder / PEOPLE_FILE, PEOPLE
    )


def _people_index(day: ArchivedDay, listed: pa.Table, people: pa.Table) -> pa.Table:
    """The index rows of the people the day lists, each with the start of their current
    version: the newer of the one ``people`` know and the one the day's history opens.

    A version the history opens starts on the day it is archived with (new people, changes).
    """
    history = day.history
    opened = history.filter(
        pc.and_(pc.is_null(history["valid_to"]), pc.is_valid(history["valid_from"]))
    )
    opened = opened.group_by("entity_id").aggregate([("valid_from", "max")])
    where = pc.index_in(listed["entity_id"], value_set=opened["entity_id"])
    started = opened["valid_from_max"].take(where)
    ids = listed["entity_id"].to_numpy()
    known = sorted_tables.lookup(people, "entity_id", ids, "valid_from")
    since = pc.max_element_wise(known, started, skip_nulls=True)
    columns = {"entity_id": ids, "valid_from": since, "day": _days(day.date, len(ids))}
    return pa.table(columns, schema=PEOPLE)


def finish_index(
    staging: Path, records: pa.Table, people: pa.Table, oldest: dt.date, days: dict[str, str]
) -> None:
    """Put the index in ``staging`` (moved from the last merge's folder, or written when no
    day merged), drop the merges' folders, and write ``current.json`` last."""
    merges = sorted((path for path in staging.iterdir() if path.is_dir()), key=_number)
    tables = (
        (RECORDS_FILE, records, "customer_id", RECORDS),
        (PEOPLE_FILE, people, "entity_id", PEOPLE),
    )
    for name, table, key, schema in tables:
        if merges:
            os.replace(merges[-1] / name, staging / name)
        else:
            rows = sorted_tables.merged(table, table.slice(0, 0), key, oldest)
            sorted_tables.write(staging / name, schema, rows)
    for path in merges:
        shutil.rmtree(path)
    rows = {
        name: sorted_tables.read(staging / name, schema).num_rows for name, _, _, schema in tables
    }
    write_json(staging / INDEX_FILE, {"days": days, "rows": rows})
    sync_directory(staging)


def read_index(folder: Path) -> tuple[pa.Table, pa.Table, dict[str, str]]:
    """A saved index (records, people, days), memory-mapped; ValueError if it is incomplete."""
    document = json.loads((folder / INDEX_FILE).read_text(encoding="utf-8"))
    records = sorted_tables.read(folder / RECORDS_FILE, RECORDS)
    people = sorted_tables.read(folder / PEOPLE_FILE, PEOPLE)
    rows = {RECORDS_FILE: records.num_rows, PEOPLE_FILE: people.num_rows}
    if document["rows"] != rows or not isinstance(document["days"], dict):
        raise ValueError(f"{rows} rows, {INDEX_FILE} says {document['rows']}")
    return records, people, dict(document["days"])


def commit(staging: Path, final: Path) -> Path:
    """Rename the staged index into place."""
    return swap_directory(staging, final)


def recover(folder: Path) -> None:
    """Finish or undo swaps a killed run left half-done; drop stale staging."""
    recover_directories(folder)
    recover_directories(folder / ROWS_DIR)


def remove_others(folder: Path, held: set[str]) -> None:
    """Delete the days' rows that no kept index holds (pruned days, days archived again)."""
    found = (folder / ROWS_DIR).iterdir() if (folder / ROWS_DIR).is_dir() else ()
    for path in found:
        if f"{ROWS_DIR}/{path.name}" not in held and not path.name.startswith("."):
            shutil.rmtree(path, ignore_errors=True)


def existing(folders: dict[str, Path], records: pa.Table, people: pa.Table) -> Existing:
    """The rows of the ``records`` and ``people`` index rows, from the days' files."""
    rows = _gather(folders, records, "customer_id", RECORDS_FILE, RECORD_ROWS)
    versions = _gather(folders, people, "entity_id", PEOPLE_FILE, ENTITIES_SCHEMA)
    truth = rows.select(TRUTH_COLUMNS)
    truth = truth.add_column(0, "dataset", pa.repeat(pa.scalar(customers.NAME), rows.num_rows))
    truth = truth.add_column(1, "record_id", rows["customer_id"])
    return Existing(
        rows.select(customers.SCHEMA.names).cast(customers.SCHEMA),
        conform_records(truth),
        versions.append_column("valid_from", people["valid_from"]),
    )


def _gather(
    folders: dict[str, Path], index: pa.Table, key: str, name: str, schema: pa.Schema
) -> pa.Table:
    """The rows of the ids of ``index`` from the day that holds each, in id order."""
    parts = [schema.empty_table()]
    for day in pc.unique(index["day"]).to_pylist():
        wanted = index[key].filter(pc.equal(index["day"], pa.scalar(day, pa.date32())))
        table = sorted_tables.read(folders[day.isoformat()] / name, schema)
        parts.append(table.filter(pc.is_in(table[key], wanted.combine_chunks())))
    rows = pa.concat_tables(parts)
    return rows.take(pa.array(np.argsort(rows[key].to_numpy(), kind="stable")))


def _days(date: dt.date, rows: int) -> pa.Array:
    return pa.repeat(pa.scalar(date, pa.date32()), rows)


def _number(path: Path) -> int:
    return int(path.name)
