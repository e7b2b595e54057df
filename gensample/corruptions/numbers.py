"""Digit slips in numbers written as text: ZIP codes, phone numbers, house numbers."""

import numpy as np
import pyarrow as pa

from gensample.corruptions.code_points import (
    CodePoints,
    from_code_points,
    pick_one_per_row,
    swap_at,
    to_code_points,
)
from gensample.corruptions.row_draws import for_rows

ZERO, NINE = ord("0"), ord("9")


def _is_digit(points: np.ndarray) -> np.ndarray:
    return (points >= ZERO) & (points <= NINE)


def mistype_digit(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Write one digit as another: '97205' -> '97305', '2217 Maple St' -> '2277 Maple St'."""
    text = to_code_points(values)
    positions = pick_one_per_row(_is_digit(text.points), text.starts, rng)
    hit = positions[positions >= 0]
    points = text.points.copy()
    shift = for_rows(rng, positions >= 0).integers(1, 10, len(hit))  # any digit but this one
    shift = shift.astype(np.uint32)
    points[hit] = ZERO + (points[hit] - ZERO + shift) % 10
    return from_code_points(CodePoints(points, text.starts), values)


def transpose_digits(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Swap two adjacent different digits: '97205' -> '92705', '(503) 555-0142' -> '...-1042'."""
    text = to_code_points(values)
    digit = _is_digit(text.points)
    candidates = np.zeros(len(text.points), dtype=bool)
    candidates[:-1] = digit[:-1] & digit[1:] & (text.points[:-1] != text.points[1:])
    candidates &= ~text.last_of_row()
    return from_code_points(swap_at(text, pick_one_per_row(candidates, text.starts, rng)), values)
