"""An external matcher on the customer master: Splink, trained by EM, per difficulty preset.

Generates one day of ``--customers`` people (the customer master alone, default settings, in
memory, ``gensample.generate``) per preset, deduplicates it with Splink on DuckDB (blocking on
family name, first name + ZIP, e-mail and birth date; name, birth date, e-mail, phone, street and
ZIP comparisons; u by random sampling, m by EM on two blocking rules) and scores the predicted
pairs against the truth. Prints two Markdown tables. The first: pairwise recall and precision at
match probability 0.5, and the best recall whose precision stays at 0.9 (over the pairs as
Splink scores them). The second (issue 16), for the pairs at match probability 0.5 and for
those at the threshold where their pairwise precision is 0.9, scored by ``gensample.score``
(which closes pairs transitively into clusters): pairwise recall and precision of the clusters,
and the false-match rate on each kind of hard negative (the share of record pairs of different
people in one household or look-alike group the clusters join; the pairs in brackets). Needs
``pip install splink`` (not a dependency of gensample).
Usage: ``python bench/bench_splink.py --customers 20000``.
"""

import argparse
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import reference_matcher
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on
from splink.backends.duckdb import DuckDBAPI

import gensample
from gensample.generate.datasets.customers import PERSON_COLUMNS

DAY = "2026-11-23"
PRESETS = ("easy", "medium", "hard")
BLOCKING = (("last_name",), ("first_name", "postal_code"), ("email",), ("birth_date",))
THRESHOLD = 0.5
KINDS = ("household", "twin", "junior_senior", "namesake")


def day(count: int, seed: int, preset: str) -> gensample.Corpus:
    """One day of the customer master alone, with default settings but the preset."""
    return gensample.generate(
        customers=count,
        seed=seed,
        date=DAY,
        datasets=["customers"],
        settings={"difficulty": {"preset": preset}},
    )


def customers(corpus: gensample.Corpus) -> tuple[pa.Table, np.ndarray]:
    """The day's customer records (person columns as text, ``unique_id``) and their people."""
    data = corpus["customers"]
    truth = corpus.truth.records
    records = truth.filter(pc.equal(truth["dataset"], "customers"))
    where = pc.index_in(data["customer_id"], value_set=records["record_id"])
    columns = {c: data[c].cast(pa.string()) for c in PERSON_COLUMNS}
    table = pa.table({"unique_id": data["customer_id"], **columns})
    return table, records["entity_id"].take(where).to_numpy()


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


def as_pairs(records: pa.Table, entity: np.ndarray, pairs: pa.Table) -> reference_matcher.Pairs:
    """Splink's pairs as rows of ``records``, scored by match probability, with their truth."""
    ids = records["unique_id"]
    left = pc.index_in(pairs["unique_id_l"], value_set=ids).to_numpy().astype(np.int64)
    right = pc.index_in(pairs["unique_id_r"], value_set=ids).to_numpy().astype(np.int64)
    probability = pairs["match_probability"].to_numpy()
    return reference_matcher.Pairs(left, right, probability, entity[left] == entity[right])


def scores(found: reference_matcher.Pairs, total: int) -> tuple[float, float, float]:
    """Recall and precision at ``THRESHOLD``, and the best recall at precision 0.9."""
    taken = found.score >= THRESHOLD
    recall = found.same[taken].sum() / total
    precision = found.same[taken].sum() / max(taken.sum(), 1)
    return recall, precision, reference_matcher.recall_at_precision(found, total)


def scored(
    corpus: gensample.Corpus, records: pa.Table, found: reference_matcher.Pairs, threshold: float
) -> gensample.Scores:
    """``gensample.score`` of the pairs scoring at least ``threshold`` (closed transitively)."""
    kept = found.score >= threshold
    ids = records["unique_id"].to_numpy()
    prediction = pa.table(
        {"record_id_a": ids[found.left[kept]], "record_id_b": ids[found.right[kept]]}
    )
    return gensample.score(corpus, prediction)


def rate(negatives) -> str:
    """A false-match rate with its pairs, or ``none`` when there is no such pair."""
    if not negatives or negatives.rate is None:
        return "none"
    return f"{negatives.rate:.3f} ({negatives.pairs})"


def cuts(found: reference_matcher.Pairs) -> tuple[tuple[str, float], ...]:
    """The two thresholds the hard negatives are rated at, each with its label (the one at
    precision 0.9 lies within a hair of 1, so it shows as 1 - x)."""
    precise = reference_matcher.threshold_at_precision(found)
    return (f"p >= {THRESHOLD}", THRESHOLD), (f"p >= 1 - {1 - precise:.1e}", precise)


def hard_negative_row(preset: str, label: str, scores: gensample.Scores) -> str:
    """A row of the second table: closed recall and precision, then the rate per kind."""
    closed = scores.pairwise
    figures = [f"{closed.recall:.3f}", f"{closed.precision:.3f}"]
    figures += [rate(scores.hard_negatives.get(kind)) for kind in KINDS]
    return f"| {preset} | {label} | " + " | ".join(figures) + " |"


def measured(count: int, seed: int, preset: str) -> tuple[str, list[str]]:
    """One preset's row of the first table and its two rows of the second."""
    corpus = day(count, seed, preset)
    records, entity = customers(corpus)
    found = as_pairs(records, entity, predicted(records))
    figures = scores(found, reference_matcher.true_pairs(entity))
    first = f"| {preset} | " + " | ".join(f"{f:.3f}" for f in figures) + " |"
    second = [
        hard_negative_row(preset, label, scored(corpus, records, found, cut))
        for label, cut in cuts(found)
    ]
    return first, second


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--presets", nargs="+", default=list(PRESETS), choices=PRESETS)
    arguments = parser.parse_args()
    rows = [measured(arguments.customers, arguments.seed, p) for p in arguments.presets]
    print(f"| preset | recall at p >= {THRESHOLD} | precision at p >= {THRESHOLD} | ", end="")
    print("recall at precision 0.9 |\n| --- | --- | --- | --- |")
    print("\n".join(first for first, _ in rows))
    print("\nFalse-match rate on hard negatives (pairs of different people in one group):\n")
    print("| preset | pairs kept | recall | precision | " + " | ".join(KINDS) + " |")
    print("| --- " * (4 + len(KINDS)) + "|")
    print("\n".join(row for _, second in rows for row in second))


if __name__ == "__main__":
    main()
