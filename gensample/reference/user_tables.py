"""Users' own parent tables: a products or stores file (CSV or Parquet) in place of the
generated catalog, with an optional ``weight`` column (the share of sales or baskets).

Each file is read once per process and checked when the settings are loaded: a missing
required column, an empty or repeated key, a value of the wrong type or a negative weight is a
``BadInputError`` naming the file, the column, the row and what is allowed.
"""

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from gensample.errors import BadInputError
from gensample.reference import stamps


@dataclass(frozen=True, eq=False)
class Spec:
    """What a user table must hold: its key, required and optional columns with their types
    (compared and hashed by identity: there are two)."""

    key: str
    required: dict[str, pa.DataType]
    optional: dict[str, pa.DataType]


PRODUCTS = Spec(
    key="sku",
    required={"sku": pa.string(), "category": pa.string(), "price": pa.float64()},
    optional={
        "product_name": pa.string(),
        "brand": pa.string(),
        "tier": pa.string(),
        "cost": pa.float64(),
        "unit": pa.string(),
        "pack_size": pa.float64(),
        "introduced_on": pa.date32(),
        "discontinued_on": pa.date32(),
        "vehicle_fit": pa.string(),
        "weight": pa.float64(),
    },
)
STORES = Spec(
    key="store_id",
    required={"store_id": pa.int64(), "state": pa.string()},
    optional={
        "store_name": pa.string(),
        "address_line1": pa.string(),
        "city": pa.string(),
        "postal_code": pa.string(),
        "opened_on": pa.date32(),
        "format": pa.string(),
        "weight": pa.float64(),
    },
)


@stamps.kept_while_unchanged
@functools.lru_cache(maxsize=4)
def read(path: str, spec: Spec) -> pa.Table:
    """The file at ``path`` (``.parquet``, else CSV) as the spec's columns, checked."""
    raw = _raw(Path(path))
    missing = [column for column in spec.required if column not in raw.column_names]
    if missing:
        raise BadInputError(
            f"{path}: columns {raw.column_names[:20]} are not allowed: expected "
            f"{', '.join(spec.required)} (and optionally {', '.join(spec.optional)})"
        )
    if not raw.num_rows:
        raise BadInputError(f"{path}: no rows: expected at least one")
    wanted = {**spec.required, **spec.optional}
    columns = {
        name: _typed(path, raw[name], name, kind)
        for name, kind in wanted.items()
        if name in raw.column_names
    }
    table = pa.table(columns)
    _check_key(path, table, spec.key)
    for name in spec.required:
        _check_present(path, table, name)
    if "weight" in columns:
        _check_weights(path, table["weight"])
    return table


def _raw(path: Path) -> pa.Table:
    """Every column of the file, CSV columns as text."""
    try:
        if path.suffix.lower() == ".parquet":
            return pq.read_table(path)
        with path.open(newline="", encoding="utf-8") as file:
            names = next(csv.reader(file), [])
        options = pacsv.ConvertOptions(column_types={name: pa.string() for name in names})
        return pacsv.read_csv(path, convert_options=options)
    except (OSError, UnicodeDecodeError, pa.ArrowInvalid) as error:
        raise BadInputError(f"{path}: cannot read as CSV or Parquet: {str(error)[:200]}") from error


def _typed(path: str, column: pa.ChunkedArray, name: str, kind: pa.DataType) -> pa.ChunkedArray:
    """``column`` as ``kind``, an empty text as missing."""
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        column = pc.if_else(pc.equal(pc.utf8_trim_whitespace(column), ""), None, column)
    try:
        return column.cast(kind)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        bad = _first_uncastable(column, kind)
        raise BadInputError(
            f"{path}: column {name}, row {bad + 1}: {str(column[bad].as_py())[:40]!r} is not "
            f"allowed: expected {_described(kind)}"
        ) from None


def _first_uncastable(column: pa.ChunkedArray, kind: pa.DataType) -> int:
    """The first row whose value does not cast to ``kind``."""
    for row, value in enumerate(column.to_pylist()):
        try:
            pa.array([value], column.type).cast(kind)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return row
    return 0


def _described(kind: pa.DataType) -> str:
    """A type in words."""
    if pa.types.is_integer(kind):
        return "a whole number"
    if pa.types.is_floating(kind):
        return "a number"
    if pa.types.is_date(kind):
        return "a date YYYY-MM-DD"
    return "a text"


def _check_key(path: str, table: pa.Table, key: str) -> None:
    """Refuse a missing or repeated key."""
    _check_present(path, table, key)
    counts = pc.value_counts(table[key])
    repeated = counts.filter(pc.greater(counts.field("counts"), 1))
    if len(repeated):
        value = str(repeated[0]["values"].as_py())[:40]
        raise BadInputError(f"{path}: column {key}: {value!r} is repeated: expected each once")


def _check_present(path: str, table: pa.Table, column: str) -> None:
    """Refuse an empty value in a required column."""
    if table[column].null_count:
        row = pc.index(pc.is_null(table[column]), True).as_py()
        raise BadInputError(f"{path}: column {column}, row {row + 1}: empty: expected a value")


def _check_weights(path: str, weight: pa.ChunkedArray) -> None:
    """Weights: finite numbers >= 0 (empty is 0), not all 0."""
    values = weight.fill_null(0).to_numpy()
    bad = np.flatnonzero(~(np.isfinite(values) & (values >= 0)))
    if len(bad):
        raise BadInputError(
            f"{path}: column weight, row {bad[0] + 1}: {values[bad[0]]!r} is not allowed: "
            "expected a finite number >= 0"
        )
    if values.sum() <= 0:
        raise BadInputError(f"{path}: column weight: all 0: expected some weight above 0")
