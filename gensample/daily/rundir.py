"""The run directory cron sees: its layout, its lock, and the all-or-nothing swap of a day."""

import contextlib
import datetime as dt
import errno
import fcntl
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from gensample.errors import RunError
from gensample.output.atomic import (
    recover_directories,
    refuse_symlink,
    remove_temporaries,
    swap_directory,
)

log = logging.getLogger(__name__)

LOCK_FILE = ".gensample.lock"
HOLDER_WAIT = 1.0
"""Seconds a refused run waits to read a live holder's pid: a run that has just taken the lock
writes its pid an instant later (over the text of an earlier holder)."""
STATE_FILE = "state.json"
OUT_DIR = "out"

_HELD: set[Path] = set()
"""Lock files this process holds: a second POSIX lock of the same file would succeed, and
closing it would release the first."""


class RunDirectory:
    """Paths of one run directory (one purpose, one ``gensample.toml``)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def state_path(self) -> Path:
        """``state.json``: id high-water marks and run history."""
        return self.root / STATE_FILE

    @property
    def tracer(self) -> Path:
        """``tracer/``: the drop folder of hand-made tracer files."""
        return self.root / "tracer"

    @property
    def archive(self) -> Path:
        """``archive/``: past days' customer records, for archival re-injection."""
        return self.root / "archive"

    @property
    def out(self) -> Path:
        """``out/``: one directory per day."""
        return self.root / OUT_DIR

    def day(self, date: dt.date) -> Path:
        """``out/<date>/``: the committed files of one day."""
        return self.out / date.isoformat()

    def staging(self, date: dt.date) -> Path:
        """Where a day is written before it is committed; a :class:`BadInputError` if it or
        the day's directory is a symbolic link (the run would write through it, and commit it)."""
        staging = self.out / f".{date.isoformat()}.staging"
        refuse_symlink(self.day(date))
        refuse_symlink(staging)
        return staging

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the run directory's lock; another live run holding it is an error.

        The lock is a POSIX record lock, which the kernel releases when its process dies and
        which worker processes do not inherit, so a lock left by a killed run is simply taken
        over. The lock file holds the holder's pid for the message a refused run gives.
        """
        path = self.root / LOCK_FILE
        if path in _HELD:
            raise RunError(f"{path} is already held by this process")
        try:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        except OSError as error:
            reason = "it is a symbolic link" if error.errno == errno.ELOOP else error.strerror
            raise RunError(f"cannot open lock file {path}: {reason}") from error
        with os.fdopen(descriptor, "r+") as handle:
            try:
                fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as error:
                if error.errno not in (errno.EACCES, errno.EAGAIN):
                    raise RunError(f"cannot lock {path}: {error.strerror}") from error
                raise RunError(
                    f"another gensample run holds {path} ({_holder(_holder_text(handle))}); "
                    "try again when it has finished"
                ) from None
            handle.truncate(0)
            handle.write(
                f"pid {os.getpid()} since {dt.datetime.now().isoformat(timespec='seconds')}\n"
            )
            handle.flush()
            _HELD.add(path)
            try:
                yield
            finally:
                _HELD.discard(path)

    def recover(self) -> None:
        """Finish or undo a day swap that a killed run left half-done; drop stale staging and
        the temporary files of killed writes (the run holds the lock: none is being written)."""
        recover_directories(self.out)
        remove_temporaries(self.root)

    def commit_day(self, date: dt.date) -> Path:
        """Make the staged day the committed one, replacing any earlier version of it."""
        return swap_directory(self.staging(date), self.day(date))


def _holder_text(handle: TextIO) -> str:
    """The lock file's text once it names a running process, or after ``HOLDER_WAIT``."""
    deadline = time.monotonic() + HOLDER_WAIT
    while True:
        handle.seek(0)
        text = handle.read()
        pid = _pid_of(text)
        if (pid is not None and _running(pid)) or time.monotonic() > deadline:
            return text
        time.sleep(0.02)


def _holder(text: str) -> str:
    """Who holds the lock, from the lock file's ``pid N since T``, and whether it still runs
    (the file's text itself is never quoted: only the number and time read from it)."""
    pid = _pid_of(text)
    if pid is None:
        return "an unknown process"
    words = text.split()
    since = f" since {words[3]}" if len(words) > 3 and _is_time(words[3]) else ""
    if not _running(pid):
        return f"pid {pid}{since} wrote it but is no longer running; a process it left holds it"
    return f"pid {pid}{since}, still running"


def _pid_of(text: str) -> int | None:
    """The pid of the lock file's ``pid N since T``, if it has one."""
    words = text.split()
    return int(words[1]) if len(words) > 1 and words[0] == "pid" and words[1].isdigit() else None


def _running(pid: int) -> bool:
    """Whether process ``pid`` runs (owned by this user or another)."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # no such process, or no such number
        return False
    except PermissionError:
        pass  # alive, owned by another user
    return True


def _is_time(word: str) -> bool:
    try:
        dt.datetime.fromisoformat(word)
    except ValueError:
        return False
    return True
