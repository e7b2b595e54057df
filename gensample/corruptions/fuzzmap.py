"""The fuzz map: which corruptions a duplicate's fields get, with what weight, as data.

A fuzzed duplicate corrupts between one and ``max_fields`` fields, chosen by field weight without
repetition; each chosen field gets one corruption, chosen by corruption weight. Errors come
together: a hurried record (``hurried_share`` of them) corrupts ``max_fields`` fields, the others
between one and ``max_fields - 1``. Settings override
the map per field (``[fuzz.fields.<field>]``). Only corruptions that really changed a value are
recorded, as ``field:corruption`` labels joined by ``;``.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.corruptions.arrays import every_row, put
from gensample.corruptions.layered import (
    FIELD_COLUMNS,
    Layer,
    corrupt_layers,
    in_layers,
    pick_corruptions,
)
from gensample.corruptions.weights import (
    DEFAULT_FUZZ_MAP,
    Difficulty,
    FieldFuzz,
    weighed,
)
from gensample.native.strings import join_element_wise
from gensample.native.take import one_array, take

FIELD_KINDS = MappingProxyType({"name": "name_pair", "birth_date": "date"})
"""The kind of value a field holds (what corruptions apply to it); the others are text."""

HURRIED_SHARE = 0.2
"""Default share of fuzzed records typed in a hurry: they carry the most errors."""


def effective(
    overrides: Mapping[str, FieldFuzz] | None, difficulty: Difficulty | None = None
) -> dict[str, FieldFuzz]:
    """The default fuzz map, weighed by a difficulty preset when one is given, with the
    settings' per-field overrides applied (as given: a field set by hand is not weighed)."""
    defaults = weighed(DEFAULT_FUZZ_MAP, difficulty) if difficulty else dict(DEFAULT_FUZZ_MAP)
    return {**defaults, **(overrides or {})}


def as_data(fuzz_map: Mapping[str, FieldFuzz]) -> dict:
    """The fuzz map as plain data, for the manifest."""
    return {
        field: {"weight": f.weight, "corruptions": dict(f.corruptions)}
        for field, f in fuzz_map.items()
    }


Fuzzed = tuple[pa.Table, pa.Array]
"""What a fuzz pass gives: the table with its rows corrupted, and per row the labels of the
corruptions that changed it."""


@dataclass(frozen=True)
class Request:
    """A fuzz pass: ``rows`` of ``table`` through ``fuzz_map``, drawing from ``rng``."""

    table: pa.Table
    rows: np.ndarray
    fuzz_map: Mapping[str, FieldFuzz]
    max_fields: int
    rng: np.random.Generator
    hurried_share: float = HURRIED_SHARE


def fuzz(
    table: pa.Table,
    rows: np.ndarray,
    fuzz_map: Mapping[str, FieldFuzz],
    max_fields: int,
    rng: np.random.Generator,
    hurried_share: float = HURRIED_SHARE,
) -> Fuzzed:
    """Corrupt ``rows`` of ``table`` through the fuzz map.

    Returns the corrupted table and, per row, the corruptions that changed a value
    (``"first_name:use_nickname;email:make_typo"``; empty for untouched rows).
    """
    return fuzz_together([Request(table, rows, fuzz_map, max_fields, rng, hurried_share)])[0]


def fuzz_together(requests: list[Request]) -> list[Fuzzed]:
    """``fuzz`` of each request, the passes made together (one call per corruption for all),
    each coming out as it would alone."""
    results = []
    for request, (fuzzed, found) in zip(requests, _fuzzed_copies(requests), strict=True):
        table, rows = request.table, request.rows
        labels = put(no_labels(table.num_rows), rows, [found])
        results.append((put_rows(table, rows, fuzzed), labels))
    return results


def no_labels(n: int) -> pa.Array:
    """``n`` empty labels."""
    return pa.repeat(pa.scalar(""), n)


class _Pass:
    """A request's pass: its copy of the rows, the fields it corrupts and their picks."""

    def __init__(self, request: Request) -> None:
        fuzz_map, table = request.fuzz_map, request.table
        self.fields = _fuzzed_fields(fuzz_map, table.column_names)
        self.copy = _rows(table.select(_columns(self.fields)), request.rows)
        weights = [fuzz_map[f].weight for f in self.fields]
        rng, n = request.rng, len(request.rows)
        chosen = choose_fields(rng, n, weights, request.max_fields, request.hurried_share)
        self.picks = [
            pick_corruptions(field, np.flatnonzero(chosen[:, position]), fuzz_map[field], rng)
            for position, field in enumerate(self.fields)
        ]
        self.layers = in_layers(self.fields)
        self.names = [f"{f}:{name}" for f in self.fields for name in fuzz_map[f].corruptions]
        self.first_name = np.cumsum([0] + [len(fuzz_map[f].corruptions) for f in self.fields])
        """Of each field, the position in ``names`` of its first corruption's label."""
        self.codes = np.full((n, len(self.fields)), -1, np.int32)  # per row and field: a label
        self.request = request

    def layer(self, depth: int) -> Layer:
        """The pass's layer ``depth``."""
        picks = [self.picks[p] for p in self.layers[depth]]
        return Layer(self.copy, picks, self.request.fuzz_map, self.request.rng)

    def corrupted(self, depth: int, copy: pa.Table, applied: list[np.ndarray]) -> None:
        """Keep what layer ``depth`` made: the copy, and the label of each change."""
        self.copy = copy
        for position, corruption in zip(self.layers[depth], applied, strict=True):
            first = self.first_name[position]
            self.codes[:, position] = np.where(corruption >= 0, corruption + first, -1)

    def labels(self) -> pa.Array:
        """Per row, the labels of the corruptions that changed it."""
        return _joined_labels(self.codes, self.names)


