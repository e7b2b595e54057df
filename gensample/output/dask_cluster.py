"""A batch's Dask cluster: a client of the scheduler the settings name (its TLS files checked
first), or a cluster of worker processes started on this machine for the batch (``local:N``)."""

import contextlib
import copy
import logging
import multiprocessing
import os
from collections.abc import Iterator
from typing import Any

from gensample.errors import BadInputError, RunError
from gensample.output.dask_tls import check_client_tls
from gensample.settings import Settings
from gensample.settings.engine import local_cluster_size

log = logging.getLogger(__name__)

INSTALL = "pip install 'gensample[dask]'"
CONNECT_TIMEOUT = "30s"
"""How long to try to reach a scheduler."""
START_METHOD = "distributed.worker.multiprocessing-method"
"""Dask's setting of how a nanny starts its worker process. A cluster started here starts its
first workers as the local engine's start: where processes are forked (Linux), as copies of
this process, which has imported gensample and set its allocators, not as new Python processes
that import it all again (Dask's default: at 100,000 customers 1.7 s more, 1.6x the local
engine's time instead of 1.25x). A worker its nanny starts again after a crash is a new
process."""
WITHOUT_PROFILER = {"distributed": {"worker": {"profile": {"enabled": False}}}}
"""Dask's configuration of a worker whose profiler does not sample its stacks (every 10 ms,
for the dashboard's profile page): nobody reads the page of a batch's own cluster, and walking
a block's deep stacks took 5% of a worker's CPU (1M customers, 2 workers: 27.6 against 26.1
CPU s in the workers)."""
WORKER_SETUP = "gensample.output.dask_workers"
"""The module whose ``dask_setup`` makes each worker process of a cluster started here a
worker of this run, as the local engine's are."""


@contextlib.contextmanager
def connected(settings: Settings) -> Iterator[tuple[Any, Any]]:
    """The ``distributed`` package and a client of the settings' cluster (for ``local:N``,
    started here); Dask's INFO logs left out meanwhile. The cluster may have no worker yet:
    one that scales up from none starts workers once it is given tasks."""
    distributed = distributed_package()
    with _dask_logs_at(logging.WARNING), _client(distributed, settings) as client:
        yield distributed, client


@contextlib.contextmanager
def _dask_logs_at(level: int) -> Iterator[None]:
    """Pass on only Dask's log records of ``level`` and above (its INFO lines would fill a
    quiet cron job's mail: clusters starting and stopping)."""
    logger = logging.getLogger("distributed")
    before = logger.level
    logger.setLevel(max(level, before))
    try:
        yield
    finally:
        logger.setLevel(before)


def distributed_package() -> Any:
    """The ``distributed`` package, or a BadInputError saying how to install it."""
    try:
        import distributed
    except ImportError:
        raise BadInputError(
            f"engine = 'dask' needs Dask's distributed scheduler, which is not installed: {INSTALL}"
        ) from None
    return distributed


@contextlib.contextmanager
def _client(distributed: Any, settings: Settings) -> Iterator[Any]:
    """A client of the scheduler ``settings.scheduler`` names, or of a cluster started here
    and closed at the end (its worker processes exit with this process, however it ends)."""
    size = local_cluster_size(settings.scheduler, settings.workers, os.cpu_count() or 1)
    if size is None:
        with _closing(_remote_client(distributed, settings.scheduler)) as client:
            yield client
    else:
        with (
            local_cluster(distributed, size) as cluster,
            _closing(distributed.Client(cluster)) as client,
        ):
            yield client


@contextlib.contextmanager
def _closing(client: Any) -> Iterator[Any]:
    """``client``, closed at the end; after a failed batch, an error closing it (Dask's, with
    the scheduler lost) is logged, not raised over the batch's own."""
    failed = True
    try:
        yield client
        failed = False
    finally:
        try:
            client.close()
        except Exception as error:
            if not failed:
                raise
            log.debug("closing the Dask client after the batch failed: %s", error)


def _remote_client(distributed: Any, address: str) -> Any:
    """A client of the scheduler at ``address`` (with the TLS files it needs, if it takes TLS)."""
    check_client_tls(address)
    try:
        return distributed.Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as error:
        raise RunError(f"cannot reach the Dask scheduler {address}: {error}") from error


def local_cluster(distributed: Any, size: int) -> Any:
    """A cluster of ``size`` single-threaded worker processes on this machine, started as the
    local engine's are (``START_METHOD``) and set up as they are (``WORKER_SETUP``), without
    Dask's profiler (``WITHOUT_PROFILER``)."""
    import dask

    start = {START_METHOD: multiprocessing.get_start_method()}  # 'fork' on Linux
    user_preloads = dask.config.get("distributed.worker.preload")  # which this list replaces
    # the whole configuration, which the nannies give every worker they start, crashed ones too
    workers = dask.config.update(copy.deepcopy(dask.config.config), WITHOUT_PROFILER)
    with dask.config.set(start):  # read by the nannies as they start their first workers
        return distributed.LocalCluster(
            n_workers=size,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # a free port: never a clash with another run's cluster
            preload=[*user_preloads, WORKER_SETUP],
            config=workers,
        )
