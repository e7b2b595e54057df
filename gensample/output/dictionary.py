"""The data dictionary: every table a day holds, with its files, columns, keys and meanings.

Built from the declarations of the dataset modules (``SCHEMA``, ``PRIMARY_KEY``,
``FOREIGN_KEYS``, ``DESCRIPTIONS``) and of the truth tables (``truth.TABLES``), so it grows with
the registry. ``gensample schema`` prints it; docs/data-dictionary.md holds a copy, checked by a
test. Keys are those within one day: loaded into a database, every table also gets ``day``.
"""

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType

import pyarrow as pa

from gensample.generate import truth
from gensample.generate.datasets import REGISTRY
from gensample.generate.datasets.common import MONEY
from gensample.output import day_files

DAY = pa.field("day", pa.date32())
DAY_DESCRIPTION = (
    "Database only (gensample load): the day the row was loaded from. It ends every primary "
    "and foreign key: ids are unique within a day, but an update row repeats an earlier day's "
    "record id and a person appears on many days."
)
TRUTH_FILES = {
    "truth_entities": day_files.ENTITIES_FILE,
    "truth_records": day_files.RECORDS_FILE,
    "truth_entities_history": day_files.HISTORY_FILE,
}
"""Truth table name -> its file in a day directory."""
TYPE_NAMES = {
    pa.int64(): "integer",
    pa.string(): "text",
    pa.date32(): "date",
    pa.timestamp("s"): "timestamp (seconds)",
    MONEY: "decimal (12 digits, 2 after the point)",
}
"""How column types read in the dictionary; other types show Arrow's name."""


@dataclass(frozen=True)
class TableSpec:
    """One table: where its rows are, its columns, keys within a day, and what they mean."""

    name: str
    files: str  # glob of its files, relative to the day directory
    schema: pa.Schema
    primary_key: tuple[str, ...]
    foreign_keys: Mapping[str, tuple[str, str]]  # column -> (table, column)
    descriptions: Mapping[str, str]
    truth: bool

    def holds(self, path: str) -> bool:
        """Whether the day's file ``path`` (relative to the day directory) has rows of it."""
        return fnmatch.fnmatchcase(path, self.files)


def tables() -> list[TableSpec]:
    """Every dataset of the registry, then every truth table; each after the tables its
    foreign keys name (the registry and the truth tables are in that order)."""
    data = [_dataset_table(name, module) for name, module in REGISTRY.items()]
    return data + [_truth_table(name, declared) for name, declared in truth.TABLES.items()]


def _dataset_table(name: str, module: ModuleType) -> TableSpec:
    return TableSpec(
        name=name,
        files=f"data/{name}.*",  # .csv, .parquet and .<batch>.parquet (day_files.data_file)
        schema=module.SCHEMA,
        primary_key=module.PRIMARY_KEY,
        foreign_keys=module.FOREIGN_KEYS,
        descriptions=module.DESCRIPTIONS,
        truth=False,
    )


def _truth_table(name: str, declared: truth.Declaration) -> TableSpec:
    return TableSpec(
        name=name,
        files=TRUTH_FILES[name],
        schema=declared.schema,
        primary_key=declared.primary_key,
        foreign_keys=declared.foreign_keys,
        descriptions=declared.descriptions,
        truth=True,
    )


def render_markdown() -> str:
    """The dictionary as Markdown: a section per table, a row per column (type, key, meaning)."""
    sections = [_section(spec) for spec in tables()]
    return "\n\n".join(sections) + "\n"


def _section(spec: TableSpec) -> str:
    kind = "Truth (keep it from the system under test)" if spec.truth else "Data"
    keys = ", ".join(f"`{column}`" for column in (*spec.primary_key, DAY.name))
    lines = [
        f"## `{spec.name}`",
        "",
        f"{kind}, in `{spec.files}`. Primary key in a database: {keys}.",
        "",
        "| column | type | key | meaning |",
        "| --- | --- | --- | --- |",
    ]
    lines += [_row(spec, field) for field in spec.schema]
    lines.append(f"| `{DAY.name}` | {type_name(DAY.type)} | PK | {DAY_DESCRIPTION} |")
    return "\n".join(lines)


def _row(spec: TableSpec, field: pa.Field) -> str:
    key = ["PK"] if field.name in spec.primary_key else []
    if field.name in spec.foreign_keys:
        table, column = spec.foreign_keys[field.name]
        key.append(f"FK → `{table}.{column}`")
    meaning = spec.descriptions[field.name].replace("|", "\\|")
    return f"| `{field.name}` | {type_name(field.type)} | {', '.join(key)} | {meaning} |"


def type_name(arrow_type: pa.DataType) -> str:
    """A column type in words (integer, text, date, ...)."""
    return TYPE_NAMES.get(arrow_type, str(arrow_type))
