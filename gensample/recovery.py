"""Bringing the state back in line with what is committed, after a run was killed.

The commit point of a run is the swap of its day directory. A run killed after it, but before
it moved its tracer file or saved ``state.json``, left a day the state does not know: the
manifests say which ids it took and which tracer it consumed, so both are finished here.
"""

import dataclasses
import datetime as dt
import logging
from pathlib import Path

from gensample import archive, manifest, state, tracer
from gensample.errors import GensampleError, RunError
from gensample.rundir import RunDirectory
from gensample.writers import sha256

log = logging.getLogger(__name__)


def reconcile(directory: RunDirectory, current: state.State, now: dt.datetime) -> None:
    """Add committed days missing from the state, and finish interrupted tracer moves."""
    if not directory.out.is_dir():
        return
    for day_dir in sorted(directory.out.iterdir()):
        if day_dir.name.startswith(".") or not (day_dir / manifest.MANIFEST_FILE).exists():
            continue
        entries = manifest.read(day_dir).get("batches", [])
        recorded = [batch.ranges() for batch in current.days.get(day_dir.name, [])]
        if recorded != [_batch(day_dir, entry).ranges() for entry in entries]:
            log.warning("state did not record %s as committed; recording it now", day_dir.name)
            batches = [_with_tracer(directory, _batch(day_dir, e), e, now) for e in entries]
            current.set_day(day_dir.name, batches)


def _batch(day_dir: Path, entry: dict) -> state.Batch:
    """The ids of a manifest's batch entry."""
    try:
        return state.batch_from(entry)
    except (KeyError, TypeError, ValueError) as error:
        raise RunError(f"{day_dir / manifest.MANIFEST_FILE}: a batch misses {error}") from error


def _with_tracer(
    directory: RunDirectory, batch: state.Batch, entry: dict, now: dt.datetime
) -> state.Batch:
    """The batch with the tracer it consumed, finishing the file's move if it was cut short."""
    if not entry.get("tracer_sha256"):
        return batch
    consumed = _consumed_tracer(directory, entry["tracer_sha256"], now)
    return dataclasses.replace(batch, tracer=consumed)


def _consumed_tracer(directory: RunDirectory, digest: str, now: dt.datetime) -> str | None:
    """The consumed tracer file with this checksum, moving a waiting one there if needed."""
    folder = directory.tracer / tracer.CONSUMED_DIR
    for path in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
        if sha256(path) == digest:
            return str(path.relative_to(directory.root))
    waiting = directory.tracer / tracer.TRACER_FILE
    if waiting.exists() and sha256(waiting) == digest:
        log.warning("finishing the consumption of %s left by an interrupted run", waiting)
        return str(tracer.consume(waiting, now).relative_to(directory.root))
    return None


def archive_missing(
    directory: RunDirectory, current: state.State, today: dt.date, retention_days: int
) -> None:
    """Archive committed days (before ``today``, within the retention) whose archive is missing
    or older than their manifest, as a run killed or failing after its commit leaves them.

    Only days the state says were archived from another manifest, or never, are done again: an
    archived day the user deleted stays deleted. Failures are logged, never fatal.
    """
    oldest = today - dt.timedelta(days=retention_days) if retention_days else dt.date.min
    for day in sorted(current.days):
        day_dir = directory.day(dt.date.fromisoformat(day))
        path = day_dir / manifest.MANIFEST_FILE
        if not (oldest.isoformat() <= day < today.isoformat() and path.exists()):
            continue
        digest = sha256(path)
        if current.archived.get(day) != digest:
            log.warning("archiving %s again: its archive does not match its manifest", day_dir)
            try:
                archive.store(directory.archive, dt.date.fromisoformat(day), day_dir)
                current.archived[day] = digest
            except GensampleError as error:
                log.warning("could not archive %s: %s", day_dir, error)
