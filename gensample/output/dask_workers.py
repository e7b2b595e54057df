"""What a Dask worker must share with this process to write the same bytes as a local run:
the versions of gensample, numpy and pyarrow it runs, the run directory it writes into, the
user's files its blocks read (``[retail]``), and the reference tables (stores, products...) that
it makes for itself from the packaged data or those files and blocks read.

Versions, the run directory and the files are checked on the workers there are as a batch
starts, and again by each task (a worker may join the cluster later: a cluster that grows or
scales up from none, a worker started again), with the reference tables, against their
digests made here (a worker installed with other data, or on a platform where a draw comes out
otherwise, would give every block other stores or products).
"""

import datetime as dt
import functools
import hashlib
import io
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from gensample.errors import RunError
from gensample.generate.datasets import REGISTRY
from gensample.generate.pipeline import reference_tables
from gensample.output.allocator import keep_freed_memory, share_one_heap
from gensample.output.encoding import write_csv_rows
from gensample.output.workers import become_worker
from gensample.reference import stamps
from gensample.settings import Settings
from gensample.settings.retail import PATHS as RETAIL_PATHS
from gensample.version import __version__


def dask_setup(worker: Any) -> None:
    """Dask's preload hook, run in each worker process of a cluster this process starts for a
    run (``local:N``), forked from the run or, after a crash, started anew by its nanny: a
    worker of the run as the local engine's are, its allocators set as the run's. When the
    run stops or fails, the blocks the worker is running stop with it: that is no news, so
    Dask's warning for each of them (an instruction "ended with CancelledError") is left out."""
    become_worker(os.getppid())  # the nannies run in the run's process
    keep_freed_memory()
    share_one_heap()
    logging.getLogger("distributed.worker.state_machine").setLevel(logging.ERROR)


def check_workers(client: Any, parts_dir: Path | None, files: Mapping[str, str]) -> None:
    """Fail unless every worker runs gensample, sees ``parts_dir`` (None: parts go through S3)
    and the user's ``files`` its blocks read (by setting: :func:`user_files`), and runs the
    same versions as this process (other versions could write other bytes)."""
    expected = _worker_view(str(parts_dir or ""), files)
    views = client.run(_worker_view, str(parts_dir or ""), files, on_error="return")
    for address, view in views.items():
        if isinstance(view, BaseException):  # e.g. no gensample to unpickle the check with
            raise not_installed(f"Dask worker {address}", str(view))
        if parts_dir and not view["sees the run directory"]:
            raise _unseen(address, parts_dir)
        if view["unseen files"]:
            raise _files_unseen(address, view["unseen files"])
        if view != expected:
            raise _other_versions(address, view, expected)


def not_installed(worker: str, reason: str) -> RunError:
    """The error of a run whose ``worker`` could not import gensample, for ``reason``."""
    return RunError(
        f"{worker} cannot run gensample ({reason}): install gensample {__version__} on every "
        "worker, as on the machine that runs the job"
    )


def check_sees(parts_dir: Path) -> None:
    """On a worker, as a task starts: fail unless it sees ``parts_dir`` (it may have joined
    after the batch's check)."""
    if not parts_dir.is_dir():
        from distributed import get_worker  # on a worker, distributed is installed

        raise _unseen(get_worker().address, parts_dir)


def _files_unseen(address: str, unseen: list[str]) -> RunError:
    return RunError(
        f"Dask worker {address} cannot see {'; '.join(unseen)}: every worker must see the "
        "files the settings name at the same path"
    )


def _unseen(address: str, parts_dir: Path) -> RunError:
    return RunError(
        f"Dask worker {address} cannot see {parts_dir}: every worker must see the run "
        "directory at the same path (a shared filesystem), or set dask_parts to "
        "s3://bucket/prefix"
    )


def user_files(settings: Settings) -> dict[str, str]:
    """The user's files and folders that a run's blocks read, by setting (``retail.*``)."""
    named = {f"retail.{key}": getattr(settings.retail, key) for key in RETAIL_PATHS}
    return {setting: path for setting, path in named.items() if path}


def _worker_view(parts_dir: str, files: Mapping[str, str]) -> dict[str, Any]:
    """What decides a worker's bytes: the versions it runs, whether it sees ``parts_dir``, and
    which of the user's ``files`` it does not see."""
    return {
        **versions(),
        "sees the run directory": os.path.isdir(parts_dir),
        "unseen files": _unseen_files(files),
    }


def _unseen_files(files: Mapping[str, str]) -> list[str]:
    """Which of the user's ``files`` (by setting) this process does not see."""
    return [f"{key} = {path}" for key, path in files.items() if not Path(path).exists()]


def versions() -> dict[str, str]:
    """The versions of the libraries that decide this process's bytes."""
    return {"gensample": __version__, "numpy": np.__version__, "pyarrow": pa.__version__}


def _versions(view: Mapping[str, Any]) -> str:
    return ", ".join(f"{name} {view[name]}" for name in ("gensample", "numpy", "pyarrow"))


def _other_versions(
    address: str, theirs: Mapping[str, Any], ours: Mapping[str, Any], joined_later: bool = False
) -> RunError:
    later = " (this one joined after the run started)" if joined_later else ""
    return RunError(
        f"Dask worker {address} runs {_versions(theirs)}, the run process {_versions(ours)}: "
        f"install the same versions on every worker{later}"
    )


@dataclass(frozen=True)
class Expected:
    """What a worker must match to write a batch's bytes, as the run process has them: the
    versions it runs and the :func:`reference_digests` of the tables it makes."""

    versions: dict[str, str]
    reference: dict[str, str]

    @classmethod
    def of_run(cls, settings: Settings, date: dt.date) -> "Expected":
        """What the run of ``settings`` on ``date`` expects, made in the run process."""
        return cls(versions(), reference_digests(settings, date))

    def check(self, settings: Settings, date: dt.date) -> None:
        """On a worker, as a task starts: fail unless it matches and sees the user's files
        (it may have joined after the batch's check)."""
        from distributed import get_worker  # on a worker, distributed is installed

        address = get_worker().address
        if versions() != self.versions:
            raise _other_versions(address, versions(), self.versions, joined_later=True)
        if unseen := _unseen_files(user_files(settings)):
            raise _files_unseen(address, unseen)
        made = reference_digests(settings, date)
        differing = sorted({name for name, _ in made.items() ^ self.reference.items()})
        if differing:
            raise RunError(
                f"Dask worker {address} made other reference tables than the run "
                f"process ({', '.join(differing)}): its packaged data or libraries differ; "
                "install gensample on every worker as on the machine that runs the job"
            )


def reference_digests(settings: Settings, date: dt.date) -> dict[str, str]:
    """The SHA-256 of each reference table of ``date``'s run that blocks read, as CSV rows (the
    values written: no bytes hidden under a missing value count), made once per process while
    the user's files are unchanged (not to be changed). The others (the supply chain) only the
    run process writes."""
    settings.retail.refresh()
    return _reference_digests(settings, date)


@stamps.kept_while_unchanged
@functools.lru_cache(maxsize=2)
def _reference_digests(settings: Settings, date: dt.date) -> dict[str, str]:
    blocks_make = [REGISTRY[name] for name in settings.datasets if not REGISTRY[name].REFERENCE]
    read = {parent for module in blocks_make for parent in module.PARENTS}
    digests = {}
    for name, generated in reference_tables(settings, date).items():
        if name in read:
            rows = io.BytesIO()
            write_csv_rows(generated.data, rows)
            digests[name] = hashlib.sha256(rows.getbuffer()).hexdigest()
    return digests
