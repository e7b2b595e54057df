"""The current-state table: where every archived customer record and person is now.

``current/`` holds, for each archived day, its rows as Arrow files written once when the day is
merged (``rows/<day>-<digest>/``: the day's customer rows with their truth, and the people it
lists), and the index of the newest state (``<day>/``, the state through the archived day
``<day>``): ``records.arrow`` (per customer record: its person, whether it is open, and the day
holding its newest row) and ``people.arrow`` (per person: the day their current version started
and the day holding it), both in id order, with ``current.json`` (the archived days merged, each
with the sha256 of its ``archive.json``). Drift reads the index and takes the rows it needs from
the days' files (memory-mapped), never parsing an archived day.

Merging a day writes its rows (its own volume) and streams the narrow index once (a few bytes
per record), so a day's cost does not grow with the days before it. The index says exactly what
a scan of the archive says: what archive pruning removes, it forgets. The two newest indexes are
kept, so a re-run of the last day reads the one before it; an index whose days do not match the
archive (a run killed before its update, a re-run of an earlier day, drift just switched on,
files lost) is brought up to date by merging the missing archived days, in order.
"""

import datetime as dt
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.daily import archiving, current_rows, sorted_tables
from gensample.daily.current_rows import PEOPLE, RECORDS, Existing
from gensample.daily.faults import crash_point
from gensample.daily.rundir import RunDirectory
from gensample.errors import BadInputError
from gensample.output.encoding import sha256
from gensample.settings import Settings

log = logging.getLogger(__name__)

CURRENT_DIR = "current"
KEPT = 2  # the newest index and the one before it (for a re-run of the last day)
_NONE = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class CurrentState:
    """The index of the archived ``days`` (day -> sha256 of its ``archive.json``): ``records``
    (RECORDS) and ``people`` (PEOPLE), ids ascending, and where the days' rows are."""

    records: pa.Table
    people: pa.Table
    days: dict[str, str]
    folder: Path

    def changeable_people(self) -> np.ndarray:
        """People whose current version's start is known, ascending."""
        return _ids(self.people["entity_id"].filter(pc.is_valid(self.people["valid_from"])))

    def open_records(self) -> np.ndarray:
        """Records whose account is not closed, ascending."""
        return _ids(self.records["customer_id"].filter(self.records["open"]))

    def records_of(self, people: np.ndarray) -> np.ndarray:
        """The records of ``people`` (entity ids), ascending."""
        chosen = pc.is_in(self.records["entity_id"], pa.array(people, pa.int64()))
        return _ids(self.records["customer_id"].filter(chosen))

    def people_of(self, records: np.ndarray) -> np.ndarray:
        """The people (entity ids, ascending) of ``records``."""
        chosen = pc.is_in(self.records["customer_id"], pa.array(records, pa.int64()))
        return np.unique(_ids(self.records["entity_id"].filter(chosen)))

    def existing(self, records: np.ndarray, people: np.ndarray) -> Existing:
        """The current rows of ``records`` and current versions of ``people``."""
        chosen = self.records.filter(pc.is_in(self.records["customer_id"], pa.array(records)))
        versions = self.people.filter(pc.is_in(self.people["entity_id"], pa.array(people)))
        folders = {day: self.folder / current_rows.rows_dir(day, self.days) for day in self.days}
        return current_rows.existing(folders, chosen, versions)


def for_batch(
    directory: RunDirectory,
    settings: Settings,
    date: dt.date,
    first: bool,
    rerun: bool,
    reinjecting: bool = False,
) -> CurrentState | None:
    """The state before a batch of ``date`` when drift or closures are on, or when archived
    records are brought back (``reinjecting``) into a run directory where people drifted
    before (else None: every archived version is current): of the archived days before
    ``date`` for a day's ``first`` batch, through it for a later one.

    A new day (not a ``rerun``) before archived later days is refused while drift or closures
    are on: drift needs the days in order.
    """
    drifting = settings.drift_share or settings.closure_share
    if not drifting and not (reinjecting and (directory.root / CURRENT_DIR).is_dir()):
        return None
    since = archiving.kept_since(date, settings.archive_retention_days)
    days = archiving.archived_days(directory.archive, dt.date.max, since)
    later = [day for day in days if day > date]
    if later and not rerun and drifting:
        raise BadInputError(
            f"{date}: drift_share / closure_share above 0 are not allowed for a day before "
            f"archived days ({later[0]} ...): expected days run oldest first; backfill with "
            "drift_share = 0 and closure_share = 0"
        )
    return _bring_up_to_date(directory, [day for day in days if day < date or not first])


