"""How many duplicate records each person gets: an exact total, spread by a chosen distribution."""

import math
from collections.abc import Callable

import numpy as np

ZIPF_EXPONENT = 2.0
POISSON_MEAN = 1.0
GEOMETRIC_P = 0.5
WEIGHTS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    # settings.DISTRIBUTIONS name -> relative P(k copies) for k = 1, 2, ..., up to a constant
    "uniform": lambda k: np.ones(len(k)),
    "poisson": lambda k: np.array([POISSON_MEAN ** (i - 1) / math.factorial(i - 1) for i in k]),
    "zipf": lambda k: k.astype(np.float64) ** -ZIPF_EXPONENT,
    "geometric": lambda k: (1 - GEOMETRIC_P) ** (k - 1.0),
}


def copies_pmf(distribution: str, max_copies: int) -> np.ndarray:
    """P(k copies) for k = 1..max_copies: the distribution renormalised over that range, so the
    tail beyond the maximum is spread over every count instead of piled onto the cap."""
    if distribution not in WEIGHTS:
        raise ValueError(f"unknown distribution {distribution!r}")
    weights = WEIGHTS[distribution](np.arange(1, max_copies + 1))
    return weights / weights.sum()


def draw_copies(
    rng: np.random.Generator, size: int, distribution: str, max_copies: int
) -> np.ndarray:
    """``size`` copy counts in ``1..max_copies``, drawn from ``distribution`` renormalised."""
    cumulative = np.cumsum(copies_pmf(distribution, max_copies))
    drawn = np.searchsorted(cumulative, rng.random(size) * cumulative[-1], side="right")
    return 1 + np.minimum(drawn, max_copies - 1)


def copies_per_entity(
    rng: np.random.Generator, n: int, target: int, distribution: str, max_copies: int
) -> np.ndarray:
    """Copies of each of ``n`` people (mostly 0), adding up to exactly ``target``.

    People are taken in a random order, each drawing its count from the distribution, until the
    target is reached (the last count is cut to fit). Raises when ``n * max_copies < target``.
    """
    if target > n * max_copies:
        raise ValueError(f"{target} duplicates cannot come from {n} people x {max_copies} copies")
    order = rng.permutation(n)
    draws = draw_copies(rng, n, distribution, max_copies)
    total = np.cumsum(draws)
    if n and total[-1] < target:
        draws = _top_up(draws, target - total[-1], max_copies)
        total = np.cumsum(draws)
    taken = np.minimum(draws, np.maximum(target - (total - draws), 0))
    counts = np.zeros(n, dtype=np.int64)
    counts[order] = taken
    return counts


def _top_up(draws: np.ndarray, missing: int, max_copies: int) -> np.ndarray:
    """Raise counts toward ``max_copies``, first people first, until ``missing`` more exist."""
    room = max_copies - draws
    before = np.cumsum(room) - room
    return draws + np.clip(missing - before, 0, room)
