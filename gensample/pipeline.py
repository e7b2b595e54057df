"""One block, start to finish, as a pure function: people, then every enabled dataset."""

import datetime as dt
import time
from dataclasses import dataclass

import pyarrow as pa

from gensample import population
from gensample.datasets import REGISTRY, BlockInput, Generated
from gensample.plan import Block
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


def generate_block(settings: Settings, date: dt.date, block: Block) -> BlockResult:
    """Generate the people of ``block`` and every enabled dataset, parents first."""
    seconds = {}
    started = time.perf_counter()
    people = population.people(
        settings.seed, block.entity_start, block.entity_stop, settings.household_share
    )
    seconds["population"] = time.perf_counter() - started
    block_input = BlockInput(settings, date, block, people)
    generated: dict[str, Generated] = {}
    for name, module in REGISTRY.items():
        if name in settings.datasets:
            started = time.perf_counter()
            generated[name] = module.generate(block_input, generated)
            seconds[name] = time.perf_counter() - started
    return BlockResult(people, generated, seconds)
