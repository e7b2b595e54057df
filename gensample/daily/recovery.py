"""Bringing the state back in line with what is committed, after a run was killed or the state
was lost.

The commit point of a run is the swap of its day directory. A run killed after it, but before
it moved its tracer file or saved ``state.json``, left a day the state does not know: the
manifests say which ids it took and which tracer it consumed, so both are finished here. Days
no longer in ``out/`` (pruned, or deleted by hand) are known from their tombstones in
``pruned/`` and from ``archive/<day>/archive.json``; a day known from none of these while it
left a trace is refused, never guessed. An unreadable manifest is skipped with a warning.
"""

import dataclasses
import datetime as dt
import json
import logging
from pathlib import Path

from gensample.daily import archiving, pruning, state, tracer_drops
from gensample.daily.rundir import RunDirectory
from gensample.errors import BadInputError, GensampleError, RunError
from gensample.output import manifest
from gensample.output.encoding import sha256

log = logging.getLogger(__name__)


def reconcile(directory: RunDirectory, current: state.State, now: dt.datetime) -> None:
    """Add committed days missing from the state, finish interrupted tracer moves, and add the
    ids of days that only a tombstone (``pruned/``) or the archive remembers.

    A day that left a trace but no readable id ranges, and that the state does not know, is a
    :class:`BadInputError`: new ids could repeat its ids.
    """
    unknown = _record_committed(directory, current, now)
    for path, day, batches in [*pruning.kept_days(directory), *_archived(directory)]:
        if day in current.days:
            continue
        if batches is None:
            unknown.setdefault(day, []).append(path)
        else:
            log.warning("state did not record %s; recording the ids %s kept", day, path)
            current.set_day(day, batches)
    _refuse_unknown(directory, {day: p for day, p in unknown.items() if day not in current.days})


def _record_committed(
    directory: RunDirectory, current: state.State, now: dt.datetime
) -> dict[str, list[Path]]:
    """Record the days of ``out/`` whose manifests the state lags behind; return the days whose
    manifests are unreadable (skipped with a warning)."""
    unreadable: dict[str, list[Path]] = {}
    for day_dir in sorted(directory.out.iterdir()) if directory.out.is_dir() else []:
        if not state.is_day(day_dir.name) or not (day_dir / manifest.MANIFEST_FILE).exists():
            continue
        try:
            entries = _entries(day_dir)
        except GensampleError as error:
            log.warning("skipping %s: %s", day_dir, error)
            unreadable[day_dir.name] = [day_dir / manifest.MANIFEST_FILE]
            continue
        recorded = [batch.ranges() for batch in current.days.get(day_dir.name, [])]
        if recorded != [batch.ranges() for batch, _ in entries]:
            log.warning("state did not record %s as committed; recording it now", day_dir.name)
            batches = [_with_tracer(directory, batch, e, now) for batch, e in entries]
            current.set_day(day_dir.name, batches)
    return unreadable


def _entries(day_dir: Path) -> list[tuple[state.Batch, dict]]:
    """The batches of a committed day's manifest, with their entries."""
    path = day_dir / manifest.MANIFEST_FILE
    entries = manifest.read(day_dir).get("batches")
    if not isinstance(entries, list) or not entries:
        raise RunError(f"{path}: the manifest has no list of batches")
    try:
        return [(state.batch_from(e, f"batches[{i}]"), e) for i, e in enumerate(entries)]
    except ValueError as error:
        raise RunError(f"{path}: {error}") from error


def _archived(directory: RunDirectory) -> list[tuple[Path, str, list[state.Batch] | None]]:
    """Each archived day's index, its day and the batches it keeps (None if it keeps none:
    archived before the index kept them, or unreadable)."""
    found = []
    for day in archiving.archived_days(directory.archive, dt.date.max):
        path = directory.archive / day.isoformat() / archiving.INDEX_FILE
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))["batches"]
            batches = [state.batch_from(e, f"batches[{i}]") for i, e in enumerate(entries)]
        except (OSError, ValueError, LookupError, TypeError):
            batches = None
        found.append((path, day.isoformat(), batches))
    return found


def _refuse_unknown(directory: RunDirectory, unknown: dict[str, list[Path]]) -> None:
    """Refuse to run when days left traces but nothing says which ids they took."""
    if not unknown:
        return
    traces = "; ".join(
        f"{day} ({', '.join(str(p.relative_to(directory.root)) for p in paths)})"
        for day, paths in sorted(unknown.items())
    )
    raise BadInputError(
        f"the ids of earlier days are not known, so new ids could repeat theirs: {traces} show "
        f"runs, but {directory.state_path} does not record them and no readable "
        "out/<day>/manifest.json, pruned/<day>.json or archive/<day>/archive.json with "
        "'batches' says which ids they took. Restore state.json (or those manifests) from a "
        "backup and run again; moving those files away instead lets ids repeat theirs"
    )


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
    folder = directory.tracer / tracer_drops.CONSUMED_DIR
    for path in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
        if sha256(path) == digest:
            return str(path.relative_to(directory.root))
    waiting = directory.tracer / tracer_drops.TRACER_FILE
    if waiting.exists() and sha256(waiting) == digest:
        log.warning("finishing the consumption of %s left by an interrupted run", waiting)
        return str(tracer_drops.consume(waiting, now).relative_to(directory.root))
    return None


def archive_missing(
    directory: RunDirectory, current: state.State, today: dt.date, retention_days: int
) -> None:
    """Archive committed days (before ``today``, within the retention of the newest committed
    day, which a re-run of an older day does not move back) whose archive is missing or older
    than their manifest, as a run killed or failing after its commit leaves them.

    Only days the state says were archived from another manifest, or never, are done again: an
    archived day the user deleted stays deleted. Failures are logged, never fatal.
    """
    newest = max([today, *map(dt.date.fromisoformat, current.days)])
    oldest = archiving.kept_since(newest, retention_days)
    for day in sorted(current.days):
        day_dir = directory.day(dt.date.fromisoformat(day))
        path = day_dir / manifest.MANIFEST_FILE
        if not (oldest.isoformat() <= day < today.isoformat() and path.exists()):
            continue
        digest = sha256(path)
        if current.archived.get(day) != digest:
            log.warning("archiving %s again: its archive does not match its manifest", day_dir)
            try:
                _entries(day_dir)  # an unreadable manifest is skipped, as in reconcile
                archiving.store(directory.archive, dt.date.fromisoformat(day), day_dir)
                current.archived[day] = digest
            except (GensampleError, LookupError, TypeError, ValueError) as error:
                log.warning("could not archive %s: %s", day_dir, error)
