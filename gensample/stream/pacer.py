"""The pace of a stream: a token bucket on a monotonic clock, and the shape of a retail day.

The bucket fills at the target rate up to ``BURST_SECONDS`` of events, so a pause in emitting
(a micro-batch being generated) is made up at once, and the rate over any longer stretch is the
target exactly. The clock and the sleep are arguments, so tests drive the pacer with a fake clock.
"""

import datetime as dt
import math
import threading
import time
from collections.abc import Callable

BURST_SECONDS = 1.0
"""Events the bucket holds at most, in seconds of the target rate: what a stall is made up by."""
MAX_WAIT = 0.1
"""Longest single sleep, so a changed rate, a pause or a stop is seen within it."""
EPSILON = 1e-6
"""Tokens a float sum may fall short by."""
UNLIMITED = math.inf
"""The rate of ``--rate max``: tokens are never waited for."""

HOUR_SHAPE = (
    0.15, 0.08, 0.05, 0.04, 0.05, 0.12, 0.35, 0.7, 1.0, 1.25, 1.45, 1.6,
    1.7, 1.65, 1.55, 1.5, 1.55, 1.7, 1.8, 1.7, 1.4, 1.0, 0.6, 0.3,
)  # fmt: skip
"""Relative traffic of each hour of the day (UTC), Monday to Sunday alike: quiet at night,
peaks at lunch and after work, when the stores (open 7:00 to 21:00) are busiest."""
WEEKDAY_SHAPE = (0.9, 0.88, 0.9, 0.95, 1.1, 1.2, 1.07)
"""Relative traffic of Monday to Sunday: the weekend brings the DIY shoppers."""
_MEAN_SHAPE = sum(HOUR_SHAPE) / 24 * sum(WEEKDAY_SHAPE) / 7


def clock_factor(moment: dt.datetime) -> float:
    """How busy ``moment`` is against the week's average (the week's mean factor is 1)."""
    return HOUR_SHAPE[moment.hour] * WEEKDAY_SHAPE[moment.weekday()] / _MEAN_SHAPE


class Pacer:
    """A token bucket: :meth:`take` hands out events at ``rate`` per second on average."""

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._rate = rate
        self._tokens = 0.0
        self._filled_at = clock()

    @property
    def rate(self) -> float:
        """Events per second handed out (``UNLIMITED``: as fast as they are asked for)."""
        return self._rate

    def set_rate(self, rate: float) -> None:
        """Change the rate from now on (tokens already earned are kept, up to the burst)."""
        with self._lock:
            self._fill()
            self._rate = rate
            self._tokens = min(self._tokens, self._capacity())

    def take(self, least: int, most: int) -> int:
        """Wait until ``least`` events may go (for at most ``MAX_WAIT``), then hand out up to
        ``most``; 0 when the wait ran out first (the caller checks for a pause or a stop)."""
        with self._lock:
            if self._rate == UNLIMITED:
                return most
            self._fill()
            if self._tokens + EPSILON >= least:  # the sleep below may land a hair short
                granted = min(most, int(self._tokens + EPSILON))
                self._tokens -= granted
                return granted
            wait = min((least - self._tokens) / self._rate if self._rate else MAX_WAIT, MAX_WAIT)
        self._sleep(wait)
        return 0

    def owe(self, events: int) -> None:
        """Count ``events`` sent beyond what :meth:`take` handed out (a basket kept whole)."""
        with self._lock:
            self._tokens -= events

    def restart(self) -> None:
        """Forget the time that passed (after a pause): no burst of saved-up events."""
        with self._lock:
            self._tokens, self._filled_at = 0.0, self._clock()

    def _fill(self) -> None:
        now = self._clock()
        earned = (now - self._filled_at) * self._rate
        self._tokens = min(self._tokens + earned, self._capacity())
        self._filled_at = now

    def _capacity(self) -> float:
        return max(1.0, self._rate * BURST_SECONDS)
