"""The current-state table: every archived customer record and person, as they are now.

``current/<day>/`` holds the state through the archived day ``<day>``: ``records.arrow`` (one
row per customer record: its newest row with its truth, and the archived day it came from) and
``people.arrow`` (one row per person: their newest version, the day it started, and the archived
day it came from), both in id order, and ``current.json`` (the archived days merged, each with
the sha256 of its ``archive.json``). Drift reads it instead of every archived day, and after a
day is archived the day is merged into it, streaming batch by batch, so a day costs its own
volume and one pass over the table, and memory holds a batch and the day.

It says exactly what the archive says: what archive pruning removes, it forgets (a record or
person whose newest row was pruned; a version start whose day was pruned). The two newest
states are kept, so a re-run of the last day reads the one before it; any state whose days do
not match the archive (a run killed before its update, a re-run of an earlier day, drift just
switched on) is brought up to date by merging the missing archived days in order.
"""

import datetime as dt
import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.daily import archiving, sorted_tables
from gensample.daily.faults import crash_point
from gensample.daily.rundir import RunDirectory
from gensample.errors import BadInputError
from gensample.generate.datasets import customers
from gensample.generate.truth import ENTITIES_SCHEMA, RECORDS_SCHEMA
from gensample.output.atomic import (
    recover_directories,
    swap_directory,
    sync_directory,
    write_json,
)
from gensample.output.encoding import sha256
from gensample.settings import Settings

log = logging.getLogger(__name__)

CURRENT_DIR = "current"
RECORDS_FILE = "records.arrow"
PEOPLE_FILE = "people.arrow"
INDEX_FILE = "current.json"
KEPT = 2  # the newest state and the one before it (for a re-run of the last day)
TRUTH_COLUMNS = ("entity_id", "kind", "duplicate_of", "corruptions")
DAY = pa.field("day", pa.date32())
RECORDS = pa.schema([*customers.SCHEMA, *(RECORDS_SCHEMA.field(c) for c in TRUTH_COLUMNS), DAY])
PEOPLE = pa.schema([*ENTITIES_SCHEMA, pa.field("valid_from", pa.date32()), DAY])
"""``valid_from``: the day the person's current version started (null: before the archive's
memory; such a person's records can close, but the person cannot change)."""
_NONE = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class Existing:
    """Current rows of some archived records with their truth, and current versions of people."""

    customers: pa.Table  # customers SCHEMA, in record id order
    records: pa.Table  # RECORDS_SCHEMA, row by row with customers
    people: pa.Table  # ENTITIES_SCHEMA + valid_from, in entity id order


@dataclass(frozen=True)
class CurrentState:
    """The records (RECORDS) and people (PEOPLE) of the archived ``days`` (day -> sha256 of
    its ``archive.json``), ids ascending."""

    records: pa.Table
    people: pa.Table
    days: dict[str, str]

    def changeable_people(self) -> np.ndarray:
        """People whose current version's start is known, ascending."""
        known = pc.is_valid(self.people["valid_from"])
        return _ids(self.people["entity_id"].filter(known))

    def open_records(self) -> np.ndarray:
        """Records whose account is not closed, ascending."""
        closed = pc.fill_null(pc.equal(self.records["account_status"], "closed"), False)
        return _ids(self.records["customer_id"].filter(pc.invert(closed)))

    def records_of(self, people: np.ndarray) -> np.ndarray:
        """The records of ``people`` (entity ids)."""
        chosen = pc.is_in(self.records["entity_id"], pa.array(people, pa.int64()))
        return _ids(self.records["customer_id"].filter(chosen))

    def people_of(self, records: np.ndarray) -> np.ndarray:
        """The people (entity ids, ascending) of ``records``."""
        chosen = pc.is_in(self.records["customer_id"], pa.array(records, pa.int64()))
        return np.unique(_ids(self.records["entity_id"].filter(chosen)))

    def existing(self, records: np.ndarray, people: np.ndarray) -> Existing:
        """The current rows of ``records`` and current versions of ``people``."""
        rows = self.records.filter(pc.is_in(self.records["customer_id"], pa.array(records)))
        truth = rows.select(TRUTH_COLUMNS).add_column(
            0, "dataset", pa.repeat(pa.scalar(customers.NAME), rows.num_rows)
        )
        truth = truth.add_column(1, "record_id", rows["customer_id"])
        chosen = self.people.filter(pc.is_in(self.people["entity_id"], pa.array(people)))
        return Existing(
            rows.select(customers.SCHEMA.names).cast(customers.SCHEMA),
            truth.cast(RECORDS_SCHEMA),
            chosen.drop_columns([DAY.name]),
        )


EMPTY = CurrentState(RECORDS.empty_table(), PEOPLE.empty_table(), {})


