"""Random draws for rows that belong to several callers, each drawing from its own generator.

When the fuzz passes of several source systems run together, one corruption call holds the rows
of each system one after the other. ``RowDraws`` stands for the generator in that call: each
draw of one value per row (``random(n)``, ``integers(low, high, n)``, ``random((n, k))``) is
made of each system's own draws for its rows, so that every system gets the values, and leaves
its generator in the state, that a call of its own would have.
"""

from collections.abc import Callable, Sequence

import numpy as np


class RowDraws:
    """Draws for rows ``0..n``, taken in turn from ``generators``: the first ``counts[0]`` rows
    from the first, and so on."""

    def __init__(self, generators: Sequence[np.random.Generator], counts: Sequence[int]) -> None:
        self._generators = list(generators)
        self._counts = [int(count) for count in counts]

    def random(self, size: int | tuple[int, ...]) -> np.ndarray:
        """Floats in [0, 1): one per row (``size``'s first dimension is the rows)."""
        return self._drawn(size, lambda rng, shape: rng.random(shape))

    def integers(self, low: int, high: int, size: int | tuple[int, ...]) -> np.ndarray:
        """Integers in [low, high): one per row (``size``'s first dimension is the rows)."""
        return self._drawn(size, lambda rng, shape: rng.integers(low, high, shape))

    def for_rows(self, rows: np.ndarray) -> "RowDraws":
        """Draws for only the rows ``rows`` marks (a boolean mask of every row), in order."""
        seen = np.concatenate([[0], np.cumsum(rows, dtype=np.int64)])
        counts = np.diff(seen[np.cumsum([0, *self._counts])])
        return RowDraws(self._generators, counts)

    def _drawn(self, size: int | tuple[int, ...], draw: Callable) -> np.ndarray:
        """Each generator's ``draw(rng, shape)`` for its rows, joined along the rows."""
        shape = (size,) if isinstance(size, int | np.integer) else tuple(size)
        if shape[0] != sum(self._counts):
            raise ValueError(f"a draw for {shape[0]} rows among {sum(self._counts)}")
        rngs = zip(self._generators, self._counts, strict=True)
        return np.concatenate([draw(rng, (count, *shape[1:])) for rng, count in rngs])


def for_rows(
    rng: np.random.Generator | RowDraws, rows: np.ndarray
) -> np.random.Generator | RowDraws:
    """``rng`` drawing for the rows ``rows`` marks only: a corruption drawing a value for some
    rows but not all (a boolean mask of its rows) takes its draws from this."""
    return rng.for_rows(rows) if isinstance(rng, RowDraws) else rng
