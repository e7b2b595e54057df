"""The Arrow schema of each spec dataset, known before any row is made (the writers start
their files with it): each generator's type, an expression's from its value on no rows, so
an expression on values of the wrong type (``upper`` of a number) is refused before any row."""

import pyarrow as pa

from gensample.errors import BadInputError
from gensample.generate.datasets import REGISTRY
from gensample.generate.spec import expressions
from gensample.generate.spec.columns import check_weights_type, formatted
from gensample.generate.spec.model import Spec, column_order, weighted
from gensample.generate.spec.schema import dotted


def schemas(spec: Spec) -> dict[str, pa.Schema]:
    """Every dataset's schema, parents first: its id column, then its columns in order."""
    known = {name: table.schema for name, table in spec.tables.items()}
    for name, dataset in spec.datasets.items():
        _check_weights(spec.file, name, dataset, known)
        types: dict[str, pa.DataType] = {}
        for column in column_order(dataset):
            options = dataset["columns"][column]
            try:
                types[column] = column_type(options, types, known)
            except (pa.ArrowException, TypeError) as error:  # e.g. upper() of a number
                at = ("datasets", name, "columns", column)
                path = (*at, "expr") if "expr" in options else at
                raise BadInputError(
                    f"{spec.file}: {dotted(path)}: {str(error).splitlines()[0]}"
                ) from None
        scheme = dataset["id"]
        text = "prefix" in scheme or "width" in scheme
        fields = [(scheme["column"], pa.string() if text else pa.int64())]
        known[name] = pa.schema(fields + [(c, types[c]) for c in dataset["columns"]])
    return {name: known[name] for name in spec.datasets}


def _check_weights(file: str, name: str, dataset: dict, known: dict[str, pa.Schema]) -> None:
    """Refuse a weights column of a parent that holds no numbers."""
    for path, parent, column in weighted(dataset):
        schema = known[parent] if parent in known else REGISTRY[parent].SCHEMA
        try:
            check_weights_type(column, schema.field(column).type)
        except ValueError as error:
            raise BadInputError(f"{file}: {dotted(('datasets', name, *path))}: {error}") from None


def column_type(column: dict, types: dict, known: dict[str, pa.Schema]) -> pa.DataType:
    """The type a column's generator gives, after its format."""
    if "ref" in column:
        parent = column["ref"]["dataset"]
        schema = known[parent] if parent in known else REGISTRY[parent].SCHEMA
        return schema.field(column["ref"]["column"]).type
    if "expr" in column:
        empty = {name: pa.array([], kind) for name, kind in types.items()}
        return expressions.evaluate(expressions.parse(column["expr"]), empty).type
    return formatted(pa.array([], _raw_type(column)), column.get("format")).type


def _raw_type(column: dict) -> pa.DataType:
    """A generator's type before formatting."""
    if "number" in column:
        return pa.float64() if column["number"].get("decimals") else pa.int64()
    if "choice" in column:
        return pa.array(column["choice"]["values"]).type
    dated = "date" in column or column.get("person") == "birth_date"
    return pa.date32() if dated else pa.string()
