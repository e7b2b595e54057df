"""The orchestrator: the only code that touches disk, clock and environment during a run."""

import datetime as dt
import logging
import os
import shutil
import sys
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from gensample import manifest, state, truth
from gensample.datasets import REGISTRY
from gensample.files import write_json
from gensample.pipeline import BlockResult, generate_block
from gensample.plan import Plan, make_plan
from gensample.rundir import RunDirectory
from gensample.settings import Settings
from gensample.timings import Stopwatch
from gensample.writers import TableFile

log = logging.getLogger(__name__)


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
    rows = {
        "truth/entities.csv": plan.entities,
        "truth/records.csv": plan.entities + plan.duplicates,
    }
    rows[data_file("customers", settings)] = plan.entities + plan.duplicates
    lines += [
        f"  out/{plan.date}/{name}  ({rows.get(name, '?')} rows)" for name in output_files(settings)
    ]
    return "\n".join(lines)


def data_file(dataset: str, settings: Settings) -> str:
    """Path of a dataset's file inside a day directory."""
    return f"data/{dataset}.{settings.format}"


def output_files(settings: Settings) -> dict[str, tuple[pa.Schema, str]]:
    """Every file of a day (relative path) with its schema and format."""
    outputs = {
        data_file(name, settings): (REGISTRY[name].SCHEMA, settings.format)
        for name in REGISTRY
        if name in settings.datasets
    }
    outputs["truth/records.csv"] = (truth.RECORDS_SCHEMA, "csv")
    outputs["truth/entities.csv"] = (truth.ENTITIES_SCHEMA, "csv")
    return outputs


def write_day(
    settings: Settings, plan: Plan, staging: Path, stopwatch: Stopwatch
) -> dict[str, int]:
    """Write every file of the day into ``staging``; return rows per file (relative path)."""
    shutil.rmtree(staging, ignore_errors=True)
    files = {
        name: TableFile(staging / name, schema, kind)
        for name, (schema, kind) in output_files(settings).items()
    }
    progress = Progress(len(plan.blocks))
    for result in generate_blocks(settings, plan):
        stopwatch.add(result.seconds)
        with stopwatch.stage("write"):
            _write_block(files, result, settings)
        progress.advance()
    for file in files.values():
        file.close()
    return {name: file.rows for name, file in files.items()}


def _write_block(files: dict[str, TableFile], result: BlockResult, settings: Settings) -> None:
    records = [generated.truth for generated in result.datasets.values()]
    for name, generated in result.datasets.items():
        files[data_file(name, settings)].write(generated.data)
    files["truth/records.csv"].write(
        pa.concat_tables(records) if records else truth.RECORDS_SCHEMA.empty_table()
    )
    files["truth/entities.csv"].write(result.entities)


def generate_blocks(settings: Settings, plan: Plan) -> Iterator[BlockResult]:
    """Every block's result, in plan order; in worker processes when there are several."""
    workers = min(settings.workers or os.cpu_count() or 1, len(plan.blocks))
    if workers <= 1:
        for block in plan.blocks:
            yield generate_block(settings, plan.date, block)
        return
    with ProcessPoolExecutor(workers, initializer=_init_worker) as executor:
        yield from _ordered(executor, settings, plan, ahead=2 * workers)


def _ordered(
    executor: Executor, settings: Settings, plan: Plan, ahead: int
) -> Iterator[BlockResult]:
    """Results in order, with at most ``ahead`` blocks in flight, so memory stays bounded."""
    pending: deque = deque()
    for block in plan.blocks:
        pending.append(executor.submit(generate_block, settings, plan.date, block))
        if len(pending) >= ahead:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _init_worker() -> None:
    pa.set_cpu_count(1)  # the processes are the parallelism; Arrow threads would only compete


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
