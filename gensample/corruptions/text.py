"""Errors made while typing any text: slipped keys, swapped or lost letters, case, blanks."""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.corruptions import keyboard
from gensample.corruptions.arrays import (
    CodePoints,
    from_code_points,
    pick_one_per_row,
    random_below,
    to_code_points,
)


def make_typo(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Hit a QWERTY neighbour instead of one letter or digit, keeping its case: 'John' -> 'Jihn'."""
    text = to_code_points(values)
    choices = keyboard.neighbour_counts(text.points)
    positions = pick_one_per_row(choices > 0, text.starts, rng)
    hit = positions >= 0
    counts = np.zeros(len(values), dtype=np.int64)
    counts[hit] = choices[positions[hit]]
    which = random_below(counts, rng)[hit]
    points = text.points.copy()
    points[positions[hit]] = keyboard.NEIGHBOURS[points[positions[hit]], which]
    return from_code_points(CodePoints(points, text.starts), values)


def transpose_letters(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Swap two adjacent, different characters: 'Maria' -> 'Mraia'."""
    text = to_code_points(values)
    candidates = np.zeros(len(text.points), dtype=bool)
    candidates[:-1] = text.points[:-1] != text.points[1:]
    candidates &= ~text.last_of_row()
    positions = pick_one_per_row(candidates, text.starts, rng)
    left = positions[positions >= 0]
    points = text.points.copy()
    points[left], points[left + 1] = text.points[left + 1], text.points[left]
    return from_code_points(CodePoints(points, text.starts), values)


def drop_letter(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Leave out one character of a value at least two characters long: 'Smith' -> 'Smth'."""
    text = to_code_points(values)
    long_enough = np.repeat(text.lengths >= 2, text.lengths)
    positions = pick_one_per_row(long_enough, text.starts, rng)
    dropped = positions >= 0
    points = np.delete(text.points, positions[dropped])
    starts = text.starts - np.concatenate([[0], np.cumsum(dropped)])
    return from_code_points(CodePoints(points, starts), values)


def double_letter(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Type one visible character twice: 'Thomas' -> 'Thommas'."""
    text = to_code_points(values)
    positions = pick_one_per_row(text.points > ord(" "), text.starts, rng)
    doubled = positions >= 0
    points = np.insert(text.points, positions[doubled], text.points[positions[doubled]])
    starts = text.starts + np.concatenate([[0], np.cumsum(doubled)])
    return from_code_points(CodePoints(points, starts), values)


def use_initial(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Write only the first letter and a full stop: 'John' -> 'J.'."""
    trimmed = pc.utf8_trim_whitespace(values)
    initial = pc.binary_join_element_wise(pc.utf8_slice_codeunits(trimmed, 0, 1), ".", "")
    return pc.if_else(pc.greater(pc.utf8_length(trimmed), 0), initial, values)


def change_case(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Type the whole value in upper or lower case (caps lock, legacy systems): 'Ann' -> 'ANN'."""
    upper, lower = pc.utf8_upper(values), pc.utf8_lower(values)
    wants_upper = pa.array(rng.random(len(values)) < 0.5)
    use_upper = pc.or_(pc.and_(wants_upper, pc.not_equal(values, upper)), pc.equal(values, lower))
    return pc.if_else(use_upper, upper, lower)


def leave_blank(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Leave the field empty: every value becomes null, whatever its type."""
    return pa.nulls(len(values), type=values.type)
