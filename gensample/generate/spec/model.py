"""A spec file read and checked: its JSON Schema first, then what spans several places of it
(references, expressions, fuzzed columns' kinds, cycles). Every error names the file, the path
inside it and the reason."""

import graphlib
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from gensample.corruptions import CORRUPTIONS, fuzzmap
from gensample.errors import BadInputError
from gensample.generate.datasets import REGISTRY
from gensample.generate.spec import builtin, expressions, reading, schema
from gensample.generate.spec.column_checks import Fault, check_column, check_ref
from gensample.generate.spec.columns import parent_weights

BUILT_IN_PARENTS = tuple(REGISTRY)
"""Built-in datasets a spec dataset may refer to: the reference data, made whole per day, and
those made per block (customers, orders...), made again for the day's spec datasets."""
LARGEST_ID = 2**63 - 1
"""The largest id a dataset's ``id`` column may reach: ids are 64-bit integers."""


@dataclass(frozen=True)
class Spec:
    """A checked spec file: its user tables (read) and datasets, parents before children."""

    file: str
    tables: dict[str, pa.Table]
    datasets: dict[str, dict]
    built_ins: tuple[str, ...]
    """The built-in datasets its datasets refer to."""
    systems: dict[str, dict]
    """Its parameters of built-in systems (entries with ``builtin = true``)."""


def load(path: Path) -> Spec:
    """The checked spec at ``path`` (TOML, or YAML for ``.yaml``/``.yml``)."""
    raw = reading.parsed(path)
    schema.validate(raw, path.name)
    try:
        return _checked(path, raw)
    except Fault as fault:
        raise BadInputError(f"{path.name}: {schema.dotted(fault.path)}: {fault}") from None


def _checked(path: Path, raw: dict) -> Spec:
    """The spec after the semantic checks."""
    tables = {
        name: _table(path.parent, name, table) for name, table in raw.get("tables", {}).items()
    }
    systems = builtin.entries(raw)
    for name, entry in systems.items():
        builtin.check(path.name, name, entry)
    datasets = {name: d for name, d in raw["datasets"].items() if name not in systems}
    columns = {name: table.column_names for name, table in tables.items()}
    columns |= {name: REGISTRY[name].SCHEMA.names for name in BUILT_IN_PARENTS}
    for name, dataset in datasets.items():
        if name in columns or name in REGISTRY:
            raise Fault(("datasets", name), "already names a built-in dataset or a table")
        columns[name] = [dataset["id"]["column"], *dataset["columns"]]
    for name, dataset in datasets.items():
        _check_dataset(name, dataset, columns)
        _check_table_weights(dataset, tables, ("datasets", name))
    order = _order(datasets)
    built_ins = tuple(
        n for n in BUILT_IN_PARENTS if any(n in parents(d) for d in datasets.values())
    )
    return Spec(path.name, tables, {name: datasets[name] for name in order}, built_ins, systems)


def _table(base: Path, name: str, table: dict) -> pa.Table:
    """A user's parent table (Parquet, else CSV; relative to the spec file), with its key."""
    path = base / table["file"]
    try:
        read = pq.read_table(path) if path.suffix == ".parquet" else pacsv.read_csv(path)
    except (OSError, pa.ArrowInvalid) as error:
        raise Fault(("tables", name, "file"), f"cannot read {path}: {str(error)[:200]}") from None
    if not read.num_rows:
        raise Fault(("tables", name, "file"), f"{table['file']} has no rows")
    if table["key"] not in read.column_names:
        raise Fault(("tables", name, "key"), f"no column {table['key']} in {table['file']}")
    return read


def _check_dataset(name: str, dataset: dict, columns: dict[str, list[str]]) -> None:
    """Refuse a dataset whose parts do not fit together."""
    at = ("datasets", name)
    if ("population" in dataset) == ("rows" in dataset):
        raise Fault(at, "expected exactly one of population (people it sees) or rows")
    if dataset["id"]["column"] in dataset["columns"]:
        raise Fault((*at, "id", "column"), "also declared as a column")
    rows = dataset.get("rows")
    if isinstance(rows, dict):
        check_ref(rows["per"], "key", rows.get("weights"), columns, (*at, "rows"))
    found = id_problem(dataset, rows) if isinstance(rows, int) else None
    if found is not None:
        raise Fault((*at, *found[0]), found[1])
    for column, options in dataset["columns"].items():
        check_column(dataset, options, columns, (*at, "columns", column))
    _check_duplicates(dataset, at)
    for field, fuzz in dataset.get("fuzz", {}).items():
        _check_fuzz(dataset, field, fuzz, (*at, "fuzz", field))
    column_order(dataset, at)


