"""One pass of the fuzz map over a copy of the rows: the fields it picked, in layers.

Fields that share no column are corrupted together, as one layer: each corruption is called once
for all the layer's fields that use it, on their values one after the other, so that a pass
costs one call per corruption rather than one per field and corruption. A field sharing a column
with an earlier one (the name pair after the first name) comes in a later layer and corrupts the
value the earlier one left. Layers of several passes (the source systems' copies of a block) can
be corrupted together, one call per corruption for them all, each pass drawing from its own
generator (``row_draws``), so that each comes out as it would alone.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pyarrow as pa

from gensample.corruptions import CORRUPTIONS
from gensample.corruptions.arrays import by_group, differs, put
from gensample.corruptions.row_draws import RowDraws
from gensample.corruptions.weights import FieldFuzz
from gensample.native.take import one_array, take

FIELD_COLUMNS = MappingProxyType({"name": ("first_name", "last_name")})
"""Fields that span several columns; every other field is the column of the same name."""


@dataclass(frozen=True)
class Pick:
    """The rows of a copy a field is corrupted in, grouped by the corruption each gets."""

    field: str
    rows: np.ndarray
    """The rows, those of the field's first corruption first: ``rows[bounds[i]:bounds[i + 1]]``
    get corruption ``i``."""
    corruption: np.ndarray
    """The index of each row's corruption among the field's."""
    bounds: np.ndarray

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns the field spans."""
        return FIELD_COLUMNS.get(self.field, (self.field,))


def pick_corruptions(
    field: str, rows: np.ndarray, entry: FieldFuzz, rng: np.random.Generator
) -> Pick:
    """One of the field's corruptions for each of ``rows``, drawn by weight (none when all the
    weights are zero)."""
    weights = np.array(list(entry.corruptions.values()), dtype=np.float64)
    if not weights.sum():
        rows = rows[:0]
    which = rng.choice(len(weights), len(rows), p=weights / weights.sum()) if len(rows) else rows
    order, bounds = by_group(which, len(weights))
    return Pick(field, rows[order], which[order], bounds)


def in_layers(fields: list[str]) -> list[list[int]]:
    """The positions of ``fields`` in layers corrupted one after the other: a field sharing a
    column with an earlier one (the name pair and the first name) comes in a later layer, so
    that it corrupts the value the earlier one left."""
    layers: list[list[int]] = []
    depth_of: dict[str, int] = {}  # column -> the last layer that corrupts it
    for position, field in enumerate(fields):
        columns = FIELD_COLUMNS.get(field, (field,))
        depth = 1 + max((depth_of[c] for c in columns if c in depth_of), default=-1)
        depth_of.update(dict.fromkeys(columns, depth))
        layers += [[] for _ in range(depth + 1 - len(layers))]
        layers[depth].append(position)
    return layers


Run = tuple[int, int, int]
"""Rows ``start:end`` of the pick at position ``p`` of a layer, as ``(p, start, end)``."""

Key = tuple[str, tuple[pa.DataType, ...]]
"""A corruption call: the corruption's name and the types of the values it gets."""


@dataclass(frozen=True)
class Layer:
    """One layer of a fuzz pass: the copy it corrupts, the picks of its fields (which share no
    column), the fuzz map they come from and the pass's generator."""

    table: pa.Table
    picks: list[Pick]
    fuzz_map: Mapping[str, FieldFuzz]
    rng: np.random.Generator


