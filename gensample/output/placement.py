"""Writing blocks' CSV rows straight into the day files, in plan order, from any process.

Blocks take turns by number (their *slot*), file by file: once the slot before has written its
rows of a file, a block writes its own right after them (encoded as they are written, while
they are fresh in the cache) and passes the turn on. So every byte is written once (no part
files to copy and delete), workers write different files at the same time, and the files hold
the same bytes whatever the number of workers. A slot with no rows for a file still takes its
turn there, to pass it on.

Each file's SHA-256 is computed in the turns too, where libcrypto can be loaded: each slot adds
the bytes it writes to the file's state (in shared memory) as it writes them, while they are in
its cache (``native.sha256``).

The turns, file ends and hash states live in shared memory: worker processes get the placement
when they start (by inheritance, as multiprocessing requires for its locks). Where a block runs on
another machine (a Dask worker), it writes its rows of each file as a part file instead
(``PartFiles``), and the orchestrator appends the part in the block's turn (``Placement.append``).
"""

import contextlib
import io
import multiprocessing
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

from gensample.errors import RunError
from gensample.native.sha256 import FileSha256, SharedSha256
from gensample.output.digests import hash_range
from gensample.output.encoding import part_output

COPY_CHUNK = 8 << 20
"""Bytes of a part file copied at a time."""


class Placement:
    """For each CSV day file: where it ends, which slot's turn it is to write there, and the
    SHA-256 of its bytes so far (``digests``: None where libcrypto cannot be loaded)."""

    def __init__(self, paths: Mapping[str, Path], ends: Mapping[str, int]) -> None:
        """Files by name (``paths``), their rows starting at ``ends[name]`` (after the header,
        and the rows of an earlier batch: hashed in the file's first turn); slot 0 has the
        first turn."""
        self.paths = dict(paths)
        self._index = {name: index for index, name in enumerate(self.paths)}
        self._ends = multiprocessing.RawArray("q", [ends[name] for name in self.paths])
        self._turns = multiprocessing.RawArray("q", len(self.paths))
        self._abandoned = multiprocessing.RawValue("b", 0)
        self._changed = multiprocessing.Condition()
        self.digests = SharedSha256(len(self.paths)) if SharedSha256.available() else None

    @contextlib.contextmanager
    def turn(self, slot: int, name: str) -> Iterator[BinaryIO]:
        """Wait for ``slot``'s turn at file ``name``; give the file, open for writing where the
        slot before ended (what is written to it is hashed on the way); once it is written,
        pass the turn on to the next slot."""
        with self._turn(slot, name) as file:
            if self.digests is None:
                yield file
            else:
                yield _Hashed(file, self.digests.file(self._index[name]))

    def hexdigests(self) -> dict[str, str]:
        """Once the turns are over: the hex SHA-256 of each file whose bytes were all hashed
        in them (a file that grew outside them is left out, for its reader to hash whole)."""
        if self.digests is None:
            return {}
        return {
            name: self.digests.hexdigest(index)
            for name, index in self._index.items()
            if self.paths[name].stat().st_size == self.digests.hashed(index)
        }

    @contextlib.contextmanager
    def _turn(self, slot: int, name: str) -> Iterator[BinaryIO]:
        """:meth:`turn`, the file given as it is."""
        index = self._index[name]
        with self._changed:
            self._changed.wait_for(lambda: self._turns[index] == slot or self._abandoned.value)
            if self._abandoned.value:
                raise RunError(f"block {slot} not written to {self.paths[name]}: the run stopped")
            start = self._ends[index]
        try:
            with open(self.paths[name], "r+b") as file:
                self._hash_before(file, index, start)
                file.seek(start)
                yield file
                end = file.tell()
        except OSError as error:
            raise RunError(f"cannot write {self.paths[name]}: {error.strerror or error}") from error
        with self._changed:
            self._ends[index], self._turns[index] = end, slot + 1
            self._changed.notify_all()

    def append(self, slot: int, name: str, part: Path) -> None:
        """Append the part file ``part`` to file ``name`` in ``slot``'s turn, then delete it."""
        try:
            descriptor = os.open(part, os.O_RDONLY | os.O_CLOEXEC)
        except OSError as error:
            raise RunError(f"cannot read {part}: {error.strerror or error}") from error
        with open(descriptor, "rb") as source, self._turn(slot, name) as file:
            size = os.fstat(descriptor).st_size
            copy_range(source, file, 0, size)
            if self.digests is not None:
                try:
                    hash_range(self.digests.file(self._index[name]), descriptor, 0, size)
                except OSError as error:
                    raise RunError(f"cannot read {part}: {error.strerror or error}") from error
        part.unlink()

    def _hash_before(self, file: BinaryIO, index: int, start: int) -> None:
        """Hash the bytes of file number ``index`` before ``start`` that no turn wrote (in its
        first turn: its header, and the rows of an earlier batch)."""
        if self.digests is None:
            return
        hashed = self.digests.hashed(index)
        if hashed < start:
            hash_range(self.digests.file(index), file.fileno(), hashed, start)

    def abandon(self) -> None:
        """Stop the run: every slot waiting for its turn fails instead."""
        with self._changed:
            self._abandoned.value = 1
            self._changed.notify_all()

    def ends(self) -> dict[str, int]:
        """Where each file ends, after the turns taken so far."""
        with self._changed:
            return dict(zip(self.paths, self._ends, strict=True))


