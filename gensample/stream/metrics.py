"""What a running stream counts, shown at ``GET /metrics`` in the Prometheus text format."""

import collections
import math
import threading
import time
from collections.abc import Callable

RATE_WINDOW = 10.0
"""Seconds the achieved rate is measured over."""
SAMPLE_EVERY = 0.25


class Metrics:
    """Counters of a stream, safe to update and read from any thread."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock, self._lock = clock, threading.Lock()
        self.events: collections.Counter = collections.Counter()
        self.files: collections.Counter = collections.Counter()
        self.bytes: collections.Counter = collections.Counter()
        self.delivered: collections.Counter = collections.Counter()
        self.sink_errors: collections.Counter = collections.Counter()
        self.target_rate, self.paused = 0.0, False
        self._samples = collections.deque([(clock(), 0)])

    def count(self, counter: str, name: str, amount: int = 1) -> None:
        """Add ``amount`` to ``name`` in a counter: ``events``, ``files``, ``bytes``,
        ``delivered`` or ``sink_errors``."""
        with self._lock:
            getattr(self, counter)[name] += amount
            if counter == "events":
                self._sample()

    def _sample(self) -> None:
        now, total = self._clock(), self.events.total()
        if now - self._samples[-1][0] >= SAMPLE_EVERY:
            self._samples.append((now, total))
            while now - self._samples[0][0] > RATE_WINDOW:
                self._samples.popleft()

    def achieved_rate(self) -> float:
        """Events per second over about the last ``RATE_WINDOW`` seconds."""
        with self._lock:
            then, before = self._samples[0]
            elapsed = self._clock() - then
            return (self.events.total() - before) / elapsed if elapsed > 0 else 0.0

    def text(self) -> str:
        """Every metric in the Prometheus text exposition format."""
        achieved = self.achieved_rate()
        with self._lock:
            lines = [
                *_family("events_total", "counter", "Events sent, per dataset.", self.events),
                *_family("files_rolled_total", "counter", "Files closed.", self.files),
                *_family("bytes_total", "counter", "Bytes of closed files.", self.bytes),
                *_family("delivered_total", "counter", "Kafka deliveries.", self.delivered),
                *_family("sink_errors_total", "counter", "Sink errors, by kind.", self.sink_errors),
                *_gauge("target_rate", "Events per second aimed at.", self.target_rate),
                *_gauge("achieved_rate", f"Events per second, last {RATE_WINDOW:g} s.", achieved),
                *_gauge("paused", "1 while paused.", int(self.paused)),
            ]
        return "\n".join(lines) + "\n"


def _family(name: str, kind: str, help_text: str, values: collections.Counter) -> list[str]:
    """One labelled metric family; the label is ``dataset``, or ``kind`` for problems."""
    label = "kind" if name.startswith("sink_errors") else "dataset"
    full = f"gensample_stream_{name}"
    rows = [f'{full}{{{label}="{key}"}} {value}' for key, value in sorted(values.items())]
    return [f"# HELP {full} {help_text}", f"# TYPE {full} {kind}", *rows]


def _gauge(name: str, help_text: str, value: float) -> list[str]:
    full = f"gensample_stream_{name}"
    shown = "+Inf" if value == math.inf else f"{value:g}"
    return [f"# HELP {full} {help_text}", f"# TYPE {full} gauge", f"{full} {shown}"]
