"""Atomic file writes: a reader sees the old file or the whole new one, never a part."""

import contextlib
import json
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from gensample.errors import RunError

log = logging.getLogger(__name__)


@contextlib.contextmanager
def atomic_output(path: Path, mode: str = "wb") -> Iterator[IO]:
    """Open a temporary sibling of ``path`` for writing; rename it over ``path`` on success.

    On any error the temporary file is removed and ``path`` is left as it was.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, mode) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as error:
        _remove(temporary)
        raise RunError(f"cannot write {path}: {error.strerror or error}") from error
    except BaseException:
        _remove(temporary)
        raise


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):  # e.g. its folder could not be made in the first place
        path.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_output(path, "w") as handle:
        handle.write(text)


def write_json(path: Path, document: Any) -> None:
    """Write ``document`` as indented, key-sorted JSON to ``path`` atomically."""
    write_text(path, json.dumps(document, indent=2, sort_keys=True) + "\n")


def swap_directory(staging: Path, final: Path) -> Path:
    """Rename ``staging`` to ``final``, replacing an earlier ``final`` whole.

    The earlier directory waits as ``.<name>.replaced`` until the new one is in place, so a run
    killed in between is repaired by :func:`recover_directories`.
    """
    replaced = final.with_name(f".{final.name}.replaced")
    try:
        if final.exists():
            os.replace(final, replaced)
        os.replace(staging, final)
    except OSError as error:
        recover_directories(final.parent)
        raise RunError(f"cannot commit {final}: {error.strerror or error}") from error
    shutil.rmtree(replaced, ignore_errors=True)
    return final


def recover_directories(parent: Path) -> None:
    """Finish or undo swaps that a killed run left half-done in ``parent``; drop stale staging."""
    if not parent.is_dir():
        return
    for leftover in sorted(parent.glob(".*.replaced")):
        final = parent / leftover.name[1 : -len(".replaced")]
        if final.exists():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            log.warning("restoring %s left by an interrupted run", final)
            os.replace(leftover, final)
    for staging in parent.glob(".*.staging"):
        shutil.rmtree(staging, ignore_errors=True)
