"""Spec datasets generated: a block at a time, every column from a stream named after the
dataset, the column and the block, so the same seed gives the same bytes.

A dataset with a ``population`` share sees that share of the people (entities ``0`` to
``settings.customers``), each seen person once as an original record, some again as duplicates
corrupted through the dataset's fuzz map; its truth rows say who is who. Any other dataset has a
number of rows, or a number per row of a parent drawn from a distribution.
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.corruptions import fuzz_steps
from gensample.corruptions.fuzzmap import Request, no_labels
from gensample.corruptions.weights import FieldFuzz
from gensample.errors import BadInputError
from gensample.generate import population, truth
from gensample.generate.datasets import REGISTRY, Generated
from gensample.generate.pipeline import generate_block
from gensample.generate.plan import Plan, block_bounds, make_plan
from gensample.generate.seeding import BLOCK_SIZE, stream
from gensample.generate.spec.arrow_types import schemas
from gensample.generate.spec.column_checks import Fault
from gensample.generate.spec.columns import GENERATORS, Context, formatted, parent_weights
from gensample.generate.spec.model import Spec, column_order, id_problem
from gensample.generate.spec.schema import dotted
from gensample.native.strings import join_element_wise
from gensample.native.take import filtered, take
from gensample.settings import DATASET_PARENTS, Settings


@dataclass(frozen=True)
class Copies:
    """Which seen people of a block are copied: per original row, its number of duplicates."""

    seen: np.ndarray
    counts: np.ndarray


def generate(
    spec: Spec, settings: Settings, date: dt.date, entity_start: int = 0, plan: Plan | None = None
) -> dict[str, Generated]:
    """Every dataset of ``spec``, parents first, with its truth rows (none unless it sees
    people): the people are the day's ``settings.customers`` from ``entity_start``; built-in
    parents made per block are those of ``plan`` (by default a plan of those people)."""
    plan = plan or make_plan(settings, date, entity_start)
    tables = {**built_ins(spec, settings, plan), **spec.tables}
    made: dict[str, Generated] = {}
    for name, schema in schemas(spec).items():
        dataset = spec.datasets[name]
        arguments = (name, dataset, tables, entity_start)
        try:
            if "population" in dataset:
                blocks, records = people_dataset(settings, date, *arguments)
            else:
                blocks, records = rows_dataset(settings, *arguments)
            data = joined(blocks, schema)
            found = id_problem(dataset, data.num_rows)
            if found is not None:
                raise Fault(*found)
        except (ValueError, pa.ArrowException) as error:  # data the checks cannot see
            where = dotted(("datasets", name, *(error.path if isinstance(error, Fault) else ())))
            raise BadInputError(f"{spec.file}: {where}: {error}") from None
        made[name] = Generated(data, records)
        tables[name] = data
    return made


def joined(tables: list[pa.Table], schema: pa.Schema) -> pa.Table:
    """``tables`` as one table of ``schema``, without empty chunks: pyarrow 26's CSV writer
    writes bytes of the buffers instead of lines after an empty first chunk."""
    kept = [table.cast(schema) for table in tables if table.num_rows]
    return pa.concat_tables(kept) if kept else schema.empty_table()


def built_ins(spec: Spec, settings: Settings, plan: Plan) -> dict[str, pa.Table]:
    """The built-in datasets ``spec`` refers to: reference ones, each made from its own
    parents, and ones made per block, made again for every block of ``plan`` (the run
    generates them too, so the day holds the rows referred to)."""
    made: dict[str, pa.Table] = {}
    for name in _with_ancestors(spec.built_ins):
        if REGISTRY[name].REFERENCE:
            parents = {parent: Generated(table, pa.table({})) for parent, table in made.items()}
            made[name] = REGISTRY[name].table(settings, parents, plan.date)
    per_block = [name for name in spec.built_ins if not REGISTRY[name].REFERENCE]
    if per_block:
        made |= _made_per_block(settings, plan, per_block)
    return {name: made[name] for name in spec.built_ins}


def _made_per_block(settings: Settings, plan: Plan, names: list[str]) -> dict[str, pa.Table]:
    """The built-in datasets ``names`` of every block of ``plan``, joined."""
    wanted = [name for name in _with_ancestors(tuple(names)) if not REGISTRY[name].REFERENCE]
    blocks = [generate_block(settings, plan.date, block, wanted).datasets for block in plan.blocks]
    return {
        name: joined([block[name].data for block in blocks], REGISTRY[name].SCHEMA)
        for name in names
    }


def _with_ancestors(names: tuple[str, ...]) -> list[str]:
    """``names`` and the datasets they are made from, in registry order."""
    wanted = set(names)
    for name in reversed(list(REGISTRY)):
        if name in wanted:
            wanted |= set(DATASET_PARENTS[name])
    return [name for name in REGISTRY if name in wanted]


def people_dataset(
    settings: Settings, date: dt.date, name: str, dataset: dict, tables: dict, entity_start: int
) -> tuple[list[pa.Table], pa.Table]:
    """A dataset of people as they are on ``date`` (as the day's truth has them): each block's
    seen people, their duplicates, shuffled, numbered; the blocks' rows and their truth rows."""
    data, truths, next_id = [], [], dataset["id"].get("start", 1)
    for start, stop in block_bounds(entity_start, entity_start + settings.customers):
        block = start // BLOCK_SIZE
        people = population.of_settings(settings, start, stop, date)
        copies = copied(settings.seed, name, dataset, start, stop)
        seen = filtered(people, copies.seen)
        context = Context(len(seen), block, seen, tables)
        originals = make_columns(settings.seed, name, dataset, context)
        table, labels, source = with_duplicates(settings, name, dataset, originals, copies, block)
        order = stream(settings.seed, name, "spec", "order", block).permutation(table.num_rows)
        record_id = next_id + np.argsort(order)  # row i gets the id of its place in the order
        duplicate_of = pa.array(record_id[source], mask=source == np.arange(len(source)))
        kind = pc.if_else(pc.is_null(duplicate_of), "original", "duplicate")
        entity_id = seen["entity_id"].to_numpy()[source % max(len(seen), 1)]
        shown = as_person(dataset, table)
        rows = truth.record_rows(name, record_id, entity_id, kind, duplicate_of, labels, shown)
        data.append(take(with_id(dataset["id"], record_id, table), order))
        truths.append(take(rows, order))
        next_id += table.num_rows
    return data, joined(truths, truth.RECORDS_SCHEMA)


def as_person(dataset: dict, table: pa.Table) -> pa.Table | None:
    """The dataset's ``person`` columns under the attributes they show (the first column of
    each; None without any), for the truth's similarity of each duplicate to its original."""
    shown: dict[str, pa.ChunkedArray] = {}
    for column, options in dataset["columns"].items():
        if "person" in options:
            shown.setdefault(options["person"], table[column])
    return pa.table(shown) if shown else None


def copied(seed: int, name: str, dataset: dict, start: int, stop: int) -> Copies:
    """Which people ``start`` to ``stop`` (in one block) the dataset sees, each by a draw of
    its own, and how many duplicates each gets: a copied person gets 1 to ``max_per_entity``
    of them, so that ``rate`` of the rows are copies."""
    block, offset = divmod(start, BLOCK_SIZE)
    draws = stream(seed, name, "spec", "seen", block).random(BLOCK_SIZE)
    seen = draws[offset : offset + stop - start] < dataset["population"]
    rng = stream(seed, name, "spec", "copies", start)
    duplicates = dataset.get("duplicates", {"rate": 0.0})
    most = duplicates.get("max_per_entity", 3)
    rate, mean_copies = duplicates["rate"], (1 + most) / 2
    share = rate / ((1 - rate) * mean_copies) if rate < 1 else 1.0
    picked = rng.random(int(seen.sum())) < share
    return Copies(seen, np.where(picked, rng.integers(1, most + 1, len(picked)), 0))


def with_duplicates(
    settings: Settings, name: str, dataset: dict, originals: pa.Table, copies: Copies, block: int
) -> tuple[pa.Table, pa.Array, np.ndarray]:
    """The originals and their duplicates, fuzzed; the corruption labels and, per row, the
    row it copies (itself for an original)."""
    source = np.concatenate(
        [np.arange(originals.num_rows), np.repeat(np.arange(originals.num_rows), copies.counts)]
    )
    table = take(originals, source)
    fuzz_map = {
        field: FieldFuzz(entry["weight"], entry["corruptions"])
        for field, entry in dataset.get("fuzz", {}).items()
    }
    rows = np.arange(originals.num_rows, table.num_rows)
    if not fuzz_map:
        return table, no_labels(table.num_rows), source
    rng = stream(settings.seed, name, "spec", "fuzz", block)
    request = Request(table, rows, fuzz_map, dataset.get("max_fields", 2), rng)
    fuzzed, labels = fuzz_steps.fuzz_until_changed(request)
    return fuzzed, labels, source


CARDINALITIES = {
    "poisson": lambda rng, mean: rng.poisson(mean),
    "uniform": lambda rng, mean: np.floor(rng.random(len(mean)) * (2 * mean + 1)).astype(int),
    "fixed": lambda rng, mean: np.round(mean).astype(np.int64),
}
"""How many rows a parent row gets, around its mean: Poisson, even from 0 to twice the mean,
or the mean rounded."""


def rows_dataset(
    settings: Settings, name: str, dataset: dict, tables: dict, entity_start: int
) -> tuple[list[pa.Table], pa.Table]:
    """A dataset of a number of rows (or a number per parent row), a block of rows at a time;
    the blocks' rows and (none) truth rows."""
    per, parent_rows = _per_parent(settings.seed, name, dataset, tables)
    total = len(parent_rows) if per else dataset["rows"]
    start_id, blocks = dataset["id"].get("start", 1), []
    for block, start in enumerate(range(0, total, BLOCK_SIZE)):
        stop = min(start + BLOCK_SIZE, total)
        rows = parent_rows[start:stop] if per else None
        context = Context(stop - start, block, None, tables, rows, per)
        table = make_columns(settings.seed, name, dataset, context)
        blocks.append(with_id(dataset["id"], start_id + np.arange(start, stop), table))
    return blocks, truth.RECORDS_SCHEMA.empty_table()


def _per_parent(seed: int, name: str, dataset: dict, tables: dict) -> tuple[str, np.ndarray]:
    """The parent a dataset has rows per (or ''), and each row's parent row: a count per
    parent row from the distribution, its mean scaled by the parent's weights column."""
    rows = dataset["rows"]
    if not isinstance(rows, dict):
        return "", np.zeros(0, np.int64)
    parent = tables[rows["per"]]
    try:
        weights = parent_weights(parent, rows.get("weights"))
    except ValueError as error:
        raise Fault(("rows", "weights"), str(error)) from None
    means = rows["mean"] * (np.ones(parent.num_rows) if weights is None else weights * len(weights))
    draw = CARDINALITIES[rows.get("distribution", "poisson")]
    counts = [
        draw(stream(seed, name, "spec", "rows", block), means[start : start + BLOCK_SIZE])
        for block, start in enumerate(range(0, parent.num_rows, BLOCK_SIZE))
    ]
    counts_all = np.concatenate(counts) if counts else np.zeros(0, np.int64)
    return rows["per"], np.repeat(np.arange(parent.num_rows), counts_all)


def make_columns(seed: int, name: str, dataset: dict, context: Context) -> pa.Table:
    """A block's columns, each made after the ones its expression reads, in declared order."""
    for column in column_order(dataset):
        options = dataset["columns"][column]
        generator = next(key for key in GENERATORS if key in options)
        rng = stream(seed, name, "spec", column, context.block)
        try:
            values = GENERATORS[generator](options, context, rng)
        except (ValueError, pa.ArrowException) as error:
            raise Fault(("columns", column, generator), str(error)) from None
        context.columns[column] = formatted(values, options.get("format"))
    return pa.table({column: context.columns[column] for column in dataset["columns"]})


def with_id(scheme: dict, ids: np.ndarray, table: pa.Table) -> pa.Table:
    """``table`` with its id column first: numbers, or text with a prefix and a zero-padded
    width when the scheme has them."""
    values = pa.array(ids, pa.int64())
    if "prefix" in scheme or "width" in scheme:
        padded = pc.utf8_lpad(values.cast(pa.string()), scheme.get("width", 0), "0")
        values = join_element_wise(scheme.get("prefix", ""), padded, "")
    return table.add_column(0, scheme["column"], values)
