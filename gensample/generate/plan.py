"""The plan of a run: counts, id ranges and the duplicate budget of every block, before any work."""

import datetime as dt
import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass

from gensample.generate.datasets import REGISTRY
from gensample.generate.datasets.contract import CUSTOMERS, Block
from gensample.generate.seeding import BLOCK_SIZE, stream
from gensample.settings import Settings


@dataclass(frozen=True)
class Plan:
    """What a run will produce, fixed before anything is generated."""

    date: dt.date
    seed: int
    dupe_rate: float
    blocks: tuple[Block, ...]
    entity_start: int
    id_starts: Mapping[str, int]
    """First record id of each dataset generated per block (``customers`` included)."""

    @property
    def entities(self) -> int:
        """New people (and original customer records) of the run."""
        return sum(block.entities for block in self.blocks)

    @property
    def duplicates(self) -> int:
        """Duplicate customer records of the run."""
        return sum(block.duplicates for block in self.blocks)

    @property
    def entity_stop(self) -> int:
        """One past the last entity id of the run."""
        return self.entity_start + self.entities

    @property
    def record_start(self) -> int:
        """First customer record id of the run."""
        return self.id_starts[CUSTOMERS]

    @property
    def record_stop(self) -> int:
        """One past the last customer record id of the run."""
        return self.record_start + self.entities + self.duplicates

    def rows(self, dataset: str) -> int:
        """Rows of ``dataset`` the run's blocks generate."""
        return sum(block.rows[dataset] for block in self.blocks)

    def id_stops(self) -> dict[str, int]:
        """One past the last record id of each dataset generated per block."""
        return {name: start + self.rows(name) for name, start in self.id_starts.items()}


def draw_dupe_rate(settings: Settings, date: dt.date, entity_start: int) -> float:
    """The day's duplicate rate: ``dupe_rate`` wobbled by ``dupe_rate_variance`` (seeded by day)."""
    if settings.dupe_rate_variance == 0:
        return settings.dupe_rate
    rng = stream(settings.seed, "dupe_rate", date.toordinal(), entity_start)
    copies = settings.max_duplicates_per_entity
    # rounded down to 4 decimals, so the rate never asks for more copies than allowed
    ceiling = math.floor(1e4 * 100 * copies / (1 + copies)) / 1e4
    drawn = round(rng.normal(settings.dupe_rate, settings.dupe_rate_variance), 4)
    return float(min(max(drawn, 0.0), ceiling, 95.0))


def block_bounds(start: int, stop: int) -> list[tuple[int, int]]:
    """Cut ``start..stop`` at multiples of ``BLOCK_SIZE``, so each piece lies in one block."""
    cuts = range((start // BLOCK_SIZE + 1) * BLOCK_SIZE, stop, BLOCK_SIZE)
    edges = [start, *cuts, stop]
    return [(a, b) for a, b in itertools.pairwise(edges) if b > a]


def block_datasets(settings: Settings) -> list[str]:
    """The enabled datasets generated per block (not reference data), parents first."""
    return [
        name
        for name, module in REGISTRY.items()
        if name in settings.datasets and not module.REFERENCE
    ]


def block_rows(settings: Settings, start: int, stop: int, duplicates: int) -> dict[str, int]:
    """Rows of every enabled dataset in the block of people ``start..stop``, parents first."""
    rows = {CUSTOMERS: stop - start + duplicates}
    for name in block_datasets(settings):
        if name != CUSTOMERS:
            rows[name] = REGISTRY[name].rows(settings, start, stop - start, rows)
    return rows


def make_plan(
    settings: Settings,
    date: dt.date,
    entity_start: int = 0,
    id_starts: Mapping[str, int] | None = None,
) -> Plan:
    """Plan ``settings.customers`` people from ``entity_start``, each dataset's records from
    its ``id_starts`` entry (0 when it has none)."""
    rate = draw_dupe_rate(settings, date, entity_start)
    customers = settings.customers
    total = round(customers * rate / (100 - rate))
    first = {name: (id_starts or {}).get(name, 0) for name in block_datasets(settings)}
    blocks, done, next_ids = [], 0, dict(first)
    for start, stop in block_bounds(entity_start, entity_start + customers):
        # duplicates spread in proportion to block size, adding up exactly to the total
        share = (total * (done + stop - start)) // customers - (total * done) // customers
        rows = block_rows(settings, start, stop, share)
        blocks.append(Block(start, stop, share, rows, dict(next_ids)))
        done = done + stop - start
        next_ids = {name: next_ids[name] + rows[name] for name in next_ids}
    return Plan(date, settings.seed, rate, tuple(blocks), entity_start, first)
