"""SHA-256 of a day's files: of a whole file, or of files that grow at their end, hashed while
they grow.

The CSV day files are filled in turns, block after block, each turn appending after the last
(see ``placement``): the bytes before a file's end never change once the turn that wrote them
is over. So they can be hashed as soon as a block lands, while they are fresh in the page cache
and while the workers still generate later blocks, instead of all at once after the workers
(2.8 GB at 1M customers; at 10M the day no longer fits in the page cache and is read again
from disk).
"""

import hashlib
import mmap
import os
import threading
from collections.abc import Collection, Mapping
from concurrent.futures import Future
from pathlib import Path

from gensample.errors import RunError
from gensample.output.atomic import drop_written, start_writeback
from gensample.output.lifetime import helper_threads

HASH_WINDOW = 4 << 20
"""Bytes of a file mapped at a time to hash it (a multiple of every page size). Mapped pages
count in the run process's resident memory, and it hashes while the workers hold their peak:
4 MB per hashing thread. Windows of 1, 4, 16 and 64 MB hashed a cached 300 MB file in the same
0.20 CPU s."""


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes (see :func:`hash_range`).

    The file must not shrink while it is hashed (the process would be killed, as by any kill:
    a run's files are its own, and a killed run is repaired by the next).
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        hash_range(digest, handle.fileno(), 0, os.fstat(handle.fileno()).st_size)
    return digest.hexdigest()


def hash_range(digest: "hashlib._Hash", descriptor: int, start: int, stop: int) -> None:
    """Add bytes ``start`` to ``stop`` of an open file to ``digest``, hashed where they lie in
    the page cache, through memory maps of at most ``HASH_WINDOW`` bytes (no copy into a
    buffer: 10% to 30% faster than reading them; windows, so that the process maps a bounded
    part of a big file at once)."""
    offset = start - start % mmap.ALLOCATIONGRANULARITY  # maps start on a page
    while offset < stop:
        length = min(HASH_WINDOW, stop - offset)
        window = mmap.mmap(descriptor, length, access=mmap.ACCESS_READ, offset=offset)
        with window, memoryview(window)[max(start - offset, 0) :] as view:
            digest.update(view)
        offset += length


class GrowingFiles:
    """SHA-256 of files that only grow at their end, hashed in threads of this process as they
    grow (``hashlib`` releases the GIL): :meth:`advance` after each block, then
    :meth:`hexdigests`. Each file is hashed by one thread at a time, in order; different files
    in parallel (what is left after the last block, too). Files hashed as they are written
    (``Placement``) are only seen to in the page cache: not ``hashing``, then :meth:`wait`.

    What is hashed (or seen) is dropped from the page cache once it is on the disk, but in
    files the run reads again: a day may be bigger than the memory, and a cache it filled would
    have the kernel reclaim it while the workers write (10M customers, 27 GB on a 24 GB
    machine: 48 s of system CPU time instead of 13), and push out what other programs cache.
    A context manager: leaving it stops the threads."""

    def __init__(
        self, paths: Mapping[str, Path], read_again: Collection[str] = (), hashing: bool = True
    ) -> None:
        """Files by name, hashed from their first byte (unless not ``hashing``); ``read_again``
        names those the run reads after the batch, which stay cached."""
        self._paths = dict(paths)
        self._hashing = hashing
        self._read_again = set(read_again)
        self._dropped = dict.fromkeys(self._paths, 0)
        self._digests = {name: hashlib.sha256() for name in self._paths}
        self._hashed = dict.fromkeys(self._paths, 0)
        self._ends = dict.fromkeys(self._paths, 0)
        self._locks = {name: threading.Lock() for name in self._paths}
        self._threads = helper_threads(os.cpu_count(), "sha256")
        self._pending: list[Future] = []
        self._failed = False

    def __enter__(self) -> "GrowingFiles":
        return self

    def __exit__(self, *exception: object) -> None:
        self._threads.shutdown(wait=True, cancel_futures=True)

    def advance(self, ends: Mapping[str, int]) -> None:
        """Hash each file up to ``ends[name]`` in the background: bytes that will not change."""
        for name, end in ends.items():
            if end > self._ends[name]:
                self._ends[name] = end
                self._pending.append(self._threads.submit(self._catch_up, name))

    def wait(self) -> None:
        """Wait for what every :meth:`advance` started; raise what went wrong in it."""
        for call in self._pending:
            call.result()

    def hexdigests(self) -> dict[str, str]:
        """Once every :meth:`advance` is done: the hex SHA-256 of each file hashed up to its
        current size (a file that grew after its last advance is left out, for its reader to
        hash whole)."""
        self.wait()
        return {
            name: digest.hexdigest()
            for name, digest in self._digests.items()
            if self._paths[name].stat().st_size == self._hashed[name]
        }

    def _catch_up(self, name: str) -> None:
        """Hash file ``name`` on from where it was left, up to its latest end (nothing when an
        earlier call got there first)."""
        with self._locks[name]:
            start, end, path = self._hashed[name], self._ends[name], self._paths[name]
            if end <= start or self._failed:  # after a failure, the run fails anyway
                return
            try:
                descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
                try:
                    if self._hashing:
                        hash_range(self._digests[name], descriptor, start, end)
                    start_writeback(descriptor, start, end)
                    self._drop_before(name, descriptor, start)
                finally:
                    os.close(descriptor)
            except OSError as error:
                self._failed = True
                raise RunError(f"cannot read {path}: {error.strerror or error}") from error
            self._hashed[name] = end

    def _drop_before(self, name: str, descriptor: int, start: int) -> None:
        """Drop file ``name``'s bytes before ``start`` from the page cache, unless it is read
        again (their writeback, started when they were hashed, is likely over by now)."""
        if name not in self._read_again and start > self._dropped[name]:
            drop_written(descriptor, self._dropped[name], start)
            self._dropped[name] = start
