"""Draws for the rows of several callers at once: each caller's rows get its own generator's
draws, and each generator ends where a call of its own would leave it."""

import numpy as np
import pytest

from gensample.corruptions.row_draws import RowDraws, for_rows

COUNTS = (3, 0, 5)


def generators(seed: int = 11) -> list[np.random.Generator]:
    return [np.random.default_rng(seed + i) for i in range(len(COUNTS))]


def test_each_callers_rows_get_its_own_draws_in_every_shape():
    together, alone = RowDraws(generators(), COUNTS), generators()
    floats = together.random(sum(COUNTS))
    grid = together.random((sum(COUNTS), 4))
    digits = together.integers(1, 10, sum(COUNTS))
    expected = [
        (rng.random(n), rng.random((n, 4)), rng.integers(1, 10, n))
        for rng, n in zip(alone, COUNTS, strict=True)
    ]
    assert np.array_equal(floats, np.concatenate([e[0] for e in expected]))
    assert np.array_equal(grid, np.concatenate([e[1] for e in expected]))
    assert np.array_equal(digits, np.concatenate([e[2] for e in expected]))
    assert grid.shape == (8, 4) and digits.min() >= 1 and digits.max() <= 9


def test_each_generator_ends_where_its_own_call_would_leave_it():
    mine, alone = generators(), generators()
    RowDraws(mine, COUNTS).integers(0, 3, sum(COUNTS))
    for rng, n in zip(alone, COUNTS, strict=True):
        rng.integers(0, 3, n)
    assert [g.random() for g in mine] == [g.random() for g in alone]


def test_draws_for_some_rows_come_from_the_generators_of_those_rows():
    marked = np.array([True, False, True, False, False, True, True, False])
    together = for_rows(RowDraws(generators(), COUNTS), marked).random(4)
    alone = generators()
    assert np.array_equal(together, np.concatenate([alone[0].random(2), alone[2].random(2)]))


def test_a_plain_generator_draws_for_some_rows_as_it_is():
    rng = np.random.default_rng(1)
    assert for_rows(rng, np.array([True, False])) is rng


@pytest.mark.parametrize("size", [7, (9, 2)])
def test_a_draw_that_is_not_one_per_row_is_refused(size):
    with pytest.raises(ValueError, match="rows among 8"):
        RowDraws(generators(), COUNTS).random(size)
