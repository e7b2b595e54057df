"""Helpers of the identity-bearing systems' tests: one generated block of a few thousand people,
read by dataset, and the checks several systems share: above all the truth contract, every
difference between a record and its true person named by its variation and corruption labels."""

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import pyarrow as pa
import pyarrow.compute as pc
from conftest import DAY

from gensample.corruptions import CORRUPTIONS
from gensample.corruptions.fuzzmap import FIELD_COLUMNS
from gensample.generate import variants
from gensample.generate.datasets import REGISTRY, customers, identity
from gensample.generate.datasets.contract import Block, BlockInput
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
        return reference_tables(self.settings, DAY)["stores"].data

    @cached_property
    def people(self) -> dict[int, dict]:
        """The block's true people by entity id."""
        return {row["entity_id"]: row for row in self.result.entities.to_pylist()}


def run(
    names: tuple[str, ...],
    customers: int = PEOPLE,
    date: dt.date = DAY,
    coverage: CoverageSettings = COVERAGE,
    **values,
) -> Run:
    """Generate block 0 of ``customers`` people with ``names`` (and their parents) enabled."""
    chosen = Settings(
        customers=customers, datasets=("stores", "customers", *names), coverage=coverage, **values
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


def block_input(day: Run) -> BlockInput:
    """What the run's block was generated from."""
    return BlockInput(day.settings, DAY, day.block, day.result.entities)


def as_written(day: Run, name: str) -> tuple[list[dict], list[dict]]:
    """Per record of an identity system (truth order): its person columns as the system wrote
    them, and its true person's as the system would write them."""
    if name == "customers":
        people = customers.entered(block_input(day))
        written = day.data(name).select(customers.PERSON_COLUMNS)
    elif name == "wifi_sessions":
        people = day.result.entities.select(["email", "phone"])
        written = logins(day.data(name))
    else:
        system, given = REGISTRY[name].SYSTEM, block_input(day)
        found = identity.records(given, system)
        assert found.truth.equals(day.truth(name)) and found.columns.num_rows == len(found.person)
        held = given.people.select(system.columns).take(pa.array(found.person))
        return found.columns.to_pylist(), system.render(given, held, found.person).to_pylist()
    row_of = day.truth(name)["entity_id"].to_numpy() - day.block.entity_start
    true = people.take(pa.array(row_of)).select(written.column_names)
    if name == "wifi_sessions":
        true = logins(day.data(name), true)
    return written.to_pylist(), true.to_pylist()


def logins(sessions: pa.Table, people: pa.Table | None = None) -> pa.Table:
    """The wifi logins (or, given the people, their own e-mail or phone) as an ``email`` and a
    ``phone`` column, each empty where the user logs in with the other."""
    by_email = pc.equal(sessions["login_type"], "email")
    email = sessions["portal_login"] if people is None else people["email"]
    phone = sessions["portal_login"] if people is None else people["phone"]
    nothing = pa.scalar(None, pa.string())
    return pa.table(
        {
            "email": pc.if_else(by_email, email, nothing),
            "phone": pc.if_else(by_email, nothing, phone),
        }
    )


def labelled_columns(record: dict) -> set[str]:
    """The columns a truth row's corruption and variation labels account for."""
    columns: set[str] = set()
    for label in record["variations"].split(";") if record["variations"] else []:
        columns |= set(variants.COLUMNS[label])
    for label in record["corruptions"].split(";") if record["corruptions"] else []:
        field, corruption = label.split(":")
        assert corruption in CORRUPTIONS or corruption == "invalid_date", label
        columns |= set(FIELD_COLUMNS.get(field, (field,)))
    return columns


def assert_differences_explained(written: list[dict], true: list[dict], records: list[dict]):
    """Every column in which a record differs from its true person is named by its labels,
    but a blank where the system holds no value for the person (blank in all their records)."""
    blank_somewhere = {
        (record["entity_id"], column)
        for row, record in zip(written, records, strict=True)
        for column, value in row.items()
        if value is not None
    }
    for row, person, record in zip(written, true, records, strict=True):
        differing = {column for column in row if row[column] != person[column]}
        unexplained = {
            column
            for column in differing - labelled_columns(record)
            if row[column] is not None or (record["entity_id"], column) in blank_somewhere
        }
        assert not unexplained, (unexplained, record, row, person)
