"""glibc's heap statistics (``mallinfo2``, glibc 2.33+), for the tests of the allocators'
settings: in this process, in a script (``PYTHONPATH`` set to the tests), or on a worker."""

import ctypes

FIELDS = [
    "arena",
    "ordblks",
    "smblks",
    "hblks",
    "hblkhd",
    "usmblks",
    "fsmblks",
    "uordblks",
    "fordblks",
    "keepcost",
]
"""The fields of glibc's ``struct mallinfo2``, in order."""


class Mallinfo2(ctypes.Structure):
    """glibc's ``struct mallinfo2``: bytes of the heap by use."""

    _fields_ = [(name, ctypes.c_size_t) for name in FIELDS]


def mallinfo2() -> Mallinfo2:
    """This process's heap statistics now."""
    function = ctypes.CDLL(None).mallinfo2
    function.restype = Mallinfo2
    return function()


def has_mallinfo2() -> bool:
    """Whether this C library reports them (glibc 2.33 or newer)."""
    return hasattr(ctypes.CDLL(None), "mallinfo2")


def freed_mib_kept() -> int:
    """MiB of free memory glibc holds for reuse once this process has freed 40 MB of buffers
    (a block's, of many sizes)."""
    buffers = [bytes(size << 20) for size in (1, 8, 2, 4, 3, 6, 1, 5, 2, 8)]
    del buffers
    return mallinfo2().fordblks >> 20
