"""The run plan: blocks aligned to BLOCK_SIZE, an exact duplicate budget, contiguous record ids."""

import datetime as dt
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gensample.plan import block_bounds, draw_dupe_rate, make_plan
from gensample.seeding import BLOCK_SIZE
from gensample.settings import Settings

DAY = dt.date(2026, 11, 23)
fast = settings(max_examples=80, deadline=None)


def days(count: int) -> list[dt.date]:
    return [DAY + dt.timedelta(days=i) for i in range(count)]


@fast
@given(start=st.integers(0, 10 * BLOCK_SIZE), length=st.integers(0, 4 * BLOCK_SIZE))
def test_block_bounds_cut_at_block_multiples_and_cover_the_range(start, length):
    bounds = block_bounds(start, start + length)
    covered = [i for a, b in bounds for i in (a, b)]
    assert covered[:1] in ([], [start]) and covered[-1:] in ([], [start + length])
    assert bool(bounds) == (length > 0)
    for (_, b), (c, _) in itertools.pairwise(bounds):
        assert b == c and b % BLOCK_SIZE == 0  # contiguous, cut only at block edges
    for a, b in bounds:
        assert a < b and a // BLOCK_SIZE == (b - 1) // BLOCK_SIZE  # each piece inside one block
    assert sum(b - a for a, b in bounds) == length


def test_block_bounds_examples():
    assert block_bounds(0, BLOCK_SIZE) == [(0, BLOCK_SIZE)]
    assert block_bounds(BLOCK_SIZE - 1, BLOCK_SIZE + 1) == [
        (BLOCK_SIZE - 1, BLOCK_SIZE),
        (BLOCK_SIZE, BLOCK_SIZE + 1),
    ]


@fast
@given(
    customers=st.integers(0, 300_000),
    rate=st.floats(0, 75),
    entity_start=st.integers(0, 10**6),
    record_start=st.integers(0, 10**7),
)
def test_plan_budget_and_ids_add_up(customers, rate, entity_start, record_start):
    plan = make_plan(Settings(customers=customers, dupe_rate=rate), DAY, entity_start, record_start)
    assert plan.dupe_rate == rate
    expected = round(customers * rate / (100 - rate))
    assert plan.duplicates == sum(block.duplicates for block in plan.blocks) == expected
    assert plan.entities == customers and plan.entity_stop == entity_start + customers
    assert [(b.entity_start, b.entity_stop) for b in plan.blocks] == block_bounds(
        entity_start, entity_start + customers
    )
    next_record = record_start
    for block in plan.blocks:
        assert block.record_start == next_record
        assert block.records == block.entities + block.duplicates
        assert abs(block.duplicates - expected * block.entities / customers) < 1  # proportional
        next_record += block.records
    assert plan.record_stop == next_record == record_start + customers + expected


def test_dupe_rate_without_variance_is_the_setting():
    settings_ = Settings(customers=3000, dupe_rate=20.0, dupe_rate_variance=0.0)
    assert {draw_dupe_rate(settings_, day, 0) for day in days(20)} == {20.0}


def test_dupe_rate_varies_by_date_reproducibly_with_the_variance():
    settings_ = Settings(customers=3000, dupe_rate=20.0, dupe_rate_variance=2.0)
    rates = np.array([draw_dupe_rate(settings_, day, 0) for day in days(1000)])
    again = np.array([draw_dupe_rate(settings_, day, 0) for day in days(1000)])
    assert np.array_equal(rates, again)
    assert np.mean(rates[1:] != rates[:-1]) > 0.99  # each day its own rate
    assert rates.mean() == pytest.approx(20.0, abs=0.25)
    assert rates.std() == pytest.approx(2.0, rel=0.1)
    assert make_plan(settings_, DAY).dupe_rate == draw_dupe_rate(settings_, DAY, 0)


def test_dupe_rate_depends_on_the_seed():
    one, other = (Settings(seed=s, dupe_rate=20.0, dupe_rate_variance=2.0) for s in (1, 2))
    assert [draw_dupe_rate(one, d, 0) for d in days(5)] != [
        draw_dupe_rate(other, d, 0) for d in days(5)
    ]


@pytest.mark.parametrize("max_copies", [1, 2, 3, 6])
def test_a_wobbling_rate_never_needs_more_copies_than_allowed(max_copies):
    ceiling = 100 * max_copies / (1 + max_copies)
    settings_ = Settings(
        customers=200_000,
        dupe_rate=ceiling - 5,
        dupe_rate_variance=10.0,
        max_duplicates_per_entity=max_copies,
    )
    plans = [make_plan(settings_, day) for day in days(40)]
    assert any(plan.dupe_rate > ceiling - 0.01 for plan in plans)  # the ceiling is reached
    for plan in plans:
        assert 0 <= plan.dupe_rate / (100 - plan.dupe_rate) <= max_copies
        for block in plan.blocks:
            assert block.duplicates <= block.entities * max_copies, (plan.date, block)


def test_a_wobbling_rate_never_goes_negative():
    settings_ = Settings(customers=1000, dupe_rate=1.0, dupe_rate_variance=10.0)
    rates = [draw_dupe_rate(settings_, day, 0) for day in days(50)]
    assert min(rates) == 0.0 and max(rates) > 1.0
