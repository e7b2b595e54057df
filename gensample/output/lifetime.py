"""Worker processes die with their parent, however it died; stop signals reach the main thread.

SIGKILL (the OOM killer, ``kill -9``) cannot be caught, so a run cannot stop its workers when it
is killed: each worker asks the kernel to kill it when its parent dies, so it never keeps
writing, or holds memory, after the run is gone. The stop signals (``STOP_SIGNALS``) are the
run's main thread's to handle (``daily.signals``): its helper threads block them, so that the
kernel wakes the main thread with a stop even when it is waiting for a helper.
"""

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

_PR_SET_PDEATHSIG = 1  # linux/prctl.h

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
"""The signals that stop a run cleanly (``daily.signals``)."""


def leave_stop_signals_to_the_main_thread() -> None:
    """In a helper thread (hashing the files, streaming): block the stop signals, so
    that the kernel hands them to the main thread, where the handler that stops the run runs,
    and never to a thread that would only pass them on."""
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)


def helper_threads(count: int | None = 1, name: str = "") -> ThreadPoolExecutor:
    """A pool of ``count`` helper threads named after ``name``, with the stop signals blocked
    in each (:func:`leave_stop_signals_to_the_main_thread`)."""
    return ThreadPoolExecutor(count, name, initializer=leave_stop_signals_to_the_main_thread)


def start_helper_thread(target: Callable[[], object], name: str) -> threading.Thread:
    """Start a daemon thread called ``name`` running ``target`` with the stop signals blocked
    (the threads it starts inherit that)."""

    def helper() -> None:
        leave_stop_signals_to_the_main_thread()
        target()

    thread = threading.Thread(target=helper, name=name, daemon=True)
    thread.start()
    return thread


def die_with_parent(parent: int) -> None:
    """In a worker process: be killed as soon as ``parent`` dies, however it died.

    Linux's ``PR_SET_PDEATHSIG`` does it in the kernel; elsewhere a thread checks every half
    second. Stop signals are left to the parent (SIGINT ignored, the others at their default),
    which stops the pool itself.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    if not _ask_kernel():
        threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # it died before we asked
        os._exit(1)


def _ask_kernel() -> bool:
    """Ask Linux to SIGKILL this process when its parent dies; whether that was possible."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    return libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)
