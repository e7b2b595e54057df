"""A system's records through its fuzz map, as it writes them: the corruptions tried, and the
labels of those the written record still shows (see ``identity``)."""

from collections.abc import Callable, Generator, Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.corruptions import CORRUPTIONS, fuzzmap
from gensample.corruptions.arrays import differs, put
from gensample.corruptions.fuzzmap import FIELD_COLUMNS, FieldFuzz
from gensample.generate.datasets import fuzzing
from gensample.generate.datasets.contract import BlockInput
from gensample.native.take import filtered, take

CANDIDATES = (1, 4)
"""How many corrupted versions of a copy are tried at once: one, then (for the copies that
still read like their original) several more."""

NAME_PAIRS = {
    "swap_given_and_family_name": {"first_name": "last_name", "last_name": "first_name"},
    "type_into_wrong_field": {"first_name": "first_name", "last_name": "first_name"},
}
"""The corruptions of the name pair, and the column each name field's value ends in after one:
a corruption of that field shows (or not) there."""

Render = Callable[[BlockInput, pa.Table, np.ndarray], pa.Table]
"""How a system writes person columns: ``(block, columns, person) -> columns`` of the same names,
where ``person`` is each row's position among the block's people (for per-person habits)."""


def corrupted(
    rng: np.random.Generator,
    block: BlockInput,
    name: str,
    render: Render,
    carried: pa.Table,
    person: np.ndarray,
    firsts: int,
) -> Generator[fuzzmap.Request, fuzzmap.Fuzzed, tuple[pa.Table, pa.Array]]:
    """Every record as system ``name`` writes it (``render``), a share corrupted (yielding each
    fuzz pass).

    ``carried`` holds each record's true values (with the variations it carries), of the
    block's people ``person``; its first ``firsts`` rows are people's first records. The
    ``original_share`` of those, and all copies but an exact share, go through the system's fuzz
    map. A record that still reads as before (the field was one the system does not hold for
    the person, or the change one its format undoes) is corrupted afresh, as several candidates
    of which the first that shows a change is kept.

    Returns the written rows and the corruptions each shows.
    """
    settings = block.settings
    errs = fuzzing.of_system(settings, name)
    fuzz_map, most = errs.fuzz_map(settings), errs.max_fields(settings)
    hurried = errs.hurried_share(settings, name)
    n = carried.num_rows
    share = fuzzing.run_original_share(settings)
    rows = fuzzing.fuzzed_rows(rng, firsts, n, share, errs.exact_share(settings))
    if not fuzzmap.fuzzed_columns(fuzz_map, carried.column_names):
        rows = rows[:0]  # every weight 0: no record is corrupted
    written = [render(block, carried, person)]
    read_from = np.arange(n)
    labels, label_of = [pa.array([""])], np.zeros(n, np.int64)
    for candidates in CANDIDATES:
        if not len(rows):
            break
        tried = np.repeat(rows, candidates)
        request = fuzzmap.Request(
            take(carried, tried), np.arange(len(tried)), fuzz_map, most, rng, hurried
        )
        fuzzed, changes = yield request
        shown = render(block, fuzzed, person[tried])
        moved = _names_moved(block, render, changes, request.table, person[tried])
        visible = _visible_labels(changes, fuzz_map, shown, take(written[0], tried), moved)
        changed = pc.not_equal(visible, "").to_numpy(zero_copy_only=False)
        changed = changed.reshape(len(rows), candidates)
        kept = pa.array(np.arange(len(rows)) * candidates + changed.argmax(axis=1))
        read_from[rows] = sum(map(len, written)) + np.arange(len(rows))
        label_of[rows] = sum(map(len, labels)) + np.arange(len(rows))
        written.append(take(shown, kept))
        labels.append(take(visible, kept))
        rows = rows[~changed.any(axis=1)]
    return (
        take(pa.concat_tables(written).combine_chunks(), read_from),
        take(pa.concat_arrays(labels), label_of),
    )


Moved = list[tuple[np.ndarray, pa.Table, dict[str, str]]]
"""Rows of copies whose names a name pair corruption moved, their originals as that corruption
alone writes them, and the column each name field ended in (``NAME_PAIRS``)."""


def _names_moved(
    block: BlockInput, render: Render, labels: pa.Array, originals: pa.Table, person: np.ndarray
) -> Moved:
    """For each name pair corruption, the rows whose ``labels`` name it, with the true values
    of their ``originals`` put through it alone and written by the system (``render``)."""
    moved = []
    for corruption, columns in NAME_PAIRS.items():
        rows = np.flatnonzero(
            pc.match_substring_regex(labels, f"(^|;)name:{corruption}(;|$)").to_numpy(
                zero_copy_only=False
            )
        )
        if len(rows):
            chosen = take(originals, rows)
            first, last = CORRUPTIONS[corruption].function(  # no draw: it moves the names
                chosen["first_name"], chosen["last_name"], None
            )
            for name, values in (("first_name", first), ("last_name", last)):
                chosen = chosen.set_column(chosen.schema.get_field_index(name), name, values)
            moved.append((rows, render(block, chosen, person[rows]), columns))
    return moved


def _visible_labels(
    labels: pa.Array,
    fuzz_map: Mapping[str, FieldFuzz],
    copies: pa.Table,
    originals: pa.Table,
    moved: Moved = (),
) -> pa.Array:
    """The labels of the copies whose field still differs from the original once written by
    the system (upper-casing undoes a change of case, a digits-only phone a new format); a name
    field a name pair corruption ``moved`` is compared where it ended, against the original
    put through that corruption alone."""
    fields = list(fuzz_map)
    shown = _shown_fields(copies, originals, fields)
    for rows, reference, columns in moved:
        for field, column in columns.items():
            if field in fields:
                at = fields.index(field)
                shown[rows, at] = differs(take(copies[column], rows), reference[column])
    names = [f"{field}:{name}" for field in fields for name in fuzz_map[field].corruptions]
    field_of = [at for at, field in enumerate(fields) for _ in fuzz_map[field].corruptions]
    parts = pc.split_pattern(labels, ";")
    flat, row = pc.list_flatten(parts), pc.list_parent_indices(parts).to_numpy()
    label = pc.index_in(flat, value_set=pa.array(names, pa.string())).fill_null(-1).to_numpy()
    position = np.array([*field_of, -1])[label]
    keep = (position >= 0) & shown[row, position]
    losing = np.zeros(len(labels), bool)  # the rows that lose a label: the others keep theirs
    losing[row[~keep]] = True
    rows = np.flatnonzero(losing)
    staying = losing[row] & keep
    offsets = np.concatenate([[0], np.cumsum(np.bincount(row[staying], minlength=len(labels)))])
    joined = pa.ListArray.from_arrays(
        pa.array(offsets[np.append(rows, len(labels))], pa.int32()), filtered(flat, staying)
    )
    return put(labels, rows, [pc.binary_join(joined, ";")])


def _shown_fields(copies: pa.Table, originals: pa.Table, fields: list[str]) -> np.ndarray:
    """A boolean (rows, fields) matrix: whether each field reads differently in the copy."""
    shown = np.zeros((copies.num_rows, len(fields)), dtype=bool)
    for position, name in enumerate(fields):
        for column in FIELD_COLUMNS.get(name, (name,)):
            shown[:, position] |= differs(copies[column], originals[column])
    return shown
