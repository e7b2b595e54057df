"""Freed memory kept for reuse by the next block, instead of given back to the kernel."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from heap import has_mallinfo2

pytestmark = pytest.mark.skipif(not has_mallinfo2(), reason="reads glibc's (2.33+) mallinfo2")

FREED = """
import sys
from heap import freed_mib_kept
from gensample.output.allocator import keep_freed_memory

if sys.argv[1] == "keep":
    keep_freed_memory()
print(freed_mib_kept())
"""


def run_script(script: str, mode: str) -> str:
    """What ``script`` prints, run with ``mode`` in a new process that can import ``heap``."""
    environ = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}
    done = subprocess.run(
        [sys.executable, "-c", script, mode],
        capture_output=True,
        text=True,
        check=True,
        env=environ,
    )
    return done.stdout


def test_freed_buffers_stay_for_reuse_instead_of_going_back_to_the_kernel():
    assert int(run_script(FREED, "default")) < 5
    assert int(run_script(FREED, "keep")) >= 35


ONE_HEAP = """
import multiprocessing, sys
import pyarrow as pa
from heap import mallinfo2
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


def test_arrow_allocates_from_the_c_heap_in_the_run_and_its_forked_workers():
    assert run_script(ONE_HEAP, "default").split() == ["False", "False"]  # Arrow's own allocator
    assert run_script(ONE_HEAP, "share").split() == ["True", "True"]  # the run and a forked worker
