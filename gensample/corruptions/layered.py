"""One pass of the fuzz map over a copy of the rows: the fields it picked, in layers.

Fields that share no column are corrupted together, as one layer: each corruption is called once
for all the layer's fields that use it, on their values one after the other, so that a pass
costs one call per corruption rather than one per field and corruption. A field sharing a column
with an earlier one (the name pair after the first name) comes in a later layer and corrupts the
value the earlier one left.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pyarrow as pa

from gensample.corruptions import CORRUPTIONS
from gensample.corruptions.arrays import by_group, differs, put
from gensample.corruptions.weights import FieldFuzz

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


def corrupt_layer(
    table: pa.Table, picks: list[Pick], fuzz_map: Mapping[str, FieldFuzz], rng: np.random.Generator
) -> tuple[pa.Table, list[np.ndarray]]:
    """Corrupt the picked rows of fields that share no column: each corruption is called once
    for all the fields that use it (on the values of those fields, one after the other), and
    each column is rebuilt once.

    Returns the table and, per pick, for each row of ``table``, the index of the corruption
    that changed it (-1: none)."""
    current = {c: table[c].combine_chunks() for chosen in picks for c in chosen.columns}
    before = [[current[c].take(pa.array(chosen.rows)) for c in chosen.columns] for chosen in picks]
    pieces: list[dict[int, list[pa.Array]]] = [{} for _ in picks]  # by start: columns
    changed = [np.zeros(len(chosen.rows), dtype=bool) for chosen in picks]
    for (name, _), runs in _by_corruption(picks, before, fuzz_map).items():
        inputs = [
            pa.concat_arrays([before[p][c].slice(start, end - start) for p, start, end in runs])
            for c in range(len(before[runs[0][0]]))
        ]
        result = CORRUPTIONS[name].function(*inputs, rng)
        result = result if isinstance(result, tuple) else (result,)
        shown, offset = _changed(inputs, result), 0
        for p, start, end in runs:
            pieces[p][start] = [values.slice(offset, end - start) for values in result]
            changed[p][start:end] = shown[offset : offset + end - start]
            offset += end - start
    applied = []
    for chosen, placed, changes in zip(picks, pieces, changed, strict=True):
        in_order = [placed[start] for start in sorted(placed)]
        for position, column in enumerate(chosen.columns):
            merged = put(current[column], chosen.rows, [run[position] for run in in_order])
            table = table.set_column(table.column_names.index(column), column, merged)
        applied.append(np.full(table.num_rows, -1, np.int32))
        applied[-1][chosen.rows[changes]] = chosen.corruption[changes]
    return table, applied


def _by_corruption(
    picks: list[Pick], before: list[list[pa.Array]], fuzz_map: Mapping[str, FieldFuzz]
) -> dict[tuple[str, tuple[pa.DataType, ...]], list[Run]]:
    """The runs of rows each corruption gets, by corruption and the types of the values (a
    blank date and a blank text are separate calls)."""
    runs: dict[tuple[str, tuple[pa.DataType, ...]], list[Run]] = {}
    for p, chosen in enumerate(picks):
        types = tuple(values.type for values in before[p])
        for index, name in enumerate(fuzz_map[chosen.field].corruptions):
            start, end = chosen.bounds[index], chosen.bounds[index + 1]
            if end > start:
                runs.setdefault((name, types), []).append((p, start, end))
    return runs


def _changed(before: list[pa.Array], after: tuple[pa.Array, ...]) -> np.ndarray:
    """Which rows differ in any column between ``before`` and ``after`` (nulls included)."""
    changed = np.zeros(len(before[0]), dtype=bool)
    for old, new in zip(before, after, strict=True):
        changed |= differs(old, new)
    return changed
