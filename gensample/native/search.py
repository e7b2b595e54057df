"""NumPy's ``searchsorted`` (side "right") of many keys, narrowed by a guide table, in the
compiled ``_search`` library when the package was installed with it: ``reference.search.Sorted``
searches so, and through NumPy without it (the same answers). Draws in one pass each:
``alias_pick``, the last step of ``reference.Pool.draw`` (Walker's alias method);
``lookup_draw``, a draw from a lookup table (``shoppers.draw_rows``); ``pick_in_groups``, a pick
by weight within groups (``shelf.in_groups``)."""

import ctypes
import functools

import numpy as np

from gensample.native import declare, load

FUNCTIONS = {
    np.dtype(np.float64): "search_right_double",
    np.dtype(np.int64): "search_right_int64_t",
}
"""The library's function for values and keys of each kind it searches."""
LOOKUPS = {np.dtype(np.uint8): "lookup_draw_uint8_t", np.dtype(np.uint16): "lookup_draw_uint16_t"}
"""The library's draw from lookup tables of each kind of entry."""


@functools.cache
def _library() -> ctypes.CDLL | None:
    """The compiled library, its functions declared; None when it is not installed."""
    library = load("gensample.native._search")
    if library is None:
        return None
    pointer, count, number = ctypes.c_void_p, ctypes.c_int64, ctypes.c_double
    values, guide, keys = (pointer, count), (pointer, count, number, number), (pointer, count)
    searches = (*values, *guide, *keys, pointer)  # and where the answers go
    lookups = (pointer, pointer, pointer, count, count, count, pointer)
    picks = (pointer, pointer, count, pointer, count, *values, *guide, pointer, count, pointer)
    signatures = {  # name: (what it returns, its arguments)
        **{name: (None, searches) for name in FUNCTIONS.values()},
        "alias_pick": (count, (pointer,) * 4 + (count, count, pointer)),
        **{name: (count, lookups) for name in LOOKUPS.values()},
        "pick_in_groups": (count, picks),
    }
    return declare(library, signatures)


def available() -> bool:
    """Whether the compiled library is installed."""
    return _library() is not None


def search_right(
    values: np.ndarray, keys: np.ndarray, counts: np.ndarray, low: float, scale: float
) -> np.ndarray | None:
    """``np.searchsorted(values, keys, side="right")`` for ascending ``values``, where
    ``counts[b]`` (32-bit) is how many values are at most ``low + b / scale``; None when the
    library is not installed or cannot search these kinds of values and keys."""
    library, keys = _library(), np.asarray(keys)
    name = FUNCTIONS.get(values.dtype)
    if library is None or name is None or keys.dtype != values.dtype or counts.dtype != np.int32:
        return None
    values, keys, counts = (np.ascontiguousarray(a) for a in (values, keys, counts))
    found = np.empty(len(keys), np.int64)
    getattr(library, name)(
        values.ctypes.data,
        len(values),
        counts.ctypes.data,
        len(counts) - 1,
        low,
        scale,
        keys.ctypes.data,
        len(keys),
        found.ctypes.data,
    )
    return found


def alias_pick(
    column: np.ndarray, uniform: np.ndarray, keep: np.ndarray, alias: np.ndarray
) -> np.ndarray | None:
    """``np.where(uniform < keep[column], column, alias[column])``, the last step of Walker's
    alias method, in one pass; None when the library is not installed or the arrays are of
    other kinds (64-bit integers, doubles) or lengths."""
    library = _library()
    kinds = (column.dtype, uniform.dtype, keep.dtype, alias.dtype)
    if library is None or kinds != (np.int64, np.float64, np.float64, np.int64):
        return None
    if len(column) != len(uniform) or len(keep) != len(alias):
        return None
    column, uniform, keep, alias = map(np.ascontiguousarray, (column, uniform, keep, alias))
    picked = np.empty(len(column), np.int64)
    addresses = (array.ctypes.data for array in (column, uniform, keep, alias))
    if library.alias_pick(*addresses, len(keep), len(column), picked.ctypes.data) < 0:
        raise IndexError(f"a drawn column lies outside the table of {len(keep)}")
    return picked


def lookup_draw(
    table: np.ndarray, size: int, row: np.ndarray, column: np.ndarray
) -> np.ndarray | None:
    """``table.ravel()[row * size + column].astype(np.int64)`` in one pass; None when the
    library is not installed or the arrays are of other kinds (8- or 16-bit unsigned entries,
    64-bit rows, 16-bit columns)."""
    library, name = _library(), LOOKUPS.get(table.dtype)
    kinds = (row.dtype, column.dtype)
    if library is None or name is None or kinds != (np.int64, np.uint16) or len(row) != len(column):
        return None
    table, row, column = map(np.ascontiguousarray, (table, row, column))
    drawn, draw = np.empty(len(row), np.int64), getattr(library, name)
    addresses = (array.ctypes.data for array in (table, row, column))
    if draw(*addresses, table.size, size, len(row), drawn.ctypes.data) < 0:
        raise IndexError(f"a drawn entry lies outside the lookup table of {table.size}")
    return drawn


def pick_in_groups(
    group: np.ndarray,
    uniform: np.ndarray,
    starts: np.ndarray,
    cumulative: np.ndarray,
    guide: tuple[np.ndarray, float, float],
    order: np.ndarray,
) -> np.ndarray | None:
    """For each ``group``, the member of ``order[starts[group]:starts[group + 1]]`` whose
    share of the ascending ``cumulative`` holds ``uniform`` (0 to 1) of the group's span, in
    one pass: what NumPy gives as ``order[np.clip(np.searchsorted(cumulative, low + uniform *
    (high - low), side="right") - 1, start, stop - 1)]``. ``guide`` is the values' guide, as
    ``search_right`` takes it: ``(counts, low, scale)``. None when the library is not installed
    or the arrays are of other kinds (64-bit integers, doubles) or lengths."""
    library, (counts, low, scale) = _library(), guide
    kinds = (group.dtype, uniform.dtype, starts.dtype, cumulative.dtype, order.dtype)
    if library is None or kinds != (np.int64, np.float64, np.int64, np.float64, np.int64):
        return None
    if len(group) != len(uniform) or counts.dtype != np.int32:
        return None
    group, uniform, starts, cumulative, counts, order = map(
        np.ascontiguousarray, (group, uniform, starts, cumulative, counts, order)
    )
    picked = np.empty(len(group), np.int64)
    arguments = (
        *(group.ctypes.data, uniform.ctypes.data, len(group), starts.ctypes.data, len(starts)),
        *(cumulative.ctypes.data, len(cumulative), counts.ctypes.data, len(counts) - 1, low),
        *(scale, order.ctypes.data, len(order), picked.ctypes.data),
    )
    if library.pick_in_groups(*arguments) < 0:
        raise IndexError("a group, bound or member lies outside its array")
    return picked
