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
"""

import ctypes
import logging

import pyarrow as pa

log = logging.getLogger(__name__)

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
"""``mallopt`` parameters, from glibc's ``malloc.h``."""
MMAP_THRESHOLD = 32 << 20
"""Buffers up to this size come from the heap, and go back to it when freed (glibc's maximum)."""
TRIM_THRESHOLD = 128 << 20
"""Free memory at the top of the heap is given back to the kernel only beyond this."""


def share_one_heap() -> None:
    """Make Arrow allocate from the C heap, as NumPy does, in this process and those it forks."""
    pa.set_memory_pool(pa.system_memory_pool())


def keep_freed_memory() -> None:
    """Make glibc keep freed memory for reuse, in this process and those it starts later; with
    another C library (musl, macOS, Windows), change nothing."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):  # TypeError: no C library to open by None
        log.debug("no mallopt in this C library: allocator settings left as they are")
        return
    mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
