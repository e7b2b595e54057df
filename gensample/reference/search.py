"""Sorted values searched for many keys at once, faster than ``np.searchsorted``."""

import functools
from dataclasses import dataclass

import numpy as np

from gensample.native.search import search_right

GUIDE_BUCKETS_PER_VALUE, GUIDE_MAX_BUCKETS = 16, 1 << 17
"""Buckets of a ``Sorted``'s guide: enough that few hold a value, few enough to stay in cache."""


@dataclass(frozen=True)
class Sorted:
    """Ascending values, searched for many keys at once several times faster than by
    ``np.searchsorted`` (a binary search per key): equal buckets span the values, and a key
    whose bucket holds none takes the answer stored at the bucket (a guide table, as Chen and
    Asau's 1974 cutpoints); only the other keys are searched."""

    values: np.ndarray

    def right(self, keys: np.ndarray) -> np.ndarray:
        """``np.searchsorted(values, keys, side="right")``: how many values are at most each
        key (in one compiled pass where ``native.search`` can, else as below)."""
        counts, low, scale = self.guide
        found = search_right(self.values, keys, counts, low, scale)
        if found is not None:
            return found
        width = self._guide[1]
        with np.errstate(invalid="ignore"):  # a key not finite falls outside: it is searched
            bucket = np.clip(((keys - low) * scale).astype(np.int64), 0, len(counts) - 2)
        found = counts[bucket].astype(np.int64)
        # the edges as _guide computed them (not read from memory: this table stays small)
        inside = (low + bucket * width <= keys) & (keys < low + (bucket + 1) * width)
        unsure = np.flatnonzero(~inside | (counts[bucket + 1] != found))
        found[unsure] = np.searchsorted(self.values, keys[unsure], side="right")
        return found

    @property
    def guide(self) -> tuple[np.ndarray, float, float]:
        """The guide as ``native.search`` takes it: how many values are at most each bucket's
        start, where the first starts, and 1 / their width."""
        low, width, counts = self._guide
        return counts, low, 1 / width if width > 0 else 0.0

    @functools.cached_property
    def _guide(self) -> tuple[float, float, np.ndarray]:
        """Where the buckets start and their width, and how many values are at most each edge
        (``low + i * width``)."""
        buckets = min(GUIDE_BUCKETS_PER_VALUE * len(self.values), GUIDE_MAX_BUCKETS)
        low = float(self.values[0])
        width = (float(self.values[-1]) - low) / buckets
        edges = low + np.arange(buckets + 1) * width
        return low, width, np.searchsorted(self.values, edges, side="right").astype(np.int32)
