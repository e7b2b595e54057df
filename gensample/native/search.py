"""NumPy's ``searchsorted`` (side "right") of many keys, narrowed by a guide table, in the
compiled ``_search`` library when the package was installed with it: ``reference.search.Sorted``
searches so, and through NumPy without it (the same answers). ``alias_pick``: the last step of
``reference.Pool.draw`` (Walker's alias method) in one pass."""

import ctypes
import functools

import numpy as np

from gensample.native import declare, load

FUNCTIONS = {
    np.dtype(np.float64): "search_right_double",
    np.dtype(np.int64): "search_right_int64_t",
}
"""The library's function for values and keys of each kind it searches."""


@functools.cache
def _library() -> ctypes.CDLL | None:
    """The compiled library, its functions declared; None when it is not installed."""
    library = load("gensample.native._search")
    if library is None:
        return None
    pointer, count, number = ctypes.c_void_p, ctypes.c_int64, ctypes.c_double
    values, guide, keys = (pointer, count), (pointer, count, number, number), (pointer, count)
    searches = (*values, *guide, *keys, pointer)  # and where the answers go
    signatures = {  # name: (what it returns, its arguments)
        **{name: (None, searches) for name in FUNCTIONS.values()},
        "alias_pick": (count, (pointer,) * 4 + (count, count, pointer)),
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
