"""Editing a user's file as tools do that leave no trace in its size or modification time."""

import os
from pathlib import Path


def same_size_and_time(path: Path, text: str) -> None:
    """Write ``text`` (of the file's size) over ``path``, its time of change set back (as
    ``cp -p`` or ``rsync -t`` may)."""
    before = path.stat()
    assert len(text.encode()) == before.st_size
    path.write_text(text)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
