"""One block, start to finish, as a pure function: people, then every enabled dataset."""

import datetime as dt
import time
from collections.abc import Collection
from dataclasses import dataclass

import pyarrow as pa

from gensample.generate import population, truth
from gensample.generate.datasets import REGISTRY, BlockInput, Generated
from gensample.generate.datasets.contract import Block
from gensample.settings import Settings


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
    day; the supply chain's tables of the day), each made from the ones before it (every module
    caches its own table)."""
    tables: dict[str, Generated] = {}
    for name, module in REGISTRY.items():
        if module.REFERENCE and name in settings.datasets:
            made = module.table(settings, tables, date)
            tables[name] = Generated(made, truth.RECORDS_SCHEMA.empty_table())
    return tables


def generate_block(
    settings: Settings, date: dt.date, block: Block, only: Collection[str] | None = None
) -> BlockResult:
    """Generate the people of ``block`` and every enabled dataset (or those of them ``only``
    names, their parents among them), parents first."""
    enabled = settings.datasets if only is None else only
    seconds = {}
    started = time.perf_counter()
    people = population.of_settings(settings, block.entity_start, block.entity_stop, date)
    seconds["population"] = time.perf_counter() - started
    block_input = BlockInput(settings, date, block, people)
    generated = reference_tables(settings, date)
    for name, module in REGISTRY.items():
        if name in enabled and not module.REFERENCE:
            started = time.perf_counter()
            generated[name] = module.generate(block_input, generated)
            seconds[name] = time.perf_counter() - started
    datasets = {name: generated[name] for name in block.rows if name in enabled}
    return BlockResult(people, datasets, seconds)
