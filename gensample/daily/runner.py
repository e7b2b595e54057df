"""The orchestrator: the only code that touches disk, clock and environment during a run.

A run takes the lock, repairs what a killed run left, plans the batch from the state, reads
(and validates) the tracer drop, the archive picks and the archived records and people that
change today, writes everything into a staging copy of the day with its manifest last, and swaps
the day in. Only then does it consume the tracer, save the state and archive the day. A failure
before the swap changes nothing.
"""

import dataclasses
import datetime as dt
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from gensample.daily import (
    archiving,
    current_state,
    drift,
    extra_rows,
    recovery,
    reinjection,
    signals,
    state,
    tracer_drops,
)
from gensample.daily.extra_rows import Extras
from gensample.daily.faults import crash_point
from gensample.daily.rundir import RunDirectory
from gensample.errors import BadInputError, GensampleError, RunError
from gensample.generate.plan import Plan, make_plan
from gensample.output import csv_native, dictionary, manifest
from gensample.output.allocator import keep_freed_memory, share_one_heap
from gensample.output.atomic import remove_tree, write_json
from gensample.output.batch import Written, write_batch
from gensample.output.encoding import sha256
from gensample.output.shared_parts import remove_late, remove_recorded
from gensample.output.table_files import Lines
from gensample.output.timings import Stopwatch
from gensample.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunSummary:
    """What a finished run produced."""

    day_dir: Path
    plan: Plan
    batch: state.Batch
    rows: dict[str, int]
    stopwatch: Stopwatch


def plan_run(run_dir: Path, settings: Settings, date: dt.date) -> Plan:
    """The plan a run of ``date`` would follow, from the run directory's current state."""
    current = state.load(RunDirectory(run_dir).state_path)
    return make_plan(settings, date, *current.starts_for(date, settings.load_type))


def run(
    run_dir: Path,
    settings: Settings,
    date: dt.date,
    now: dt.datetime | None = None,
    allow_date: bool = False,
) -> RunSummary:
    """Generate one batch of ``date`` into ``run_dir/out/<date>``, all or nothing; a date
    after tomorrow or before the last committed day only with ``allow_date``."""
    log.info("seed %d", settings.seed)
    if settings.format == "csv":
        log.info("CSV rows written by %s", csv_native.writer())
    log.info("glibc tunables: %s", os.environ.get("GLIBC_TUNABLES") or "none")  # huge pages?
    keep_freed_memory()
    share_one_heap()
    now = now or dt.datetime.now()
    directory, stopwatch = RunDirectory(run_dir), Stopwatch()
    with directory.lock():
        with stopwatch.stage("recover"):
            swept = remove_recorded(directory.out, settings)  # before their staging copy goes
            current = _recover(directory, settings, date, now)
        state.check_run_date(current, date, now.date(), allow_date)
        _refuse_a_folder_of_no_day(directory.day(date))
        plan = make_plan(settings, date, *current.starts_for(date, settings.load_type))
        with stopwatch.stage("tracer, archive and drift"):
            drop, extras = _extras(directory, settings, current, plan)
        batch = _batch(plan, drop, extras)
        current.check_fits(date, batch)
        try:
            written = _write_staging(directory, settings, plan, batch, extras, drop, stopwatch)
            with signals.deferred(commit=True), stopwatch.stage("bookkeeping"):  # stops wait
                day_dir = directory.commit_day(plan.date)
                crash_point("committed")
                batch = _after_commit(
                    directory, settings, plan, batch, drop, current, now, day_dir, written
                )
        finally:  # after a failure or a stop before the commit
            shutil.rmtree(directory.staging(plan.date), ignore_errors=True)
            remove_late(swept)
    return RunSummary(day_dir, plan, batch, written.rows, stopwatch)


def _refuse_a_folder_of_no_day(day_dir: Path) -> None:
    """Refuse to replace ``out/<date>`` when it holds no manifest: no run committed it (a run's
    days always have one), so its files are someone else's."""
    if day_dir.is_symlink():  # refused as such where the day is written
        return
    if day_dir.is_dir() and not (day_dir / manifest.MANIFEST_FILE).exists():
        raise BadInputError(
            f"{day_dir} holds no {manifest.MANIFEST_FILE}, so no run committed it; move it "
            "away, and its files with it, to run this day"
        )


def _extras(
    directory: RunDirectory, settings: Settings, current: state.State, plan: Plan
) -> tuple[tracer_drops.TracerDrop | None, Extras | None]:
    """The batch's rows from outside its plan: the tracer drop, archived records re-injected,
    and the drift and closures of people and records earlier days left, as one extra block."""
    date, first = plan.date, current.starts_day(plan.date, settings.load_type)
    drop = tracer_drops.for_batch(directory, settings, current, date)
    picks = reinjection.for_batch(directory.archive, settings, plan)
    rerun = date.isoformat() in current.days
    known = current_state.for_batch(directory, settings, date, first, rerun, bool(picks))
    changes = drift.of_batch(settings, date, known, picks, first)
    listed = extra_rows.listed_people(directory.day(date), settings)
    extras = extra_rows.extra_block(
        settings,
        date,
        drop,
        picks,
        changes,
        entity_start=plan.entity_stop,
        record_start=plan.record_stop,
        listed=listed,
    )
    return drop, extras


def _recover(
    directory: RunDirectory, settings: Settings, date: dt.date, now: dt.datetime
) -> state.State:
    """The state, after repairing what a killed or failed run left behind."""
    directory.recover()
    current = state.load(directory.state_path)
    recovery.reconcile(directory, current, now)
    recovery.archive_missing(directory, current, date, settings.archive_retention_days)
    current_state.update(directory, settings)  # a day archived, but not merged into it
    return current


