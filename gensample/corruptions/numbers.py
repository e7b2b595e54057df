"""Digit slips in numbers written as text: ZIP codes, phone numbers, house numbers."""

import numpy as np
import pyarrow as pa

from gensample.corruptions.arrays import (
    CodePoints,
    from_code_points,
    pick_one_per_row,
    swap_at,
    to_code_points,
)

ZERO, NINE = ord("0"), ord("9")


def _is_digit(points: np.ndarray) -> np.ndarray:
    return (points >= ZERO) & (points <= NINE)


def mistype_digit(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Write one digit as another: '97205' -> '97305', '2217 Maple St' -> '2277 Maple St'."""
    text = to_code_points(values)
    positions = pick_one_per_row(_is_digit(text.points), text.starts, rng)
    hit = positions[positions >= 0]
    points = text.points.copy()
    shift = rng.integers(1, 10, len(hit)).astype(np.uint32)  # any digit but the same one
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
