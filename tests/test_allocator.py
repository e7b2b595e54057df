"""Freed memory kept for reuse by the next block, instead of given back to the kernel."""

import ctypes
import subprocess
import sys

import pytest

FREED = """
import ctypes, sys
from gensample.daily.allocator import keep_freed_memory

class Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]

mallinfo2 = ctypes.CDLL(None).mallinfo2
mallinfo2.restype = Mallinfo2
if sys.argv[1] == "keep":
    keep_freed_memory()
buffers = [bytes(size << 20) for size in (1, 8, 2, 4, 3, 6, 1, 5, 2, 8)]  # a block's 40 MB
del buffers
print(mallinfo2().fordblks >> 20)
"""


def freed_mib_kept(mode: str) -> int:
    """MiB of free memory glibc holds for reuse after a new process frees 40 MB of buffers."""
    done = subprocess.run(
        [sys.executable, "-c", FREED, mode], capture_output=True, text=True, check=True
    )
    return int(done.stdout)


@pytest.mark.skipif(
    not hasattr(ctypes.CDLL(None), "mallinfo2"), reason="reads glibc's (2.33+) mallinfo2"
)
def test_freed_buffers_stay_for_reuse_instead_of_going_back_to_the_kernel():
    assert freed_mib_kept("default") < 5
    assert freed_mib_kept("keep") >= 35
