"""The run directory cron sees: its layout, its lock, and the all-or-nothing swap of a day."""

import contextlib
import datetime as dt
import fcntl
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from gensample.errors import RunError
from gensample.files import recover_directories, swap_directory

log = logging.getLogger(__name__)

LOCK_FILE = ".gensample.lock"
STATE_FILE = "state.json"
OUT_DIR = "out"


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
        """Where a day is written before it is committed."""
        return self.out / f".{date.isoformat()}.staging"

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the run directory's lock; another live run holding it is an error.

        The lock is a kernel ``flock``, released when its process dies, so a lock left by a
        killed run is simply taken over.
        """
        path = self.root / LOCK_FILE
        try:
            handle = open(path, "a+")  # noqa: SIM115 (held for the whole run, closed below)
        except OSError as error:
            raise RunError(f"cannot open lock file {path}: {error.strerror}") from error
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "unknown process"
                raise RunError(
                    f"another gensample run holds {path} ({holder}); try again when it has finished"
                ) from None
            handle.truncate(0)
            handle.write(
                f"pid {os.getpid()} since {dt.datetime.now().isoformat(timespec='seconds')}\n"
            )
            handle.flush()
            yield

    def recover(self) -> None:
        """Finish or undo a day swap that a killed run left half-done; drop stale staging."""
        recover_directories(self.out)

    def commit_day(self, date: dt.date) -> Path:
        """Make the staged day the committed one, replacing any earlier version of it."""
        return swap_directory(self.staging(date), self.day(date))
