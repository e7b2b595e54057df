"""Characters of string columns kept or dropped byte by byte, on the column's buffers (a regular
expression over every value costs several times more): by the compiled library
(``native.strings.keep_characters``), or with NumPy where it is not installed."""

import numpy as np
import pyarrow as pa

from gensample.native.strings import keep_characters, string_bytes
from gensample.native.take import one_array


def digits(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Only the digits of each value ('(503) 555-0142' -> '5035550142'; nulls kept)."""
    return kept(values, "0", "9")


def kept(values: pa.Array | pa.ChunkedArray, first: str, last: str) -> pa.Array:
    """Only the characters of each value from the ASCII character ``first`` to ``last``
    (``kept(names, "a", "z")`` drops all but small letters; nulls kept). A character beyond
    ASCII is always dropped: each of its bytes is above ASCII."""
    values = one_array(values)
    compiled = keep_characters(values, first, last)
    if compiled is not None:
        return compiled
    if values.offset:  # a slice: copied, so the validity bits start at the first row
        values = pa.concat_arrays([values])
    offsets, text = string_bytes(values)
    keep = (text >= ord(first)) & (text <= ord(last))
    kept_before = np.concatenate([[0], np.cumsum(keep)]).astype(np.int32)
    return pa.StringArray.from_buffers(
        len(values),
        pa.py_buffer(kept_before[offsets]),
        pa.py_buffer(text[keep].tobytes()),
        values.buffers()[0],
        values.null_count,
    )
