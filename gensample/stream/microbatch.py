"""Micro-batches: the batch pipeline run on a few people at a time, its rows queued for sending.

A micro-batch is the daily run's block generation (``generate.plan`` and ``generate.pipeline``)
for the next people of the stream, with ``trans_type = "daily"``: the same people, stores,
products, behaviour, duplicates and corruptions as the batch corpus. Its rows go out parents
first (a record is sent before any event that refers to it), and every timestamp of a row is
moved by the same amount so that the row's latest timestamp is the second it is sent.
"""

import dataclasses
import datetime as dt
from collections.abc import Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.errors import BadInputError
from gensample.generate.datasets import REGISTRY
from gensample.generate.datasets.contract import CUSTOMERS
from gensample.generate.pipeline import generate_block
from gensample.generate.plan import block_datasets, make_plan
from gensample.settings import DATASET_PARENTS, Settings
from gensample.stream.progress import Progress

TRUTH = "truth/"
ENTITIES = TRUTH + "entities"
"""The names truth rows are sent under: people's, and each identity dataset's as truth/<name>."""
STREAMABLE = tuple(name for name, module in REGISTRY.items() if not module.REFERENCE)
"""Datasets a stream can send: all but the reference data (stores, products)."""


def sent_datasets(requested: Iterable[str]) -> list[str]:
    """``requested`` with every dataset they refer to but the reference data, parents first;
    an unknown or reference dataset is a :class:`BadInputError`."""
    wanted = set()
    for name in requested:
        if name not in STREAMABLE:
            raise BadInputError(
                f"--datasets: {name!r} is not allowed: expected some of {', '.join(STREAMABLE)}"
            )
        wanted |= {name, *_ancestors(name)}
    return [name for name in STREAMABLE if name in wanted]


def _ancestors(name: str, reference: bool = False) -> set[str]:
    """Every dataset ``name`` refers to, through others too (reference data only if asked)."""
    parents = {p for p in DATASET_PARENTS[name] if reference or not REGISTRY[p].REFERENCE}
    return parents.union(*(_ancestors(parent, reference) for parent in parents))


def generation_settings(settings: Settings, sent: list[str], people: int) -> Settings:
    """The settings one micro-batch is generated with: ``people`` new people, events within
    the day, the sent datasets with their reference data (and customers, which the plan counts)."""
    needed = {CUSTOMERS, *sent, *(p for name in sent for p in _ancestors(name, reference=True))}
    datasets = tuple(name for name in REGISTRY if name in needed)
    return dataclasses.replace(settings, datasets=datasets, customers=people, trans_type="daily")


def generate(settings: Settings, progress: Progress, date: dt.date) -> list[tuple[str, pa.Table]]:
    """The tables of the next ``settings.customers`` people of the stream, parents first, and
    ``progress`` moved past them: each sent dataset, its truth/<name> and the people's truth."""
    plan = make_plan(
        settings, date, progress.next_entity_id, progress.id_starts(block_datasets(settings))
    )
    results = [generate_block(settings, date, block) for block in plan.blocks]
    progress.claim(plan.entity_stop, plan.id_stops())
    tables = [(ENTITIES, pa.concat_tables(result.entities for result in results))]
    for name in plan.id_starts:
        tables.append((name, pa.concat_tables(r.datasets[name].data for r in results)))
        if REGISTRY[name].IDENTITY:
            truth = pa.concat_tables(r.datasets[name].truth for r in results)
            tables.append((TRUTH + name, truth))
    return tables


def group_ends(name: str, table: pa.Table) -> np.ndarray | None:
    """Where each group of rows that goes out together ends (a basket's lines), for a dataset
    whose key has several columns; None when every row stands alone."""
    key = REGISTRY[name].PRIMARY_KEY if name in REGISTRY else ()
    if len(key) < 2 or table.num_rows == 0:
        return None
    first = table[key[0]].to_numpy()
    return np.append(np.flatnonzero(first[1:] != first[:-1]) + 1, len(first))


def stamp(table: pa.Table, second: int) -> pa.Table:
    """``table`` with every timestamp of a row moved alike, so that its latest is ``second``:
    a record goes out when its last change happens (an order when paid, a session when it
    ends, an account when last updated), and nothing sent lies in the future."""
    columns = [i for i, f in enumerate(table.schema) if pa.types.is_timestamp(f.type)]
    if not columns or table.num_rows == 0:
        return table
    as_seconds = [table.column(i).cast(pa.int64()) for i in columns]
    latest = pc.fill_null(pc.max_element_wise(*as_seconds, skip_nulls=True), second)
    shift = second - latest.to_numpy()
    for i in columns:
        column = table.column(i)
        seconds = pc.fill_null(column.cast(pa.int64()), 0).to_numpy()
        moved = pa.array(seconds + shift, mask=column.is_null().to_numpy(zero_copy_only=False))
        table = table.set_column(i, table.field(i), moved.cast(column.type))
    return table
