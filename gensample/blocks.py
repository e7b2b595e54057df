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

from gensample.outputs import block_tables, output_files
from gensample.pipeline import generate_block
from gensample.plan import Block, Plan
from gensample.settings import Settings
from gensample.writers import write_part


@dataclass(frozen=True)
class BlockParts:
    """The part files one block wrote (by output file), their rows, and seconds per stage."""

    paths: dict[str, Path]
    rows: dict[str, int]
    seconds: dict[str, float]


def part_path(parts_dir: Path, name: str, block: Block) -> Path:
    """Where a block's part of output file ``name`` goes."""
    return parts_dir / f"{name.replace('/', '--')}.{block.entity_start}.part"


def write_block_parts(
    settings: Settings, date: dt.date, block: Block, parts_dir: Path
) -> BlockParts:
    """Generate one block and write its rows of every output file as part files."""
    result = generate_block(settings, date, block)
    started = time.perf_counter()
    formats = {name: file_format for name, (_, file_format) in output_files(settings).items()}
    paths, rows = {}, {}
    for name, table in block_tables(result, settings).items():
        paths[name] = part_path(parts_dir, name, block)
        write_part(table, paths[name], formats[name])
        rows[name] = table.num_rows
    seconds = {**result.seconds, "write parts": time.perf_counter() - started}
    return BlockParts(paths, rows, seconds)


def run_blocks(settings: Settings, plan: Plan, parts_dir: Path) -> Iterator[BlockParts]:
    """Every block's parts, in plan order; in worker processes when there are several blocks."""
    workers = min(settings.workers or os.cpu_count() or 1, len(plan.blocks))
    if workers <= 1:
        for block in plan.blocks:
            yield write_block_parts(settings, plan.date, block, parts_dir)
        return
    with ProcessPoolExecutor(workers, initializer=_init_worker) as executor:
        pending: deque = deque()
        for block in plan.blocks:  # at most two blocks per worker in flight: bounded disk use
            pending.append(
                executor.submit(write_block_parts, settings, plan.date, block, parts_dir)
            )
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _init_worker() -> None:
    pa.set_cpu_count(1)  # the processes are the parallelism; Arrow threads would only compete
