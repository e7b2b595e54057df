"""Store safety inspections: counts that scale with people, staff inspectors, consistent scores."""

import datetime as dt
import itertools

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from conftest import DAY
from hypothesis import given, settings
from hypothesis import strategies as st

from gensample import reference
from gensample.generate import population, truth
from gensample.generate.datasets import BlockInput, Generated, common, safety_inspections, stores
from gensample.generate.datasets.contract import Block
from gensample.generate.pipeline import generate_block, reference_tables
from gensample.generate.plan import make_plan
from gensample.settings import Settings

NAME = "safety_inspections"
DATASETS = ("stores", "customers", NAME)


def inspections(config: Settings, count: int, entity_start: int = 0, date: dt.date = DAY):
    """``count`` inspections of one block, generated without people (they use none)."""
    block = Block(entity_start, entity_start + 1, 0, {NAME: count}, {NAME: 1000})
    catalog = Generated(
        stores.catalog(config.seed, config.stores), truth.RECORDS_SCHEMA.empty_table()
    )
    people = population.SCHEMA.empty_table()
    return safety_inspections.generate(BlockInput(config, date, block, people), {"stores": catalog})


@pytest.fixture(scope="module")
def many():
    """Enough inspections of one block to see every score."""
    return inspections(Settings(), 20_000).data


def test_counts_scale_with_the_people_of_each_block():
    config = Settings(customers=3000, datasets=DATASETS)
    plan = make_plan(config, DAY, 48_500)
    assert [block.rows[NAME] for block in plan.blocks] == [3, 3]  # 1,500 people each
    references = reference_tables(config, DAY)
    for block in plan.blocks:
        result = generate_block(config, DAY, block).datasets[NAME]
        start = block.id_starts[NAME]
        assert result.data["inspection_id"].to_pylist() == list(range(start, start + 3))
        assert result.data.schema == safety_inspections.SCHEMA
        assert list(safety_inspections.DESCRIPTIONS) == result.data.schema.names
        assert result.truth.num_rows == 0
        stores_ids = references["stores"].data["store_id"]
        assert pc.all(pc.is_in(result.data["store_id"], value_set=stores_ids)).as_py()
    assert safety_inspections.rows(config, 0, 50_000, {}) == 100


def test_fewer_violations_always_score_higher(many):
    scores: dict[int, list[int]] = {}
    for row in many.select(["violations", "score"]).to_pylist():
        scores.setdefault(row["violations"], []).append(row["score"])
    counts = sorted(scores)
    assert counts[0] == 0 and counts[-1] <= safety_inspections.MOST_VIOLATIONS
    for fewer, more in itertools.pairwise(counts):
        assert min(scores[fewer]) > max(scores[more])
    assert min(scores[counts[-1]]) >= 0 and max(scores[0]) <= 100
    assert len(scores[0]) > len(scores[1]) > len(scores[3])


def test_results_follow_the_score_thresholds(many):
    for row in many.select(["score", "result"]).to_pylist():
        expected = "pass" if row["score"] >= 80 else "fail" if row["score"] < 60 else "conditional"
        assert row["result"] == expected
    assert set(many["result"].to_pylist()) == {"pass", "conditional", "fail"}


def test_inspectors_are_a_fixed_staff_roster_not_the_people(many):
    names = set(many["inspector_name"].to_pylist())
    assert len(names) <= safety_inspections.ROSTER_SIZE
    other_block = inspections(Settings(), 2000, entity_start=50_000).data
    assert set(other_block["inspector_name"].to_pylist()) <= names
    given_names = set(reference.given_names("F").values.to_pylist()) | set(
        reference.given_names("M").values.to_pylist()
    )
    family_names = set(reference.family_names().values.to_pylist())
    for name in names:
        first, last = name.split(" ", 1)
        assert first in given_names and last in family_names


def test_inspections_happen_in_office_hours_inside_the_window(many):
    first, last = common.event_window(Settings(), DAY)
    for moment in many["inspected_at"].to_pylist():
        assert first <= moment.replace(tzinfo=dt.timezone.utc).timestamp() <= last
        assert 8 <= moment.hour < 18
    daily = inspections(Settings(trans_type="daily"), 500).data
    assert pc.unique(daily["inspected_at"].cast(pa.date32())).to_pylist() == [DAY]


def test_categories(many):
    assert set(many["category"].to_pylist()) == {
        "fire safety",
        "slip and trip",
        "racking and storage",
        "hazardous materials",
        "electrical",
        "first aid",
        "forklift and equipment",
    }


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**32), st.integers(0, 300))
def test_same_seed_same_inspections(seed, count):
    config = Settings(seed=seed)
    assert inspections(config, count).data.equals(inspections(config, count).data)


def test_the_bytes_do_not_depend_on_other_datasets():
    config = Settings(customers=1000, datasets=DATASETS)
    till = ("brands", "products", "bundles", "promotions", "pos_customers", "pos_transactions")
    more = Settings(customers=1000, datasets=(*DATASETS, *till))
    block = make_plan(config, DAY).blocks[0]
    other = make_plan(more, DAY).blocks[0]
    data = generate_block(config, DAY, block).datasets[NAME].data
    assert data.equals(generate_block(more, DAY, other).datasets[NAME].data)
    assert not data.equals(inspections(Settings(seed=1), block.rows[NAME]).data)
