"""Writing one batch into the staging copy of a day: blocks in turn, into every day file."""

import collections
import contextlib
import itertools
import secrets
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from gensample.errors import RunError
from gensample.generate import population
from gensample.generate.pipeline import BlockResult
from gensample.generate.plan import Plan
from gensample.output.atomic import refuse_symlink, remove_tree, sync_tree
from gensample.output.dask_engine import dask_engine
from gensample.output.day_files import RECORDS_FILE, output_files, reference_block
from gensample.output.digests import GrowingFiles
from gensample.output.encoding import ParquetDayFile, check_csv_end, start_csv
from gensample.output.lifetime import helper_threads
from gensample.output.placement import Placement
from gensample.output.table_files import Lines
from gensample.output.timings import Stopwatch
from gensample.output.workers import (
    BlockOutput,
    Destination,
    RunBlocks,
    local_engine,
    write_block,
)
from gensample.settings import Settings

PARTS_DIR = ".parts"
"""The part files of a batch go into a folder of the staging copy named so, then ``-`` and a
token of the batch's own."""
ENGINES = {"local": local_engine, "dask": dask_engine}
"""Engines by the name the ``engine`` setting gives them."""


@dataclass(frozen=True)
class Written:
    """What a batch wrote: rows per file, people of its entities per look-alike relation, the
    hex SHA-256 of its CSV files (hashed as they grew, their earlier batches' rows too), and
    where its truth rows of customer records lie in the truth file (None: not known)."""

    rows: dict[str, int]
    lookalikes: dict[str, int]
    sha256: dict[str, str]
    customer_truth: list[Lines] | None


def write_batch(
    settings: Settings,
    plan: Plan,
    extras: BlockResult | None,
    batch: int,
    staging: Path,
    stopwatch: Stopwatch,
) -> Written:
    """Write the reference datasets (first batch only), the plan's blocks, then the extra block,
    into ``staging``, and sync every file and directory there; return what it wrote.

    They take their turns (slots) in that order: the reference block first, when there is one.
    The engine starts once the reference block is made (the workers of a cluster started here
    are copies of this process, which then need not make it again, nor the tables people are
    made from, made meanwhile), and before anything is written: nothing is written if it cannot
    start.
    """
    with _people_prepared():
        reference = reference_block(settings, plan, batch)
    with ENGINES[settings.engine](settings) as run_blocks:
        written = _write_blocks(
            run_blocks, settings, plan, reference, extras, batch, staging, stopwatch
        )
    with stopwatch.stage("sync"):  # before the manifest commits them: once per file, at the end
        sync_tree(staging)
    return written


@contextlib.contextmanager
def _people_prepared() -> Iterator[None]:
    """Have a thread read and make the tables people are made from (``population.prepare``)
    while the body runs, and wait for it. The body's Python work and the thread's reading and
    array work overlap: 0.15 s of reference block and 0.2 s of tables take 0.2 s together."""
    with helper_threads() as thread:
        prepared = thread.submit(population.prepare)
        yield
        prepared.result()


def _write_blocks(
    run_blocks: RunBlocks,
    settings: Settings,
    plan: Plan,
    reference: BlockResult | None,
    extras: BlockResult | None,
    batch: int,
    staging: Path,
    stopwatch: Stopwatch,
) -> Written:
    """Write the reference block, every block of the batch with ``run_blocks``, then the
    extra block; return what they wrote."""
    destination, parquet = open_day(settings, batch, staging)
    rows = dict.fromkeys(output_files(settings, batch), 0)
    lookalikes = collections.Counter()
    customer_truth: list[Lines] | None = []
    progress = Progress(len(plan.blocks) + (extras is not None) + (reference is not None))
    blocks = run_blocks(settings, plan, batch, destination, first_slot=int(reference is not None))
    last_slot = len(plan.blocks) + (reference is not None)
    placement = destination.placement
    hashed_in_turns = placement.digests is not None
    with GrowingFiles(  # the records are read again by the archive
        placement.paths, read_again={RECORDS_FILE}, hashing=not hashed_in_turns
    ) as digests:
        try:
            for parts in itertools.chain(
                _written_alone(reference, 0, settings, plan, batch, destination),
                blocks,
                _written_alone(extras, last_slot, settings, plan, batch, destination),
            ):
                _take(parts, parquet, rows, lookalikes, stopwatch)
                customer_truth = _joined(customer_truth, parts.customer_truth)
                digests.advance(placement.ends())  # the bytes of the blocks so far
                progress.advance()
        finally:
            blocks.close()  # on an error, wait for the workers before the staging area goes
            for file in parquet.values():
                file.close()
        ends = placement.ends()
        for name, end in ends.items():
            check_csv_end(placement.paths[name], end)
        digests.advance(ends)  # rows placed after the last block's output came, if any
        with stopwatch.stage("sha256"):  # what the threads have left to do
            digests.wait()
            sha256 = placement.hexdigests() if hashed_in_turns else digests.hexdigests()
    # each part was deleted once placed; a block Dask ran twice (its first worker thought lost,
    # yet still running) may have left its part again
    remove_tree(destination.parts_dir)
    return Written(rows, dict(sorted(lookalikes.items())), sha256, customer_truth)


