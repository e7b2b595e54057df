"""Freed memory kept for reuse by the next block, instead of given back to the kernel."""

import ctypes
import subprocess
import sys

import pytest

MALLINFO = """
import ctypes

class Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]

mallinfo2 = ctypes.CDLL(None).mallinfo2
mallinfo2.restype = Mallinfo2
"""
"""The start of a script reading glibc's heap statistics (``mallinfo2()``)."""

FREED = (
    MALLINFO
    + """
import sys
from gensample.output.allocator import keep_freed_memory

if sys.argv[1] == "keep":
    keep_freed_memory()
buffers = [bytes(size << 20) for size in (1, 8, 2, 4, 3, 6, 1, 5, 2, 8)]  # a block's 40 MB
del buffers
print(mallinfo2().fordblks >> 20)
"""
)


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


ONE_HEAP = (
    MALLINFO
    + """
import multiprocessing, sys
import pyarrow as pa
from gensample.output.allocator import share_one_heap

def in_use():
    info = mallinfo2()
    return info.uordblks + info.hblkhd

def arrow_on_the_heap(queue):
    before = in_use()
    buffer = pa.allocate_buffer(16 << 20)
    queue.put(in_use() - before >= 16 << 20)

if sys.argv[1] == "share":
    share_one_heap()
queue = multiprocessing.get_context("fork").Queue()
child = multiprocessing.get_context("fork").Process(target=arrow_on_the_heap, args=(queue,))
child.start()
arrow_on_the_heap(queue)
print(queue.get(), queue.get())
child.join()
"""
)


@pytest.mark.skipif(
    not hasattr(ctypes.CDLL(None), "mallinfo2"), reason="reads glibc's (2.33+) mallinfo2"
)
def test_arrow_allocates_from_the_c_heap_in_the_run_and_its_forked_workers():
    def on_the_heap(mode: str) -> str:
        return subprocess.run(
            [sys.executable, "-c", ONE_HEAP, mode], capture_output=True, text=True, check=True
        ).stdout.split()

    assert on_the_heap("default") == ["False", "False"]  # Arrow's own allocator: not glibc's
    assert on_the_heap("share") == ["True", "True"]  # the run's process and a forked worker
