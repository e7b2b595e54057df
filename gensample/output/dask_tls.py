"""The TLS files a run's Dask client needs for a ``tls://`` scheduler, checked before it connects.

The client reads them from Dask's own configuration (``distributed.comm.tls`` in a Dask YAML
file, or the ``DASK_DISTRIBUTED__COMM__TLS__...`` environment variables), as the scheduler and
the workers take theirs from their ``--tls-*`` flags. Without them Dask's client fails with a
TypeError deep in its connection code, and with a missing file with an error naming no file:
so a run checks them first, and a missing or unreadable one is bad input (exit code 2), before
anything is written.
"""

import os

from gensample.errors import BadInputError

CLIENT_FILES = {
    "ca-file": "the certificate authority that signed the cluster's certificates",
    "client.cert": "this client's certificate (its key too, unless client.key is set)",
    "client.key": "the private key of the client's certificate",
}
"""Keys under ``distributed.comm.tls``: what each file holds (PEM)."""
REQUIRED = ("ca-file", "client.cert")
"""The keys a client must have (its key may be in its certificate's file)."""


def check_client_tls(address: str) -> None:
    """For a ``tls://`` scheduler ``address``: raise BadInputError unless Dask's configuration
    gives this process the files of ``CLIENT_FILES`` it requires, each readable (or the PEM
    text itself, which Dask also takes)."""
    if not address.startswith("tls://"):
        return
    import dask

    for key, holds in CLIENT_FILES.items():
        value = dask.config.get(f"distributed.comm.tls.{key}", None)
        setting = f"distributed.comm.tls.{key} (environment variable {_environment_variable(key)})"
        if not value and key in REQUIRED:
            raise BadInputError(
                f"the Dask scheduler {address} takes TLS: set {setting} in Dask's "
                f"configuration, the path of {holds}, in PEM"
            )
        if value and "\n" not in value and not _readable(value):
            raise BadInputError(
                f"{setting} = {value!r}: no such readable file; the path of {holds}, in PEM"
            )


def _environment_variable(key: str) -> str:
    """The environment variable Dask reads ``distributed.comm.tls.key`` from."""
    parts = ["distributed", "comm", "tls", *key.split(".")]
    return "DASK_" + "__".join(part.upper().replace("-", "_") for part in parts)


def _readable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.R_OK)
