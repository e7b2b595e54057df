"""Arrow's ``take`` (the values at given positions), strings gathered by the compiled ``_take``
library when the package was installed with it: Arrow copies each string with a call of
``memcpy`` (about 15 ns a value), which made its takes a sixth of a block's generation. The
library takes numbers, dates and booleans too, in one pass with the bounds check Arrow makes
in a pass of its own (a block's 105 such takes: 16.1 -> 11.1 ms).

``take(values, positions)`` is ``values.take(positions)``, the same values and types, for an
array, a chunked array or a table. Every take of ``generate`` and ``corruptions`` goes through
it (``tests/test_native_take.py`` checks), which saves about 5% of a block's generation.
``replaced_at(values, rows, replacements)`` replaces a few values of an array, copying the
strings between two of them as one run. ``one_array`` gives a chunked array as one array
without copying an only chunk, as Arrow's ``combine_chunks`` does; ``filtered(values, keep)``
is Arrow's ``filter`` of a NumPy mask. The same library joins and filters strings:
``native.strings``.
"""

import ctypes
import functools
from collections.abc import Callable

import numpy as np
import pyarrow as pa

from gensample.native import address, declare, load

Values = pa.Array | pa.ChunkedArray | pa.Table
Positions = np.ndarray | pa.Array | list[int]


@functools.cache
def _library() -> ctypes.CDLL | None:
    """The compiled library, its functions declared; None when it is not installed."""
    library = load("gensample.native._take")
    if library is None:
        return None
    pointer, count = ctypes.c_void_p, ctypes.c_int64
    signatures = {  # name: (what it returns, its arguments)
        "take_offsets": (count, (pointer, count, pointer, count, pointer)),
        "take_bytes": (None, (pointer, count, pointer, pointer, count, pointer, pointer)),
        "take_validity": (count, (pointer, count, pointer, count, pointer)),
        "take_fixed": (count, (pointer, count, count, count, pointer, count, pointer)),
        "put_offsets": (count, (pointer, count, pointer, count, pointer, pointer)),
        "put_bytes": (None, (pointer, count, pointer, pointer, count) + (pointer,) * 4),
        "put_validity": (count, (pointer, count, count, pointer, count, pointer, count, pointer)),
    }
    return declare(library, signatures)


def available() -> bool:
    """Whether the compiled library is installed."""
    return _library() is not None


def take(values: Values, positions: Positions) -> Values:
    """``values.take(positions)``: the values (rows of a table) at ``positions``, in their
    order; a position outside ``values`` raises Arrow's ``IndexError``."""
    rows = _rows(positions)
    if rows is None or _library() is None:
        return values.take(positions)
    if isinstance(values, pa.Table):
        if not values.num_columns:  # its rows are only counted
            return values.take(positions)
        columns = [_take_column(column, rows) for column in values.columns]
        return pa.Table.from_arrays(columns, schema=values.schema)
    return _take_column(values, rows)


def filtered(values: Values, keep: np.ndarray) -> Values:
    """``values.filter(pa.array(keep))``: the values (rows of a table) that the booleans
    ``keep`` mark, in order, taken as ``take`` takes them (Arrow's filter of a block's text
    took 2.5 times as long)."""
    return take(values, np.flatnonzero(keep))


def _rows(positions: Positions) -> np.ndarray | None:
    """``positions`` as contiguous 64-bit integers, or None when they are not plain integers
    (null positions, say: Arrow's take deals with them)."""
    if isinstance(positions, pa.Array):
        if not pa.types.is_integer(positions.type) or positions.null_count:
            return None
        positions = positions.to_numpy()
    rows = np.asarray(positions)
    if rows.dtype.kind not in "iu" and len(rows):
        return None
    return np.ascontiguousarray(rows, dtype=np.int64)


def _take_column(
    values: pa.Array | pa.ChunkedArray, rows: np.ndarray
) -> pa.Array | pa.ChunkedArray:
    """One column's values at ``rows``."""
    gather = _gather(values.type)
    if gather is None or not len(values):
        return values.take(rows)
    if isinstance(values, pa.ChunkedArray):  # joined, as Arrow's take joins them
        if values.num_chunks > 1 and values.nbytes >= 2**31:  # more than an array holds
            return values.take(rows)
        return pa.chunked_array([_take_column(one_array(values), rows)], values.type)
    taken = gather(values, rows)
    return values.take(rows) if taken is None else taken  # Arrow says what is wrong


