"""Random draws the dataset modules share: weighted picks, counts, amounts and record ids.

Two kinds of draws, which consume their stream differently (so one never stands in for the
other without changing the data):

- lookup tables (``Lookup``, made by ``shares``, ``truncated_geometric`` and, for texts,
  ``choices``): a distribution at ``LOOKUP_SIZE`` quantiles, one small random integer a row;
  the fastest, exact to 1/``LOOKUP_SIZE`` of probability;
- exact draws, one uniform float a row: ``CappedGeometric`` counts and ``by_odds`` indices.

Long weighted lists (names, places) are drawn with ``gensample.reference.Pool`` instead.
"""

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pyarrow as pa

from gensample.generate.datasets.common import shuffled_ids
from gensample.native.take import take

LOOKUP_SIZE = 4096
"""Entries of a lookup table: distributions are drawn to 1/4096 of probability."""


@dataclass(frozen=True)
class Lookup:
    """A distribution as its values at ``LOOKUP_SIZE`` evenly spaced quantiles: a uniformly
    drawn entry is a draw from it, for one small random integer per row (the fastest draw)."""

    table: np.ndarray

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` values drawn from the distribution."""
        return self.table[rng.integers(0, LOOKUP_SIZE, n, dtype=np.uint16)]


def quantiles(inverse_cdf: Callable[[np.ndarray], np.ndarray]) -> Lookup:
    """The distribution of ``inverse_cdf`` (probabilities to values, vectorised)."""
    return Lookup(inverse_cdf((np.arange(LOOKUP_SIZE) + 0.5) / LOOKUP_SIZE))


def shares(weights: Sequence[float]) -> Lookup:
    """Indices 0 to ``len(weights) - 1`` drawn in proportion to ``weights``."""
    cdf = np.cumsum(weights) / np.sum(weights)
    return quantiles(lambda q: np.searchsorted(cdf, q, side="right"))


@functools.cache
def truncated_geometric(most: int, p: float) -> Lookup:
    """Counts 1 to ``most``, each one ``1 - p`` times as likely as the one before (the law cut
    at ``most`` and scaled up to a whole; ``CappedGeometric`` piles the rest on ``most``)."""
    return Lookup(shares((1 - p) ** np.arange(most)).table + 1)


@dataclass(frozen=True)
class Choices:
    """Texts drawn by weight."""

    values: pa.Array
    lookup: Lookup

    def draw(self, rng: np.random.Generator, n: int) -> pa.Array:
        """``n`` texts drawn by weight."""
        return take(self.values, self.lookup.draw(rng, n))


def choices(weights: dict[str, float]) -> Choices:
    """The texts of ``weights`` drawn in proportion to their weights."""
    return Choices(pa.array(list(weights)), shares(list(weights.values())))


class CappedGeometric(NamedTuple):
    """Counts from ``least`` to ``most``: geometric, with a mean of about ``mean``, a draw
    beyond ``most`` counted as ``most``. Exact (one uniform float a draw), unlike the lookup
    table of ``truncated_geometric``."""

    least: int
    mean: float
    most: int

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` counts."""
        failure = 1 - 1 / (self.mean - self.least + 1)
        if failure <= 0:
            return np.full(n, self.least, np.int64)
        # inverse CDF of the geometric law, several times faster than Generator.geometric
        drawn = self.least + (np.log1p(-rng.random(n)) / np.log(failure)).astype(np.int64)
        return np.minimum(drawn, self.most)


def by_odds(rng: np.random.Generator, odds: np.ndarray, n: int) -> np.ndarray:
    """``n`` indices into a few ``odds`` (adding up to 1), drawn by them: exact (one uniform
    float a draw), unlike the lookup table of ``shares``."""
    uniform = rng.random(n)
    index = np.zeros(n, np.int64)
    for edge in np.cumsum(odds)[:-1]:
        index += uniform >= edge
    return index


class Ids(NamedTuple):
    """A block's ids of a dataset, handed out at random to the rows as they are generated."""

    of_row: np.ndarray
    """The id of each row, in the order rows are generated."""
    order: np.ndarray
    """The rows in id order."""
    in_order: np.ndarray
    """The ids in order: the id column."""


def random_ids(rng: np.random.Generator, start: int, count: int) -> Ids:
    """The ids ``start..start+count`` handed out in a random order (``common.shuffled_ids``)."""
    of_row = shuffled_ids(rng, start, count)
    order = np.empty(count, np.int64)
    order[of_row - start] = np.arange(count)  # the inverse permutation
    return Ids(of_row, order, np.arange(start, start + count))


def in_id_order(rng: np.random.Generator, start: int, values: np.ndarray) -> np.ndarray:
    """``values`` (one per record, in the order they were made) in the order of their records'
    ids ``start..start+len(values)``, handed out at random (``random_ids``)."""
    return values[random_ids(rng, start, len(values)).order]
