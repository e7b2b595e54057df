"""Pruning: removing old committed days from ``out/`` while keeping the ids they took.

A pruned day leaves a tombstone, ``pruned/<date>.json``: the batch entries of its manifest (a
few hundred bytes). ``state.json`` keeps the day too, but if it is lost, recovery reads the
tombstones, so ids never repeat. The archive is left alone (``archive_retention_days`` prunes
it). Days are older than the cutoff ``today - keep_days``: pruning is relative to today, so a day
dated in the future is never pruned and the newest committed day only when it is that old.
"""

import datetime as dt
import json
import logging
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from gensample.daily import state
from gensample.daily.rundir import RunDirectory
from gensample.errors import GensampleError, RunError
from gensample.output import manifest
from gensample.output.atomic import write_json
from gensample.output.encoding import sha256

log = logging.getLogger(__name__)

PRUNED_DIR = "pruned"
REMOVING = ".pruned"
"""Suffix of a day directory renamed out of the way, to be removed (or found by the next prune
if a kill cut the removal short)."""


@dataclass(frozen=True)
class PrunedDay:
    """A committed day that was (or, in a dry run, would be) removed."""

    date: dt.date
    day_dir: Path
    bytes: int
    tombstone: Path


def tombstone_dir(directory: RunDirectory) -> Path:
    """``pruned/``: one tombstone per pruned day."""
    return directory.root / PRUNED_DIR


def prune(
    directory: RunDirectory, keep_days: int, today: dt.date, dry_run: bool = False
) -> list[PrunedDay]:
    """Remove committed days before ``today - keep_days`` from ``out/``, each after writing its
    tombstone, under the run directory's lock; return them, oldest first."""
    with directory.lock():
        _finish_removals(directory)
        days = [day for day in _committed(directory) if day.date < cutoff(today, keep_days)]
        pruned = [day for day in (_describe(directory, d) for d in days) if day is not None]
        for day in [] if dry_run else pruned:
            _remove(directory, day)
    return pruned


def cutoff(today: dt.date, keep_days: int) -> dt.date:
    """The oldest day kept: ``today - keep_days``, or the first date when that is earlier."""
    if keep_days >= (today - dt.date.min).days:
        return dt.date.min
    return today - dt.timedelta(days=keep_days)


@dataclass(frozen=True)
class _Day:
    date: dt.date
    path: Path


def _committed(directory: RunDirectory) -> list[_Day]:
    """The day directories of ``out/``, oldest first."""
    entries = sorted(directory.out.iterdir()) if directory.out.is_dir() else []
    return [
        _Day(dt.date.fromisoformat(entry.name), entry)
        for entry in entries
        if entry.is_dir() and state.is_day(entry.name)
    ]


def _describe(directory: RunDirectory, day: _Day) -> PrunedDay | None:
    """What pruning the day removes, or None (with a warning) if its ids cannot be kept."""
    try:
        manifest.read(day.path)
        _batches(day.path / manifest.MANIFEST_FILE)
    except GensampleError as error:
        log.warning("%s left alone: its ids cannot be kept (%s)", day.path, error)
        return None
    size = sum(path.stat().st_size for path in day.path.rglob("*") if path.is_file())
    return PrunedDay(day.date, day.path, size, tombstone_dir(directory) / f"{day.date}.json")


def _remove(directory: RunDirectory, day: PrunedDay) -> None:
    """Write the day's tombstone, then move the day out of the way and delete it."""
    path = day.day_dir / manifest.MANIFEST_FILE
    write_json(
        day.tombstone,
        {"date": day.date.isoformat(), "manifest_sha256": sha256(path), "batches": _batches(path)},
    )
    removing = day.day_dir.with_name(f".{day.day_dir.name}{REMOVING}")
    try:
        day.day_dir.rename(removing)
        shutil.rmtree(removing)
    except OSError as error:
        raise RunError(f"cannot remove {day.day_dir}: {error.strerror or error}") from error


def _finish_removals(directory: RunDirectory) -> None:
    """Delete day directories that a killed prune renamed but did not delete."""
    for leftover in directory.out.glob(f".*{REMOVING}") if directory.out.is_dir() else []:
        shutil.rmtree(leftover, ignore_errors=True)


def _batches(path: Path) -> list[dict]:
    """The batch entries of a manifest, each checked to hold its id ranges."""
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))["batches"]
        for number, entry in enumerate(entries):
            state.batch_from(entry, f"batches[{number}]")
    except (OSError, ValueError, LookupError, TypeError) as error:
        raise RunError(f"{path}: no readable id ranges ({error})") from error
    return [state.id_ranges(entry) for entry in entries]


def describe_pruned(pruned: list[PrunedDay], dry_run: bool) -> str:
    """One line per pruned day, with its size and tombstone."""
    verb = "would remove" if dry_run else "removed"
    lines = [
        f"{verb} {day.day_dir} ({day.bytes / 1e6:,.1f} MB); its ids are kept in {day.tombstone}"
        for day in pruned
    ]
    return "\n".join(lines) or "nothing to prune"


def kept_days(directory: RunDirectory) -> Iterator[tuple[Path, str, list[state.Batch] | None]]:
    """Each tombstone, its day and the batches it keeps (None, with a warning, if unreadable)."""
    folder = tombstone_dir(directory)
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        if not state.is_day(path.stem):
            continue
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))["batches"]
            batches = [state.batch_from(e, f"batches[{i}]") for i, e in enumerate(entries)]
        except (OSError, ValueError, LookupError, TypeError) as error:
            log.warning("%s: unreadable tombstone (%s)", path, error)
            batches = None
        yield path, path.stem, batches