def id_problem(dataset: dict, rows: int) -> tuple[tuple, str] | None:
    """The fault (path inside the dataset, reason) of an id ``start`` whose ``rows`` ids would
    pass :data:`LARGEST_ID`, or None."""
    start = dataset["id"].get("start", 1)
    if start + rows - 1 <= LARGEST_ID:
        return None
    return ("id", "start"), (
        f"{start} is not allowed for {rows:,} rows: expected at most {LARGEST_ID - rows + 1} "
        f"(the last id at most {LARGEST_ID})"
    )


def _check_table_weights(dataset: dict, tables: dict[str, pa.Table], at: tuple) -> None:
    """Weights columns of users' tables: numbers >= 0 adding up to more than 0."""
    for path, parent, column in weighted(dataset):
        if parent in tables:
            try:
                parent_weights(tables[parent], column)
            except ValueError as error:
                raise Fault((*at, *path), str(error)) from None


def _check_duplicates(dataset: dict, at: tuple) -> None:
    """Duplicates of the people a dataset sees, at a rate their copies can reach."""
    duplicates = dataset.get("duplicates")
    if duplicates is None:
        return
    if "population" not in dataset:
        raise Fault((*at, "duplicates"), "duplicates need the dataset's population share")
    most = duplicates.get("max_per_entity", 3)
    if duplicates["rate"] > most / (1 + most):
        raise Fault(
            (*at, "duplicates", "rate"),
            f"above {most / (1 + most):.4g}, the most {most} copies per person reach",
        )


def _check_fuzz(dataset: dict, field: str, fuzz: dict, at: tuple) -> None:
    """A fuzzed column that exists, with corruptions that apply to its kind of value."""
    if field not in dataset["columns"] or field in fuzzmap.FIELD_COLUMNS:
        raise Fault(at, f"no column {field!r}: expected one of {list(dataset['columns'])}")
    field_kind = kind(dataset["columns"][field])
    for name in fuzz["corruptions"]:
        if name not in CORRUPTIONS or field_kind not in CORRUPTIONS[name].applies_to:
            raise Fault((*at, "corruptions", name), f"not a corruption of {field_kind} values")


def kind(column: dict) -> str:
    """What a column holds, for the fuzz map: ``date`` (unformatted dates), ``number``, ``text``."""
    dated = "date" in column or column.get("person") == "birth_date"
    if dated and "format" not in column:
        return "date"
    return "number" if "number" in column else "text"


def references(dataset: dict) -> list[tuple[str, str]]:
    """Where a dataset refers to another dataset or table: (path inside it, the other's name)."""
    rows = dataset.get("rows")
    found = [("rows.per", rows["per"])] if isinstance(rows, dict) else []
    columns = dataset["columns"].items()
    return found + [(f"columns.{n}.ref", c["ref"]["dataset"]) for n, c in columns if "ref" in c]


def weighted(dataset: dict) -> list[tuple[tuple, str, str]]:
    """Where a dataset draws a parent's rows by a weights column: (path inside the dataset, the
    parent's name, the column)."""
    rows = dataset.get("rows")
    found = []
    if isinstance(rows, dict) and "weights" in rows:
        found.append((("rows", "weights"), rows["per"], rows["weights"]))
    for name, column in dataset["columns"].items():
        if "weights" in column.get("ref", {}):
            ref = column["ref"]
            found.append((("columns", name, "ref", "weights"), ref["dataset"], ref["weights"]))
    return found


def parents(dataset: dict) -> set[str]:
    """The datasets and tables a dataset refers to."""
    return {parent for _, parent in references(dataset)}


def _order(datasets: dict) -> list[str]:
    """Datasets parents first; a cycle is refused."""
    graph = {name: parents(d) & set(datasets) for name, d in datasets.items()}
    try:
        return list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as error:
        raise Fault(("datasets",), f"a cycle of references: {' -> '.join(error.args[1])}") from None


def column_order(dataset: dict, at: tuple = ()) -> list[str]:
    """A dataset's columns in the order they can be made: an expression after what it reads."""
    graph = {
        name: expressions.names(expressions.parse(c["expr"])) - {dataset["id"]["column"]}
        if "expr" in c
        else set()
        for name, c in dataset["columns"].items()
    }
    try:
        return list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as error:
        raise Fault(
            (*at, "columns"), f"a cycle of expressions: {' -> '.join(error.args[1])}"
        ) from None
