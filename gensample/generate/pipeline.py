"""One block, start to finish, as a pure function: people, then every enabled dataset."""

import datetime as dt
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass

import pyarrow as pa

from gensample.generate import population, truth
from gensample.generate.datasets import IDENTITY_SYSTEMS, REGISTRY, BlockInput, Generated
from gensample.generate.datasets.contract import CUSTOMERS, Block
from gensample.reference import stamps
from gensample.settings import Settings

Finished = Callable[[str, Generated], Generated]
"""Given a dataset of a block that no dataset after it reads, as soon as it is made: what it
returns takes the dataset's place in the block's result (e.g. its truth alone, once its rows are
written)."""


@dataclass(frozen=True)
class BlockResult:
    """Everything one block produced, with the seconds each stage took.

    ``history`` holds the block's rows of the history truth when they are not simply its
    ``entities``, all new that day (as for generated people).
    """

    entities: pa.Table
    datasets: dict[str, Generated]
    seconds: dict[str, float]
    history: pa.Table | None = None


def reference_tables(settings: Settings, date: dt.date) -> dict[str, Generated]:
    """The enabled reference datasets of ``date`` (stores, products, brands... the same every
    day; the supply chain's tables of the day), each made from the ones before it.

    Every block of a run asks for the same ones: the last made are kept (by equal settings and
    day; a worker gets its own copy of the settings with each block), 11 ms a block saved."""
    global _last_reference
    settings.retail.refresh()  # the user's files may have changed since the last were made
    if _last_reference is None or _last_reference[:2] != (settings, date):
        _last_reference = (settings, date, _reference_tables(settings, date))
    return dict(_last_reference[2])


_last_reference: tuple[Settings, dt.date, dict[str, Generated]] | None = None


def _forget_reference() -> None:
    global _last_reference
    _last_reference = None


stamps.forget_on_change(_forget_reference)


def _reference_tables(settings: Settings, date: dt.date) -> dict[str, Generated]:
    tables: dict[str, Generated] = {}
    for name, module in REGISTRY.items():
        if module.REFERENCE and name in settings.datasets:
            made = module.table(settings, tables, date)
            tables[name] = Generated(made, truth.RECORDS_SCHEMA.empty_table())
    return tables


def generate_block(
    settings: Settings,
    date: dt.date,
    block: Block,
    only: Collection[str] | None = None,
    finished: Finished | None = None,
) -> BlockResult:
    """Generate the people of ``block`` and every enabled dataset (or those of them ``only``
    names, their parents among them), parents first; each dataset no later one reads goes
    through ``finished`` as soon as it is made (so that a writer may free its rows)."""
    enabled = settings.datasets if only is None else only
    read_later = _read_later(enabled)
    seconds = {}
    started = time.perf_counter()
    people = population.of_settings(settings, block.entity_start, block.entity_stop, date)
    seconds["population"] = time.perf_counter() - started
    systems = {name: IDENTITY_SYSTEMS[name] for name in enabled if name in IDENTITY_SYSTEMS}
    block_input = BlockInput(settings, date, block, people, systems)
    generated = reference_tables(settings, date)
    for name, module in REGISTRY.items():
        if name in enabled and not module.REFERENCE:
            started, charged = time.perf_counter(), sum(block_input.charged.values())
            generated[name] = module.generate(block_input, generated)
            for_others = sum(block_input.charged.values()) - charged  # by a shared computation
            spent = time.perf_counter() - started - for_others
            seconds[name] = spent + block_input.charged.get(name, 0.0)
            if finished and name not in read_later:
                generated[name] = finished(name, generated[name])
    datasets = {name: generated[name] for name in block.rows if name in enabled}
    return BlockResult(people, datasets, seconds)


def _read_later(enabled: Collection[str]) -> set[str]:
    """The datasets read by a dataset generated after them: the parents of the ``enabled``
    ones, and the customer master (the hub every block dataset may read)."""
    read = {CUSTOMERS}
    for name in enabled:
        read.update(REGISTRY[name].PARENTS)
    return read
