"""Strings joined row by row and filtered character by character, by the compiled ``_take``
library (the one ``native.take`` loads) when the package was installed with it, by Arrow or
NumPy otherwise, the same values.

``join_element_wise`` is Arrow's ``binary_join_element_wise`` (every join of ``generate`` and
``corruptions`` goes through it: ``tests/test_native_strings.py`` checks); ``keep_characters``
keeps a range of ASCII characters of each string (``generate.characters``); ``padded_prefixes``
and ``ranks_in_groups`` read the letters of e-mail addresses (``generate.emails``).
"""

import ctypes
import functools
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.native import address, declare, take
from gensample.native.take import one_array


class _Part(ctypes.Structure):
    """A part of a join as the library reads it (its ``Part``)."""

    _fields_ = (
        ("offsets", ctypes.c_void_p),
        ("data", ctypes.c_void_p),
        ("validity", ctypes.c_void_p),
        ("first", ctypes.c_int64),
        ("end", ctypes.c_int32),
        ("same", ctypes.c_int32),
    )


def _library() -> ctypes.CDLL | None:
    """The ``_take`` library with its joining and filtering functions declared; None when it
    is not installed (asked of ``native.take`` each time, as tests make it answer None)."""
    library = take._library()
    return None if library is None else _declared(library)


@functools.cache
def _declared(library: ctypes.CDLL) -> ctypes.CDLL:
    """``library``, the signatures of its joining and filtering functions declared."""
    pointer, count, small, byte = ctypes.c_void_p, ctypes.c_int64, ctypes.c_int32, ctypes.c_uint8
    parts = (ctypes.POINTER(_Part), small, count)
    nulls = ctypes.POINTER(ctypes.c_int64)  # where the count of nulls goes
    signatures = {  # name: (what it returns, its arguments)
        "join_offsets": (count, (*parts, small, small, pointer, pointer, nulls)),
        "join_bytes": (None, (*parts, pointer, small, pointer, pointer)),
        "keep_bytes": (count, (pointer, pointer, count, byte, byte, pointer, pointer)),
        "padded_prefixes": (None, (pointer, pointer, count, small, pointer)),
        "ranks_in_groups": (
            None,
            (pointer, pointer, pointer, pointer, count) + (pointer,) * 2 + (count, pointer),
        ),
    }
    return declare(library, signatures)


def join_element_wise(
    *strings: pa.Array | pa.ChunkedArray | str, null_handling: str = "emit_null"
) -> pa.Array | pa.ChunkedArray:
    """``pc.binary_join_element_wise(*strings, null_handling=null_handling)``: each row's
    strings joined, the last of ``strings`` between two; a part is a column or one string for
    every row. Joined by the compiled library when the columns are strings and the separator
    one string (2 to 3 times as fast as Arrow), by Arrow otherwise. A row whose values are all
    missing joins to "" when skipping them, either way (Arrow 26 leaves such a row out of its
    answer)."""
    *parts, separator = strings
    if _library() is None or not _joinable(parts, separator, null_handling):
        if null_handling == "skip":
            parts = _all_missing_as_empty(parts)
        return pc.binary_join_element_wise(*parts, separator, null_handling=null_handling)
    rows = len(next(part for part in parts if not isinstance(part, str)))
    arrays = [_literal(part) if isinstance(part, str) else one_array(part) for part in parts]
    joined = _join(arrays, rows, separator.encode(), null_handling == "skip")
    if any(isinstance(part, pa.ChunkedArray) for part in parts):
        return pa.chunked_array([joined])
    return joined


def _all_missing_as_empty(parts: list) -> list:
    """``parts`` with "" as the first column's value in each row where every part is missing,
    so that Arrow's join with missing values skipped joins the row to "" rather than leaving
    it out; the other rows as they are."""
    columns = [i for i, part in enumerate(parts) if isinstance(part, pa.Array | pa.ChunkedArray)]
    missing_scalars = [isinstance(part, pa.Scalar) and not part.is_valid for part in parts]
    if not columns or len(columns) + sum(missing_scalars) < len(parts):  # a value in every row
        return parts
    missing = functools.reduce(pc.and_, (pc.is_null(parts[i]) for i in columns))
    first = parts[columns[0]]
    empty = pa.scalar("", first.type)
    return [pc.if_else(missing, empty, first), *parts[1:]]


def _joinable(parts: list, separator: Any, null_handling: str) -> bool:
    """Whether the library joins ``parts`` by ``separator``: columns of strings of one length
    and single strings, a single string between them, missing values skipped or missing."""
    columns = [part for part in parts if isinstance(part, pa.Array | pa.ChunkedArray)]
    return (
        isinstance(separator, str)
        and null_handling in ("emit_null", "skip")
        and bool(columns)
        and len(columns) + sum(isinstance(part, str) for part in parts) == len(parts)
        and all(column.type == pa.string() for column in columns)
        and len({len(column) for column in columns}) == 1
    )


