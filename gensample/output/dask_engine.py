"""The Dask engine: a batch's blocks as tasks on a ``dask.distributed`` cluster.

A Dask worker may run on another machine, so it cannot take turns at the day files as the
local engine's workers do. Each task generates its block and writes its rows of every file as
part files (:class:`~gensample.output.placement.PartFiles`) into the staging copy of the day,
which every worker must see at the same path (a shared filesystem), or, with ``dask_parts``
set, through S3 (:mod:`~gensample.output.shared_parts`); it returns only its row counts.
This process appends the CSV parts to the day files in slot order as blocks finish (the Parquet
parts are joined as for the local engine); truth, manifest and commit follow as in a
local run. A task is pure (a block is a function of the settings and its ids) and its parts
appear whole or not at all, so the block of a lost worker runs again elsewhere and writes the
same parts: the day is byte-identical to a local run's.
"""

import concurrent.futures
import contextlib
import dataclasses
import datetime as dt
import functools
import logging
import os
import pickle
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from gensample.errors import RunError
from gensample.generate.datasets import systems
from gensample.generate.datasets.contract import Block
from gensample.generate.plan import Plan
from gensample.output import dask_cluster
from gensample.output.dask_workers import (
    Expected,
    check_sees,
    check_workers,
    not_installed,
    user_files,
)
from gensample.output.lifetime import helper_threads
from gensample.output.placement import PartFiles, part_path
from gensample.output.shared_parts import SharedParts
from gensample.output.workers import (
    BlockOutput,
    Destination,
    RunBlocks,
    generate_and_write_block,
    in_order,
)
from gensample.settings import Settings

log = logging.getLogger(__name__)

WORKERS_CHECK = 5
"""Seconds between two looks at the cluster's workers while a block's task is awaited."""
WORKERS_TIMEOUT = 120
"""Seconds a batch waits for a worker while the cluster has none: for its first worker (a
cluster scaling up from none starts one once it is given the blocks), or for one to come back
when all are lost."""
ABANDON_SECONDS = 30
"""Seconds a failed batch waits for its running tasks before deleting their parts in S3."""


@contextlib.contextmanager
def dask_engine(settings: Settings) -> Iterator[RunBlocks]:
    """Connect to the settings' Dask cluster (for ``local:N``, start it) for one batch."""
    with dask_cluster.connected(settings) as (distributed, client):
        yield functools.partial(_run_blocks, distributed, client)


def _run_blocks(
    distributed: Any,
    client: Any,
    settings: Settings,
    plan: Plan,
    batch: int,
    destination: Destination,
    first_slot: int,
) -> Iterator[BlockOutput]:
    """Every block's parts, in plan order, run on the cluster of ``client``; CSV parts
    appended to the day files by this process."""
    from dask.base import tokenize  # installed with distributed

    run = (settings, plan.date, batch, destination.placement.paths, destination.parts_dir)
    prefix = f"gensample-{plan.date}-{batch}-{tokenize(*run)}"
    shared = SharedParts.of_run(settings, prefix)
    submitted: list = []
    parameters = systems.effective(settings)  # read here: a worker may not see the spec files
    expected = Expected.of_run(settings, plan.date)  # what the workers must match

    def submit(slot: int, block: Block, workers: _Workers) -> _Awaited:
        task = _CallWhenLoaded(_write_block_task, (*run, shared, parameters, expected, block, slot))
        future = client.submit(pickle.loads, pickle.dumps(task), key=f"{prefix}-{slot}")
        submitted.append(future)
        return _Awaited(future, workers)

    finished = False
    try:
        check_workers(client, None if shared else destination.parts_dir, user_files(settings))
        if shared is not None:
            shared.record(destination.parts_dir)  # for the next run, should this one be killed
        workers = _Workers(client, plan.date)
        slots = enumerate(plan.blocks, start=first_slot)
        futures = (submit(slot, block, workers) for slot, block in slots)
        window = functools.partial(_window, client)
        with helper_threads(os.cpu_count(), "place") as placing:
            for slot, parts in enumerate(in_order(futures, window), start=first_slot):
                yield _place(parts, destination, slot, shared, placing)
        finished = True
    except distributed.KilledWorker as error:
        raise RunError(
            f"a block of {plan.date} was lost with every Dask worker that ran it ({error}): "
            "killed from outside, perhaps by the out-of-memory killer"
        ) from None
    except (OSError, concurrent.futures.CancelledError) as error:
        closed = isinstance(error, distributed.comm.CommClosedError)  # before the client knows
        if not closed and client.status == "running":  # the error of a task, not of the cluster
            raise
        raise RunError(
            f"lost the connection to the Dask scheduler {client.scheduler.address} while "
            f"generating {plan.date}: the scheduler stopped, or its machine or the network failed"
        ) from None
    finally:
        if not finished:
            _abandon(distributed, client, submitted, shared)


