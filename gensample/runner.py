"""The orchestrator: the only code that touches disk, clock and environment during a run."""

import datetime as dt
import logging
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from gensample import manifest, state
from gensample.blocks import run_blocks
from gensample.files import write_json
from gensample.outputs import ENTITIES_FILE, RECORDS_FILE, data_file, output_files
from gensample.plan import Plan, make_plan
from gensample.rundir import RunDirectory
from gensample.settings import Settings
from gensample.timings import Stopwatch
from gensample.writers import DayFile

log = logging.getLogger(__name__)

PARTS_DIR = ".parts"


@dataclass(frozen=True)
class RunSummary:
    """What a finished run produced."""

    day_dir: Path
    plan: Plan
    rows: dict[str, int]
    stopwatch: Stopwatch


def plan_run(run_dir: Path, settings: Settings, date: dt.date) -> Plan:
    """The plan a run of ``date`` would follow, from the run directory's current state."""
    entity_start, record_start = state.load(RunDirectory(run_dir).state_path).starts_for(date)
    return make_plan(settings, date, entity_start, record_start)


def run(run_dir: Path, settings: Settings, date: dt.date) -> RunSummary:
    """Generate one day into ``run_dir/out/<date>``, all or nothing, and advance the state."""
    log.info("seed %d", settings.seed)
    directory = RunDirectory(run_dir)
    with directory.lock():
        directory.recover()
        current = state.load(directory.state_path)
        plan = make_plan(settings, date, *current.starts_for(date))
        ids = state.DayIds(plan.entity_start, plan.entity_stop, plan.record_start, plan.record_stop)
        current.check_fits(date, ids)
        log.info(
            "plan: %d customers, %d duplicates (rate %.2f%%), %d blocks",
            plan.entities,
            plan.duplicates,
            plan.dupe_rate,
            len(plan.blocks),
        )
        stopwatch = Stopwatch()
        staging = directory.staging(date)
        try:
            rows = write_day(settings, plan, staging, stopwatch)
            with stopwatch.stage("manifest"):
                write_json(
                    staging / manifest.MANIFEST_FILE, manifest.build(settings, plan, rows, staging)
                )
            day_dir = directory.commit_day(date)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        current.record(
            date,
            ids,
            {"customers": plan.entities, "duplicates": plan.duplicates, "finished_at": _now()},
        )
        state.save(directory.state_path, current)
    return RunSummary(day_dir, plan, rows, stopwatch)


def describe_plan(settings: Settings, plan: Plan) -> str:
    """The plan in words, for ``gensample check``."""
    lines = [
        f"date:        {plan.date}",
        f"seed:        {plan.seed}",
        f"customers:   {plan.entities} originals + {plan.duplicates} duplicates "
        f"({plan.dupe_rate:g}% of rows)",
        f"entity ids:  {plan.entity_start} to {plan.entity_stop - 1}",
        f"record ids:  {plan.record_start} to {plan.record_stop - 1} (customer_id)",
        f"blocks:      {len(plan.blocks)}",
        "files:",
    ]
    rows = {ENTITIES_FILE: plan.entities, RECORDS_FILE: plan.entities + plan.duplicates}
    rows[data_file("customers", settings)] = rows[RECORDS_FILE]
    lines += [
        f"  out/{plan.date}/{name}  ({rows.get(name, '?')} rows)" for name in output_files(settings)
    ]
    return "\n".join(lines)


def write_day(
    settings: Settings, plan: Plan, staging: Path, stopwatch: Stopwatch
) -> dict[str, int]:
    """Write every file of the day into ``staging``; return rows per file (relative path)."""
    shutil.rmtree(staging, ignore_errors=True)
    files = {
        name: DayFile(staging / name, schema, file_format)
        for name, (schema, file_format) in output_files(settings).items()
    }
    rows = dict.fromkeys(files, 0)
    progress = Progress(len(plan.blocks))
    for parts in run_blocks(settings, plan, staging / PARTS_DIR):
        stopwatch.add(parts.seconds)
        with stopwatch.stage("join parts"):
            for name, path in parts.paths.items():
                files[name].append(path)
                rows[name] += parts.rows[name]
        progress.advance()
    for file in files.values():
        file.close()
    (staging / PARTS_DIR).rmdir()
    return rows


class Progress:
    """A block counter on stderr, shown only when stderr is a terminal."""

    def __init__(self, total: int) -> None:
        self.total, self.done = total, 0
        self.visible = sys.stderr.isatty() and total > 1

    def advance(self) -> None:
        """Count one finished block."""
        self.done += 1
        if self.visible:
            end = "\n" if self.done == self.total else ""
            print(f"\rblocks {self.done}/{self.total}", end=end, file=sys.stderr, flush=True)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
