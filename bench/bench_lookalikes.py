"""How often the reference matcher takes look-alikes for one person (issue 16).

For each difficulty preset and seed, generates one day of ``--customers`` customers in memory
(``gensample.generate``), runs the reference matcher of the test suite
(``tests/reference_matcher.py``) within the customer master, keeps the pairs scoring at or above
the threshold where its pairwise precision is 0.9, and scores them with ``gensample.score``:
pairwise recall and the false-match rate on each kind of hard negative (the share of record
pairs of different people in one group the matcher joined). Prints a Markdown table.
Usage: ``python bench/bench_lookalikes.py --customers 10000 --seeds 1 2``.
"""

import argparse
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import reference_matcher

import gensample

PRESETS = ("easy", "medium", "hard")
KINDS = ("household", "twin", "junior_senior", "namesake")


def scored(customers: int, seed: int, preset: str) -> gensample.Scores:
    """The scores of the reference matcher's pairs at precision 0.9 on one day."""
    corpus = gensample.generate(
        customers=customers,
        seed=seed,
        date="2026-11-23",
        datasets=["customers"],
        dupe_rate=15,
        settings={"difficulty": {"preset": preset}},
    )
    data = corpus["customers"]
    truth = corpus.truth.records
    records = truth.filter(pc.equal(truth["dataset"], "customers"))
    where = pc.index_in(data["customer_id"], value_set=records["record_id"])
    entity_id = records["entity_id"].take(where).to_numpy()
    pairs = reference_matcher.match(reference_matcher.matcher_columns("customers", data), entity_id)
    kept = pairs.score >= reference_matcher.threshold_at_precision(pairs)
    record_id = data["customer_id"].to_numpy()
    predicted = pa.table(
        {"record_id_a": record_id[pairs.left[kept]], "record_id_b": record_id[pairs.right[kept]]}
    )
    return gensample.score(corpus, predicted)


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    arguments = parser.parse_args()
    print("| preset | seed | recall | precision | " + " | ".join(KINDS) + " |")
    print("| --- " * (4 + len(KINDS)) + "|")
    for preset in PRESETS:
        for seed in arguments.seeds:
            scores = scored(arguments.customers, seed, preset)
            rates = []
            for kind in KINDS:
                negatives = scores.hard_negatives.get(kind)
                rates.append(f"{negatives.rate:.3f} ({negatives.pairs})" if negatives else "none")
            figures = f"{scores.pairwise.recall:.2f} | {scores.pairwise.precision:.2f}"
            print(f"| {preset} | {seed} | {figures} | " + " | ".join(rates) + " |")


if __name__ == "__main__":
    main()