def _after_commit(
    directory: RunDirectory,
    settings: Settings,
    plan: Plan,
    batch: state.Batch,
    drop: tracer_drops.TracerDrop | None,
    current: state.State,
    now: dt.datetime,
    day_dir: Path,
    written: Written,
) -> state.Batch:
    """Consume the tracer, save the state and archive the day (its first batch's truth rows of
    customers copied from where the batch ``written`` says); the day itself is committed."""
    try:
        batch = dataclasses.replace(batch, tracer=_consume(directory, drop, now))
        crash_point("tracer-consumed")
        current.record(plan.date, batch, settings.load_type, _history(settings, plan, now))
        state.save(directory.state_path, current)
        crash_point("state-saved")
        _archive(directory, settings, day_dir, current, written.customer_truth)
        crash_point("archived")
        current_state.update(directory, settings)
    except GensampleError as error:
        raise RunError(
            f"{day_dir} is committed, but {error}; the next run finishes the bookkeeping"
        ) from error
    return batch


def _batch(plan: Plan, drop: tracer_drops.TracerDrop | None, extras: Extras | None) -> state.Batch:
    """The ids this batch takes: the plan's, then tracer entities and extra records."""
    tracer_entities = drop.entity_count if drop else 0
    extra_records = extras.new_records if extras else 0
    return state.Batch(
        plan.entity_start,
        plan.entity_stop + tracer_entities,
        plan.record_start,
        plan.record_stop + extra_records,
        ids=manifest.planned_ids(plan),
    )


def _write_staging(
    directory: RunDirectory,
    settings: Settings,
    plan: Plan,
    batch: state.Batch,
    extras: Extras | None,
    drop: tracer_drops.TracerDrop | None,
    stopwatch: Stopwatch,
) -> Written:
    """Write the batch into a staging copy of the day, manifest last; return its rows (the
    day's, earlier batches' included) and where its truth rows of customers lie (when it is the
    day's first batch, else not known)."""
    staging = directory.staging(plan.date)
    earlier, earlier_rows = _start_staging(directory, settings, plan.date, staging)
    result = extras.result if extras else None
    written = write_batch(settings, plan, result, len(earlier) + 1, staging, stopwatch)
    rows = {name: earlier_rows.get(name, 0) + count for name, count in written.rows.items()}
    crash_point("staged")
    counts = extras.counts if extras else None
    tracer_sha256 = sha256(drop.path) if drop else None
    entry = manifest.batch_entry(plan, batch, counts, tracer_sha256, written.lookalikes)
    with stopwatch.stage("manifest"):
        batches, every_row = [*earlier, entry], {**earlier_rows, **rows}
        document = manifest.build(settings, batches, every_row, staging, written.sha256)
        write_json(staging / manifest.MANIFEST_FILE, document)
    crash_point("manifest-written")
    customer_truth = written.customer_truth if not earlier else None
    return dataclasses.replace(written, rows=rows, customer_truth=customer_truth)


def _start_staging(
    directory: RunDirectory, settings: Settings, date: dt.date, staging: Path
) -> tuple[list[dict], dict[str, int]]:
    """Prepare the staging copy of the day; return the batches and rows it already holds."""
    remove_tree(staging)
    day_dir = directory.day(date)
    if settings.load_type != "append" or not day_dir.exists():
        return [], {}
    earlier = manifest.read(day_dir)
    if earlier["settings"].get("format") != settings.format:
        raise BadInputError(
            f"{day_dir}: format = {settings.format!r} is not allowed for an append to this day: "
            f"expected {earlier['settings'].get('format')!r}, the format of its first batch"
        )
    if earlier.get(dictionary.SPEC_TABLES, []) != dictionary.spec_tables(settings):
        raise BadInputError(
            f"{day_dir}: spec = {list(settings.spec)!r} is not allowed for an append to this day: "
            "expected spec files making the datasets its first batch made (the manifest's "
            f"{dictionary.SPEC_TABLES}), since only the first batch writes them"
        )
    try:
        shutil.copytree(day_dir, staging)
    except (OSError, shutil.Error) as error:
        raise RunError(f"cannot copy {day_dir} to append to it: {error}") from error
    (staging / manifest.MANIFEST_FILE).unlink()
    return earlier["batches"], {name: f["rows"] for name, f in earlier["files"].items()}


def _consume(
    directory: RunDirectory, drop: tracer_drops.TracerDrop | None, now: dt.datetime
) -> str | None:
    """Move a consumed tracer drop to tracer/consumed/; return where it is kept."""
    if drop is None:
        return None
    if drop.path.parent.name != tracer_drops.CONSUMED_DIR:
        drop = dataclasses.replace(drop, path=tracer_drops.consume(drop.path, now))
    return str(drop.path.relative_to(directory.root))


def _history(settings: Settings, plan: Plan, now: dt.datetime) -> dict:
    return {
        "load_type": settings.load_type,
        "customers": plan.entities,
        "duplicates": plan.duplicates,
        "started_at": now.isoformat(timespec="seconds"),
    }


def _archive(
    directory: RunDirectory,
    settings: Settings,
    day_dir: Path,
    current: state.State,
    customer_truth: list[Lines] | None,
) -> None:
    """Keep the day's customers and their truth for re-injection, note it in the state, and
    drop what is too old."""
    date = dt.date.fromisoformat(day_dir.name)
    archiving.store(directory.archive, date, day_dir, customer_truth)
    current.archived[day_dir.name] = sha256(day_dir / manifest.MANIFEST_FILE)
    for day in archiving.prune(directory.archive, date, settings.archive_retention_days):
        current.archived.pop(day.isoformat(), None)
    state.save(directory.state_path, current)
