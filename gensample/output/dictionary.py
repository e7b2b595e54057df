"""The data dictionary: every table a day holds, with its files, columns, keys and meanings.

Built from the declarations of the dataset modules (``SCHEMA``, ``PRIMARY_KEY``,
``FOREIGN_KEYS``, ``DESCRIPTIONS``) and of the truth tables (``truth.TABLES``), so it grows with
the registry. ``gensample schema`` prints it; docs/data-dictionary.md holds a copy, checked by a
test. Keys are those within one day: loaded into a database, every table also gets ``day``.

A day with datasets of spec files records their tables in its manifest (``spec_tables``, from
:func:`spec_tables`); :func:`tables` of that manifest gives them to every reader, so the day is
read in the types it was written in even when the spec files have changed or gone.
"""

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType

import pyarrow as pa

from gensample.errors import RunError
from gensample.generate import truth
from gensample.generate.datasets import REGISTRY
from gensample.generate.datasets.common import MONEY
from gensample.generate.spec import day
from gensample.output import day_files
from gensample.settings import Settings

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
SPEC_TABLES = "spec_tables"
"""The manifest's key of the spec datasets a day holds (:func:`spec_tables`)."""
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


def tables(manifest: Mapping | None = None) -> list[TableSpec]:
    """Every dataset of the registry, then the spec datasets a day's ``manifest`` records (in
    their types of that day, whatever the spec files say now), then every truth table; each
    after the tables its foreign keys name (registry, spec records and truth tables are in
    that order)."""
    data = [_module_table(name, module) for name, module in REGISTRY.items()]
    data += [_recorded_table(entry) for entry in (manifest or {}).get(SPEC_TABLES, [])]
    return data + [_truth_table(name, declared) for name, declared in truth.TABLES.items()]


def spec_tables(settings: Settings) -> list[dict]:
    """The spec datasets of ``settings`` as a manifest records them (under ``spec_tables``,
    parents first): name, columns with their Arrow types, primary and foreign keys, meanings."""
    return [
        {
            "name": name,
            "columns": [[field.name, str(field.type)] for field in declared.schema],
            "primary_key": list(declared.primary_key),
            "foreign_keys": {column: list(key) for column, key in declared.foreign_keys.items()},
            "descriptions": declared.descriptions,
        }
        for name, declared in day.declarations(settings).items()
    ]


def _recorded_table(entry: Mapping) -> TableSpec:
    """A spec dataset's table from its manifest record (see :func:`spec_tables`)."""
    try:
        fields = [pa.field(name, arrow_type(kind)) for name, kind in entry["columns"]]
        return _dataset_table(
            entry["name"],
            pa.schema(fields),
            tuple(entry["primary_key"]),
            {column: tuple(key) for column, key in entry["foreign_keys"].items()},
            entry["descriptions"],
        )
    except (KeyError, TypeError, ValueError) as error:
        raise RunError(
            f"{SPEC_TABLES} of the manifest: {str(entry)[:200]} is not a spec dataset's record "
            f"({type(error).__name__}: {error}): expected name, columns, primary_key, "
            "foreign_keys and descriptions as gensample run writes them"
        ) from None


def arrow_type(name: str) -> pa.DataType:
    """The Arrow type written as ``name`` (``str`` of it: int64, date32[day], decimal128(12, 2))."""
    decimal = re.fullmatch(r"decimal128\((\d+), (\d+)\)", name)
    if decimal:
        return pa.decimal128(int(decimal.group(1)), int(decimal.group(2)))
    return pa.type_for_alias(name)


def _dataset_table(
    name: str,
    schema: pa.Schema,
    primary_key: tuple[str, ...],
    foreign_keys: Mapping[str, tuple[str, str]],
    descriptions: Mapping[str, str],
) -> TableSpec:
    return TableSpec(
        name=name,
        files=f"data/{name}.*",  # .csv, .parquet and .<batch>.parquet (day_files.data_file)
        schema=schema,
        primary_key=primary_key,
        foreign_keys=foreign_keys,
        descriptions=descriptions,
        truth=False,
    )


def _module_table(name: str, module: ModuleType) -> TableSpec:
    return _dataset_table(
        name, module.SCHEMA, module.PRIMARY_KEY, module.FOREIGN_KEYS, module.DESCRIPTIONS
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


def render_markdown(manifest: Mapping | None = None) -> str:
    """The dictionary as Markdown: a section per table, a row per column (type, key, meaning);
    with the spec datasets a day's ``manifest`` records (see :func:`tables`)."""
    sections = [_section(spec) for spec in tables(manifest)]
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
