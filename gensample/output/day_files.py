"""The files of a day: their paths, schemas and formats, and which rows of a block go where.

A day holds one batch, or several when runs append to it. CSV files grow by appended rows;
a Parquet dataset gets one file per batch (``customers.parquet``, ``customers.2.parquet``, ...).
Reference datasets (stores, products, the day's supply chain) are made once a day, the same in
every batch, so only the first writes them; so are the datasets of the settings' spec files.
"""

import datetime as dt

import pyarrow as pa

from gensample.generate import population, truth
from gensample.generate.datasets import REGISTRY
from gensample.generate.pipeline import BlockResult, reference_tables
from gensample.generate.plan import Plan
from gensample.generate.spec import day
from gensample.settings import Settings

RECORDS_FILE = "truth/records.csv"
ENTITIES_FILE = "truth/entities.csv"
HISTORY_FILE = "truth/entities_history.csv"


def data_file(dataset: str, settings: Settings, batch: int = 1) -> str:
    """Path of a dataset's file for batch ``batch`` (1 for the day's first) of a day."""
    if settings.format == "parquet" and batch > 1:
        return f"data/{dataset}.{batch}.parquet"
    return f"data/{dataset}.{settings.format}"


def output_files(settings: Settings, batch: int = 1) -> dict[str, tuple[pa.Schema, str]]:
    """Every file a batch writes (path relative to the day directory), with schema and format."""
    outputs = {
        data_file(name, settings, batch): (module.SCHEMA, settings.format)
        for name, module in REGISTRY.items()
        if name in settings.datasets and (batch == 1 or not module.REFERENCE)
    }
    if batch == 1:
        outputs |= {
            data_file(name, settings): (schema, settings.format)
            for name, schema in day.day_schemas(settings).items()
        }
    outputs[RECORDS_FILE] = (truth.RECORDS_SCHEMA, "csv")
    outputs[ENTITIES_FILE] = (truth.ENTITIES_SCHEMA, "csv")
    outputs[HISTORY_FILE] = (truth.HISTORY_SCHEMA, "csv")
    return outputs


def block_tables(
    result: BlockResult, settings: Settings, date: dt.date, batch: int = 1
) -> dict[str, pa.Table]:
    """The rows one block of ``date`` adds to each file of the batch."""
    tables = {data_file(name, settings, batch): out.data for name, out in result.datasets.items()}
    records = [out.truth for out in result.datasets.values()]
    tables[RECORDS_FILE] = (
        pa.concat_tables(records) if records else truth.RECORDS_SCHEMA.empty_table()
    )
    tables[ENTITIES_FILE] = result.entities
    tables[HISTORY_FILE] = (
        truth.history_rows(result.entities, date, None)
        if result.history is None
        else result.history
    )
    return tables


def reference_block(settings: Settings, plan: Plan, batch: int) -> BlockResult | None:
    """The reference datasets of the plan's day and the spec datasets of its people as a block
    of their own, for the first batch of a day only."""
    if batch > 1:
        return None
    tables = reference_tables(settings, plan.date)
    tables |= day.day_tables(settings, plan)
    if not tables:
        return None
    return BlockResult(population.SCHEMA.empty_table(), tables, {})


def planned_rows(settings: Settings, plan: Plan) -> dict[str, int]:
    """Rows the plan puts in each file of a day's first batch, in file order (tracer, archival
    and update rows come on top)."""
    rows = {}
    reference = reference_tables(settings, plan.date)
    for name in REGISTRY:
        if name in settings.datasets:
            count = reference[name].data.num_rows if name in reference else plan.rows(name)
            rows[data_file(name, settings)] = count
    identity = [n for n, m in REGISTRY.items() if n in settings.datasets and m.IDENTITY]
    rows[RECORDS_FILE] = sum(plan.rows(name) for name in identity)
    rows[ENTITIES_FILE] = rows[HISTORY_FILE] = plan.entities
    return rows


def describe_plan(settings: Settings, plan: Plan) -> str:
    """The plan in words, for ``gensample check``."""
    stops = plan.id_stops()
    lines = [
        f"date:        {plan.date}",
        f"seed:        {plan.seed}",
        f"load type:   {settings.load_type}",
        f"trans type:  {settings.trans_type}",
        f"customers:   {plan.entities} originals + {plan.duplicates} duplicates "
        f"({plan.dupe_rate:g}% of rows)",
        f"entity ids:  {plan.entity_start} to {plan.entity_stop - 1}",
        f"blocks:      {len(plan.blocks)}",
        "record ids:",
        *(f"  {name}: {start} to {stops[name] - 1}" for name, start in plan.id_starts.items()),
        "files (tracer, archival and updated records come on top):",
    ]
    rows = {
        f"out/{plan.date}/{name}": count for name, count in planned_rows(settings, plan).items()
    }
    rows["total"] = sum(rows.values())
    width = max(len(label) for label in rows)
    lines += [f"  {label:<{width}}  {count:>12,} rows" for label, count in rows.items()]
    return "\n".join(lines)
