"""Running blocks: each one generated and written by a worker, results in order.

Workers write their own rows, so that writing is parallel too: CSV rows straight into the day
files at the places their turn gives them (see ``placement``), Parquet rows as part files that
the orchestrator joins in plan order. Either way the output is the same bytes whatever the
number of workers.

This is the local engine; ``dask_engine`` runs the same blocks on a Dask cluster. An engine is
a context manager (started before the batch, stopped after it) giving a :data:`RunBlocks`.
"""

import contextlib
import datetime as dt
import io
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.compute as pc

from gensample.errors import RunError
from gensample.generate.datasets.contract import CUSTOMERS, Block, Generated
from gensample.generate.pipeline import BlockResult, generate_block
from gensample.generate.plan import Plan
from gensample.output.allocator import own_inherited_heap
from gensample.output.day_files import (
    ENTITIES_FILE,
    HISTORY_FILE,
    RECORDS_FILE,
    block_tables,
    data_file,
)
from gensample.output.encoding import write_csv_rows, write_part
from gensample.output.lifetime import die_with_parent
from gensample.output.placement import PartFiles, Placement, part_path
from gensample.output.table_files import Lines
from gensample.settings import Settings


@dataclass(frozen=True)
class Destination:
    """Where blocks write: CSV rows into the day files in turn (or into part files), Parquet
    rows as part files."""

    placement: Placement | PartFiles
    parts_dir: Path


@dataclass(frozen=True)
class BlockOutput:
    """What one block wrote: its Parquet part files (by output file; its CSV rows are already in
    place), its rows of every file, seconds per stage, and its people by look-alike relation."""

    paths: dict[str, Path]
    rows: dict[str, int]
    seconds: dict[str, float]
    lookalikes: dict[str, int] = field(default_factory=dict)
    customer_truth: list[Lines] | None = field(default_factory=list)
    """Where its truth rows of customer records lie in the day's truth file (for the archive
    to copy them without reading the file); None when it cannot say."""


def write_block(
    result: BlockResult,
    settings: Settings,
    date: dt.date,
    batch: int,
    destination: Destination,
    slot: int,
    early: "WrittenEarly | None" = None,
) -> BlockOutput:
    """Write a block's rows of every output file of ``date`` (but the files ``early`` wrote):
    Parquet rows as part files named by ``slot``, then CSV rows into the day files in
    ``slot``'s turns."""
    started = time.perf_counter()
    early = early or WrittenEarly(settings, batch, destination, slot)
    tables = {
        name: table
        for name, table in block_tables(result, settings, date, batch).items()
        if name not in early.rows
    }
    placement, paths = destination.placement, dict(early.paths)
    customer_truth: list[Lines] | None = []
    for name, table in tables.items():
        if name not in placement.paths:  # a Parquet file
            paths |= write_file(name, table, destination, slot)
    for name in placement.paths:
        if name in early.rows or (name == HISTORY_FILE and result.history is None):
            continue  # written already, or with the entities
        with placement.turn(slot, name) as file:
            if name == ENTITIES_FILE and result.history is None:
                with placement.turn(slot, HISTORY_FILE) as history:
                    _write_new_people(tables[name], tables[HISTORY_FILE], file, history, date)
            elif name == RECORDS_FILE and name in tables:
                customer_truth = _write_truth(tables[name], file, placement)
            elif name in tables:
                write_csv_rows(tables[name], file)
    rows = {name: table.num_rows for name, table in tables.items()} | early.rows
    write = early.seconds + time.perf_counter() - started
    seconds = {**result.seconds, "write": write}
    return BlockOutput(paths, rows, seconds, relations(result.entities), customer_truth)


def _write_truth(
    records: pa.Table, file: BinaryIO, placement: Placement | PartFiles
) -> list[Lines] | None:
    """Write a block's truth rows, those of customer records first on their own; return where
    they lie in the day file (None when they are not the first rows, or go to a part file)."""
    customer = pc.equal(records["dataset"], CUSTOMERS).to_numpy(zero_copy_only=False)
    count = int(customer.sum())
    if isinstance(placement, PartFiles) or not customer[:count].all():
        write_csv_rows(records, file)
        return None
    start = file.tell()
    write_csv_rows(records.slice(0, count), file)
    stop = file.tell()
    write_csv_rows(records.slice(count), file)
    return [Lines(start, stop, count)]


def write_file(name: str, table: pa.Table, destination: Destination, slot: int) -> dict[str, Path]:
    """Write ``slot``'s rows of file ``name``: CSV rows into the day file in the slot's turn,
    Parquet rows as a part file (returned by name)."""
    if name in destination.placement.paths:
        with destination.placement.turn(slot, name) as file:
            write_csv_rows(table, file)
        return {}
    path = part_path(destination.parts_dir, name, slot)
    write_part(table, path)
    return {name: path}


@dataclass
class WrittenEarly:
    """The files of a block written as soon as their dataset was made (no dataset after it
    reads it), so that the block's worker holds their rows only that long: their rows, part
    files and writing seconds."""

    settings: Settings
    batch: int
    destination: Destination
    slot: int
    rows: dict[str, int] = field(default_factory=dict)
    paths: dict[str, Path] = field(default_factory=dict)
    seconds: float = 0.0

    def write(self, dataset: str, generated: Generated) -> Generated:
        """Write ``dataset``'s rows of the block now; what stays in the block: its truth."""
        started = time.perf_counter()
        name = data_file(dataset, self.settings, self.batch)
        self.paths |= write_file(name, generated.data, self.destination, self.slot)
        self.rows[name] = generated.data.num_rows
        self.seconds += time.perf_counter() - started
        return Generated(generated.data.schema.empty_table(), generated.truth)


