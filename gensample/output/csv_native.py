"""CSV rows written by the compiled ``_csv_rows`` library (``_csv_rows.c``), when the package
was installed with it built: the bytes Arrow's CSV writer writes (quoting "needed", no header),
without first turning each integer, time, date and decimal into a string as Arrow does (25-70
ns a value, most of a block's writing time). Columns of other types (floating point...) are
turned into text by Arrow and copied as they are.

``available()`` says whether the library is there; ``write_rows`` needs it.
"""

import ctypes
import functools
import sys
import threading
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.native import load

ROWS_AT_ONCE = 16_384
"""Rows written per call of the library, into a buffer of each thread kept from call to call
(about their size as CSV at worst, some MB: a new one each time costs as much as the call)."""

KEPT_BYTES = 32 << 20
"""The largest buffer a thread keeps from call to call (a block's rows take a few MB)."""

INT8, INT16, INT32, INT64, STRING, TEXT, TIMESTAMP_S, DATE32, DECIMAL64, BOOLEAN, DECIMAL128 = (
    range(1, 12)
)
"""The kinds of column the library writes (its ``enum Kind``)."""

_WIDEST = {
    INT8: 4,
    INT16: 6,
    INT32: 11,
    INT64: 20,
    TIMESTAMP_S: 19,
    DATE32: 10,
    DECIMAL64: 21,
    DECIMAL128: 21,
    BOOLEAN: 5,
}
"""The most bytes a value of each fixed kind takes."""
_SIGNED = {pa.int8(): INT8, pa.int16(): INT16, pa.int32(): INT32, pa.int64(): INT64}


class _Column(ctypes.Structure):
    """One column as the library reads it (its ``Column``)."""

    _fields_ = (
        ("kind", ctypes.c_int32),
        ("scale", ctypes.c_int32),
        ("offset", ctypes.c_int64),
        ("validity", ctypes.c_void_p),
        ("values", ctypes.c_void_p),
        ("data", ctypes.c_void_p),
    )


@functools.cache
def _library() -> ctypes.CDLL | None:
    """The compiled library, or None when the package was installed without it."""
    library = load("gensample.output._csv_rows")
    if library is None:  # Arrow's writer writes the same bytes
        return None
    library.csv_rows.restype = ctypes.c_int64
    library.csv_rows.argtypes = (
        ctypes.POINTER(_Column),
        ctypes.c_int32,
        ctypes.c_int64,
        ctypes.c_char_p,
    )
    return library


def available() -> bool:
    """Whether the compiled library is installed."""
    return _library() is not None


def writer() -> str:
    """Which writer writes the CSV rows, in words for the log."""
    if available():
        return "the compiled writer"
    return "Arrow's writer: gensample was installed without its compiled one (no C compiler?)"


def write_rows(table: pa.Table, file: BinaryIO) -> None:
    """Write ``table``'s rows to ``file`` as Arrow's CSV writer would, without a header.
    ``file.write`` gets views of a buffer the next call writes over: it must copy what it keeps
    (as files and ``io.BytesIO`` do)."""
    library = _library()
    assert library is not None, "write_rows needs the compiled library: see available()"
    for batch in table.to_batches(max_chunksize=ROWS_AT_ONCE):
        if not batch.num_rows:
            continue
        written, out = _encoded(library, batch, dates=True)
        if written < 0:  # a date or time beyond years 1 to 9999: Arrow's text of them
            written, out = _encoded(library, batch, dates=False)
        file.write(memoryview(out)[:written])


def _encoded(library: ctypes.CDLL, batch: pa.RecordBatch, dates: bool) -> tuple[int, ctypes.Array]:
    """The library's CSV of ``batch`` (dates and times written by it when ``dates``, else as
    Arrow's text of them): how many bytes it wrote (-1: a date or time it cannot write) and the
    buffer they are in."""
    writable = [_writable(array, dates) for array in batch.columns]
    columns = (_Column * len(writable))(*(_described(*each) for each in writable))
    out = _buffer(_bound(writable, batch.num_rows))
    return library.csv_rows(columns, len(writable), batch.num_rows, out), out


def _buffer(size: int) -> ctypes.Array:
    """A buffer of at least ``size`` bytes: this thread's (the run's workers are processes, a
    Dask worker's are threads too), made larger as needed up to ``KEPT_BYTES``; a larger one
    (rows of long texts) is used once and freed."""
    kept = getattr(_kept, "buffer", None)
    if kept is not None and len(kept) >= size:
        return kept
    buffer = ctypes.create_string_buffer(size)
    if size <= KEPT_BYTES:
        _kept.buffer = buffer
    return buffer


_kept = threading.local()


def _writable(array: pa.Array, dates: bool) -> tuple[pa.Array, int]:
    """``array`` in a type the library writes, and its kind there: its own type (dates and
    times in seconds only when ``dates``); strings (quoted, as Arrow quotes strings and binary
    values); or Arrow's text of it (written as it is: floating point numbers, times of other
    units...)."""
    kind = array.type
    if pa.types.is_dictionary(kind):
        return _writable(array.dictionary_decode(), dates)
    if kind in _SIGNED:
        return array, _SIGNED[kind]
    if pa.types.is_string(kind):
        return array, STRING
    if pa.types.is_binary(kind):  # its bytes as they are, as Arrow writes them
        return array.view(pa.string()), STRING
    if pa.types.is_large_string(kind):
        return array.cast(pa.string()), STRING
    if pa.types.is_boolean(kind):
        return array, BOOLEAN
    if pa.types.is_decimal64(kind) and 0 <= kind.scale <= 6:  # Arrow writes 0.000000005 as 5E-9
        return array, DECIMAL64
    if _fits_64_bits(kind) and 0 <= kind.scale <= 6:
        return array, DECIMAL128
    if dates and _is_seconds(kind):
        return array, TIMESTAMP_S
    if dates and pa.types.is_date32(kind):
        return array, DATE32
    return pc.cast(array, pa.string()), TEXT


def _fits_64_bits(kind: pa.DataType) -> bool:
    """Whether ``kind`` is of 128-bit decimals of 18 digits or less, whose first 8 bytes (on a
    little-endian machine, as the library reads them) hold their value."""
    return pa.types.is_decimal128(kind) and kind.precision <= 18 and sys.byteorder == "little"


def _is_seconds(kind: pa.DataType) -> bool:
    """Whether ``kind`` is of times in seconds without a time zone."""
    return pa.types.is_timestamp(kind) and kind.unit == "s" and kind.tz is None


def _described(array: pa.Array, kind: int) -> _Column:
    """``array``'s buffers as the library reads them."""
    buffers = array.buffers()
    validity = buffers[0].address if array.null_count and buffers[0] is not None else None
    data = buffers[2].address if len(buffers) > 2 and buffers[2] is not None else None
    scale = array.type.scale if kind in (DECIMAL64, DECIMAL128) else 0
    return _Column(kind, scale, array.offset, validity, buffers[1].address, data)


def _bound(writable: list[tuple[pa.Array, int]], rows: int) -> int:
    """The most bytes ``rows`` rows of ``writable`` take as CSV (strings all quotes, at
    worst), and the 16 bytes the library may write beyond them (moving a short string)."""
    total = rows * len(writable) + 16  # the separators, and the 16 bytes to spare
    for array, kind in writable:
        if kind in (STRING, TEXT):
            offsets = np.frombuffer(array.buffers()[1], np.int32)
            total += 2 * int(offsets[array.offset + rows] - offsets[array.offset]) + 2 * rows
        else:
            total += _WIDEST[kind] * rows
    return total
