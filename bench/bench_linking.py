"""How hard linking across source systems is against deduplicating within one (issue 16).

For each difficulty preset and seed, generates one day of ``--customers`` people with the
customer master and the till customers (in memory), and runs the reference matcher of the test
suite (``tests/reference_matcher.py``) three ways: within ``customers``, within
``pos_customers``, and across them (candidate pairs of the two files together, only pairs with
one record of each kept and counted). Prints recall at precision 0.9 as a Markdown table.
Usage: ``python bench/bench_linking.py --customers 4000 --seeds 1 2``.
"""

import argparse
import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import reference_matcher

from gensample.generate.pipeline import generate_block
from gensample.generate.plan import make_plan
from gensample.settings import Settings
from gensample.settings.difficulty import DifficultySettings

DAY = dt.date(2026, 11, 23)
PRESETS = ("easy", "medium", "hard")


def day(customers: int, seed: int, preset: str) -> dict[str, tuple[pa.Table, np.ndarray]]:
    """Per system, its records as matcher columns and each record's person."""
    settings = Settings(
        customers=customers,
        seed=seed,
        dupe_rate=15.0,
        datasets=("stores", "customers", "pos_customers"),
        difficulty=DifficultySettings(preset=preset),
    )
    found: dict[str, list] = {"customers": [], "pos_customers": []}
    for block in make_plan(settings, DAY).blocks:
        result = generate_block(settings, DAY, block)
        for name in found:
            generated = result.datasets[name]
            found[name].append((generated.data, generated.truth["entity_id"].to_numpy()))
    return {
        name: (
            reference_matcher.matcher_columns(name, pa.concat_tables([data for data, _ in parts])),
            np.concatenate([entity for _, entity in parts]),
        )
        for name, parts in found.items()
    }


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=4_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    arguments = parser.parse_args()
    print(
        "| preset | seed | within customers | within pos_customers | customers <-> pos_customers |"
    )
    print("| --- | --- | --- | --- | --- |")
    for preset in PRESETS:
        for seed in arguments.seeds:
            systems = day(arguments.customers, seed, preset)
            figures = (
                reference_matcher.recall_within(*systems["customers"]),
                reference_matcher.recall_within(*systems["pos_customers"]),
                reference_matcher.recall_across(systems["customers"], systems["pos_customers"]),
            )
            print(f"| {preset} | {seed} | " + " | ".join(f"{f:.2f}" for f in figures) + " |")


if __name__ == "__main__":
    main()
