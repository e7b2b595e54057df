"""Copies per person: an exact total, spread by the chosen distribution renormalised over
1..maximum."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gensample.generate import duplicates
from gensample.settings import DISTRIBUTIONS


def truncated_pmf(distribution: str, max_copies: int) -> np.ndarray:
    """P(k copies) for k = 1..max_copies, renormalised over that range (from the textbook pmfs)."""
    k = np.arange(1, max_copies + 1)
    if distribution == "uniform":
        pmf = np.full(max_copies, 1 / max_copies)
    elif distribution == "poisson":  # one plus Poisson(mean)
        mean = duplicates.POISSON_MEAN
        pmf = np.array([math.exp(-mean) * mean ** (i - 1) / math.factorial(i - 1) for i in k])
    elif distribution == "zipf":  # k^-a / zeta(a)
        a = duplicates.ZIPF_EXPONENT
        pmf = k**-a / sum(i**-a for i in range(1, 200_000))
    else:  # geometric: trials up to the first success
        p = duplicates.GEOMETRIC_P
        pmf = (1 - p) ** (k - 1) * p
    return pmf / pmf.sum()


def test_geometric_pmf_matches_the_worked_example():
    np.testing.assert_allclose(truncated_pmf("geometric", 3), [4 / 7, 2 / 7, 1 / 7])


def test_the_cap_gets_no_more_than_the_count_below_it(rng):
    counts = duplicates.draw_copies(rng, 50_000, "geometric", 3)
    shares = np.bincount(counts, minlength=4)[1:] / len(counts)
    assert shares[2] < shares[1] * 0.6  # about half: the tail is not piled on the cap


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    n=st.integers(0, 300),
    max_copies=st.integers(1, 8),
    seed=st.integers(0, 2**32 - 1),
)
def test_counts_add_up_to_the_target_within_bounds(distribution, data, n, max_copies, seed):
    target = data.draw(st.integers(0, n * max_copies), label="target")
    counts = duplicates.copies_per_entity(
        np.random.default_rng(seed), n, target, distribution, max_copies
    )
    assert counts.shape == (n,)
    assert counts.sum() == target
    assert counts.min(initial=0) >= 0 and counts.max(initial=0) <= max_copies


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
@pytest.mark.parametrize("max_copies", [3, 5])
def test_non_zero_counts_follow_the_truncated_distribution(distribution, max_copies, rng):
    counts = duplicates.copies_per_entity(rng, 40_000, 12_000, distribution, max_copies)
    copied = counts[counts > 0]
    observed = np.bincount(copied, minlength=max_copies + 1)[1:] / len(copied)
    np.testing.assert_allclose(observed, truncated_pmf(distribution, max_copies), atol=0.02)


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_copies_fall_on_people_in_random_order(distribution, rng):
    counts = duplicates.copies_per_entity(rng, 10_000, 2_000, distribution, 3)
    copied = np.flatnonzero(counts)
    assert copied.min() < 1_000 and copied.max() > 9_000  # not the first people only
    first_half = np.count_nonzero(counts[:5_000]) / len(copied)
    assert first_half == pytest.approx(0.5, abs=0.05)


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_reaching_every_copy_fills_everyone_to_the_maximum(distribution, rng):
    counts = duplicates.copies_per_entity(rng, 500, 1_500, distribution, 3)
    assert np.all(counts == 3)


@pytest.mark.parametrize(("n", "target", "max_copies"), [(10, 31, 3), (0, 1, 5), (1, 2, 1)])
def test_an_impossible_target_raises(n, target, max_copies, rng):
    with pytest.raises(ValueError, match=f"{target} duplicates cannot come from {n} people"):
        duplicates.copies_per_entity(rng, n, target, "geometric", max_copies)


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_draw_copies_stays_within_one_and_the_maximum(distribution, rng):
    draws = duplicates.draw_copies(rng, 20_000, distribution, 4)
    assert draws.min() >= 1 and draws.max() <= 4
    assert set(np.unique(draws)) == {1, 2, 3, 4}


def test_unknown_distribution_is_rejected(rng):
    with pytest.raises(ValueError, match="unknown distribution 'pareto'"):
        duplicates.draw_copies(rng, 5, "pareto", 3)
