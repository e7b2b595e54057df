"""Writing one batch into the staging copy of a day: blocks as parts, joined in order."""

import itertools
import sys
from collections.abc import Iterator
from pathlib import Path

from gensample.blocks import BlockParts, run_blocks, write_parts
from gensample.outputs import output_files, reference_block
from gensample.pipeline import BlockResult
from gensample.plan import Plan
from gensample.settings import Settings
from gensample.timings import Stopwatch
from gensample.writers import DayFile

PARTS_DIR = ".parts"


def write_batch(
    settings: Settings,
    plan: Plan,
    extras: BlockResult | None,
    batch: int,
    staging: Path,
    stopwatch: Stopwatch,
) -> dict[str, int]:
    """Write the reference datasets (first batch only), the plan's blocks, then the extra block,
    into ``staging``; return rows per file."""
    files = {
        name: DayFile(staging / name, schema, file_format)
        for name, (schema, file_format) in output_files(settings, batch).items()
    }
    rows = dict.fromkeys(files, 0)
    parts_dir = staging / PARTS_DIR
    reference = reference_block(settings, batch)
    progress = Progress(len(plan.blocks) + (extras is not None) + (reference is not None))
    blocks = run_blocks(settings, plan, batch, parts_dir)
    try:
        for parts in itertools.chain(
            _single_parts(reference, "reference", settings, plan, batch, parts_dir),
            blocks,
            _single_parts(extras, plan.entity_stop, settings, plan, batch, parts_dir),
        ):
            stopwatch.add(parts.seconds)
            with stopwatch.stage("join parts"):
                for name, path in parts.paths.items():
                    files[name].append(path)
                    rows[name] += parts.rows[name]
            progress.advance()
    finally:
        blocks.close()  # on an error, wait for the workers before the staging area goes
        for file in files.values():
            file.close()
    if parts_dir.exists():
        parts_dir.rmdir()
    return rows


def _single_parts(
    result: BlockResult | None,
    key: int | str,
    settings: Settings,
    plan: Plan,
    batch: int,
    parts_dir: Path,
) -> Iterator[BlockParts]:
    """The parts of a block made outside the plan (reference data, extras), written in turn."""
    if result is not None:
        yield write_parts(result, settings, plan.date, batch, parts_dir, key)


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