class _Corrupting:
    """A layer being corrupted: its picked values before, and the corrupted runs so far."""

    def __init__(self, layer: Layer) -> None:
        self.layer = layer
        table, picks = layer.table, layer.picks
        self.current = {c: one_array(table[c]) for chosen in picks for c in chosen.columns}
        self.before = [
            [take(self.current[c], chosen.rows) for c in chosen.columns] for chosen in picks
        ]
        self.runs = _by_corruption(picks, self.before, layer.fuzz_map)
        self.pieces: list[dict[int, list[pa.Array]]] = [{} for _ in picks]  # by start: columns
        self.changed = [np.zeros(len(chosen.rows), dtype=bool) for chosen in picks]

    def inputs(self, key: Key) -> list[pa.Array]:
        """The values of the runs ``key`` gets, one array per column."""
        runs = self.runs[key]
        return [
            pa.concat_arrays(
                [self.before[p][c].slice(start, end - start) for p, start, end in runs]
            )
            for c in range(len(key[1]))
        ]

    def take_result(self, key: Key, result: list[pa.Array], shown: np.ndarray) -> None:
        """Keep the corrupted values of the runs ``key`` got (and which rows they changed)."""
        offset = 0
        for p, start, end in self.runs[key]:
            self.pieces[p][start] = [values.slice(offset, end - start) for values in result]
            self.changed[p][start:end] = shown[offset : offset + end - start]
            offset += end - start

    def finished(self) -> tuple[pa.Table, list[np.ndarray]]:
        """The layer's table with each column rebuilt once, and per pick, for each row, the
        index of the corruption that changed it (-1: none)."""
        table, applied = self.layer.table, []
        for chosen, placed, changes in zip(
            self.layer.picks, self.pieces, self.changed, strict=True
        ):
            in_order = [placed[start] for start in sorted(placed)]
            for position, column in enumerate(chosen.columns):
                pieces = [run[position] for run in in_order]
                merged = put(self.current[column], chosen.rows, pieces)
                table = table.set_column(table.column_names.index(column), column, merged)
            applied.append(np.full(table.num_rows, -1, np.int32))
            applied[-1][chosen.rows[changes]] = chosen.corruption[changes]
        return table, applied


def corrupt_layers(layers: list[Layer]) -> list[tuple[pa.Table, list[np.ndarray]]]:
    """Corrupt the picked rows of each layer (each of its own copy, from its own generator):
    each corruption is called once for all the layers' fields that use it (on their values,
    one after the other) in an order that keeps each layer's own, each layer's rows drawing from
    the layer's generator, so that a layer comes out as it would alone; each column is rebuilt
    once.

    Returns, per layer, its table and, per pick, for each row, the index of the corruption
    that changed it (-1: none)."""
    corrupting = [_Corrupting(layer) for layer in layers]
    for key, callers in _call_order([list(state.runs) for state in corrupting]):
        inputs = [state.inputs(key) for state in (corrupting[i] for i in callers)]
        rows = [len(values[0]) for values in inputs]
        joined = [pa.concat_arrays(columns) for columns in zip(*inputs, strict=True)]
        rng = layers[callers[0]].rng
        if len(callers) > 1:
            rng = RowDraws([layers[i].rng for i in callers], rows)
        result = CORRUPTIONS[key[0]].function(*joined, rng)
        result = list(result) if isinstance(result, tuple) else [result]
        shown, offset = _changed(joined, result), 0
        for i, count in zip(callers, rows, strict=True):
            mine = [values.slice(offset, count) for values in result]
            corrupting[i].take_result(key, mine, shown[offset : offset + count])
            offset += count
    return [state.finished() for state in corrupting]


def _call_order(keys: list[list[Key]]) -> list[tuple[Key, list[int]]]:
    """The corruption calls of several layers made together: each call and the layers it
    serves, every layer's calls in its own order. A call is made when it is next in every
    layer that makes it (when none is, the first layer's next goes alone)."""
    pending, order = [list(each) for each in keys], []
    while any(pending):
        heads = [each[0] for each in pending if each]
        ready = [k for k in heads if not any(k in each[1:] for each in pending)]
        key = ready[0] if ready else heads[0]
        callers = [i for i, each in enumerate(pending) if each and each[0] == key]
        for i in callers:
            pending[i].pop(0)
        order.append((key, callers))
    return order


def _by_corruption(
    picks: list[Pick], before: list[list[pa.Array]], fuzz_map: Mapping[str, FieldFuzz]
) -> dict[Key, list[Run]]:
    """The runs of rows each corruption gets, by corruption and the types of the values (a
    blank date and a blank text are separate calls)."""
    runs: dict[Key, list[Run]] = {}
    for p, chosen in enumerate(picks):
        types = tuple(values.type for values in before[p])
        for index, name in enumerate(fuzz_map[chosen.field].corruptions):
            start, end = chosen.bounds[index], chosen.bounds[index + 1]
            if end > start:
                runs.setdefault((name, types), []).append((p, start, end))
    return runs


def _changed(before: list[pa.Array], after: list[pa.Array]) -> np.ndarray:
    """Which rows differ in any column between ``before`` and ``after`` (nulls included)."""
    changed = np.zeros(len(before[0]), dtype=bool)
    for old, new in zip(before, after, strict=True):
        changed |= differs(old, new)
    return changed
