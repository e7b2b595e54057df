"""Running blocks: each one generated and written to part files by a worker, results in order.

Workers write their own parts so that writing is parallel too; the orchestrator only joins the
parts in plan order, so the output is the same bytes whatever the number of workers.
"""

import datetime as dt
import os
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from gensample.errors import RunError
from gensample.outputs import ENTITIES_FILE, HISTORY_FILE, block_tables, output_files
from gensample.pipeline import BlockResult, generate_block
from gensample.plan import Block, Plan
from gensample.settings import Settings
from gensample.writers import write_part


@dataclass(frozen=True)
class BlockParts:
    """The part files one block wrote (by output file), their rows, and seconds per stage."""

    paths: dict[str, Path]
    rows: dict[str, int]
    seconds: dict[str, float]


def write_parts(
    result: BlockResult,
    settings: Settings,
    date: dt.date,
    batch: int,
    parts_dir: Path,
    key: int | str,
) -> BlockParts:
    """Write a block's rows of every output file of ``date`` as part files named by ``key``."""
    started = time.perf_counter()
    formats = {
        name: file_format for name, (_, file_format) in output_files(settings, batch).items()
    }
    paths, rows = {}, {}
    for name, table in block_tables(result, settings, date, batch).items():
        paths[name] = parts_dir / f"{name.replace('/', '--')}.{key}.part"
        rows[name] = table.num_rows
        if name == HISTORY_FILE and result.history is None:
            _write_new_people_history(paths[ENTITIES_FILE], paths[name], table, date)
        else:
            write_part(table, paths[name], formats[name])
    return BlockParts(paths, rows, {**result.seconds, "write parts": time.perf_counter() - started})


def _write_new_people_history(
    entities_part: Path, path: Path, history: pa.Table, date: dt.date
) -> None:
    """The history part of people new on ``date``: their entity lines with the two dates added
    (valid from ``date``, still valid), as the CSV writer would write them, without encoding the
    same values twice. A value holding a line break falls back to the CSV writer (line breaks
    are counted from how much the dates lengthened the text, without a second scan)."""
    data = entities_part.read_bytes()
    line_end = f",{date.isoformat()},\n".encode()
    lines = data.replace(b"\n", line_end)
    if len(lines) - len(data) != history.num_rows * (len(line_end) - 1):
        write_part(history, path, "csv")
        return
    try:
        path.write_bytes(lines)
    except OSError as error:
        raise RunError(f"cannot write {path}: {error}") from error


def write_block_parts(
    settings: Settings, date: dt.date, block: Block, batch: int, parts_dir: Path
) -> BlockParts:
    """Generate one block and write its part files."""
    result = generate_block(settings, date, block)
    return write_parts(result, settings, date, batch, parts_dir, block.entity_start)


def run_blocks(settings: Settings, plan: Plan, batch: int, parts_dir: Path) -> Iterator[BlockParts]:
    """Every block's parts, in plan order; in worker processes when there are several blocks."""
    workers = min(settings.workers or os.cpu_count() or 1, len(plan.blocks))
    if workers <= 1:
        for block in plan.blocks:
            yield write_block_parts(settings, plan.date, block, batch, parts_dir)
        return
    executor = ProcessPoolExecutor(workers, initializer=_init_worker)
    try:
        pending: deque = deque()
        for block in plan.blocks:  # at most two blocks per worker in flight: bounded disk use
            pending.append(
                executor.submit(write_block_parts, settings, plan.date, block, batch, parts_dir)
            )
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:  # also when the caller stops early: no worker may write after the run ends
        executor.shutdown(wait=True, cancel_futures=True)


def _init_worker() -> None:
    pa.set_cpu_count(1)  # the processes are the parallelism; Arrow threads would only compete
