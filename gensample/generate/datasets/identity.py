"""What every identity-bearing source system shares: who it covers, its duplicates and their
corruptions, record ids and truth rows.

A system sees an exact share of the block's people (``coverage``), chosen at random apart from
every other system, and keeps extra records of some of them (``source_dupe_rates``). A person's
first record is the original, the others duplicates of it. Every record, the original included,
is the true person as the system holds them: it may carry some of the person's other true
values (a work e-mail, a landline: the system's ``variations`` shares), and it may be corrupted
through the system's own fuzz map before formatting (a share of the originals, all duplicates
but an exact share). Its truth labels name the variations and the corruptions the formatted
record still shows, so every difference from the true person is named.
"""

from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.corruptions import fuzz_steps, fuzzmap
from gensample.generate import duplicates, population, truth, variants
from gensample.generate.datasets import fuzzing, systems, written_errors
from gensample.generate.datasets.common import share_of, times_between
from gensample.generate.datasets.contract import BlockInput
from gensample.generate.datasets.draws import random_ids
from gensample.generate.datasets.formats import replace
from gensample.generate.datasets.fuzzing import run_variation_shares
from gensample.generate.datasets.registration import earliest_days
from gensample.generate.datasets.written_errors import Render
from gensample.generate.seeding import stream
from gensample.native.take import take
from gensample.settings import Settings


@dataclass(frozen=True)
class System:
    """One identity-bearing source system: what it captures of a person and how it writes it
    (how it errs and what it leaves out are its parameters: ``systems``)."""

    name: str
    columns: tuple[str, ...]
    """Person columns it captures (``population.SCHEMA`` names)."""
    render: Render


@dataclass(frozen=True)
class Records:
    """A system's records of one block, in id order: their people and their truth."""

    record_id: np.ndarray
    person: np.ndarray
    """Position among the block's people of each record's person."""
    original: np.ndarray
    """Row of each record's original (its own row for an original)."""
    columns: pa.Table
    """The person columns as the system writes them (duplicates corrupted)."""
    truth: pa.Table

    @property
    def is_duplicate(self) -> np.ndarray:
        """Which records are duplicates."""
        return self.original != np.arange(len(self.original))


def covered_count(settings: Settings, name: str, entities: int) -> int:
    """People of a block of ``entities`` the system ``name`` sees."""
    return share_of(entities, getattr(settings.coverage, name))


def duplicate_count(settings: Settings, name: str, covered: int) -> int:
    """Extra records of ``covered`` people: its ``source_dupe_rates`` percent of all records,
    but never more than ``max_duplicates_per_entity`` each."""
    rate = getattr(settings.source_dupe_rates, name)
    wanted = round(covered * rate / (100 - rate))
    return min(wanted, covered * settings.max_duplicates_per_entity)


def record_count(settings: Settings, name: str, entities: int) -> int:
    """Records (originals and duplicates) of the system ``name`` in a block of ``entities``."""
    covered = covered_count(settings, name, entities)
    return covered + duplicate_count(settings, name, covered)


def rows_counter(name: str) -> Callable[[Settings, int, int, Mapping[str, int]], int]:
    """The contract's ``rows`` of system ``name``: a block's covered people and their
    duplicates."""

    def rows(
        settings: Settings, entity_start: int, entities: int, parent_rows: Mapping[str, int]
    ) -> int:
        """Records of system ``name`` in the block: covered people and their duplicates."""
        return record_count(settings, name, entities)

    return rows


def records(block: BlockInput, system: System) -> Records:
    """The system's records of the block: covered people, duplicates, variations, corruptions
    and truth. Those of every identity system the block generates (``block.systems``) are made
    together, once, their fuzz passes joined: each system's as it would make them alone (and
    made again, alone, if asked for twice or for a system the block does not list)."""
    if system.name in block.systems:
        made = _made_together(block)
        if system.name in made:  # taken once: the block holds it no longer than its dataset
            return made.pop(system.name)
    return records_together(block, [system])[system.name]


Step = Callable[[], Generator[fuzzmap.Request, fuzzmap.Fuzzed, Any]]
"""Makes a generator of the fuzz passes a dataset needs, which returns the dataset's rows."""


def with_systems(block: BlockInput, name: str, step: Step) -> Any:
    """What ``step()`` returns for dataset ``name`` (the customer master, generated before the
    identity systems), its fuzz passes made together with the systems' (each as it would be
    alone); made alone when the block has made the systems' records already."""
    made = _made_together(block, {name: step})
    if name in made:
        return made.pop(name)
    return _run(block, {name: step()})[name]


def _made_together(block: BlockInput, first: Mapping[str, Step] | None = None) -> dict[str, Any]:
    """The block's identity records (with what the ``first`` steps make), made once."""
    everyone = list(block.systems.values())
    return block.shared("identity records", lambda: records_together(block, everyone, first))