def for_batch(
    directory: RunDirectory, settings: Settings, date: dt.date, first: bool, rerun: bool
) -> CurrentState | None:
    """The state before a batch of ``date`` when drift or closures are on (else None): of the
    archived days before ``date`` for a day's ``first`` batch, through it for a later one.

    A new day (not a ``rerun``) before archived later days is refused: drift needs the days
    in order.
    """
    if not (settings.drift_share or settings.closure_share):
        return None
    days = archiving.archived_days(directory.archive, dt.date.max)
    later = [day for day in days if day > date]
    if later and not rerun:
        raise BadInputError(
            f"{date}: drift_share / closure_share above 0 are not allowed for a day before "
            f"archived days ({later[0]} ...): expected days run oldest first; backfill with "
            "drift_share = 0 and closure_share = 0"
        )
    return _bring_up_to_date(directory, [day for day in days if day < date or not first])


def update(directory: RunDirectory, settings: Settings) -> None:
    """Merge the newly archived days into the state and save it, when drift or closures are on;
    drop older states than the KEPT newest."""
    if settings.drift_share or settings.closure_share:
        _bring_up_to_date(directory, archiving.archived_days(directory.archive, dt.date.max))
        for folder in _saved(directory)[:-KEPT]:
            shutil.rmtree(folder, ignore_errors=True)


def _bring_up_to_date(directory: RunDirectory, days: list[dt.date]) -> CurrentState:
    """The state of the archived ``days``: a saved one, or one brought up to date from the
    newest saved state that agrees with the archive by merging the days it lacks (saved)."""
    folder = directory.root / CURRENT_DIR
    recover_directories(folder)
    wanted = {day.isoformat(): _digest(directory.archive, day) for day in days}
    base, missing = EMPTY, [day for day in days]
    for saved in reversed(_saved(directory)):
        state = _load(saved)
        if state is not None and _agrees(state.days, wanted):
            base, missing = state, [day for day in days if day.isoformat() not in state.days]
            break
    if not missing:
        return _forget_before(base, days[0]) if days else EMPTY
    log.info("current state: merging %d archived days into it", len(missing))
    return _save(folder, base, missing, directory.archive, wanted)


def _agrees(merged: dict[str, str], wanted: dict[str, str]) -> bool:
    """Whether a state of the ``merged`` days can become that of the ``wanted`` days by merging
    newer days: every merged day still archived is wanted with the same digest, and no wanted
    day is missing before its newest merged one (days pruned since are forgotten on reading)."""
    oldest = min(wanted, default="")
    kept = {day: digest for day, digest in merged.items() if day >= oldest}
    newest = max(kept, default="")
    return all(wanted.get(day) == digest for day, digest in kept.items()) and all(
        day in kept for day in wanted if day <= newest
    )


def _save(
    folder: Path,
    base: CurrentState,
    days: list[dt.date],
    archive_dir: Path,
    wanted: dict[str, str],
) -> CurrentState:
    """Merge archived ``days`` (in order) into ``base``, save the state of the ``wanted`` days
    through the last, and return it. A malformed archived day is logged and merges nothing,
    as the archive's other readers skip it."""
    staging = folder / f".{days[-1].isoformat()}.staging"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    state, oldest = base, dt.date.fromisoformat(min(wanted))
    for number, day in enumerate(days):
        try:
            loaded = archiving.load_day(archive_dir, day)
        except archiving.ArchiveError as error:
            log.warning("archived day %s skipped: %s", day, error)
            continue
        state = _merge_day(state, loaded, oldest, staging / str(number))
    _finish(staging, state, oldest, wanted)
    crash_point("current-staged")
    return _load(swap_directory(staging, folder / days[-1].isoformat())) or EMPTY


def _merge_day(
    state: CurrentState, day: archiving.ArchivedDay, oldest: dt.date, folder: Path
) -> CurrentState:
    """``state`` with the archived ``day`` merged in, written to ``folder`` (memory-mapped)."""
    folder.mkdir()
    new = {RECORDS_FILE: _records_of(day), PEOPLE_FILE: _people_of(day, state.people)}
    for name, attribute, key, schema in _TABLES:
        rows = sorted_tables.merged(getattr(state, attribute), new[name], key, oldest)
        sorted_tables.write(folder / name, schema, rows)
    return _read_tables(folder, state.days)


