"""When a person's records may be registered, and which of their records they use elsewhere."""

import datetime as dt

import numpy as np
import pyarrow as pa

from gensample.generate import population
from gensample.generate.datasets.common import DAY_SECONDS, HISTORY_DAYS, day_end
from gensample.generate.datasets.contract import BlockInput


def history_window(date: dt.date) -> tuple[int, int]:
    """First and last second a record may have been registered: the five years before the end
    of ``date``, whatever ``trans_type`` is."""
    end = day_end(date)
    return end - HISTORY_DAYS * DAY_SECONDS + 1, end


def earliest_days(block: BlockInput) -> np.ndarray:
    """The first day each of the block's people may be registered (``identity.first_times``): their
    18th birthday or the start of ``history_window``. A system refuses birth dates after it."""
    start = history_window(block.date)[0]
    return np.maximum(start, population.adult_since(block.people["birth_date"])) // DAY_SECONDS


def used_rows(
    rng: np.random.Generator, records: pa.Table, entity_start: int, entities: int
) -> np.ndarray:
    """The row of the record each person of a block uses, from a dataset's truth rows (in the
    order of its data): any one of theirs, a duplicate as likely as the original (people use
    whichever account they remember); -1 for people without one."""
    person = records["entity_id"].to_numpy() - entity_start
    if not len(person):
        return np.full(entities, -1, np.int64)
    # positions in a block (below 2**16 for the usual 50,000) sort by radix, in linear time
    order = np.argsort(person.astype(np.min_scalar_type(entities)), kind="stable")
    count = np.bincount(person, minlength=entities)
    first = np.cumsum(count) - count
    chosen = first + (rng.random(entities) * count).astype(np.int64)
    return np.where(count > 0, order[np.minimum(chosen, len(order) - 1)], -1)
