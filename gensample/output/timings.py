"""Seconds spent per stage, added up over blocks and workers."""

import contextlib
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping


class Stopwatch:
    """Accumulates seconds per named stage."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the body of a ``with`` block as stage ``name``."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - started

    def add(self, seconds: Mapping[str, float]) -> None:
        """Add stage times measured elsewhere (e.g. in a worker process)."""
        for name, value in seconds.items():
            self.seconds[name] += value

    def report(self) -> str:
        """One line per stage, e.g. ``population   0.412 s``."""
        width = max((len(name) for name in self.seconds), default=0)
        return "\n".join(f"{name:<{width}}  {value:8.3f} s" for name, value in self.seconds.items())
