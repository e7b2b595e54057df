"""``safety_inspections``: health and safety inspections of the stores.

Their number grows with the population (``habits.inspected`` per person of a block, in
reference/data/systems.toml). Inspectors
are staff, a roster fixed by the seed and drawn from the name lists, never from the people.
Every inspection is drawn alone, so numbering them in order of drawing reveals nothing.
"""

import functools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample import reference
from gensample.generate.datasets import systems
from gensample.generate.datasets.common import (
    TIMESTAMP,
    event_window,
    in_hours,
    share_of,
    timestamps,
)
from gensample.generate.datasets.contract import BlockInput, Generated, Parents
from gensample.generate.datasets.draws import choices, truncated_geometric
from gensample.generate.datasets.texts import listed
from gensample.generate.seeding import stream
from gensample.generate.truth import RECORDS_SCHEMA
from gensample.native.strings import join_element_wise
from gensample.native.take import take
from gensample.settings import DATASET_PARENTS, Settings

NAME = "safety_inspections"
REFERENCE = False
IDENTITY = False
PARENTS = DATASET_PARENTS[NAME]
SCHEMA = pa.schema(
    [
        ("inspection_id", pa.int64()),
        ("store_id", pa.int64()),
        ("inspector_name", pa.string()),
        ("inspected_at", TIMESTAMP),
        ("category", pa.string()),
        ("score", pa.int64()),
        ("violations", pa.int64()),
        ("result", pa.string()),
    ]
)
PRIMARY_KEY = ("inspection_id",)
FOREIGN_KEYS = {"store_id": ("stores", "store_id")}
ROSTER_SIZE = 40
"""Inspectors on the staff: the same names in every block and on every day of a seed."""
VIOLATION_POINTS = 7
"""Points a violation costs; minor remarks cost up to ``VIOLATION_POINTS - 1`` more in all, so
an inspection with fewer violations always scores higher."""
MOST_VIOLATIONS, VIOLATIONS_P = 13, 0.45
PASS_FROM, CONDITIONAL_FROM = 80, 60
"""Scores from ``PASS_FROM`` pass, from ``CONDITIONAL_FROM`` pass on conditions, below fail."""
OFFICE_HOURS = (8, 18)
"""Inspections start from 8:00 to (not including) 18:00."""
CATEGORIES = choices(
    {
        "fire safety": 0.2,
        "slip and trip": 0.2,
        "racking and storage": 0.15,
        "hazardous materials": 0.15,
        "electrical": 0.1,
        "first aid": 0.1,
        "forklift and equipment": 0.1,
    }
)
DESCRIPTIONS = {
    "inspection_id": "Inspection number: unique, never handed out again.",
    "store_id": "Store inspected (stores.store_id).",
    "inspector_name": "Name of the staff inspector, 'First Last'.",
    "inspected_at": f"When the inspection started, between {OFFICE_HOURS[0]}:00 and "
    f"{OFFICE_HOURS[1]}:00.",
    "category": f"What was inspected: {listed(CATEGORIES.values.to_pylist())}.",
    "score": f"Score from 0 to 100: 100 less {VIOLATION_POINTS} points per violation, less up "
    f"to {VIOLATION_POINTS - 1} points for minor remarks (fewer violations, higher score).",
    "violations": f"Violations found (0 to {MOST_VIOLATIONS}).",
    "result": f"pass (score {PASS_FROM} or more), conditional ({CONDITIONAL_FROM} to "
    f"{PASS_FROM - 1}) or fail (below {CONDITIONAL_FROM}).",
}


def rows(settings: Settings, entity_start: int, entities: int, parent_rows: dict) -> int:
    """Inspections of the block: ``habits.inspected`` of its people."""
    return share_of(entities, systems.habit(settings, NAME, "inspected"))


def generate(block: BlockInput, parents: Parents) -> Generated:
    """The block's inspections, in id order."""
    settings = block.settings
    start, count = block.id_range(NAME)
    rng = stream(settings.seed, NAME, "inspections", block.block.entity_start)
    store_ids = parents["stores"].data["store_id"].to_numpy()
    first, last = event_window(settings, block.date)
    violations = truncated_geometric(MOST_VIOLATIONS + 1, VIOLATIONS_P).draw(rng, count) - 1
    score = 100 - VIOLATION_POINTS * violations - rng.integers(0, VIOLATION_POINTS, count)
    data = pa.table(
        {
            "inspection_id": np.arange(start, start + count, dtype=np.int64),
            "store_id": store_ids[rng.integers(0, len(store_ids), count)],
            "inspector_name": take(inspectors(settings.seed), rng.integers(0, ROSTER_SIZE, count)),
            "inspected_at": timestamps(in_hours(rng, first, last, OFFICE_HOURS, count)),
            "category": CATEGORIES.draw(rng, count),
            "score": score,
            "violations": violations,
            "result": results(score),
        },
        schema=SCHEMA,
    )
    return Generated(data, RECORDS_SCHEMA.empty_table())


@functools.cache
def inspectors(seed: int) -> pa.Array:
    """The roster: ``ROSTER_SIZE`` staff names, fixed by the seed alone."""
    rng = stream(seed, NAME, "inspectors")
    female = rng.random(ROSTER_SIZE) < 0.5
    given = [reference.given_names(gender) for gender in ("F", "M")]
    first = pc.if_else(
        pa.array(female),
        take(given[0].values, given[0].draw(rng, ROSTER_SIZE)),
        take(given[1].values, given[1].draw(rng, ROSTER_SIZE)),
    )
    family = reference.family_names()
    return join_element_wise(first, take(family.values, family.draw(rng, ROSTER_SIZE)), " ")


def results(score: np.ndarray) -> pa.Array:
    """pass, conditional or fail, by the score thresholds."""
    grade = (score < PASS_FROM).astype(np.int64) + (score < CONDITIONAL_FROM)
    return take(pa.array(["pass", "conditional", "fail"]), grade)