def update(directory: RunDirectory, settings: Settings) -> None:
    """Merge newly archived days into the state and save it, when drift or closures are on;
    drop indexes older than the KEPT newest, and the rows of days none of them holds."""
    if not (settings.drift_share or settings.closure_share):
        return
    _bring_up_to_date(directory, archiving.archived_days(directory.archive, dt.date.max))
    folder = directory.root / CURRENT_DIR
    indexes = _saved(folder)
    for old in indexes[:-KEPT]:
        shutil.rmtree(old, ignore_errors=True)
    held = {
        current_rows.rows_dir(day, days) for days in map(_days_of, indexes[-KEPT:]) for day in days
    }
    current_rows.remove_others(folder, held)


def _bring_up_to_date(directory: RunDirectory, days: list[dt.date]) -> CurrentState:
    """The state of the archived ``days``: a saved one, or the newest saved one that agrees
    with the archive, brought up to date by merging the days it lacks (and saved)."""
    folder = directory.root / CURRENT_DIR
    current_rows.recover(folder)
    wanted = {day.isoformat(): _digest(directory.archive, day) for day in days}
    if not days:
        return CurrentState(RECORDS.empty_table(), PEOPLE.empty_table(), {}, folder)
    base = None
    for saved in reversed(_saved(folder)):
        base = _load(saved)
        if base is not None and _agrees(base.days, wanted):
            break
        base = None
    base = base or CurrentState(RECORDS.empty_table(), PEOPLE.empty_table(), {}, folder)
    missing = [day for day in days if day.isoformat() not in base.days]
    if not missing:
        return _forget_before(base, days[0])
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
    """Merge archived ``days`` (in order) into ``base``, save the index of the ``wanted`` days
    through the last, and return it. A malformed archived day is logged and merges nothing,
    as the archive's other readers skip it."""
    staging = folder / f".{days[-1].isoformat()}.staging"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    records, people, oldest = base.records, base.people, dt.date.fromisoformat(min(wanted))
    for number, day in enumerate(days):
        try:
            loaded = archiving.load_day(archive_dir, day)
        except archiving.ArchiveError as error:
            log.warning("archived day %s skipped: %s", day, error)
            continue
        rows = current_rows.write_rows(
            folder, current_rows.rows_dir(day.isoformat(), wanted), loaded
        )
        records, people = current_rows.merge_index(
            records, people, loaded, rows, oldest, staging / str(number)
        )
    current_rows.finish_index(staging, records, people, oldest, wanted)
    crash_point("current-staged")
    return _load(current_rows.commit(staging, folder / days[-1].isoformat())) or base


def _saved(folder: Path) -> list[Path]:
    """The saved indexes' folders, oldest first."""
    found = [path for path in folder.iterdir() if path.is_dir()] if folder.is_dir() else []
    named = [path for path in found if not path.is_symlink() and archiving.folder_date(path.name)]
    return sorted(named, key=lambda path: path.name)


def _load(index: Path) -> CurrentState | None:
    """A saved index, memory-mapped; None (logged) if it, or a day's rows, is incomplete or
    unreadable."""
    try:
        records, people, days = current_rows.read_index(index)
        for day in days:
            current_rows.check_rows(index.parent / current_rows.rows_dir(day, days))
    except (OSError, ValueError, LookupError, TypeError, pa.ArrowException) as error:
        log.warning("current state %s ignored (it is rebuilt): %s", index, str(error)[:80])
        return None
    return CurrentState(records, people, days, index.parent)


def _days_of(index: Path) -> dict[str, str]:
    """The days a saved index holds (none if unreadable)."""
    try:
        return current_rows.read_index(index)[2]
    except (OSError, ValueError, LookupError, TypeError, pa.ArrowException):
        return {}


def _forget_before(state: CurrentState, oldest: dt.date) -> CurrentState:
    """``state`` without what archived days before ``oldest`` (pruned) told."""
    if not state.days or min(state.days) >= oldest.isoformat():
        return state
    return CurrentState(
        sorted_tables.forget_before(state.records, oldest),
        sorted_tables.forget_before(state.people, oldest),
        {day: digest for day, digest in state.days.items() if day >= oldest.isoformat()},
        state.folder,
    )


def _digest(archive_dir: Path, day: dt.date) -> str:
    """The sha256 of an archived day's ``archive.json`` (empty if unreadable)."""
    try:
        return sha256(archive_dir / day.isoformat() / archiving.INDEX_FILE)
    except OSError:
        return ""


def _ids(values: pa.ChunkedArray) -> np.ndarray:
    return np.concatenate([_NONE, *(chunk.to_numpy() for chunk in values.chunks)])