def _take(
    parts: BlockOutput,
    parquet: dict[str, ParquetDayFile],
    rows: dict[str, int],
    lookalikes: collections.Counter,
    stopwatch: Stopwatch,
) -> None:
    """Take in what a block wrote: join its Parquet parts (in block order), count its rows,
    people and seconds."""
    stopwatch.add(parts.seconds)
    if parts.paths:
        with stopwatch.stage("join Parquet parts"):
            for name, path in parts.paths.items():
                parquet[name].append(path)
    for name, count in parts.rows.items():
        rows[name] += count
    lookalikes.update(parts.lookalikes)


def _joined(lines: list[Lines] | None, more: list[Lines] | None) -> list[Lines] | None:
    """The lines of the blocks so far and of one more (None when either is not known)."""
    return None if lines is None or more is None else lines + more


def open_day(
    settings: Settings, batch: int, staging: Path
) -> tuple[Destination, dict[str, ParquetDayFile]]:
    """Start every file of a batch in ``staging`` (a CSV file with its header, or continued
    after an earlier batch; a Parquet file new); return where blocks write, and the Parquet
    files to join their parts into."""
    refuse_symlink(staging)
    outputs = output_files(settings, batch)
    csv = {
        name: staging / name for name, (_, file_format) in outputs.items() if file_format == "csv"
    }
    ends = {name: start_csv(path, outputs[name][0]) for name, path in csv.items()}
    parquet = {
        name: ParquetDayFile(staging / name, schema)
        for name, (schema, file_format) in outputs.items()
        if file_format == "parquet"
    }
    return Destination(Placement(csv, ends), _parts_dir(staging)), parquet


def _parts_dir(staging: Path) -> Path:
    """A new folder in ``staging`` for the batch's part files, named for this batch alone: the
    blocks of an earlier run that failed may still be running on a Dask cluster (a task cannot
    be stopped), and must not write their parts where this batch looks for its own. Their
    folder is removed with the staging copy they wrote into, so they fail instead."""
    parts_dir = staging / f"{PARTS_DIR}-{secrets.token_hex(8)}"
    try:
        parts_dir.mkdir(parents=True)
    except OSError as error:
        raise RunError(f"cannot create {parts_dir}: {error.strerror or error}") from error
    return parts_dir


def _written_alone(
    result: BlockResult | None,
    slot: int,
    settings: Settings,
    plan: Plan,
    batch: int,
    destination: Destination,
) -> Iterator[BlockOutput]:
    """The parts of a block made outside the plan (reference data, extras), written in turn."""
    if result is not None:
        yield write_block(result, settings, plan.date, batch, destination, slot)


class Progress:
    """A block counter on stderr, shown only when stderr is a terminal."""

    def __init__(self, total: int) -> None:
        self.total, self.done = total, 0
        self.visible = sys.stderr.isatty() and total > 1

    def advance(self) -> None:
        """Count one finished block."""
        self.done += 1
        if self.visible:
            end = "\n" if self.done >= self.total else ""
            print(f"\rblocks {self.done}/{self.total}", end=end, file=sys.stderr, flush=True)
