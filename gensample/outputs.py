"""The files of a day: their paths, schemas and formats, and which rows of a block go where."""

import pyarrow as pa

from gensample import truth
from gensample.datasets import REGISTRY
from gensample.pipeline import BlockResult
from gensample.settings import Settings

RECORDS_FILE = "truth/records.csv"
ENTITIES_FILE = "truth/entities.csv"


def data_file(dataset: str, settings: Settings) -> str:
    """Path of a dataset's file inside a day directory."""
    return f"data/{dataset}.{settings.format}"


def output_files(settings: Settings) -> dict[str, tuple[pa.Schema, str]]:
    """Every file of a day (path relative to the day directory) with its schema and format."""
    outputs = {
        data_file(name, settings): (module.SCHEMA, settings.format)
        for name, module in REGISTRY.items()
        if name in settings.datasets
    }
    outputs[RECORDS_FILE] = (truth.RECORDS_SCHEMA, "csv")
    outputs[ENTITIES_FILE] = (truth.ENTITIES_SCHEMA, "csv")
    return outputs


def block_tables(result: BlockResult, settings: Settings) -> dict[str, pa.Table]:
    """The rows one block adds to each file of the day."""
    tables = {data_file(name, settings): out.data for name, out in result.datasets.items()}
    records = [out.truth for out in result.datasets.values()]
    tables[RECORDS_FILE] = (
        pa.concat_tables(records) if records else truth.RECORDS_SCHEMA.empty_table()
    )
    tables[ENTITIES_FILE] = result.entities
    return tables