class _Hashed(io.RawIOBase):
    """A turn's file: the bytes written to it are added to its SHA-256 as they are written."""

    def __init__(self, file: BinaryIO, digest: FileSha256) -> None:
        super().__init__()
        self._file, self._digest = file, digest

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | memoryview) -> int:
        """Write ``data`` where the file stands, and hash it."""
        self._file.write(data)
        self._digest.update(data)
        return memoryview(data).nbytes

    def tell(self) -> int:
        """Where the file stands."""
        return self._file.tell()


def copy_range(source: BinaryIO, target: BinaryIO, start: int, stop: int) -> None:
    """Copy bytes ``start`` to ``stop`` of ``source`` to ``target`` where it stands, leaving it
    after the copy; in the kernel where it can (no trip through this process; a reflink on
    filesystems that share blocks, a server-side copy on NFS 4.2)."""
    at, done = target.tell(), start
    while done < stop:
        copied = _copy_some(source.fileno(), target.fileno(), done, stop, at + done - start)
        if not copied:
            raise OSError(f"it ended after {done} of the {stop} bytes to copy")
        done += copied
    target.seek(at + stop - start)


def _copy_some(source: int, target: int, start: int, stop: int, at: int) -> int:
    """Copy bytes from ``start`` (up to ``stop``) of file ``source`` to position ``at`` of file
    ``target``; return how many (0: ``source`` ends at ``start``)."""
    if hasattr(os, "copy_file_range"):  # Linux
        return os.copy_file_range(source, target, stop - start, start, at)
    return os.pwrite(target, os.pread(source, min(COPY_CHUNK, stop - start), start), at)


def part_path(parts_dir: Path, name: str, slot: int) -> Path:
    """The part file of ``slot``'s rows of file ``name`` (a path in the day directory)."""
    return parts_dir / f"{name.replace('/', '--')}.{slot}.part"


class PartFiles:
    """Turns that need no waiting: each slot writes its rows of a file into a part file of its
    own, for :meth:`Placement.append` to place later. A part appears whole or not at all
    (written under a temporary name, then renamed), so a block run twice (its first worker
    lost) leaves the same part."""

    def __init__(self, paths: Mapping[str, Path], parts_dir: Path) -> None:
        """Part files of the files ``paths`` (by name), in the existing folder ``parts_dir``."""
        self.paths = dict(paths)
        self.parts_dir = parts_dir

    @contextlib.contextmanager
    def turn(self, slot: int, name: str) -> Iterator[BinaryIO]:
        """The part file of ``slot``'s rows of ``name``, open for writing."""
        part = part_path(self.parts_dir, name, slot)
        with part_output(part) as temporary, open(temporary, "wb") as file:
            yield file
