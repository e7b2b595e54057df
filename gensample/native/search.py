"""NumPy's ``searchsorted`` (side "right") of many keys, narrowed by a guide table, in the
compiled ``_search`` library when the package was installed with it: ``reference.search.Sorted``
searches so, and through NumPy without it (the same answers)."""

import ctypes
import functools

import numpy as np

from gensample.native import load

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
    for name in FUNCTIONS.values():
        function = getattr(library, name)
        function.restype = None
        function.argtypes = (*values, *guide, *keys, pointer)  # and where the answers go
    return library


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
