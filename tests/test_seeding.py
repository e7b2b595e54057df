"""Named random streams: draws depend on the seed and the names, never on call order."""

import zlib

import numpy as np
import pytest

from gensample.generate.seeding import BLOCK_SIZE, stream

DRAWS = 8


def draws(seed: int, *parts: str | int) -> np.ndarray:
    """The first raw 64-bit words of the stream named by ``parts``."""
    return stream(seed, *parts).integers(0, 2**63, DRAWS)


@pytest.mark.parametrize("parts", [(), ("customers",), ("customers", 3), ("dupe_rate", 739_000, 0)])
def test_same_seed_and_names_give_the_same_draws(parts):
    assert np.array_equal(draws(7, *parts), draws(7, *parts))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ((7, "customers", 0), (8, "customers", 0)),  # seed
        ((7, "customers", 0), (7, "population", 0)),  # name
        ((7, "customers", 0), (7, "customers", 1)),  # block
        ((7, "customers", 1), (7, "customers", 2)),
        ((7, "customers", 1, 2), (7, "customers", 2, 1)),  # order of the parts
        ((7, "customers"), (7, "Customers")),  # names are case-sensitive
        ((7, "customers", BLOCK_SIZE), (7, "customers", 2 * BLOCK_SIZE)),
    ],
)
def test_different_seeds_names_or_blocks_give_different_draws(a, b):
    assert not np.array_equal(draws(*a), draws(*b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ((7, "customers"), (7, "customers", 0)),
        ((7, "x"), (7, zlib.crc32(b"x"))),
        ((2**32, "x"), (0, 1, "x")),
        ((7, "a|b"), (7, "a", "b")),
    ],
)
def test_names_that_look_alike_are_different_streams(a, b):
    assert not np.array_equal(draws(*a), draws(*b))


def test_the_order_streams_are_created_in_does_not_matter():
    names = [("population", block) for block in range(4)] + [("customers", 0), ("dupe_rate", 1)]
    forward = {name: stream(7, *name).random(DRAWS) for name in names}
    backward = {name: stream(7, *name).random(DRAWS) for name in reversed(names)}
    interleaved = {}
    generators = {name: stream(7, *name) for name in names}
    for _ in range(DRAWS):  # drawing from one stream never moves another
        for name, generator in generators.items():
            interleaved.setdefault(name, []).append(generator.random())
    for name in names:
        assert np.array_equal(forward[name], backward[name])
        assert np.array_equal(forward[name], interleaved[name])


def test_global_numpy_state_does_not_leak_into_streams():
    before = draws(7, "customers", 0)
    saved = np.random.get_state()
    try:
        np.random.seed(1)
        np.random.random(100)
        assert np.array_equal(before, draws(7, "customers", 0))
    finally:
        np.random.set_state(saved)


@pytest.mark.parametrize("parts", [(-1,), ("customers", -1), ("customers", 0, -5)])
def test_negative_parts_are_rejected(parts):
    with pytest.raises(ValueError, match="non-negative"):
        stream(7, *parts)