def relations(people: pa.Table) -> dict[str, int]:
    """How many of ``people`` have each look-alike relation."""
    counts = pc.value_counts(people["relation"].drop_null()).to_pylist()
    return {entry["values"]: entry["counts"] for entry in counts}


def _write_new_people(
    people: pa.Table, history: pa.Table, file: BinaryIO, history_file: BinaryIO, date: dt.date
) -> None:
    """Write the entity lines of people new on ``date`` and their history lines: the same lines
    with the two dates added (valid from ``date``, still valid), as the CSV writer would write
    them, without encoding the same values twice. A value holding a line break would break
    that, so then the history is encoded as well."""
    if _holds_line_break(people):
        write_csv_rows(people, file)
        write_csv_rows(history, history_file)
    else:
        write_csv_rows(people, _WithHistory(file, history_file, date))


def _holds_line_break(table: pa.Table) -> bool:
    """Whether a text of ``table`` may hold a line break (its data buffers hold one)."""
    return any(
        chunk.buffers()[2].to_pybytes().find(b"\n") >= 0
        for column in table.columns
        if pa.types.is_string(column.type)
        for chunk in column.chunks
        if chunk.buffers()[2] is not None
    )


class _WithHistory(io.RawIOBase):
    """A file for the CSV writer: the lines of new people go to ``people``, and the same lines
    with the two dates of a new version to ``history``."""

    def __init__(self, people: BinaryIO, history: BinaryIO, date: dt.date) -> None:
        super().__init__()
        self._people, self._history = people, history
        self._line_end = f",{date.isoformat()},\n".encode()

    def writable(self) -> bool:
        return True

    def write(self, lines: bytes) -> int:
        self._people.write(lines)
        self._history.write(bytes(lines).replace(b"\n", self._line_end))
        return len(lines)


def generate_and_write_block(
    settings: Settings,
    date: dt.date,
    block: Block,
    batch: int,
    destination: Destination,
    slot: int,
) -> BlockOutput:
    """Generate one block and write it as ``slot``: each dataset no later one reads as soon as
    it is made, the rest once all are."""
    early = WrittenEarly(settings, batch, destination, slot)
    result = generate_block(settings, date, block, finished=early.write)
    return write_block(result, settings, date, batch, destination, slot, early)


RunBlocks = Callable[[Settings, Plan, int, Destination, int], Iterator[BlockOutput]]
"""What an engine runs a batch's blocks with: ``(settings, plan, batch, destination,
first_slot)`` to every block's parts, in plan order, the blocks taking slots from
``first_slot`` on, their rows placed in the day files by then (but Parquet parts)."""


@contextlib.contextmanager
def local_engine(settings: Settings) -> Iterator[RunBlocks]:
    """The local engine: nothing to start before a batch, nor to stop after it."""
    yield run_blocks


def in_order(futures: Iterable, window: Callable[[], int]) -> Iterator:
    """The results of ``futures`` (started as they are taken), in order, at most ``window()``
    of them started ahead of the one awaited: bounded memory. ``window`` is asked again before
    each one is awaited, so a window that follows a cluster's workers grows as they join."""
    pending: deque = deque()
    for future in futures:
        pending.append(future)
        while len(pending) >= window():
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def run_blocks(
    settings: Settings, plan: Plan, batch: int, destination: Destination, first_slot: int
) -> Iterator[BlockOutput]:
    """Every block's parts, in plan order, the blocks taking slots from ``first_slot`` on; in
    worker processes when there are several blocks."""
    slots = enumerate(plan.blocks, start=first_slot)
    workers = min(settings.workers or os.cpu_count() or 1, len(plan.blocks))
    if workers <= 1:
        for slot, block in slots:
            yield generate_and_write_block(settings, plan.date, block, batch, destination, slot)
        return
    executor = ProcessPoolExecutor(
        workers, initializer=_init_worker, initargs=(destination, os.getpid())
    )
    futures = (
        executor.submit(_write_in_worker, settings, plan.date, block, batch, slot)
        for slot, block in slots
    )
    try:  # at most two blocks per worker in flight
        yield from in_order(futures, lambda: 2 * workers)
    except BrokenProcessPool:
        destination.placement.abandon()
        raise RunError(
            f"a worker process died while generating {plan.date} (killed from outside, "
            "perhaps by the out-of-memory killer: try fewer workers)"
        ) from None
    except BaseException:  # a block failed, or the caller stops early
        destination.placement.abandon()  # so no worker waits for a turn that will not come
        raise
    finally:  # no worker may write after the run ends
        executor.shutdown(wait=True, cancel_futures=True)


_worker_destination: Destination | None = None
"""The run's destination, in a worker process (multiprocessing's locks cannot be sent to it
with each task)."""


def become_worker(parent: int) -> None:
    """In a worker process of the run ``parent``: die with it (never write, nor hold memory,
    after the run is gone), leave stop signals to it, keep to one core (the processes are the
    parallelism: Arrow's threads would only compete) and hold the heap it inherited in huge
    pages of its own (``allocator.own_inherited_heap``)."""
    die_with_parent(parent)
    pa.set_cpu_count(1)
    own_inherited_heap()


def _init_worker(destination: Destination, parent: int) -> None:
    global _worker_destination
    become_worker(parent)
    _worker_destination = destination


def _write_in_worker(
    settings: Settings, date: dt.date, block: Block, batch: int, slot: int
) -> BlockOutput:
    return generate_and_write_block(settings, date, block, batch, _worker_destination, slot)
