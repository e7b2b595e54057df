"""A matcher's predictions: read, recognise the form, check every line, map ids to records.

Two forms, told apart by the header: pairs (``record_id_a, record_id_b``, optional
``dataset_a, dataset_b`` and ``score``) and clusters (``record_id, cluster_id``, optional
``dataset``), in CSV (UTF-8) or Parquet (or an Arrow table through the API). Every problem is a
:class:`~gensample.errors.BadInputError` naming the file and the line (CSV, the header is line 1)
or the row (Parquet, from 1).
"""

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.errors import BadInputError
from gensample.score.predictions_file import PARQUET, read_table

PAIRS = ("record_id_a", "record_id_b")
CLUSTERS = ("record_id", "cluster_id")
DATASET_COLUMNS = {"pairs": ("dataset_a", "dataset_b"), "clusters": ("dataset",)}
COLUMNS = (*PAIRS, *CLUSTERS, "dataset_a", "dataset_b", "dataset", "score")
"""Every column the scorer reads."""
DEFAULT_DATASET = "customers"
MAX_ID = 2**63 - 1
AN_ID = "a whole number from 0 to 2^63-1"
"""What a record id is (the truth's ``record_id`` is int64; generated ids start at 0 or more)."""
TEXT = (pa.types.is_string, pa.types.is_large_string, pa.types.is_null)
LABEL = (*TEXT, pa.types.is_binary, pa.types.is_integer, pa.types.is_floating)
TYPES = {
    "dataset": ("text (dataset names)", TEXT, pa.string()),
    "dataset_a": ("text (dataset names)", TEXT, pa.string()),
    "dataset_b": ("text (dataset names)", TEXT, pa.string()),
    "cluster_id": ("numbers or text", LABEL, None),
}
"""Per column: the types allowed (what to call them, type tests) and the type read as, if one.
A column all empty is of type null."""


@dataclass(frozen=True)
class Raw:
    """A predictions table as read, before its ids are checked against the truth."""

    table: pa.Table
    form: str  # "pairs" or "clusters"
    name: str
    first_line: int  # the line (or row) number of the table's first row

    def where(self, row: int) -> str:
        """``file, line N`` (CSV) or ``file, row N`` of the table's row ``row``."""
        unit = "line" if self.first_line == 2 else "row"
        return f"{self.name}, {unit} {row + self.first_line}"

    def datasets(self, chosen: tuple[str, ...] | None, known: tuple[str, ...]) -> tuple[str, ...]:
        """The datasets scored: ``chosen``, else those named in the file, else customers.

        A dataset the file names that is not among ``known`` (the truth's) is an error naming
        the first line that gives one.
        """
        columns = [c for c in DATASET_COLUMNS[self.form] if c in self.table.column_names]
        if not columns:
            if chosen and len(chosen) > 1:
                raise BadInputError(
                    f"{self.name}: no dataset column, so one --dataset at most "
                    f"(got {', '.join(chosen)}); or add {' and '.join(DATASET_COLUMNS[self.form])}"
                )
            return chosen or (DEFAULT_DATASET,)
        if chosen:
            return chosen
        named = {
            (c, n) for c in columns for n in pc.unique(self.table[c]).to_pylist() if n is not None
        }
        self._only_known(named, known)
        return tuple(sorted({n for _, n in named})) or (DEFAULT_DATASET,)

    def _only_known(self, named: set[tuple[str, str]], known: tuple[str, ...]) -> None:
        """Refuse a dataset (of ``named``: column, name) not ``known``, naming its first line."""
        unknown = [(pc.index(self.table[c], n).as_py(), c, n) for c, n in named if n not in known]
        if unknown:
            row, column, name = min(unknown)
            raise BadInputError(
                f"{self.where(row)}: {column} {name!r} is not a dataset of the truth "
                f"({', '.join(known)})"
            )


@dataclass(frozen=True)
class Predictions:
    """Predictions as record indices of a :class:`~gensample.score.truth.Truth`."""

    form: str
    name: str
    a: np.ndarray  # pairs: first record; clusters: the record
    b: np.ndarray  # pairs: second record; clusters: dense cluster code
    scores: np.ndarray | None  # pairs with a score column


def read(predictions) -> Raw:
    """Read a predictions file (CSV or Parquet) or table and recognise its form."""
    if isinstance(predictions, pa.Table):
        table, name, first = predictions, "predictions table", 1
    else:
        path = Path(predictions)
        table, name = read_table(path), str(path)
        first = 1 if path.suffix.lower() in PARQUET else 2
    _each_once(table, name)
    form = _form(table, name)
    return Raw(_typed(table, name), form, name, first)


def _each_once(table: pa.Table, name: str) -> None:
    """A column the scorer reads appears once in the header (else which one would it read?)."""
    for column in COLUMNS:
        count = table.column_names.count(column)
        if count > 1:
            raise BadInputError(
                f"{name}: column {column} appears {count} times in the header; give it once"
            )


def _form(table: pa.Table, name: str) -> str:
    """``pairs`` or ``clusters``, from the header."""
    columns = set(table.column_names)
    if set(PAIRS) <= columns:
        form = "pairs"
    elif set(CLUSTERS) <= columns:
        form = "clusters"
    else:
        raise BadInputError(
            f"{name}: header {', '.join(table.column_names) or '(empty)'} has neither "
            f"{' and '.join(PAIRS)} (pairs) nor {' and '.join(CLUSTERS)} (clusters)"
        )
    present = [c for c in DATASET_COLUMNS[form] if c in columns]
    if form == "pairs" and len(present) == 1:
        raise BadInputError(f"{name}: {present[0]} without its partner; give both or neither")
    return form


