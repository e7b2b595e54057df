"""Strings as flat code points, for the character-level errors: each edits one flat ``uint32``
array of code points with row boundaries, so the cost is linear in the text and one long value
never widens a matrix for the whole column."""

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.corruptions.arrays import random_below

_OFFSETS = {pa.string(): np.int32, pa.large_string(): np.int64}


@dataclass(frozen=True)
class CodePoints:
    """Strings as flat code points: row ``i`` is ``points[starts[i]:starts[i + 1]]``."""

    points: np.ndarray
    starts: np.ndarray

    @property
    def lengths(self) -> np.ndarray:
        """Number of code points of each row (0 for nulls)."""
        return np.diff(self.starts)

    def last_of_row(self) -> np.ndarray:
        """Mask of the points that end their row."""
        last = np.zeros(len(self.points), dtype=bool)
        ends = self.starts[1:][self.lengths > 0]
        last[ends - 1] = True
        return last


def to_code_points(values: pa.Array) -> CodePoints:
    """Decode a string column (nulls read as empty strings) into flat code points."""
    if values.null_count:
        values = values.fill_null("")
    n = len(values)
    offsets = np.frombuffer(values.buffers()[1], dtype=_OFFSETS[values.type])
    offsets = offsets[values.offset : values.offset + n + 1].astype(np.int64)
    data = values.buffers()[2]
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    raw = raw[offsets[0] : offsets[-1]] if n else raw[:0]
    points = np.frombuffer(raw.tobytes().decode("utf-8").encode("utf-32-le"), dtype=np.uint32)
    # A code point starts at every byte that is not a UTF-8 continuation byte (10xxxxxx).
    starts_here = np.concatenate([[0], np.cumsum((raw & 0xC0) != 0x80)])
    return CodePoints(points, starts_here[offsets - offsets[0]] if n else np.zeros(1, np.int64))


def from_code_points(text: CodePoints, like: pa.Array) -> pa.Array:
    """Encode code points back into a column of ``like``'s type, with ``like``'s nulls."""
    points = text.points
    utf8_bytes = 1 + (points >= 0x80) + (points >= 0x800) + (points >= 0x10000)
    byte_ends = np.concatenate([[0], np.cumsum(utf8_bytes, dtype=np.int64)])
    offsets = byte_ends[text.starts].astype(_OFFSETS[like.type])
    data = points.tobytes().decode("utf-32-le").encode("utf-8")
    validity = pc.is_valid(like).buffers()[1] if like.null_count else None
    buffers = [validity, pa.py_buffer(offsets), pa.py_buffer(data)]
    return pa.Array.from_buffers(like.type, len(like), buffers, null_count=like.null_count)


def pick_one_per_row(
    candidates: np.ndarray, starts: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Flat position of one random candidate point per row, -1 for rows without a candidate."""
    seen = np.concatenate([[0], np.cumsum(candidates, dtype=np.int64)])
    first, counts = seen[starts[:-1]], np.diff(seen[starts])
    rank = random_below(counts, rng)
    positions = np.append(np.flatnonzero(candidates), -1)
    return positions[np.where(counts > 0, first + rank, len(positions) - 1)]


def first_of_row(text: CodePoints) -> np.ndarray:
    """Mask of the points that start their row."""
    first = np.zeros(len(text.points), dtype=bool)
    first[text.starts[:-1][text.lengths > 0]] = True
    return first


def word_starts(text: CodePoints) -> np.ndarray:
    """Mask of the points that start a word: a letter or digit after a space or a row start."""
    points = text.points
    after_space = np.concatenate([[True], points[:-1] == ord(" ")]) if len(points) else points > 0
    return (after_space | first_of_row(text)) & (points != ord(" "))


def insert_points(text: CodePoints, positions: np.ndarray, points: np.ndarray) -> CodePoints:
    """``text`` with ``points[i]`` inserted before flat position ``positions[i]`` of row ``i``
    (nothing where the position is -1)."""
    inserted = positions >= 0
    new_points = np.insert(text.points, positions[inserted], points[inserted])
    return CodePoints(new_points, text.starts + np.concatenate([[0], np.cumsum(inserted)]))


def delete_points(text: CodePoints, positions: np.ndarray) -> CodePoints:
    """``text`` without the point at flat position ``positions[i]`` of row ``i`` (-1: none)."""
    deleted = positions >= 0
    new_points = np.delete(text.points, positions[deleted])
    return CodePoints(new_points, text.starts - np.concatenate([[0], np.cumsum(deleted)]))


def swap_at(text: CodePoints, positions: np.ndarray) -> CodePoints:
    """``text`` with the point at flat position ``positions[i]`` of row ``i`` swapped with the
    next one (-1: none)."""
    left = positions[positions >= 0]
    points = text.points.copy()
    points[left], points[left + 1] = text.points[left + 1], text.points[left]
    return CodePoints(points, text.starts)