def _fuzzed_copies(requests: list[Request]) -> list[Fuzzed]:
    """Per request, its rows of the columns of its table the fuzz map corrupts, corrupted, and
    their labels: the layers of all the passes at one depth corrupted together."""
    passes = [_Pass(request) for request in requests]
    for depth in range(max((len(each.layers) for each in passes), default=0)):
        deep = [each for each in passes if depth < len(each.layers)]
        made = corrupt_layers([each.layer(depth) for each in deep])
        for each, (copy, applied) in zip(deep, made, strict=True):
            each.corrupted(depth, copy, applied)
    return [(each.copy, each.labels()) for each in passes]


def _fuzzed_fields(fuzz_map: Mapping[str, FieldFuzz], held: list[str]) -> list[str]:
    """The fields of ``fuzz_map`` a pass corrupts in a table of columns ``held``: those with a
    weight whose every column it holds."""
    return [
        field
        for field, entry in fuzz_map.items()
        if set(FIELD_COLUMNS.get(field, (field,))) <= set(held) and entry.weight > 0
    ]


def _columns(fields: list[str]) -> list[str]:
    """The columns ``fields`` span, in their order."""
    return list(dict.fromkeys(c for f in fields for c in FIELD_COLUMNS.get(f, (f,))))


def fuzzed_columns(fuzz_map: Mapping[str, FieldFuzz], held: list[str]) -> list[str]:
    """The columns a pass of ``fuzz_map`` corrupts in a table of columns ``held``."""
    return _columns(_fuzzed_fields(fuzz_map, held))


def _rows(table: pa.Table, rows: np.ndarray) -> pa.Table:
    """``rows`` of ``table``: the table itself when they are all its rows, in order."""
    if every_row(rows, table.num_rows):
        return table
    return take(table, rows)


def put_rows(table: pa.Table, rows: np.ndarray, copied: pa.Table) -> pa.Table:
    """``table`` with the columns of ``copied`` holding its values at ``rows``."""
    for column in copied.column_names:
        merged = put(one_array(table[column]), rows, [one_array(copied[column])])
        table = table.set_column(table.column_names.index(column), column, merged)
    return table


def _joined_labels(codes: np.ndarray, labels: list[str]) -> pa.Array:
    """Per row, the labels its codes name (-1: none) joined by ';', in column order."""
    named = codes >= 0
    offsets = np.concatenate([[0], np.cumsum(np.count_nonzero(named, axis=1))])
    per_row = pa.ListArray.from_arrays(
        pa.array(offsets, pa.int32()), take(pa.array(labels, pa.string()), codes[named])
    )
    return pc.binary_join(per_row, ";")


def join_labels(labels: list[pa.Array], n: int) -> pa.Array:
    """Join per-field labels row by row with ';', leaving out missing ones."""
    if not labels:
        return no_labels(n)
    labels = [one_array(label) for label in labels]
    held = np.zeros(n, bool)  # rows with a label: the others join to ""
    for label in labels:
        held |= pc.binary_length(label).fill_null(0).to_numpy(zero_copy_only=False) > 0
    rows = np.flatnonzero(held)
    taken = [take(label, rows) for label in labels]
    joined = join_element_wise(*taken, ";", null_handling="skip")
    tidy = pc.utf8_trim(pc.replace_substring_regex(joined, ";{2,}", ";"), ";")
    return put(no_labels(n), rows, [tidy])


def choose_fields(
    rng: np.random.Generator,
    n: int,
    weights: list[float],
    max_fields: int,
    hurried_share: float = HURRIED_SHARE,
) -> np.ndarray:
    """A boolean (n, fields) matrix: 1..max_fields fields per row, by weight, without repetition;
    the most in a ``hurried_share`` of the rows, fewer in the others."""
    weights = np.asarray(weights, dtype=np.float64)
    usable = int(np.count_nonzero(weights > 0))
    if not usable:
        return np.zeros((n, len(weights)), dtype=bool)
    most = min(max_fields, usable)
    hurried = rng.random(n) < hurried_share
    count = np.where(hurried, most, rng.integers(1, max(most - 1, 1) + 1, n))
    # Efraimidis-Spirakis with exponential keys: a row's fields ordered by E / w are a weighted
    # draw without repetition; a zero weight gives an infinite key, never among the smallest
    with np.errstate(divide="ignore"):
        keys = rng.standard_exponential((n, len(weights))) / weights
    largest_kept = np.sort(keys, axis=1)[np.arange(n), count - 1]
    return keys <= largest_kept[:, None]
