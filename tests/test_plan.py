"""The run plan: blocks aligned to BLOCK_SIZE, an exact duplicate budget, contiguous record ids."""

import datetime as dt
import itertools

import pytest
from conftest import without
from hypothesis import given, settings
from hypothesis import strategies as st

from gensample.generate.plan import block_bounds, block_datasets, make_plan
from gensample.generate.seeding import BLOCK_SIZE
from gensample.settings import DATASETS, Settings

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
    settings = Settings(customers=customers, dupe_rate=rate)
    plan = make_plan(settings, DAY, entity_start, {"customers": record_start})
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


@fast
@given(
    customers=st.integers(0, 120_000),
    starts=st.dictionaries(st.sampled_from(DATASETS), st.integers(0, 10**6)),
)
def test_every_dataset_takes_contiguous_ids_block_after_block(customers, starts):
    plan = make_plan(Settings(customers=customers), DAY, 0, starts)
    expected = {name: starts.get(name, 0) for name in block_datasets(Settings())}
    assert plan.id_starts == expected
    for block in plan.blocks:
        assert block.id_starts == expected
        expected = {name: expected[name] + block.rows[name] for name in expected}
    assert plan.id_stops() == expected


def test_rows_scale_linearly_with_customers():
    small, large = (make_plan(Settings(customers=n), DAY) for n in (100_000, 400_000))
    for name in block_datasets(Settings()):
        assert small.rows(name) > 0
        assert large.rows(name) / small.rows(name) == pytest.approx(4, rel=0.02), name


@pytest.mark.parametrize("name", [n for n in DATASETS if n != "customers"])
def test_leaving_a_dataset_out_changes_no_other_dataset_s_rows(name):
    full = make_plan(Settings(customers=60_000), DAY)
    kept = Settings(customers=60_000, datasets=without(name))
    part = make_plan(kept, DAY)
    assert name not in block_datasets(kept)
    for other in block_datasets(kept):
        assert [b.rows[other] for b in part.blocks] == [b.rows[other] for b in full.blocks]
