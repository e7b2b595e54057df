"""Errors made while typing any text: slipped keys, swapped or lost letters, case, blanks.

People rarely get the first letter of a word wrong: the letter-level slips here spare the
first letter of every word in ``FIRST_LETTER_SPARED`` of the values that have another letter.
"""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.corruptions import keyboard
from gensample.corruptions.arrays import random_below
from gensample.corruptions.code_points import (
    CodePoints,
    delete_points,
    from_code_points,
    insert_points,
    pick_one_per_row,
    swap_at,
    to_code_points,
    word_starts,
)
from gensample.native.strings import join_element_wise

FIRST_LETTER_SPARED = 0.85
"""Share of values whose slip avoids the first letter of each word when it can."""


def pick_mid_word(candidates: np.ndarray, text: CodePoints, rng: np.random.Generator) -> np.ndarray:
    """One candidate position per row (-1: none), rarely the first letter of a word."""
    inside = candidates & ~word_starts(text)
    seen = np.concatenate([[0], np.cumsum(inside, dtype=np.int64)])
    has_inside = np.diff(seen[text.starts]) > 0
    spared = has_inside & (rng.random(len(has_inside)) < FIRST_LETTER_SPARED)
    return pick_one_per_row(
        np.where(np.repeat(spared, text.lengths), inside, candidates), text.starts, rng
    )


def make_typo(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Hit a QWERTY neighbour instead of one letter or digit, keeping its case: 'John' -> 'Jihn'."""
    text = to_code_points(values)
    choices = keyboard.neighbour_counts(text.points)
    positions = pick_mid_word(choices > 0, text, rng)
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
    left = pick_mid_word(candidates, text, rng)
    return from_code_points(swap_at(text, left), values)


def drop_letter(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Leave out one character of a value at least two characters long: 'Smith' -> 'Smth'."""
    text = to_code_points(values)
    long_enough = np.repeat(text.lengths >= 2, text.lengths)
    return from_code_points(delete_points(text, pick_mid_word(long_enough, text, rng)), values)


def double_letter(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Type one visible character twice: 'Thomas' -> 'Thommas'."""
    text = to_code_points(values)
    positions = pick_mid_word(text.points > ord(" "), text, rng)
    doubled = np.zeros(len(positions), np.uint32)
    doubled[positions >= 0] = text.points[positions[positions >= 0]]
    return from_code_points(insert_points(text, positions, doubled), values)


def use_initial(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Write only the first letter and a full stop: 'John' -> 'J.'."""
    trimmed = pc.utf8_trim_whitespace(values)
    initial = join_element_wise(pc.utf8_slice_codeunits(trimmed, 0, 1), ".", "")
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
