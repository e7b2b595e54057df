"""Errors of spacing and punctuation: words split or run together, stray spaces and marks."""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.corruptions.code_points import (
    delete_points,
    first_of_row,
    from_code_points,
    insert_points,
    pick_one_per_row,
    to_code_points,
)
from gensample.native.strings import join_element_wise

SPACE = ord(" ")
STRAY_MARKS = np.array([ord(mark) for mark in ".-'"], dtype=np.uint32)
"""Punctuation a hurried hand leaves after a word (never a comma: systems join names with one)."""


def split_word(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Break a word in two with a space, not after its first letter: 'Mcdonald' -> 'Mc donald'."""
    text = to_code_points(values)
    visible = text.points > SPACE
    after_two = np.zeros(len(text.points), dtype=bool)
    after_two[2:] = visible[:-2] & visible[1:-1]
    inside = after_two & visible & ~first_of_row(text)
    inside[1:] &= ~first_of_row(text)[:-1]
    positions = pick_one_per_row(inside, text.starts, rng)
    spaces = np.full(len(positions), SPACE, dtype=np.uint32)
    return from_code_points(insert_points(text, positions, spaces), values)


def merge_words(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Run two words together, dropping the space between: 'Mary Ann' -> 'MaryAnn'."""
    text = to_code_points(values)
    between = np.zeros(len(text.points), dtype=bool)
    between[1:-1] = (text.points[1:-1] == SPACE) & (text.points[:-2] > SPACE)
    between[1:-1] &= text.points[2:] > SPACE
    between &= ~first_of_row(text) & ~text.last_of_row()
    return from_code_points(
        delete_points(text, pick_one_per_row(between, text.starts, rng)), values
    )


def add_stray_space(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Leave a space before or after the value: 'Smith' -> 'Smith ' or ' Smith'."""
    before = pa.array(rng.random(len(values)) < 0.5)
    spaced = pc.if_else(
        before,
        join_element_wise(" ", values, ""),
        join_element_wise(values, " ", ""),
    )
    return pc.if_else(pc.greater(pc.utf8_length(values), 0), spaced, values)


def add_stray_punctuation(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Leave a full stop, hyphen or apostrophe after a word: 'Ann Lee' -> 'Ann. Lee'."""
    text = to_code_points(values)
    after_word = np.zeros(len(text.points), dtype=bool)
    after_word[1:] = (text.points[1:] == SPACE) & (text.points[:-1] > SPACE)
    positions = pick_one_per_row(after_word, text.starts, rng)
    at_end = (positions < 0) | (rng.random(len(positions)) < 0.5)
    positions = np.where(at_end & (text.lengths > 0), text.starts[1:], positions)
    marks = STRAY_MARKS[rng.integers(0, len(STRAY_MARKS), len(positions))]
    return from_code_points(insert_points(text, positions, marks), values)
