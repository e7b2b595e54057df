"""The allocators' settings for a run: one heap for NumPy and Arrow, freed memory kept for the
next block.

By default glibc returns a freed buffer of more than 128 KB (up to 32 MB, as it adapts) to the
kernel at once, and trims the top of its heap beyond 128 KB. A run allocates and frees buffers
of a few MB for every block (NumPy arrays, texts, the lines of the history truth), so it kept
taking the same memory back from the kernel, at one page fault per 4 KB: about 90,000 faults
and 0.6 s of CPU for a million customers, 13% of the run. Keeping up to 128 MB of freed memory
makes it reused instead; peak memory does not grow, since a block needs the same buffers as the
one before.

Arrow allocates from its own allocator by default (mimalloc in the Linux wheels), which keeps
freed pages of its own: a worker then held two reserves of free memory, one NumPy could not
use and one Arrow could not. With Arrow on the C heap as well the two reuse one another's
memory: at a million customers with two workers, the process tree's peak fell from 1,187 MiB
to 1,011 MiB, at the same speed.

A worker forked from the run shares the run's heap, in huge pages (see ``gensample.launch``),
until one of them writes to it; Linux then maps the written 2 MB page again as 512 pages of
4 KB, the written one copied. A worker reuses free memory all over the run's heap, which so
ends up in small pages (35 of a worker's 205 MB of heap at the end of a 1M day).
``own_inherited_heap`` makes that memory the worker's own in huge pages at once: whole 1M days
3.7% faster, for about 45 MiB more memory (pages the workers shared with the run until they
wrote to them, now copied whole; bench/README.md).
"""

import ctypes
import logging
from pathlib import Path
from typing import Any

import pyarrow as pa

log = logging.getLogger(__name__)

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
"""``mallopt`` parameters, from glibc's ``malloc.h``."""
MMAP_THRESHOLD = 32 << 20
"""Buffers up to this size come from the heap, and go back to it when freed (glibc's maximum)."""
TRIM_THRESHOLD = 128 << 20
"""Free memory at the top of the heap is given back to the kernel only beyond this."""
MADV_POPULATE_WRITE, MADV_COLLAPSE = 23, 25
"""``madvise`` advice (Linux 5.14 and 6.1): fault pages in as a write would (a shared page is
copied, nothing written), and map a range in huge pages now."""
ADVICE = (MADV_POPULATE_WRITE, MADV_COLLAPSE)
"""The advice ``own_inherited_heap`` gives, each asked of Linux first for no bytes."""
HUGE_PAGE, SMALL_PAGE = 2 << 20, 4 << 10
"""The sizes of a huge page of the heap and of the small page made the process's own in each."""


def share_one_heap() -> None:
    """Make Arrow allocate from the C heap, as NumPy does, in this process and those it forks."""
    pa.set_memory_pool(pa.system_memory_pool())


def keep_freed_memory() -> None:
    """Make glibc keep freed memory for reuse, in this process and those it starts later; with
    another C library (musl, macOS, Windows), change nothing."""
    mallopt = _c_function("mallopt")
    if mallopt is None:
        log.debug("no mallopt in this C library: allocator settings left as they are")
        return
    mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)


def own_inherited_heap() -> None:
    """In a process forked from one whose heap lies in huge pages: copy the heap once into huge
    pages of its own (about 30 ms for 80 MB), rather than have each huge page it writes to split
    into small ones (see the module). Each huge page of the heap is made the process's own by a
    write fault on its first 4 KB (no byte written), then Linux collapses the heap into huge
    pages again. Nothing is done where the heap may not have huge pages (huge pages off, or not
    asked for: ``glibc.malloc.hugetlb=0``), nor where Linux is older than 6.1 (it refuses
    advice it does not know, even for no bytes: asked first)."""
    madvise = _c_function("madvise")
    try:
        ranges = _huge_page_heap(Path("/proc/self/smaps").read_text())
    except OSError:  # not Linux
        return
    if madvise is None or not ranges:
        return
    madvise.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    if any(madvise(ranges[0][0], 0, advice) for advice in ADVICE):  # advice it does not know
        log.debug("no MADV_COLLAPSE in this Linux: the inherited heap left as it is")
        return  # the write faults alone would only split its huge pages
    for start, end in ranges:
        for page in range(start, end, HUGE_PAGE):
            madvise(page, SMALL_PAGE, MADV_POPULATE_WRITE)
        if madvise(start, end - start, MADV_COLLAPSE):  # no huge page free: as writes leave it
            log.debug("heap not collapsed into huge pages: errno %d", ctypes.get_errno())


def _c_function(name: str) -> Any:
    """The C library's function ``name`` (its error in ``ctypes.get_errno()``), or None where
    it has none (musl, macOS) or there is no C library to open by None (Windows)."""
    try:
        return getattr(ctypes.CDLL(None, use_errno=True), name)
    except (OSError, AttributeError, TypeError):
        return None


def _huge_page_heap(smaps: str) -> list[tuple[int, int]]:
    """The whole huge pages of each part of the heap that may lie in huge pages, as address
    ranges, from the text of ``/proc/self/smaps``."""
    ranges, heap = [], None
    for line in smaps.splitlines():
        fields = line.split()
        if "-" in fields[0]:  # a mapping's first line (the others begin with a key)
            heap = fields[0] if fields[-1] == "[heap]" else None
        elif heap and fields == ["THPeligible:", "1"]:
            low, high = (int(bound, 16) for bound in heap.split("-"))
            start, end = -(-low // HUGE_PAGE) * HUGE_PAGE, high // HUGE_PAGE * HUGE_PAGE
            if end > start:
                ranges.append((start, end))
    return ranges