def _join(arrays: list[pa.Array], rows: int, separator: bytes, skip_nulls: bool) -> pa.Array:
    """The ``rows`` rows of ``arrays`` (strings; one of a single value: every row's) joined."""
    library = _library()
    parts = (_Part * len(arrays))(*(_described(array, rows) for array in arrays))
    offsets, bits = pa.allocate_buffer(4 * (rows + 1)), pa.allocate_buffer((rows + 7) // 8)
    nulls = ctypes.c_int64(0)
    counts = (parts, len(arrays), rows)
    size = library.join_offsets(
        *counts, len(separator), skip_nulls, offsets.address, bits.address, ctypes.byref(nulls)
    )
    if size < 0:
        raise OverflowError("the joined strings pass 2 GB: more than a string array holds")
    out = pa.allocate_buffer(size + 32)  # the library moves up to 32 bytes at a time
    library.join_bytes(*counts, separator, len(separator), offsets.address, out.address)
    buffers = [bits if nulls.value else None, offsets, out.slice(0, size)]
    return pa.Array.from_buffers(pa.string(), rows, buffers, null_count=nulls.value)


def _literal(text: str) -> pa.Array:
    """``text`` as an array of one string, 32 bytes to spare after it: the library moves it
    inline into each row, as it does a column's values, rather than with a call of memcpy."""
    data = text.encode()
    offsets = pa.py_buffer(np.array([0, len(data)], np.int32))
    return pa.Array.from_buffers(pa.string(), 1, [None, offsets, pa.py_buffer(data + bytes(32))])


def _described(strings: pa.Array, rows: int) -> _Part:
    """A join's part as the library reads it: ``strings`` of ``rows`` values, or of one for
    every row."""
    validity, offsets, data = strings.buffers()
    return _Part(
        offsets.address + 4 * strings.offset,
        address(data),
        address(validity) if strings.null_count else None,
        strings.offset,
        0 if data is None else min(data.size, 2**31 - 1),  # the bytes the library may read
        len(strings) != rows,
    )


def keep_characters(values: pa.Array, first: str, last: str) -> pa.Array | None:
    """Each of the strings ``values`` with only its bytes from the ASCII character ``first``
    to ``last`` (nulls kept), by the compiled library; None when it is not installed."""
    library = _library()
    if library is None:
        return None
    if values.offset % 8:  # a slice: copied, so the validity bits start at a byte
        values = pa.concat_arrays([values])
    validity, offsets, data = values.buffers()
    rows = len(values)
    bounds = np.frombuffer(offsets, np.int32, rows + 1, 4 * values.offset)
    out_offsets = pa.allocate_buffer(4 * (rows + 1))
    out = pa.allocate_buffer(int(bounds[-1] - bounds[0]))
    wanted = (ord(first), ord(last))
    kept = library.keep_bytes(
        bounds.ctypes.data, address(data), rows, *wanted, out_offsets.address, out.address
    )
    bits = validity.slice(values.offset // 8) if values.null_count else None
    buffers = [bits, out_offsets, out.slice(0, kept)]
    return pa.Array.from_buffers(pa.string(), rows, buffers, null_count=values.null_count)


def padded_prefixes(values: pa.Array | pa.ChunkedArray, width: int) -> np.ndarray | None:
    """The first ``width`` characters of each of the ASCII strings ``values``, padded with
    spaces, as a ``(len(values), width)`` array of bytes: Arrow's
    ``utf8_rpad(utf8_slice_codeunits(values, 0, width), width)`` row by row. None when the
    library is not installed, or a value is missing or not ASCII."""
    library, text = _library(), _text_of(values, ascii_only=True)
    if library is None or text is None:
        return None
    offsets, data = text
    out = np.empty((len(values), width), np.uint8)
    library.padded_prefixes(
        offsets.ctypes.data, data.ctypes.data, len(values), width, out.ctypes.data
    )
    return out


def ranks_in_groups(
    values: pa.Array | pa.ChunkedArray, keys: np.ndarray, counted: np.ndarray
) -> np.ndarray | None:
    """For each row, how many ``counted`` rows before it hold the same string of ``values`` and
    the same of the integers ``keys`` (its rank among them). None when the library is not
    installed, or a value is missing."""
    library, text = _library(), _text_of(values, ascii_only=False)
    if library is None or text is None:
        return None
    offsets, data = text
    keys, counted = np.ascontiguousarray(keys, np.int64), np.ascontiguousarray(counted, np.bool_)
    slots = 1 << (2 * len(values)).bit_length()  # a table at most half full
    first, seen = np.full(slots, -1, np.int64), np.zeros(slots, np.int64)
    ranks = np.empty(len(values), np.int64)
    rows = (array.ctypes.data for array in (offsets, data, keys, counted))
    table = (first.ctypes.data, seen.ctypes.data, slots)
    library.ranks_in_groups(*rows, len(values), *table, ranks.ctypes.data)
    return ranks


def string_bytes(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The offsets of the strings ``values`` (a string or binary array, a slice of one at
    times), from 0, and the bytes they point into, without copying them."""
    _, offsets, data = values.buffers()
    bounds = np.frombuffer(offsets, np.int32, len(values) + 1, 4 * values.offset)
    text = np.frombuffer(data, np.uint8)[bounds[0] : bounds[-1]] if data else np.zeros(0, np.uint8)
    return bounds - bounds[0], text


def _text_of(
    values: pa.Array | pa.ChunkedArray, ascii_only: bool
) -> tuple[np.ndarray, np.ndarray] | None:
    """``string_bytes`` of the strings ``values``; None when a value is missing, or one is not
    ASCII (where characters are not bytes) when ``ascii_only``."""
    if values.type != pa.string() or values.null_count:
        return None
    offsets, text = string_bytes(one_array(values))
    if ascii_only and text.size and text.max() >= 0x80:
        return None
    return offsets, text
