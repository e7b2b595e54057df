"""Who shops how: each person's shopper archetype, and planned counts handed out by it.

A person's archetype (occasional, hobbyist, professional... as ``archetypes.csv`` says) is a pure
function of ``(seed, entity_id)``: drawn per aligned block of people, as the population is, so
every record of a person, on every day and in every dataset, shops the same way.
"""

import functools

import numpy as np

from gensample.generate.datasets.draws import LOOKUP_SIZE
from gensample.generate.seeding import BLOCK_SIZE, stream
from gensample.native.search import lookup_draw
from gensample.reference import retail
from gensample.settings import Settings

RANK_NOISE = 1.0
"""Spread (standard deviation, on a log scale) of the noise in ``matched``: how loosely counts
follow the factors (0 would give the biggest counts strictly to the biggest factors)."""


def curves(settings: Settings) -> retail.Retail:
    """The run's shopping curves (packaged, or replaced from ``retail.data_dir``)."""
    return retail.load(settings.retail.data_dir)


def archetypes(settings: Settings, entity_id: np.ndarray) -> np.ndarray:
    """The archetype (index into ``curves(settings).archetypes``) of each person."""
    shares = tuple(curves(settings).archetype_share)
    block = entity_id // BLOCK_SIZE
    if len(block) and block.min() == block.max():  # one block's people (no sort to find it)
        return _block_archetypes(settings.seed, int(block[0]), shares)[entity_id % BLOCK_SIZE]
    found = np.zeros(len(entity_id), np.int64)
    for aligned in np.unique(block):
        here = block == aligned
        found[here] = _block_archetypes(settings.seed, int(aligned), shares)[
            entity_id[here] % BLOCK_SIZE
        ]
    return found


@functools.lru_cache(maxsize=8)
def _block_archetypes(seed: int, block: int, shares: tuple[float, ...]) -> np.ndarray:
    """The archetypes of the ``BLOCK_SIZE`` people of one aligned block."""
    cumulative = np.cumsum(shares) / np.sum(shares)
    draws = stream(seed, "shoppers", "archetype", block).random(BLOCK_SIZE)
    found = np.minimum(np.searchsorted(cumulative, draws, side="right"), len(shares) - 1)
    found.flags.writeable = False
    return found


def matched(rng: np.random.Generator, counts: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """``counts`` handed out again so that rows of bigger ``factor`` tend to get bigger ones.

    Each row scores log(factor) plus noise, and the sorted counts go to the rows in score order:
    the counts stay the same multiset (so the plan's totals hold), their owners change.
    """
    with np.errstate(divide="ignore"):
        score = np.log(factor) + rng.normal(0, RANK_NOISE, len(counts))
    # scores in 1/1000ths as 16-bit keys: numpy sorts those by radix, in linear time
    keys = np.clip(np.nan_to_num(score, neginf=-32.0) * 1000, -32_000, 32_000).astype(np.int16)
    handed = np.empty_like(counts)
    handed[np.argsort(keys, kind="stable")] = _sorted_counts(counts)
    return handed


def over_time(factor: np.ndarray, since: np.ndarray, until: np.ndarray | int) -> np.ndarray:
    """``factor`` times the time each shopper had to shop, from ``since`` to ``until`` (0 when
    none), for ``matched``: a customer of five years buys more than one of a month."""
    return factor * np.maximum(until - since + 1, 0)


def _sorted_counts(counts: np.ndarray) -> np.ndarray:
    """``np.sort(counts)`` of counts (whole numbers, none negative), counted rather than
    compared: in linear time."""
    if not len(counts):
        return counts.copy()
    return np.repeat(np.arange(counts.max() + 1, dtype=counts.dtype), np.bincount(counts))


def draw_rows(rng: np.random.Generator, table: np.ndarray, row: np.ndarray) -> np.ndarray:
    """One column index per entry of ``row``, drawn from that row of a ``lookups`` table (in
    one compiled pass where ``native.search`` can, else as below)."""
    column = rng.integers(0, LOOKUP_SIZE, len(row), dtype=np.uint16)
    drawn = lookup_draw(table, LOOKUP_SIZE, row, column)
    if drawn is not None:
        return drawn
    return table.ravel()[row * LOOKUP_SIZE + column].astype(np.int64)


def lookups(weights: np.ndarray) -> np.ndarray:
    """Each row of 2-D ``weights`` as its columns at ``LOOKUP_SIZE`` evenly spaced quantiles
    (as ``draws.Lookup``, exact to 1/``LOOKUP_SIZE`` of probability): a uniformly drawn entry
    is a draw by the weights (uniform when a row's are all 0). In the smallest integer type
    that holds the columns, so that the table stays in cache as lines draw from it."""
    cumulative = cumulative_rows(weights)
    quantile = (np.arange(LOOKUP_SIZE) + 0.5) / LOOKUP_SIZE
    found = np.stack([np.searchsorted(row, quantile, side="right") for row in cumulative])
    columns = cumulative.shape[1]
    return np.minimum(found, columns - 1).astype(np.min_scalar_type(columns - 1))


def cumulative_rows(weights: np.ndarray) -> np.ndarray:
    """Each row of ``weights`` as cumulative shares ending at exactly 1 (uniform when all 0)."""
    totals = weights.sum(axis=-1, keepdims=True)
    shares = np.where(totals > 0, weights / np.where(totals > 0, totals, 1), 1 / weights.shape[-1])
    cumulative = np.cumsum(shares, axis=-1)
    cumulative[..., -1] = 1.0
    return cumulative
