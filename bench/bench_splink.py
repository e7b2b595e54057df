"""An external matcher on the customer master: Splink, trained by EM, per difficulty preset.

Generates one day of ``--customers`` people (the customer master alone, default settings, in
memory) per preset, deduplicates it with Splink on DuckDB (blocking on family name, first name +
ZIP, e-mail and birth date; name, birth date, e-mail, phone, street and ZIP comparisons; u by
random sampling, m by EM on two blocking rules) and scores the predicted pairs against the
truth. Prints a Markdown table: pairwise recall and precision at match probability 0.5, and the
best recall whose precision stays at 0.9. Needs ``pip install splink`` (not a dependency of
gensample). Usage: ``python bench/bench_splink.py --customers 20000``.
"""

import argparse
import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import reference_matcher
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on
from splink.backends.duckdb import DuckDBAPI

from gensample.generate.datasets.customers import PERSON_COLUMNS
from gensample.generate.pipeline import generate_block
from gensample.generate.plan import make_plan
from gensample.settings import Settings
from gensample.settings.difficulty import DifficultySettings

DAY = dt.date(2026, 11, 23)
PRESETS = ("easy", "medium", "hard")
BLOCKING = (("last_name",), ("first_name", "postal_code"), ("email",), ("birth_date",))
THRESHOLD = 0.5


def customers(count: int, seed: int, preset: str) -> tuple[pa.Table, np.ndarray]:
    """A day's customer records (person columns as text, ``unique_id``) and their people."""
    settings = Settings(
        customers=count,
        seed=seed,
        datasets=("customers",),
        difficulty=DifficultySettings(preset=preset),
    )
    data, entity = [], []
    for block in make_plan(settings, DAY).blocks:
        generated = generate_block(settings, DAY, block).datasets["customers"]
        data.append(generated.data)
        entity.append(generated.truth["entity_id"].to_numpy())
    table = pa.concat_tables(data)
    columns = {c: table[c].cast(pa.string()) for c in PERSON_COLUMNS}
    return pa.table({"unique_id": table["customer_id"], **columns}), np.concatenate(entity)


def model() -> SettingsCreator:
    """The Splink model: blocking rules and comparisons."""
    return SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[block_on(*rule) for rule in BLOCKING],
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("last_name"),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            cl.EmailComparison("email"),
            cl.ExactMatch("phone"),
            cl.JaroWinklerAtThresholds("address_line1"),
            cl.ExactMatch("postal_code"),
        ],
    )


def predicted(records: pa.Table) -> pa.Table:
    """Splink's scored pairs (``unique_id_l``, ``unique_id_r``, ``match_probability``)."""
    linker = Linker(DuckDBAPI().register(records.to_pandas()), model(), log_level="WARNING")
    linker.training.estimate_probability_two_random_records_match(
        [block_on("email"), block_on("phone", "birth_date")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6)
    for rule in (("last_name",), ("birth_date",)):
        linker.training.estimate_parameters_using_expectation_maximisation(block_on(*rule))
    pairs = linker.inference.predict(threshold_match_probability=0.001).as_pandas_dataframe()
    return pa.Table.from_pandas(pairs[["unique_id_l", "unique_id_r", "match_probability"]])


def scores(records: pa.Table, entity: np.ndarray, pairs: pa.Table) -> tuple[float, float, float]:
    """Recall and precision at ``THRESHOLD``, and the best recall at precision 0.9."""
    row_of = {record_id: row for row, record_id in enumerate(records["unique_id"].to_pylist())}
    left = np.array([row_of[i] for i in pairs["unique_id_l"].to_pylist()], np.int64)
    right = np.array([row_of[i] for i in pairs["unique_id_r"].to_pylist()], np.int64)
    probability = pairs["match_probability"].to_numpy()
    same = entity[left] == entity[right]
    total = reference_matcher.true_pairs(entity)
    taken = probability >= THRESHOLD
    recall = same[taken].sum() / total
    precision = same[taken].sum() / max(taken.sum(), 1)
    found = reference_matcher.Pairs(left, right, probability, same)
    return recall, precision, reference_matcher.recall_at_precision(found, total)


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--presets", nargs="+", default=list(PRESETS), choices=PRESETS)
    arguments = parser.parse_args()
    print(f"| preset | recall at p >= {THRESHOLD} | precision at p >= {THRESHOLD} | ", end="")
    print("recall at precision 0.9 |\n| --- | --- | --- | --- |")
    for preset in arguments.presets:
        records, entity = customers(arguments.customers, arguments.seed, preset)
        figures = scores(records, entity, predicted(records))
        print(f"| {preset} | " + " | ".join(f"{f:.3f}" for f in figures) + " |")


if __name__ == "__main__":
    main()