def one_array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``values`` as one array: an array as it is, a chunked array's only chunk as it is (its
    ``combine_chunks`` copies even that), several chunks joined."""
    if isinstance(values, pa.Array):
        return values
    return values.chunk(0) if values.num_chunks == 1 else values.combine_chunks()


def _are_strings(kind: pa.DataType) -> bool:
    """Whether values of ``kind`` are strings with 32-bit offsets, as the library takes them."""
    return pa.types.is_string(kind) or pa.types.is_binary(kind)


def _gather(kind: pa.DataType) -> Callable[[pa.Array, np.ndarray], pa.Array | None] | None:
    """The library's take of values of ``kind`` (strings, or values of a fixed width); None
    when it takes none (lists, structs, dictionaries...: Arrow takes those)."""
    if _are_strings(kind):
        return _take_strings
    return None if _fixed_bits(kind) is None else _take_fixed


def _fixed_bits(kind: pa.DataType) -> int | None:
    """The bits of each value of ``kind`` when the library takes it (booleans, numbers, dates
    and times: one buffer of values of a fixed width), else None."""
    plain = pa.types.is_boolean(kind) or pa.types.is_integer(kind) or pa.types.is_floating(kind)
    if plain or pa.types.is_temporal(kind) or pa.types.is_decimal(kind):
        bits = kind.bit_width
        return bits if bits in (1, 8, 16, 32, 64, 128) else None
    return None


def _take_fixed(values: pa.Array, rows: np.ndarray) -> pa.Array | None:
    """The values of ``values`` (of a fixed width: ``_fixed_bits``) at ``rows``; None when a
    row lies outside them."""
    library, count, at = _library(), len(rows), rows.ctypes.data
    data, bits = values.buffers()[1], _fixed_bits(values.type)
    out = pa.allocate_buffer((count * bits + 7) // 8)
    wanted = (values.offset, bits, len(values), at, count, out.address)
    if library.take_fixed(data.address, *wanted):
        return None
    mask, nulls = _validity_at(values, at, count)
    return pa.Array.from_buffers(values.type, count, [mask, out], null_count=nulls)


def _validity_at(values: pa.Array, at: int, count: int) -> tuple[pa.Buffer | None, int]:
    """The validity bitmap of ``values`` at the ``count`` rows at address ``at`` (checked to
    lie inside them) and how many of those are null: no bitmap when none of ``values`` is."""
    if not values.null_count:
        return None, 0
    bits, validity = pa.allocate_buffer((count + 7) // 8), values.buffers()[0]
    nulls = _library().take_validity(validity.address, values.offset, at, count, bits.address)
    return bits, nulls


def _take_strings(values: pa.Array, rows: np.ndarray) -> pa.Array | None:
    """The strings of ``values`` at ``rows``; None when a row lies outside them or they pass
    2 GB."""
    library, count, length, at = _library(), len(rows), len(values), rows.ctypes.data
    _, offsets, data = values.buffers()
    starts = offsets.address + 4 * values.offset
    out_offsets = pa.allocate_buffer(4 * (count + 1))
    size = library.take_offsets(starts, length, at, count, out_offsets.address)
    if size < 0:
        return None
    out = pa.allocate_buffer(size + 32)  # the library moves up to 32 bytes at a time
    if size:
        library.take_bytes(
            starts, length, data.address, at, count, out_offsets.address, out.address
        )
    bits, nulls = _validity_at(values, at, count)
    buffers = [bits, out_offsets, out.slice(0, size)]
    return pa.Array.from_buffers(values.type, count, buffers, null_count=nulls)


def replaced_at(values: pa.Array, rows: np.ndarray, replacements: pa.Array) -> pa.Array:
    """``values`` with the values at ``rows`` (distinct positions) replaced by
    ``replacements``, in order. Strings are copied by the compiled library, the kept values
    between two rows as one run of bytes (a corruption replaces a few values of a column),
    when the rows are in order or few; other values through one take."""
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    in_order = bool(np.all(rows[1:] > rows[:-1]))
    # rows out of order are sorted first, and their replacements taken: worth it for a few
    few = 8 * len(rows) <= len(values)
    if _library() is not None and _are_strings(values.type) and replacements.type == values.type:
        if not in_order and few:
            # as the smallest integers that hold them: NumPy sorts those by radix, in linear time
            order = np.argsort(rows.astype(np.min_scalar_type(len(values))), kind="stable")
            rows, replacements, in_order = rows[order], take(replacements, order), True
        put = _put_strings(values, rows, replacements) if in_order else None
        if put is not None:
            return put
    source = np.arange(len(values))
    source[rows] = len(values) + np.arange(len(rows))
    return take(pa.concat_arrays([values, replacements]), source)


def _put_strings(values: pa.Array, rows: np.ndarray, replacements: pa.Array) -> pa.Array | None:
    """``values`` with the strings at ``rows`` (increasing) replaced by ``replacements``;
    None when the rows are not increasing positions of ``values`` or the strings pass 2 GB."""
    library, length, count, at = _library(), len(values), len(rows), rows.ctypes.data
    (validity, offsets, data), new = values.buffers(), replacements.buffers()
    starts = offsets.address + 4 * values.offset
    new_starts = new[1].address + 4 * replacements.offset
    out_offsets = pa.allocate_buffer(4 * (length + 1))
    size = library.put_offsets(starts, length, at, count, new_starts, out_offsets.address)
    if size < 0:
        return None
    out = pa.allocate_buffer(size + 32)  # the library moves up to 32 bytes at a time
    library.put_bytes(
        starts,
        length,
        address(data),
        at,
        count,
        new_starts,
        address(new[2]),
        out_offsets.address,
        out.address,
    )
    bits, nulls = None, 0
    if values.null_count or replacements.null_count:
        bits = pa.allocate_buffer((length + 7) // 8)
        nulls = library.put_validity(
            address(validity) if values.null_count else None,
            values.offset,
            length,
            at,
            count,
            address(new[0]) if replacements.null_count else None,
            replacements.offset,
            bits.address,
        )
    buffers = [bits, out_offsets, out.slice(0, size)]
    return pa.Array.from_buffers(values.type, length, buffers, null_count=nulls)
