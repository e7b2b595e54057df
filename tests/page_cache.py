"""Which pages of a file the page cache holds (Linux's ``mincore``, through ctypes), and a mark
for the tests that need a file system that writes its pages to a disk."""

import ctypes
import mmap
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest

from gensample.output import atomic

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mmap.restype = ctypes.c_void_p
_libc.mmap.argtypes = [
    ctypes.c_void_p,
    ctypes.c_size_t,
    ctypes.c_int,
    ctypes.c_int,
    ctypes.c_int,
    ctypes.c_long,
]
_libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
_libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p]


def cached_pages(path: Path) -> np.ndarray:
    """For each page of the file ``path``, whether the page cache holds it (mapping the file
    reads nothing into the cache)."""
    size = path.stat().st_size
    pages = -(-size // mmap.PAGESIZE)
    descriptor = os.open(path, os.O_RDONLY)
    try:
        address = _libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, descriptor, 0)
        if address in (None, ctypes.c_void_p(-1).value):
            raise OSError(ctypes.get_errno(), f"cannot map {path}")
        try:
            resident = ctypes.create_string_buffer(pages)
            if _libc.mincore(address, size, resident):
                raise OSError(ctypes.get_errno(), f"mincore failed on {path}")
            return np.frombuffer(resident.raw, np.uint8) & 1 == 1
        finally:
            _libc.munmap(address, size)
    finally:
        os.close(descriptor)


def file_system_type(path: Path) -> str:
    """The type of the file system ``path`` lies on ('ext4', 'tmpfs'...), from the mount table;
    '' where there is none to read."""
    try:
        mounts = [line.split() for line in Path("/proc/self/mounts").read_text().splitlines()]
    except OSError:
        return ""
    path = str(path.resolve())
    on = [
        (point, kind)
        for _, point, kind, *_ in mounts
        if (path + "/").startswith(point.rstrip("/") + "/")
    ]
    return max(on, key=lambda mount: len(mount[0]), default=("", ""))[1]


writes_to_disk = pytest.mark.skipif(
    atomic._sync_file_range is None
    or file_system_type(Path(tempfile.gettempdir())) in {"tmpfs", "ramfs", ""},
    reason="needs Linux's sync_file_range and a temporary folder on a disk (not tmpfs)",
)
"""For the tests of writeback and of dropping written pages from the page cache."""