def _typed(table: pa.Table, name: str) -> pa.Table:
    """``table`` with the columns of TYPES checked, dictionaries (pandas categories) decoded."""
    for number, column in enumerate(table.column_names):
        if column not in TYPES:
            continue
        values = table[number]
        if pa.types.is_dictionary(values.type):
            values = values.cast(values.type.value_type)
        allowed, tests, read_as = TYPES[column]
        if not any(test(values.type) for test in tests):
            raise BadInputError(f"{name}: {column} must hold {allowed}, not {values.type}")
        table = table.set_column(number, column, values.cast(read_as or values.type))
    return table


def resolve(raw: Raw, truth) -> Predictions:
    """Map the ids of ``raw`` to record indices of ``truth``, checking every line."""
    if raw.form == "pairs":
        a = _records(raw, truth, "record_id_a", "dataset_a")
        b = _records(raw, truth, "record_id_b", "dataset_b")
        _no_self_pairs(raw, a, b)
        _no_repeats(raw, np.minimum(a, b) * truth.size + np.maximum(a, b), "the same pair")
        scores = _scores(raw) if "score" in raw.table.column_names else None
        return Predictions("pairs", raw.name, a, b, scores)
    record = _records(raw, truth, "record_id", "dataset")
    _no_repeats(raw, record, "the same record")
    cluster = raw.table["cluster_id"]
    _no_nulls(raw, cluster, "cluster_id")
    codes = pc.dictionary_encode(cluster.combine_chunks()).indices.to_numpy()
    return Predictions("clusters", raw.name, record, codes.astype(np.int64), None)


def _records(raw: Raw, truth, id_column: str, dataset_column: str) -> np.ndarray:
    """Record indices of one id column; unknown datasets and ids are errors."""
    ids = _integers(raw, id_column)
    if dataset_column in raw.table.column_names:
        column = raw.table[dataset_column]
        _no_nulls(raw, column, dataset_column)
        code = pc.index_in(column, pa.array(truth.datasets)).to_numpy(zero_copy_only=False)
    else:
        code = np.zeros(len(ids))
    code = np.where(np.isnan(code.astype(float)), -1, code).astype(np.int64)
    if (code < 0).any():
        row = int(np.argmax(code < 0))
        raise BadInputError(
            f"{raw.where(row)}: {dataset_column} {raw.table[dataset_column][row].as_py()!r} is "
            f"not a scored dataset ({', '.join(truth.datasets)})"
        )
    found = np.full(len(ids), -1, dtype=np.int64)
    for number in range(len(truth.datasets)):
        mine = code == number
        found[mine] = truth.lookup(number, ids[mine])
    if (found < 0).any():
        row = int(np.argmax(found < 0))
        raise BadInputError(
            f"{raw.where(row)}: {id_column} {ids[row]} is not a record of "
            f"{truth.datasets[code[row]]} in the truth"
        )
    return found


def _integers(raw: Raw, column: str) -> np.ndarray:
    """The column as int64 ids; the first null or value not :data:`AN_ID` names its line."""
    values = raw.table[column]
    _no_nulls(raw, values, column)
    if pa.types.is_integer(values.type):
        ids = values.to_numpy()
        good = (ids >= 0) & (ids <= MAX_ID)
    else:
        ids = [_whole(value) for value in values.to_pylist()]
        good = np.array([i is not None and 0 <= i <= MAX_ID for i in ids], dtype=bool)
    if not good.all():
        row = int(np.argmin(good))
        raise BadInputError(f"{raw.where(row)}: {column} {values[row].as_py()!r} is not {AN_ID}")
    return np.asarray(ids, dtype=np.int64)


def _whole(value) -> int | None:
    """``value`` (text or a number) as an int if it is a whole number, else None."""
    try:
        if isinstance(value, str):
            return int(value.strip())
        return int(value) if float(value).is_integer() else None
    except (TypeError, ValueError, OverflowError):
        return None


def _scores(raw: Raw) -> np.ndarray:
    """The score column as float64; a null, non-number or infinite score names its line."""
    values = raw.table["score"]
    _no_nulls(raw, values, "score")
    if pa.types.is_integer(values.type) or pa.types.is_floating(values.type):
        scores = values.to_numpy().astype(np.float64)
        bad = ~np.isfinite(scores)
        if not bad.any():
            return scores
        row = int(np.argmax(bad))
        raise BadInputError(f"{raw.where(row)}: score {scores[row]} is not a finite number")
    for row, value in enumerate(values.to_pylist()):
        try:
            finite = math.isfinite(float(value))
        except (TypeError, ValueError):
            finite = False
        if not finite:
            raise BadInputError(f"{raw.where(row)}: score {value!r} is not a finite number")
    return np.asarray([float(v) for v in values.to_pylist()], dtype=np.float64)


def _no_nulls(raw: Raw, values, column: str) -> None:
    if values.null_count:
        row = int(np.argmax(values.is_null().to_numpy(zero_copy_only=False)))
        raise BadInputError(f"{raw.where(row)}: {column} is empty")


def _no_self_pairs(raw: Raw, a: np.ndarray, b: np.ndarray) -> None:
    if (a == b).any():
        row = int(np.argmax(a == b))
        raise BadInputError(f"{raw.where(row)}: pairs a record with itself")


def _no_repeats(raw: Raw, keys: np.ndarray, what: str) -> None:
    """Every key once; otherwise name the first line that repeats one, and the line before."""
    order = np.argsort(keys, kind="stable")
    repeat = keys[order][1:] == keys[order][:-1]
    if repeat.any():
        later = order[1:][repeat]
        first = int(np.argmin(later))
        earlier = int(order[:-1][repeat][first])
        raise BadInputError(
            f"{raw.where(int(later[first]))}: {what} as {raw.where(earlier).rsplit(', ', 1)[1]}"
        )
