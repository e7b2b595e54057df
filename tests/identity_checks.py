"""Helpers of the identity-bearing systems' tests: one generated block of a few thousand people,
read by dataset, and the checks several systems share."""

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import pyarrow as pa
from conftest import DAY

from gensample.generate.datasets import REGISTRY
from gensample.generate.datasets.contract import Block
from gensample.generate.pipeline import BlockResult, generate_block, reference_tables
from gensample.generate.plan import make_plan
from gensample.settings import Settings
from gensample.settings.sources import CoverageSettings

PEOPLE = 4000
COVERAGE = CoverageSettings(incident_reports=0.05)
"""Enough incident reporters to test in a few thousand people."""


@dataclass(frozen=True)
class Run:
    """One generated block and what it was generated from."""

    settings: Settings
    block: Block
    result: BlockResult

    def data(self, name: str) -> pa.Table:
        """The dataset's rows."""
        return self.result.datasets[name].data

    def truth(self, name: str) -> pa.Table:
        """The dataset's truth rows."""
        return self.result.datasets[name].truth

    def rows(self, name: str) -> dict[int, dict]:
        """The dataset's rows as dictionaries by primary id."""
        key = REGISTRY[name].PRIMARY_KEY[0]
        return {row[key]: row for row in self.data(name).to_pylist()}

    @property
    def stores(self) -> pa.Table:
        """The stores the block's datasets refer to."""
        return reference_tables(self.settings)["stores"].data

    @cached_property
    def people(self) -> dict[int, dict]:
        """The block's true people by entity id."""
        return {row["entity_id"]: row for row in self.result.entities.to_pylist()}


def run(names: tuple[str, ...], customers: int = PEOPLE, date: dt.date = DAY, **values) -> Run:
    """Generate block 0 of ``customers`` people with ``names`` (and their parents) enabled."""
    chosen = Settings(
        customers=customers, datasets=("stores", "customers", *names), coverage=COVERAGE, **values
    )
    block = make_plan(chosen, date).blocks[0]
    return Run(chosen, block, generate_block(chosen, date, block))


def window(date: dt.date, days: int) -> tuple[dt.datetime, dt.datetime]:
    """First and last second of the ``days`` days up to the end of ``date`` (UTC, naive)."""
    end = dt.datetime(date.year, date.month, date.day) + dt.timedelta(days=1, seconds=-1)
    return end - dt.timedelta(days=days, seconds=-1), end


def assert_store_in_persons_state(day: Run, name: str, column: str) -> None:
    """Every record's store (``column``) exists, and is in the person's state when that state
    has stores."""
    stores = {row["store_id"]: row["state"] for row in day.stores.to_pylist()}
    rows = day.rows(name)
    for record in day.truth(name).to_pylist():
        state = day.people[record["entity_id"]]["state"]
        store = rows[record["record_id"]][column]
        assert store in stores
        if state in stores.values():
            assert stores[store] == state
