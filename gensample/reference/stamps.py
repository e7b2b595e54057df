"""What is kept of the user's files (``[retail]``: the curve folder, the stores and products
files) holds only while they are unchanged.

Loaders and the tables made from those files are kept per process, by path. A process that
outlives a run (a Dask worker, a program using the API) would keep using what it read after the
user edited a file: ``refresh`` is told the paths a run uses, and when a file there has changed
since it last looked (another file in its place, its size, or its times of modification or of
status change, or a file added to or removed from the folder), or the path is new to it, it
empties every cache registered with ``kept_while_unchanged``. ``of_file`` gives the same
stamp of one file to callers that key their own cache by it (the spec files' parameters).
"""

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

Cached = TypeVar("Cached", bound=Callable[..., Any])

_CLEARS: list[Callable[[], None]] = []
"""How to empty each registered cache."""
_seen: dict[str, tuple | None] = {}
"""What ``refresh`` last saw of each path."""


def kept_while_unchanged(cached: Cached) -> Cached:
    """Register ``cached`` (a function with ``cache_clear``, such as an ``lru_cache``): it is
    emptied whenever ``refresh`` finds a user's file changed."""
    forget_on_change(cached.cache_clear)
    return cached


def forget_on_change(clear: Callable[[], None]) -> None:
    """Register ``clear``, which empties a cache kept otherwise than by a function."""
    _CLEARS.append(clear)


def refresh(paths: tuple[str, ...]) -> None:
    """Empty every registered cache if a file among ``paths`` (files or folders; '' none) has
    changed since the last look, or a path is new to this process."""
    changed = False
    for path in filter(None, paths):
        now = _stamp(Path(path))
        changed |= path not in _seen or _seen[path] != now
        _seen[path] = now
    if changed:
        for clear in _CLEARS:
            clear()


def of_file(path: Path) -> tuple[int, ...]:
    """What changes with the file ``path`` (see ``_file_stamp``); OSError when it is absent."""
    return _file_stamp(path.stat())


def _stamp(path: Path) -> tuple | None:
    """What changes with the file ``path``, or with each file of the folder ``path`` by name;
    None when there is nothing there."""
    try:
        if not path.is_dir():
            return of_file(path)
        with os.scandir(path) as entries:
            files = [entry for entry in entries if entry.is_file()]
            return tuple(sorted((entry.name, *_file_stamp(entry.stat())) for entry in files))
    except OSError:
        return None


def _file_stamp(status: os.stat_result) -> tuple[int, ...]:
    """A file's inode, size, and times of modification and of status change: a file replaced
    has another inode, and a write sets the status change time, which no tool sets back (``cp
    -p`` and ``touch -r`` set back the modification time only)."""
    return (status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)
