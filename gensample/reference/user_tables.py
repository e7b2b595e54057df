"""Users' own parent tables: a products or stores file (CSV or Parquet) in place of the
generated catalog, with an optional ``weight`` column (the share of sales or baskets).

Each file is read once per process and checked when the settings are loaded: a missing
required column, an empty or repeated key, a value of the wrong type, a number out of its range
(a price of nan, a negative weight), a state that is no US state code or a product discontinued
before it was introduced is a ``BadInputError`` naming the file, the column, the row and what is
allowed.
"""

import csv
import functools
import math
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from gensample import reference
from gensample.errors import BadInputError
from gensample.reference import stamps

MONEY_LIMIT = 10**7
"""Prices and costs stay below ten million dollars, so that baskets' and customers' totals of
them still fit the money columns (DECIMAL(12, 2): below 10 ** 10 dollars)."""


@dataclass(frozen=True)
class Range:
    """The numbers a column allows: finite, from ``low`` (above it when ``strict``) to below
    ``high``."""

    low: float
    high: float = math.inf
    strict: bool = False

    def allows(self, values: np.ndarray) -> np.ndarray:
        """Whether each value is allowed."""
        above = values > self.low if self.strict else values >= self.low
        return np.isfinite(values) & above & (values < self.high)

    def __str__(self) -> str:
        low = f"{'>' if self.strict else '>='} {self.low:g}"
        high = f" and < {self.high:.0f}" if math.isfinite(self.high) else ""
        return f"a finite number {low}{high}"


@dataclass(frozen=True, eq=False)
class Spec:
    """What a user table must hold: its key, required and optional columns with their types
    and allowed values (compared and hashed by identity: there are two)."""

    key: str
    required: dict[str, pa.DataType]
    optional: dict[str, pa.DataType]
    ranges: dict[str, Range] = field(default_factory=dict)
    """The numbers each number column allows (an empty value aside)."""
    codes: dict[str, Callable[[], Collection[str]]] = field(default_factory=dict)
    """The codes a text column allows (the list made when first needed)."""
    ordered: tuple[str, str] | None = None
    """Two date columns whose second is not before the first on any row."""
    weighed_by: str | None = None
    """The column each of whose values needs a weight above 0: sales of a category are shared
    among its products."""


def us_states() -> Collection[str]:
    """The two-letter codes of the 50 states and DC."""
    return reference.state_populations().keys()


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
    ranges={
        "price": Range(0.01, MONEY_LIMIT),
        "cost": Range(0, MONEY_LIMIT),
        "pack_size": Range(0, strict=True),
        "weight": Range(0),
    },
    ordered=("introduced_on", "discontinued_on"),
    weighed_by="category",
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
    ranges={"weight": Range(0)},
    codes={"state": us_states},
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
    for name, allowed in spec.ranges.items():
        if name in columns:
            _check_range(path, table[name], name, allowed)
    for name, codes in spec.codes.items():
        _check_codes(path, table[name], name, codes())
    if spec.ordered and set(spec.ordered) <= set(columns):
        _check_order(path, table, *spec.ordered)
    if "weight" in columns:
        _check_weights(path, table, spec.weighed_by)
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


def _check_range(path: str, column: pa.ChunkedArray, name: str, allowed: Range) -> None:
    """Refuse a number ``allowed`` does not allow (an empty value aside)."""
    values = column.to_numpy()
    bad = np.flatnonzero(pc.is_valid(column).to_numpy() & ~allowed.allows(values))
    if len(bad):
        raise BadInputError(
            f"{path}: column {name}, row {bad[0] + 1}: {float(values[bad[0]])!r} is not allowed: "
            f"expected {allowed}"
        )


def _check_codes(path: str, column: pa.ChunkedArray, name: str, codes: Collection[str]) -> None:
    """Refuse a value that is none of ``codes``."""
    allowed = sorted(codes)
    unknown = pc.invert(pc.is_in(column, value_set=pa.array(allowed, column.type)))
    if pc.any(unknown).as_py():
        row = pc.index(unknown, True).as_py()
        raise BadInputError(
            f"{path}: column {name}, row {row + 1}: {str(column[row].as_py())[:40]!r} is not "
            f"allowed: expected one of {', '.join(allowed)}"
        )


def _check_order(path: str, table: pa.Table, first: str, then: str) -> None:
    """Refuse a row whose ``then`` date is before its ``first`` date."""
    before = pc.less(table[then], table[first]).fill_null(False)
    if pc.any(before).as_py():
        row = pc.index(before, True).as_py()
        raise BadInputError(
            f"{path}: column {then}, row {row + 1}: {table[then][row].as_py()} is not allowed: "
            f"expected a date on or after {first} ({table[first][row].as_py()})"
        )


def _check_weights(path: str, table: pa.Table, group: str | None) -> None:
    """Weights (empty is 0) not all 0, nor all 0 for one value of the ``group`` column."""
    weight = table["weight"].fill_null(0)
    if group is None:
        if pc.sum(weight).as_py() <= 0:
            raise BadInputError(f"{path}: column weight: all 0: expected some weight above 0")
        return
    totals = (
        pa.table({group: table[group], "weight": weight})
        .group_by(group)
        .aggregate([("weight", "sum")])
    )
    unweighed = totals.filter(pc.less_equal(totals["weight_sum"], 0))
    if unweighed.num_rows:
        value = str(unweighed[group][0].as_py())[:40]
        raise BadInputError(
            f"{path}: column weight: all 0 for {group} {value!r}: expected some weight above 0 "
            f"in each {group} (leave out the products never sold)"
        )
