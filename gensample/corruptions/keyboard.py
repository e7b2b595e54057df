"""QWERTY key neighbours as a lookup table from code point to neighbouring code points."""

import numpy as np

_LETTER_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_DIGIT_ROW = "1234567890"
_TABLE_SIZE = 128
_WIDTH = 8


def _letter_neighbours(row: int, column: int) -> list[str]:
    """Keys touching a letter key; each row sits about half a key right of the one above."""
    touching = [
        (row, column - 1),
        (row, column + 1),
        (row - 1, column),
        (row - 1, column + 1),
        (row + 1, column - 1),
        (row + 1, column),
    ]
    return [
        _LETTER_ROWS[r][c]
        for r, c in touching
        if 0 <= r < len(_LETTER_ROWS) and 0 <= c < len(_LETTER_ROWS[r])
    ]


def _neighbours() -> dict[str, list[str]]:
    """Neighbours of every letter (both cases) and digit; digits only touch digits."""
    table = {
        key: _letter_neighbours(r, c)
        for r, keys in enumerate(_LETTER_ROWS)
        for c, key in enumerate(keys)
    }
    table |= {key.upper(): [near.upper() for near in nears] for key, nears in table.items()}
    table |= {
        key: [_DIGIT_ROW[c] for c in (i - 1, i + 1) if 0 <= c < len(_DIGIT_ROW)]
        for i, key in enumerate(_DIGIT_ROW)
    }
    return table


def _lookup() -> tuple[np.ndarray, np.ndarray]:
    neighbours = np.zeros((_TABLE_SIZE, _WIDTH), dtype=np.uint32)
    counts = np.zeros(_TABLE_SIZE, dtype=np.int64)
    for key, nears in _neighbours().items():
        neighbours[ord(key), : len(nears)] = [ord(near) for near in nears]
        counts[ord(key)] = len(nears)
    return neighbours, counts


NEIGHBOURS, COUNTS = _lookup()
"""``NEIGHBOURS[code point, i]`` for ``i < COUNTS[code point]`` are the keys next to that key."""


def neighbour_counts(points: np.ndarray) -> np.ndarray:
    """Number of keyboard neighbours of each code point (0 for keys not in the table)."""
    inside = points < _TABLE_SIZE
    return np.where(inside, COUNTS[np.where(inside, points, 0)], 0)
