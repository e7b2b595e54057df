"""Helpers of the dataset tests: small days generated block by block, and the checks every
event dataset's test makes (the block contract, the event window, references, independence)."""

import datetime as dt
import functools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from conftest import DAY

from gensample.generate.datasets import REGISTRY
from gensample.generate.datasets.common import event_window
from gensample.generate.pipeline import generate_block, reference_tables
from gensample.generate.plan import make_plan
from gensample.generate.seeding import BLOCK_SIZE
from gensample.settings import Settings

PEOPLE = 3000


def generate_day(
    datasets: tuple[str, ...], trans_type: str = "full", entity_start: int = 0, people=PEOPLE
) -> tuple[dict, Settings, list]:
    """Every enabled dataset of each block of a small day, with the settings and the plan's
    blocks: ``(datasets of the first block, settings, [(datasets, block) of every block])``."""
    run = Settings(customers=people, datasets=datasets, trans_type=trans_type)
    plan = make_plan(run, DAY, entity_start)
    blocks = [generate_block(run, DAY, block) for block in plan.blocks]
    return (
        blocks[0].datasets,
        run,
        [(b.datasets, block) for b, block in zip(blocks, plan.blocks, strict=True)],
    )


generated = functools.lru_cache(maxsize=64)(generate_day)
"""``generate_day``, computed once per test session."""


def seconds(table: pa.Table, column: str) -> np.ndarray:
    """A timestamp column as seconds since the epoch (nulls as -1)."""
    return table[column].cast(pa.int64()).fill_null(-1).to_numpy()


def ints(table: pa.Table, column: str) -> np.ndarray:
    """An integer column as numbers (nulls as -1)."""
    return table[column].fill_null(-1).to_numpy()


def assert_block_contract(
    name: str, datasets: tuple[str, ...], trans_type: str, entity_start: int = 0, people=PEOPLE
) -> None:
    """In every block, rows() equals the generated rows, ids are exactly the block's range, in
    order, and the schema is the declared one."""
    _, run, blocks = generated(datasets, trans_type, entity_start, people)
    module = REGISTRY[name]
    for result, block in blocks:
        data = result[name].data
        parent_rows = {parent: block.rows[parent] for parent in block.rows}
        assert module.rows(run, block.entity_start, block.entities, parent_rows) == data.num_rows
        start = block.id_starts[name]
        key = module.PRIMARY_KEY[0]
        assert ints(data, key).tolist() == list(range(start, start + block.rows[name]))
        assert data.schema == module.SCHEMA
        assert set(module.DESCRIPTIONS) == set(module.SCHEMA.names)


def assert_contract_in_small_and_tiny_days(name: str, datasets: tuple[str, ...]) -> None:
    """The block contract for a day of ``PEOPLE`` in both trans types (with rows), and for days of
    a few people across a block edge (where some blocks may have none)."""
    for trans_type in ("full", "daily"):
        assert_block_contract(name, datasets, trans_type)
        assert generated(datasets, trans_type)[0][name].data.num_rows > 0
        for people in (1, 2, 7):
            assert_block_contract(name, datasets, trans_type, BLOCK_SIZE - people // 2, people)


def assert_in_window(values: np.ndarray, run: Settings) -> None:
    """Every time inside the event window of the day."""
    lo, hi = event_window(run, DAY)
    assert values.min() >= lo and values.max() <= hi


def assert_references(child: pa.Table, column: str, parent: pa.Table, key: str) -> None:
    """Every non-null value of ``child[column]`` is a key of ``parent``."""
    values = pc.drop_null(child[column])
    assert pc.all(pc.is_in(values, value_set=parent[key].combine_chunks())).as_py() in (True, None)


def assert_unchanged_without(name: str, datasets: tuple[str, ...], others: tuple[str, ...]) -> None:
    """The dataset's bytes are equal with ``others`` enabled or not, and on a second run."""
    with_other = generated((*datasets, *others))[0][name]
    again = generate_day((*datasets, *others))[0][name]
    without = generated(datasets)[0][name]
    assert with_other.data.equals(without.data) and with_other.truth.equals(without.truth)
    assert again.data.equals(without.data)


def blocks_of_day(config: Settings, date: dt.date = DAY, entity_start: int = 0) -> list:
    """Every block of a day: ``(block, {dataset: Generated})``, reference datasets included."""
    plan = make_plan(config, date, entity_start)
    references = reference_tables(config, date)
    return [
        (block, {**references, **generate_block(config, date, block).datasets})
        for block in plan.blocks
    ]