def records_together(
    block: BlockInput, systems: list[System], first: Mapping[str, Step] | None = None
) -> dict[str, Any]:
    """The records of ``systems`` in the block, by system name, their fuzz passes made
    together, and with those of the ``first`` steps (their results under their names)."""
    steps = {name: step() for name, step in (first or {}).items()}
    return _run(block, steps | {system.name: _records(block, system) for system in systems})


def _run(block: BlockInput, steps: Mapping[str, Generator]) -> dict[str, Any]:
    """Run ``steps`` together (``fuzz_steps.run_together``), charging each its seconds
    (``BlockInput.charge``)."""
    seconds: dict[str, float] = {}
    made = fuzz_steps.run_together(steps, seconds)
    block.charge(seconds)
    return made


def _records(
    block: BlockInput, system: System
) -> Generator[fuzzmap.Request, fuzzmap.Fuzzed, Records]:
    """``records`` of one system, as steps that yield each fuzz pass they need."""
    settings, entities = block.settings, block.block.entities
    draw = streams(block, system.name)
    covered = covered_count(settings, system.name, entities)
    chosen = draw("coverage").permutation(entities)[:covered]
    copies = duplicates.copies_per_entity(
        draw("copies"),
        covered,
        duplicate_count(settings, system.name, covered),
        settings.duplicates_distribution,
        settings.max_duplicates_per_entity,
    )
    source = np.concatenate([np.arange(covered), np.repeat(np.arange(covered), copies)])
    row_person = chosen[source]  # the person of each row, rows in the order they are made
    held = take(block.people.select(system.columns), row_person)
    parameters = systems.parameters(settings, system.name)
    held = _unrecorded(draw("unrecorded"), held, source, covered, parameters)
    carried, variations = variants.carry(
        held,
        block.other_values,
        row_person,
        run_variation_shares(settings, system.name),
        draw("variants"),
    )
    columns, labels = yield from written_errors.corrupted(
        draw("fuzz"), block, system.name, system.render, carried, row_person, covered
    )
    if "birth_date" in system.columns:
        columns, labels = fuzzing.validated(
            columns,
            take(block.people["birth_date"], row_person),
            labels,
            earliest_days(block)[row_person],
            settings,
            draw("validity"),
        )
    start, count = block.id_range(system.name)
    ids = random_ids(draw("ids"), start, count)
    order, record_id = ids.order, ids.in_order
    original = (ids.of_row[source] - start)[order]
    person = row_person[order]
    entity_id = block.people["entity_id"].to_numpy()[person]
    columns = take(columns, order)
    return Records(
        record_id,
        person,
        original,
        columns,
        _truth(
            system.name,
            record_id,
            entity_id,
            original,
            (take(labels, order), take(variations, order)),
            columns,
        ),
    )


def streams(block: BlockInput, name: str) -> Callable[[str], np.random.Generator]:
    """The dataset ``name``'s stream for a purpose, in this block: ``streams(block, n)("ids")``."""
    return lambda purpose: stream(block.settings.seed, name, purpose, block.block.entity_start)


def _unrecorded(
    rng: np.random.Generator, held: pa.Table, person: np.ndarray, people: int, chosen: Mapping
) -> pa.Table:
    """Blank the columns the system never holds for a share of its ``people`` (its ``chosen``
    parameters' ``unrecorded``: column -> share of people), on all their records (``held``,
    each the record of its ``person``)."""
    for column, share in chosen.get("unrecorded", {}).items():
        blank = pa.array((rng.random(people) < share)[person])
        values = pc.if_else(blank, pa.scalar(None, held.schema.field(column).type), held[column])
        held = replace(held, column, values)
    return held


def _truth(
    name: str,
    record_id: np.ndarray,
    entity_id: np.ndarray,
    original: np.ndarray,
    labels: tuple[pa.Array, pa.Array],
    columns: pa.Table,
) -> pa.Table:
    """Truth rows of the records (with their person ``columns`` as written and their
    corruption and variation ``labels``): originals, and duplicates pointing to theirs."""
    is_duplicate = original != np.arange(len(original))
    kind = pc.if_else(pa.array(is_duplicate), "duplicate", "original")
    duplicate_of = pa.array(record_id[original], mask=~is_duplicate)
    corruptions, variations = labels
    return truth.record_rows(
        name,
        record_id,
        entity_id,
        kind,
        duplicate_of,
        corruptions,
        columns,
        variations,
        original=original,
    )


def first_times(
    rng: np.random.Generator, block: BlockInput, found: Records, start: int, end: int
) -> np.ndarray:
    """Seconds from ``start`` to ``end`` for the records: never before the person's 18th
    birthday, an original's before its duplicates' (a person's first record is the original)."""
    earliest = np.maximum(start, population.adult_since(block.people["birth_date"]))
    first = times_between(rng, earliest[found.person], end, len(found.original))
    later = times_between(rng, first[found.original], end, len(found.original))
    return np.where(found.is_duplicate, later, first)
