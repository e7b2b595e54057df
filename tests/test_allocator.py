"""Freed memory kept for reuse by the next block, instead of given back to the kernel; a
worker's heap in huge pages of its own."""

import os
import platform
import re
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


def run_script(script: str, mode: str, tunables: str = "") -> str:
    """What ``script`` prints, run with ``mode`` in a new process that can import ``heap``
    (with glibc's ``tunables``)."""
    environ = {**os.environ, "PYTHONPATH": str(Path(__file__).parent), "GLIBC_TUNABLES": tunables}
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


INHERITED_HEAP = """
import os, sys
import numpy as np
from gensample.output.allocator import keep_freed_memory, own_inherited_heap

def heap_mib():
    resident = huge = 0
    mapping = None
    for line in open("/proc/self/smaps"):
        fields = line.split()
        if "-" in fields[0]:
            mapping = fields[-1]
        elif mapping == "[heap]" and fields[0] == "Rss:":
            resident += int(fields[1])
        elif mapping == "[heap]" and fields[0] == "AnonHugePages:":
            huge += int(fields[1])
    return resident >> 10, huge >> 10

keep_freed_memory()
buffers = [np.ones(1 << 17) for _ in range(64)]  # 64 MiB of heap, in pieces of 1 MiB
del buffers[::2]  # every other one freed: free memory all over the heap
print(*heap_mib())
if os.fork() == 0:  # a worker
    if sys.argv[1] == "own":
        own_inherited_heap()
    reused = [np.ones(1 << 17) for _ in range(32)]  # written where the freed ones were
    print(*heap_mib(), flush=True)
    os._exit(0)
os.wait()
"""
HUGE_HEAP = "glibc.malloc.hugetlb=1"


def heaps(mode: str, tunables: str = HUGE_HEAP) -> tuple[int, int, int, int]:
    """The heap's resident and huge-page MiB in the run, then in its forked worker."""
    run, worker = run_script(INHERITED_HEAP, mode, tunables).splitlines()
    return (*map(int, run.split()), *map(int, worker.split()))


def huge_pages_on_request() -> bool:
    """Whether Linux gives transparent huge pages where a program asks (``madvise``, as most
    distributions do) and collapses a range on request (``MADV_COLLAPSE``, Linux 6.1)."""
    setting = Path("/sys/kernel/mm/transparent_hugepage/enabled")
    linux = tuple(int(part) for part in re.findall(r"\d+", platform.release())[:2])
    return setting.exists() and "[madvise]" in setting.read_text() and linux >= (6, 1)


needs_huge_pages = pytest.mark.skipif(
    not huge_pages_on_request(), reason="needs huge pages on request and Linux 6.1"
)


@needs_huge_pages
def test_a_forked_worker_holds_its_inherited_heap_in_huge_pages_of_its_own():
    run_resident, run_huge, resident, huge = heaps("plain")
    assert run_huge >= 0.9 * run_resident  # the run's heap in huge pages: glibc asked for them
    assert huge < 0.25 * resident  # each huge page the worker wrote to was split in small ones
    *_, resident, huge = heaps("own")
    assert huge >= 0.9 * resident


@needs_huge_pages
def test_a_worker_leaves_its_heap_in_small_pages_when_huge_pages_are_not_wanted():
    _, run_huge, resident, huge = heaps("own", "glibc.malloc.hugetlb=0")
    assert run_huge == huge == 0 and resident >= 32