def _window(client: Any) -> int:
    """How many blocks to have started ahead of the one awaited: two per thread of the
    cluster's workers now (asked each time: workers join and leave while a batch runs, as an
    adaptive cluster scales), and two when it has none."""
    return 2 * max(1, sum(client.nthreads().values()))


@dataclasses.dataclass
class _Workers:
    """The cluster's workers, looked at while a batch's blocks are awaited: the batch fails
    once the cluster has been without a worker for ``WORKERS_TIMEOUT`` seconds, none having
    joined yet, or every one lost and none started again (Dask would keep the tasks until a
    worker comes)."""

    client: Any
    date: dt.date
    seen: bool = False
    alone_since: float | None = None

    def __post_init__(self) -> None:
        self.look()

    def look(self) -> None:
        """Note whether the cluster has workers now; fail if it has had none for too long."""
        if self.client.nthreads():
            self.seen, self.alone_since = True, None
        elif self.alone_since is None:
            self.alone_since = time.monotonic()
        elif time.monotonic() - self.alone_since >= WORKERS_TIMEOUT:
            raise RunError(self._none_message())

    def _none_message(self) -> str:
        address = self.client.scheduler.address
        if not self.seen:
            return f"no Dask worker joined the scheduler {address} within {WORKERS_TIMEOUT} s"
        return (
            f"every Dask worker left the scheduler {address} while generating {self.date}, "
            f"and none joined within {WORKERS_TIMEOUT} s (killed, or their machines failed)"
        )


@dataclasses.dataclass(frozen=True)
class _Awaited:
    """A block's task, whose result is awaited while the cluster has (or gets) a worker."""

    future: Any
    workers: _Workers

    def result(self) -> BlockOutput:
        """The task's result, or a RunError once the cluster has been without workers, or
        when the worker that ran it could not import gensample."""
        while True:
            try:
                return self.future.result(timeout=WORKERS_CHECK)
            except TimeoutError:
                pass
            except ImportError as error:  # raised as the task was unpickled on a worker
                raise not_installed(self._failed_on(), repr(error)) from None
            self.workers.look()

    def _failed_on(self) -> str:
        """The worker the task failed on, by its address when the scheduler can tell it."""

        def erred_on(dask_scheduler: Any, key: str) -> list[str]:  # sent as it is, by value
            return sorted(dask_scheduler.tasks[key].erred_on or ())

        try:
            addresses = self.future.client.run_on_scheduler(erred_on, key=self.future.key)
        except Exception:  # e.g. the scheduler lost: the error is told without the address
            addresses = []
        if not addresses:
            return "a Dask worker that joined after the run started"
        return f"Dask worker {addresses[0]}, which joined after the run started,"


