"""Archival re-injection: sampling customer records of earlier archived days.

Days are drawn uniformly (with replacement) among the good archived days before the run date;
a malformed day is logged, naming its file, and left out. Each picked day is read twice (to check
it, then to take its rows), so only one day is in memory at a time.
"""

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow.compute as pc

from gensample.daily.archiving import (
    ArchivedDay,
    ArchiveError,
    archived_days,
    kept_since,
    load_day,
)
from gensample.generate.plan import Plan
from gensample.generate.seeding import stream
from gensample.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Picked(ArchivedDay):
    """Customer records sampled from one archived day, with their truth rows in the same order."""


def for_batch(archive_dir: Path, settings: Settings, plan: Plan) -> list[Picked]:
    """Archived customer records to re-inject into this batch, when ``archival`` is on."""
    if not settings.archival or not settings.archival_count:
        return []
    rng = stream(settings.seed, "archival", plan.date.toordinal(), plan.entity_start)
    since = kept_since(plan.date, settings.archive_retention_days)
    count, share = settings.archival_count, settings.archival_share
    return pick(rng, archive_dir, plan.date, count, share, since)


def pick(
    rng: np.random.Generator,
    archive_dir: Path,
    before: dt.date,
    count: int,
    share: float,
    since: dt.date = dt.date.min,
) -> list[Picked]:
    """``count`` samples of ``share`` of an archived day's customers, each day drawn uniformly.

    Days are drawn with replacement among good days from ``since`` to before ``before``; a
    malformed one is logged (naming its file) and skipped. Days are read twice (check, take) to
    hold one at a time.
    """
    candidates = archived_days(archive_dir, before, since)
    sizes: dict[dt.date, int] = {}
    draws: list[tuple[dt.date, np.ndarray]] = []
    for _ in range(count):
        day = _draw_good_day(rng, archive_dir, candidates, sizes)
        if day is None:
            break
        draws.append((day, _sample(rng, sizes[day], share)))
    return _take(archive_dir, draws)


def _draw_good_day(
    rng: np.random.Generator, archive_dir: Path, candidates: list[dt.date], sizes: dict
) -> dt.date | None:
    """A day drawn uniformly among ``candidates``; bad ones are dropped from it as they are met."""
    while candidates:
        day = candidates[rng.integers(len(candidates))]
        if day not in sizes:
            try:
                sizes[day] = load_day(archive_dir, day).customers.num_rows
            except ArchiveError as error:
                sizes[day] = 0
                log.warning("archived day %s skipped: %s", day, error)
        if sizes[day]:
            return day
        candidates.remove(day)
    return None


def _sample(rng: np.random.Generator, rows: int, share: float) -> np.ndarray:
    """Row numbers of ``max(1, round(share * rows))`` records, without replacement, in order."""
    size = min(rows, max(1, round(share * rows)))
    return np.sort(rng.choice(rows, size=size, replace=False))


def _take(archive_dir: Path, draws: list[tuple[dt.date, np.ndarray]]) -> list[Picked]:
    """The drawn rows of each day, reading every day once, in the order they were drawn."""
    picked: dict[int, Picked] = {}
    for day in dict.fromkeys(date for date, _ in draws):
        loaded = load_day(archive_dir, day)
        for number, (date, rows) in enumerate(draws):
            if date == day:
                records = loaded.records.take(rows)
                people = pc.is_in(loaded.entities["entity_id"], records["entity_id"])
                picked[number] = Picked(
                    day, loaded.customers.take(rows), records, loaded.entities.filter(people)
                )
    return [picked[number] for number in range(len(draws))]
