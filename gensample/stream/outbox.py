"""The rows of generated micro-batches waiting to be sent, parents first, in chunks."""

import collections
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from gensample.stream.microbatch import TRUTH, group_ends


@dataclass
class Waiting:
    """One dataset's rows of a micro-batch, with their truth rows (same order) if it has any."""

    name: str
    data: pa.Table
    truth: pa.Table | None
    ends: np.ndarray | None
    sent: int = 0


class Outbox:
    """Queued rows; :meth:`take` hands them out in order, a chunk at a time."""

    def __init__(self) -> None:
        self._queue: collections.deque[Waiting] = collections.deque()

    def __bool__(self) -> bool:
        return bool(self._queue)

    def add(self, tables: list[tuple[str, pa.Table]]) -> None:
        """Queue a micro-batch's datasets (``truth/<name>`` tables go with their dataset)."""
        truths = {
            name.removeprefix(TRUTH): table for name, table in tables if name.startswith(TRUTH)
        }
        for name, table in tables:
            if not name.startswith(TRUTH) and table.num_rows:
                self._queue.append(Waiting(name, table, truths.get(name), group_ends(name, table)))

    def take(self, n: int) -> tuple[list[tuple[str, pa.Table]], int]:
        """About ``n`` events as (name, rows) parts, each truth part before its data part, and
        how many events they are: more than ``n`` to keep a group (a basket) whole."""
        parts, taken = [], 0
        while taken < n and self._queue:
            waiting = self._queue[0]
            start, rows = waiting.sent, waiting.data.num_rows
            stop = min(rows, start + n - taken)
            if waiting.ends is not None and stop < rows:
                stop = int(waiting.ends[np.searchsorted(waiting.ends, stop)])
            if waiting.truth is not None:
                parts.append((TRUTH + waiting.name, waiting.truth.slice(start, stop - start)))
            parts.append((waiting.name, waiting.data.slice(start, stop - start)))
            taken += stop - start
            waiting.sent = stop
            if stop == rows:
                self._queue.popleft()
        return parts, taken
