"""The start of the command (``gensample`` and ``python -m gensample``): first, once, the same
process started again with huge pages for its C heap, when that is how Linux offers them.

A block gathers values at random places in arrays of several MB (people, lines, name pools),
and with pages of 4 KB many such reads also miss the processor's cache of page
addresses (its TLB). Linux maps memory in transparent huge pages of 2 MB where a program asks
for them (``madvise``, the default of most distributions), and glibc 2.35 or later asks for
them for the heap it grows (where NumPy and Arrow allocate) when its tunable
``glibc.malloc.hugetlb`` is 1. Tunables are read when a program starts, so the command runs
itself again at once, before importing anything heavy: ``exec`` (the same process, its
arguments and open files) with the tunable added to ``GLIBC_TUNABLES``. The worker processes
fork from it and a Dask cluster it starts inherits the variable; each worker first copies the
heap it inherits into huge pages of its own (``output.allocator.own_inherited_heap``). Measured:
a 1M day's blocks 10% faster, the whole day 4.2%, a 10M day 8.3%, with the same bytes and about
the same peak memory (bench/README.md).

Nothing is done where it cannot help or is not wanted: off Linux or glibc, before glibc 2.35,
with huge pages ``always`` on (already used) or ``never``, or when ``GLIBC_TUNABLES`` already
sets ``glibc.malloc.hugetlb`` (``glibc.malloc.hugetlb=0``: not at all).
"""

import os
import re
import signal
import sys
from collections.abc import Mapping

TUNABLE = "glibc.malloc.hugetlb"
"""glibc's tunable: 1, its heap asks for transparent huge pages."""
TUNABLES = "GLIBC_TUNABLES"
"""The environment variable glibc reads its tunables from when a program starts."""
FIRST_GLIBC = (2, 35)
"""The first glibc with the tunable."""
HUGE_PAGES_SETTING = "/sys/kernel/mm/transparent_hugepage/enabled"
"""Where Linux says when it gives transparent huge pages."""


def entry() -> None:
    """Start with huge pages when it helps (see the module), then run the command line."""
    start_with_huge_pages()
    stop_in_one_line()
    from gensample.cli import entry as command_line

    command_line()


def stop_in_one_line() -> None:
    """Until the command sets its own handlers (and after it restores these), a stop signal
    ends the process with one line and exit code 1, as during its work, not silently with
    exit code 143 (or a traceback, for SIGINT) while it imports its modules."""
    from gensample.output.lifetime import STOP_SIGNALS

    for signum in STOP_SIGNALS:
        signal.signal(signum, _stopped)


def _stopped(signum: int, frame: object) -> None:
    sys.stderr.write(
        f"gensample: stopped by {signal.Signals(signum).name} as it started or ended; "
        "nothing was half-written\n"
    )
    os._exit(1)


def start_with_huge_pages() -> None:
    """Run this program again in this process with glibc's huge pages tunable on, when it helps
    (see the module) and the program can be read again (a file: the ``gensample`` script,
    ``-m gensample``; not ``-c`` nor a script read from standard input); else return and go
    on as it is."""
    environment = with_huge_pages(os.environ, glibc_version(), huge_pages_mode())
    if environment is None or not sys.executable or not os.path.isfile(sys.argv[0]):
        return
    try:
        os.execve(sys.executable, sys.orig_argv, environment)
    except OSError:  # no longer there, say: go on without
        return


def with_huge_pages(
    environment: Mapping[str, str], glibc: tuple[int, int] | None, mode: str | None
) -> dict[str, str] | None:
    """``environment`` with the huge pages tunable added, or None when it would not help: no
    glibc (None) or one before 2.35, huge pages not given on request (``mode`` other than
    ``madvise``), or the tunable already set, to either value."""
    tunables = environment.get(TUNABLES, "")
    if glibc is None or glibc < FIRST_GLIBC or mode != "madvise":
        return None
    if any(entry.split("=")[0] == TUNABLE for entry in tunables.split(":")):
        return None
    return {**environment, TUNABLES: ":".join(filter(None, [tunables, f"{TUNABLE}=1"]))}


def glibc_version() -> tuple[int, int] | None:
    """The running glibc's version, as (major, minor); None with another C library."""
    try:
        found = re.fullmatch(r"glibc (\d+)\.(\d+).*", os.confstr("CS_GNU_LIBC_VERSION") or "")
    except (ValueError, OSError, AttributeError):  # no such name here: not glibc
        return None
    return (int(found[1]), int(found[2])) if found else None


def huge_pages_mode(setting: str = HUGE_PAGES_SETTING) -> str | None:
    """When Linux gives transparent huge pages: ``always``, ``madvise`` (on request) or
    ``never``, the word in brackets of its setting; None where there is no such setting."""
    try:
        with open(setting, encoding="ascii") as handle:
            found = re.search(r"\[(\w+)\]", handle.read())
    except (OSError, ValueError):
        return None
    return found[1] if found else None
