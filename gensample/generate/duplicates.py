"""How many duplicate records each person gets: an exact total, spread by a chosen distribution."""

import numpy as np

ZIPF_EXPONENT = 2.0
POISSON_MEAN = 1.0
GEOMETRIC_P = 0.5
DRAWS = {  # settings.DISTRIBUTIONS name -> draw(rng, size, max_copies), counts from 1
    "uniform": lambda rng, size, most: rng.integers(1, most + 1, size),
    "poisson": lambda rng, size, most: 1 + rng.poisson(POISSON_MEAN, size),
    "zipf": lambda rng, size, most: rng.zipf(ZIPF_EXPONENT, size),
    "geometric": lambda rng, size, most: rng.geometric(GEOMETRIC_P, size),
}


def draw_copies(
    rng: np.random.Generator, size: int, distribution: str, max_copies: int
) -> np.ndarray:
    """``size`` copy counts from ``distribution``, truncated to ``1..max_copies``."""
    if distribution not in DRAWS:
        raise ValueError(f"unknown distribution {distribution!r}")
    draws = DRAWS[distribution](rng, size, max_copies)
    return np.minimum(draws, max_copies)


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