def _finish(staging: Path, state: CurrentState, oldest: dt.date, days: dict[str, str]) -> None:
    """Put the state's tables in ``staging`` (moved from the last merge's folder, or written
    when no day merged), drop the merges' folders, and write the index last."""
    merges = sorted((path for path in staging.iterdir() if path.is_dir()), key=_number)
    for name, attribute, key, schema in _TABLES:
        if merges:
            os.replace(merges[-1] / name, staging / name)
        else:
            table = getattr(state, attribute)
            rows = sorted_tables.merged(table, table.slice(0, 0), key, oldest)
            sorted_tables.write(staging / name, schema, rows)
    for path in merges:
        shutil.rmtree(path)
    final = _read_tables(staging, days)
    rows = {"records": final.records.num_rows, "people": final.people.num_rows}
    write_json(staging / INDEX_FILE, {"days": days, "rows": rows})
    sync_directory(staging)


_TABLES = (
    (RECORDS_FILE, "records", "customer_id", RECORDS),
    (PEOPLE_FILE, "people", "entity_id", PEOPLE),
)


def _read_tables(folder: Path, days: dict[str, str]) -> CurrentState:
    """The state whose tables are in ``folder``, memory-mapped."""
    tables = [sorted_tables.read(folder / name, schema) for name, _, _, schema in _TABLES]
    return CurrentState(*tables, days)


def _number(path: Path) -> int:
    return int(path.name)


def _records_of(day: archiving.ArchivedDay) -> pa.Table:
    """The day's customer rows with their truth (RECORDS), in id order."""
    rows = day.customers
    for column in TRUTH_COLUMNS:
        rows = rows.append_column(column, day.records[column])
    rows = rows.append_column(DAY.name, _days(day.date, rows.num_rows))
    return rows.cast(RECORDS).sort_by("customer_id")


def _people_of(day: archiving.ArchivedDay, people: pa.Table) -> pa.Table:
    """The people the day lists (by their last row), in id order, each with the start of their
    current version: the newer of the one ``people`` know and the one the day's history opens.

    A version the history opens starts on the day it is archived with (new people, changes).
    """
    ids = day.entities["entity_id"].to_numpy()
    last = len(ids) - 1 - np.unique(ids[::-1], return_index=True)[1]
    listed = day.entities.take(pa.array(last))
    history = day.history
    opened = history.filter(
        pc.and_(pc.is_null(history["valid_to"]), pc.is_valid(history["valid_from"]))
    )
    opened = opened.group_by("entity_id").aggregate([("valid_from", "max")])
    where = pc.index_in(listed["entity_id"], value_set=opened["entity_id"])
    started = opened["valid_from_max"].take(where)
    known = sorted_tables.lookup(people, "entity_id", ids[last], "valid_from")
    since = pc.max_element_wise(known, started, skip_nulls=True)
    listed = listed.append_column("valid_from", since)
    return listed.append_column(DAY.name, _days(day.date, listed.num_rows)).cast(PEOPLE)


def _days(date: dt.date, rows: int) -> pa.Array:
    return pa.repeat(pa.scalar(date, pa.date32()), rows)


def _saved(directory: RunDirectory) -> list[Path]:
    """The saved states' folders, oldest first."""
    folder = directory.root / CURRENT_DIR
    found = [path for path in folder.iterdir() if path.is_dir()] if folder.is_dir() else []
    named = [path for path in found if not path.is_symlink() and archiving.folder_date(path.name)]
    return sorted(named, key=lambda path: path.name)


def _load(folder: Path) -> CurrentState | None:
    """A saved state, memory-mapped; None (logged) if it is incomplete or unreadable."""
    try:
        index = json.loads((folder / INDEX_FILE).read_text(encoding="utf-8"))
        state = _read_tables(folder, dict(index["days"]))
        rows = {"records": state.records.num_rows, "people": state.people.num_rows}
        if index["rows"] != rows:
            raise ValueError(f"{rows} rows, {INDEX_FILE} says {index['rows']}")
    except (OSError, ValueError, LookupError, TypeError, pa.ArrowException) as error:
        log.warning("current state %s ignored (it is rebuilt): %s", folder, str(error)[:80])
        return None
    return state


def _forget_before(state: CurrentState, oldest: dt.date) -> CurrentState:
    """``state`` without what archived days before ``oldest`` (pruned) told."""
    if not state.days or min(state.days) >= oldest.isoformat():
        return state
    return CurrentState(
        sorted_tables.forget_before(state.records, oldest),
        sorted_tables.forget_before(state.people, oldest),
        {day: digest for day, digest in state.days.items() if day >= oldest.isoformat()},
    )


def _digest(archive_dir: Path, day: dt.date) -> str:
    """The sha256 of an archived day's ``archive.json`` (empty if unreadable)."""
    try:
        return sha256(archive_dir / day.isoformat() / archiving.INDEX_FILE)
    except OSError:
        return ""


def _ids(values: pa.ChunkedArray) -> np.ndarray:
    return np.concatenate([_NONE, *(chunk.to_numpy() for chunk in values.chunks)])
