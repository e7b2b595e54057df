"""Micro-batches generated one ahead in a background thread, so sending never waits for one.

The thread alone moves the stream's progress; the main thread writes the progress of a
micro-batch to ``state.json`` when it takes the micro-batch to send, so one generated ahead and
never taken (the stream stopped first) claims no ids: a restart generates it again.
"""

import copy
import datetime as dt
from concurrent.futures import Future
from pathlib import Path

import pyarrow as pa

from gensample.daily.signals import deferred
from gensample.output.lifetime import helper_threads
from gensample.settings import Settings
from gensample.stream import microbatch, progress

STATE_FILE = "state.json"


class Supply:
    """The next micro-batch of the stream, being generated while the current one is sent."""

    def __init__(self, settings: Settings, sent: list[str], root: Path) -> None:
        self._settings, self._sent, self._state = settings, sent, root / STATE_FILE
        self._progress = progress.load(self._state)
        self._executor = helper_threads(1, "stream-generate")
        self._next: Future | None = None
        self.per_person = 5.0
        """Events per person of the latest micro-batch: how many people a second of events is."""

    def ahead(self, people: int) -> None:
        """Start generating the next micro-batch of ``people`` unless one is under way."""
        if self._next is None:
            self._next = self._executor.submit(self._generate, people)

    def take(self) -> list[tuple[str, pa.Table]]:
        """The micro-batch generated ahead (waited for), its ids claimed in ``state.json``."""
        tables, claimed = self._next.result()
        self._next = None
        with deferred():
            claimed.save(self._state)
        return tables

    def close(self) -> None:
        """Drop a micro-batch under way (it claimed nothing)."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _generate(self, people: int) -> tuple[list[tuple[str, pa.Table]], progress.Progress]:
        generation = microbatch.generation_settings(self._settings, self._sent, people)
        today = dt.datetime.now(dt.timezone.utc).date()
        tables = microbatch.generate(generation, self._progress, today)
        events = sum(table.num_rows for name, table in tables if name in self._sent)
        self.per_person = max(events / people, 0.1)
        return tables, copy.deepcopy(self._progress)