@dataclasses.dataclass(frozen=True)
class _CallWhenLoaded:
    """``function(*arguments)``, called as this is unpickled. A block's task is
    ``pickle.loads`` of it: the worker imports gensample as the task runs, not as the task
    arrives, so a worker without gensample fails the task, with an ImportError that comes back
    to the run. (Dask unpickles a task as it arrives: the worker would lose its connection to
    the scheduler and leave, and the block be tried on worker after worker.)"""

    function: Callable
    arguments: tuple

    def __reduce__(self) -> tuple[Callable, tuple]:
        return self.function, self.arguments


def _abandon(distributed: Any, client: Any, submitted: list, shared: SharedParts | None) -> None:
    """After a failed batch: cancel its tasks and delete the parts it left in S3, once the
    running ones have ended (for at most ``ABANDON_SECONDS``; they are at most two per worker
    thread). A failure to delete is logged: the run's own error is the one to report. With
    the scheduler lost (the client reconnecting), its tasks are cancelled already and cannot be
    waited for."""
    if client.status == "running":  # else reconnecting, or closed
        if shared is not None:
            with contextlib.suppress(TimeoutError):
                distributed.wait(submitted, timeout=ABANDON_SECONDS)
        client.cancel(submitted)
    if shared is not None:
        try:
            shared.remove_all()
        except RunError as error:
            log.warning("parts of the failed batch stay in S3: %s", error)


def _write_block_task(
    settings: Settings,
    date: dt.date,
    batch: int,
    paths: Mapping[str, Path],
    parts_dir: Path,
    shared: SharedParts | None,
    parameters: dict[str, dict],
    expected: Expected,
    block: Block,
    slot: int,
) -> BlockOutput:
    """On a Dask worker: generate one block and write its rows of the files ``paths`` (CSV)
    and of the Parquet files as part files in ``parts_dir``, or upload them to ``shared``
    (the paths it gives for Parquet parts are where this process downloads them). The built-in
    systems' ``parameters`` come with the task: the worker may not see the spec files; so does
    what the worker must match (``expected``: versions, reference tables), checked first."""
    with systems.given(settings, parameters):
        expected.check(settings, date)
        if shared is None:
            check_sees(parts_dir)
            return _write_parts(settings, date, batch, paths, parts_dir, block, slot)
        with tempfile.TemporaryDirectory(prefix="gensample-parts-") as scratch:
            parts = _write_parts(settings, date, batch, paths, Path(scratch), block, slot)
            shared.upload(Path(scratch))
    downloaded = {name: parts_dir / path.name for name, path in parts.paths.items()}
    return dataclasses.replace(parts, paths=downloaded)


def _write_parts(
    settings: Settings,
    date: dt.date,
    batch: int,
    paths: Mapping[str, Path],
    parts_dir: Path,
    block: Block,
    slot: int,
) -> BlockOutput:
    """Generate one block and write its part files into ``parts_dir``."""
    destination = Destination(PartFiles(paths, parts_dir), parts_dir)
    return generate_and_write_block(settings, date, block, batch, destination, slot)


def _place(
    parts: BlockOutput,
    destination: Destination,
    slot: int,
    shared: SharedParts | None,
    placing: concurrent.futures.Executor,
) -> BlockOutput:
    """Append a finished block's CSV parts (downloaded first from ``shared``) to the day files
    in its turn, several files at once (threads of ``placing``: the kernel copies, libcrypto
    hashes, neither holding the GIL; the last blocks' parts are placed while the workers are
    idle); its parts as the local engine gives them (Parquet parts only), with the seconds
    placing them took."""
    started = time.perf_counter()
    if shared is not None:
        csv_parts = [
            part_path(destination.parts_dir, name, slot) for name in destination.placement.paths
        ]
        shared.download([*csv_parts, *parts.paths.values()])

    def append(name: str) -> None:
        destination.placement.append(slot, name, part_path(destination.parts_dir, name, slot))

    list(placing.map(append, destination.placement.paths))
    seconds = {**parts.seconds, "place parts": time.perf_counter() - started}
    return dataclasses.replace(parts, seconds=seconds)
