"""The ``engine`` and ``scheduler`` settings: where a run's blocks are generated.

``engine = "local"`` runs them in worker processes of this machine; ``engine = "dask"`` as tasks
on a Dask cluster, named by ``scheduler``: an address (``tcp://10.0.0.5:8786``), or
``local:N`` for a cluster of N worker processes started here for the run (empty: one per
worker, as ``workers`` counts them). Either way the files are the same bytes.
"""

import re

from gensample.errors import BadInputError

ENGINES = ("local", "dask")
LOCAL_CLUSTER = re.compile(r"local:([1-9][0-9]{0,2})")
"""``local:N``: a cluster of N (1 to 999) worker processes on this machine."""
PROTOCOLS = ("tcp", "tls", "ws", "wss", "ucx")
"""The protocols a Dask scheduler on another machine listens on (tcp when none is given)."""
ADDRESS = re.compile(
    rf"(?:(?:{'|'.join(PROTOCOLS)})://)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):([0-9]{{1,5}})"
)
"""A scheduler address: ``[protocol://]host:port``, the host a name, IPv4 or [IPv6] (Dask's
client takes no address without a port)."""
SCHEDULER_ALLOWED = (
    "'' (a cluster here, one process per worker), 'local:N' (N from 1 to 999 processes here) "
    "or a scheduler address [protocol://]host:port, such as 'tcp://10.0.0.5:8786' (protocol "
    f"{', '.join(PROTOCOLS)}; port from 1 to 65535)"
)


def check_scheduler(value: object, where: str) -> str:
    """``value`` if it is an allowed scheduler, else raise naming ``where`` and the rule."""
    if isinstance(value, str) and _is_scheduler(value):
        return value
    raise BadInputError(f"{where} = {value!r} is not allowed: expected {SCHEDULER_ALLOWED}")


def _is_scheduler(text: str) -> bool:
    if text.startswith("local:"):  # never a host named local: 'local:0' is a mistake
        return LOCAL_CLUSTER.fullmatch(text) is not None
    address = ADDRESS.fullmatch(text)
    return text == "" or (address is not None and 1 <= int(address[2]) <= 65_535)


def local_cluster_size(scheduler: str, workers: int, cpus: int) -> int | None:
    """Worker processes of the cluster to start here for ``scheduler``, or None when it names
    a running cluster (``workers`` 0 means one per CPU of ``cpus``)."""
    if scheduler == "":
        return workers or cpus
    match = LOCAL_CLUSTER.fullmatch(scheduler)
    return int(match[1]) if match else None


S3_URL = re.compile(r"s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:/([A-Za-z0-9!_.*'()/-]*))?")
"""``s3://bucket[/prefix]``: an S3 bucket name, then a prefix of safe key characters."""
DASK_PARTS_ALLOWED = "'' (the run directory, seen by every worker) or 's3://bucket/prefix'"


def check_dask_parts(value: object, where: str) -> str:
    """``value`` if it is '' or an ``s3://bucket[/prefix]`` URL, else raise naming ``where``."""
    if isinstance(value, str) and (value == "" or S3_URL.fullmatch(value)):
        return value
    raise BadInputError(f"{where} = {value!r} is not allowed: expected {DASK_PARTS_ALLOWED}")
