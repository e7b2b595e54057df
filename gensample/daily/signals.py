"""Stop signals: a run stops cleanly at SIGTERM, SIGHUP or SIGINT, and says what it left.

cron, systemd, an operator's ``kill`` or a closed terminal send SIGTERM, SIGHUP or SIGINT;
:func:`stop_on_signals` turns the first of them into :class:`Interrupted`, raised in the main
thread, so the run's ``finally`` blocks stop the workers, drop the staging copy and release the
lock. Inside :func:`deferred` (the commit and its bookkeeping) a signal waits until the block
ends, so the run can say truthfully whether the day was committed.

SIGKILL (the OOM killer, ``kill -9``) cannot be caught: workers die with their parent by
themselves (``output.lifetime``).
"""

import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from gensample.output.lifetime import STOP_SIGNALS

log = logging.getLogger(__name__)

RAISE_AGAIN_SECONDS = 0.01
"""How soon a stop that could not be raised is sent to the main thread again."""


class Interrupted(BaseException):
    """A stop signal arrived; ``committed`` says whether the day was committed before it."""

    def __init__(self, signum: int, committed: bool = False) -> None:
        super().__init__(signum, committed)
        self.signum, self.committed = signum, committed

    def __str__(self) -> str:
        name = signal.Signals(self.signum).name
        if self.committed:
            return f"stopped by {name} after the day was committed: the day is complete"
        return f"stopped by {name}: the day was not committed and is left as it was"


class _Stopper:
    """The process's stop state: whether a signal arrived, and whether raising waits."""

    def __init__(self, report: Any = sys.unraisablehook) -> None:
        self.report = report
        """How exceptions Python cannot raise were reported before (to stderr, by default)."""
        self.received: int | None = None
        self.deferring = 0
        self.committed = False
        """Whether a commit block ran to its end: a later stop leaves the day complete."""
        self.swallowed = False
        """Whether the stop was raised where Python ignores exceptions: it is raised again."""

    def handle(self, signum: int, frame: object) -> None:
        if self.received is not None and not self.swallowed:
            # the same stop again is no news (timeout signals the run, then its whole group)
            level = logging.INFO if signum == self.received else logging.WARNING
            log.log(level, "%s ignored: already stopping", signal.Signals(signum).name)
            return
        self.received, self.swallowed = self.received or signum, False
        if not self.deferring:
            raise Interrupted(self.received, self.committed)

    def unraisable(self, unraisable: Any) -> None:
        """``sys.unraisablehook`` meanwhile: a stop raised where Python only reports exceptions
        (Python code that ``os.fork``, a finalizer or a weak reference runs: the handler runs
        in whatever Python code the main thread runs) is sent to the main thread again, from
        another thread, shortly after, so that it is raised once that code has returned (sent
        again if not); other exceptions are reported as before."""
        if not isinstance(unraisable.exc_value, Interrupted):
            return self.report(unraisable)
        self.swallowed = True
        main = threading.main_thread().ident
        again = threading.Timer(RAISE_AGAIN_SECONDS, signal.pthread_kill, (main, self.received))
        again.daemon = True
        again.start()


_stopper = _Stopper()


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Raise :class:`Interrupted` at the first SIGINT, SIGTERM or SIGHUP; ignore the later
    ones (the clean-up they would cut short is what the first one started). A stop signal the
    starting process left blocked (inherited across ``exec``) is unblocked meanwhile: blocked in
    every thread, it would wait, unseen, until the run had committed and exited. Arrow's own
    SIGINT and SIGTERM handlers, which it sets around a CSV read in the main thread to cancel
    it and then sends the signal on, are turned off meanwhile: the stop is this handler's alone
    (a run in one process, signalled as it read its name tables, once committed and exited 0).
    A stop raised where Python cannot raise it (in code run at ``os.fork``, in a finalizer) is
    sent to the main thread again (:meth:`_Stopper.unraisable`): a run signalled as it started
    its workers once went on to commit the day before it stopped."""
    global _stopper
    _stopper = _Stopper(report=sys.unraisablehook)
    earlier = {signum: signal.signal(signum, _stopper.handle) for signum in STOP_SIGNALS}
    mask = signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    pa.enable_signal_handlers(False)
    sys.unraisablehook = _stopper.unraisable
    try:
        yield
    finally:
        sys.unraisablehook = _stopper.report
        pa.enable_signal_handlers(True)  # Arrow's default
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        for signum, handler in earlier.items():
            signal.signal(signum, handler)
        _stopper = _Stopper()  # a stop belongs to its command: later runs start clean


@contextlib.contextmanager
def deferred(commit: bool = False) -> Iterator[None]:
    """Hold a stop signal until the block ends, then raise it as :class:`Interrupted`. A
    ``commit`` block commits the day: once it has run to its end, every stop, then or later in
    the command, says the day is committed."""
    _stopper.deferring += 1
    try:
        yield
        _stopper.committed = _stopper.committed or commit
    finally:
        _stopper.deferring -= 1
    if _stopper.received is not None and not _stopper.deferring:
        raise Interrupted(_stopper.received, _stopper.committed)
