"""The scorer: metrics against hand-worked cases and brute force, errors, the CLI, a real day."""

import itertools
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from conftest import DAY
from hypothesis import given, settings
from hypothesis import strategies as st

from gensample.cli import main
from gensample.score import breakdown, metrics, score
from gensample.score.components import components
from gensample.score.curve import closure_counts

# ---------------------------------------------------------------- helpers


def corpus(entities, datasets=None, households=None, **columns) -> SimpleNamespace:
    """A corpus-like object: record i of ``datasets[i]`` (default customers) belongs to entity
    ``entities[i]``; record ids count from 0 within each dataset."""
    datasets = datasets or ["customers"] * len(entities)
    ids = [datasets[: i + 1].count(d) - 1 for i, d in enumerate(datasets)]
    records = {
        "dataset": datasets,
        "record_id": ids,
        "entity_id": entities,
        "kind": ["original"] * len(entities),
        "duplicate_of": [None] * len(entities),
        "corruptions": [""] * len(entities),
        **columns,
    }
    people = sorted(set(entities))
    table = {"entity_id": people, "household_id": households or people}
    return SimpleNamespace(
        truth=SimpleNamespace(records=pa.table(records), entities=pa.table(table))
    )


def clusters(labels, datasets=None) -> pa.Table:
    """A clusters prediction: record i (of ``datasets[i]``) in cluster ``labels[i]``."""
    table = {"record_id": list(range(len(labels))), "cluster_id": labels}
    if datasets:
        table["dataset"] = datasets
    return pa.table(table)


def pairs(links, scores=None) -> pa.Table:
    """A pairs prediction within customers."""
    table = {
        "record_id_a": pa.array([a for a, _ in links], pa.int64()),
        "record_id_b": pa.array([b for _, b in links], pa.int64()),
    }
    if scores is not None:
        table["score"] = pa.array(scores, pa.float64())
    return pa.table(table)


# ---------------------------------------------------------------- hand-worked cases

# 5 records, 2 entities: A = {0, 1, 2}, B = {3, 4}; predicted clusters {0, 1} and {2, 3, 4}.
#   true pairs: A 3 + B 1 = 4; predicted pairs: 1 + 3 = 4; correct: (0,1) and (3,4) = 2
#   pairwise precision 2/4, recall 2/4, F1 1/2
#   B-cubed precision per record: 0: 2/2, 1: 2/2, 2: 1/3, 3: 2/3, 4: 2/3 -> 11/3 / 5 = 11/15
#   B-cubed recall per record:    0: 2/3, 1: 2/3, 2: 1/3, 3: 2/2, 4: 2/2 -> 11/3 / 5 = 11/15
#   A is split over two clusters (1 split); {2, 3, 4} merges A and B (1 merge)
FIVE = [10, 10, 10, 20, 20]


def test_hand_worked_clusters():
    s = score(corpus(FIVE), clusters(["x", "x", "y", "y", "y"]))
    assert (s.true_pairs, s.predicted_pairs, s.correct_pairs) == (4, 4, 2)
    assert s.pairwise == metrics.Rates(0.5, 0.5, 0.5)
    assert s.bcubed.precision == pytest.approx(11 / 15)
    assert s.bcubed.recall == pytest.approx(11 / 15)
    assert s.bcubed.f1 == pytest.approx(11 / 15)
    assert (s.entities_split, s.clusters_merged) == (1, 1)
    assert (s.entities, s.clusters) == (2, 2)
    assert s.cluster_sizes == {"true": {2: 1, 3: 1}, "predicted": {2: 1, 3: 1}}


def test_pairs_and_clusters_give_the_same_scores():
    by_clusters = score(corpus(FIVE), clusters([1, 1, 2, 2, 2])).to_dict()
    by_pairs = score(corpus(FIVE), pairs([(1, 0), (2, 3), (4, 3)])).to_dict()
    for varying in ("form", "predictions"):
        del by_clusters[varying], by_pairs[varying]
    assert by_pairs == by_clusters


def test_a_perfect_prediction_scores_one():
    s = score(corpus(FIVE), clusters(FIVE))
    assert s.pairwise == s.bcubed == metrics.Rates(1.0, 1.0, 1.0)
    assert (s.entities_split, s.clusters_merged) == (0, 0)


def test_all_singletons_recall_nothing():
    s = score(corpus(FIVE), pairs([]))
    assert s.pairwise == metrics.Rates(None, 0.0, 0.0)  # no predicted pair: precision undefined
    assert s.bcubed.precision == 1.0 and s.bcubed.recall == pytest.approx((1 / 3 * 3 + 1) / 5)
    assert s.entities_split == 2 and s.clusters == 5
    assert json.loads(json.dumps(s.to_dict(), allow_nan=False))["pairwise"]["precision"] is None


# Entity A = {0, 1, 2}, B = {3, 4}; 1 carries make_typo on first_name, 2 change_email_domain on
# email and use_nickname on first_name, 4 make_typo on last_name. Predicted {0, 1}, {2}, {3, 4}.
#   true pairs 01 02 12 34; found 01 34
#   make_typo (records 1, 4): pairs 01 12 34, found 01 34 -> 2/3
#   change_email_domain, use_nickname (record 2): pairs 02 12, found none -> 0
#   (none): pairs among uncorrupted {0, 3}: none (different people) -> not listed
#   by field: first_name (1, 2) 01 02 12 -> 1/3; email (2) -> 0; last_name (4) 34 -> 1
CORRUPTED = [
    "",
    "first_name:make_typo",
    "email:change_email_domain;first_name:use_nickname",
    "",
    "last_name:make_typo",
]


def test_recall_by_corruption_and_field_hand_worked():
    s = score(corpus(FIVE, corruptions=CORRUPTED), clusters([1, 1, 2, 3, 3]))
    by = {k: (r.true_pairs, r.found_pairs) for k, r in s.recall_by_corruption.items()}
    assert by == {"make_typo": (3, 2), "change_email_domain": (2, 0), "use_nickname": (2, 0)}
    assert s.recall_by_corruption["make_typo"].recall == pytest.approx(2 / 3)
    fields = {k: (r.true_pairs, r.found_pairs) for k, r in s.recall_by_field.items()}
    assert fields == {"first_name": (3, 1), "email": (2, 0), "last_name": (1, 1)}


def test_recall_of_uncorrupted_pairs_and_by_future_columns():
    # Entity A = {0, 1, 2, 3}, B = {4}; predicted {0, 1, 3}, {2}, {4}.
    #   true pairs 01 02 03 12 13 23; found 01 03 13
    #   (none): uncorrupted records 0 and 3: pair 03, found -> 1/1
    #   difficulty "hard" on 1 and 4: pairs 01 12 13, found 01 13 -> 2/3
    #   difficulty "easy" on 2: pairs 02 12 23, none found -> 0/3
    #   variation "email:work" on 2 and 4: 02 12 23 -> 0/3; "phone:landline" on 4: no pair
    s = score(
        corpus(
            [10, 10, 10, 10, 20],
            corruptions=CORRUPTED,
            difficulty=[None, "hard", "easy", None, "hard"],
            variations=["", "", "email:work", "", "email:work;phone:landline"],
        ),
        clusters([1, 1, 2, 1, 3]),
    )
    none = s.recall_by_corruption["(none)"]
    assert (none.true_pairs, none.found_pairs) == (1, 1)
    assert {k: (r.true_pairs, r.found_pairs) for k, r in s.recall_by_difficulty.items()} == {
        "easy": (3, 0),
        "hard": (3, 2),
    }
    assert {k: (r.true_pairs, r.found_pairs) for k, r in s.recall_by_variation.items()} == {
        "email:work": (3, 0)
    }


# Entities 1 and 2 share household 7; entity 3 lives alone. Records: 0, 1 of entity 1; 2 of
# entity 2; 3 of entity 3. Household pairs 01 02 12, of which 02 and 12 are different people.
#   prediction {0, 1, 2}: both negatives matched -> 1.0; prediction {0, 2}: one -> 0.5
def test_household_false_match_rate_hand_worked():
    truth = corpus([1, 1, 2, 3], households=[7, 7, 8])
    everything = score(truth, clusters([0, 0, 0, 1])).hard_negatives["household"]
    assert everything == breakdown.HardNegatives(2, 2, 1.0)
    one = score(truth, clusters([0, 1, 0, 2])).hard_negatives["household"]
    assert one == breakdown.HardNegatives(2, 1, 0.5)


def test_lookalike_groups_are_scored_per_relation():
    truth = corpus([1, 2, 3, 4])
    truth.truth.entities = truth.truth.entities.append_column(
        "lookalike_group", pa.array([5, 5, 6, 6])
    ).append_column("relation", pa.array(["twin", "twin", "namesake", "namesake"]))
    s = score(truth, clusters([0, 0, 1, 2]))
    assert s.hard_negatives["twin"] == breakdown.HardNegatives(1, 1, 1.0)
    assert s.hard_negatives["namesake"] == breakdown.HardNegatives(1, 0, 0.0)


def test_a_junior_and_his_senior_are_one_kind_of_hard_negative():
    truth = corpus([1, 2, 3])
    truth.truth.entities = truth.truth.entities.append_column(
        "lookalike_group", pa.array([1, 1, None], pa.int64())
    ).append_column("relation", pa.array(["senior", "junior", None]))
    s = score(truth, clusters([0, 0, 1]))
    assert s.hard_negatives["junior_senior"] == breakdown.HardNegatives(1, 1, 1.0)
    assert set(s.hard_negatives) == {"household", "junior_senior"}


# customers: 0 (entity A), 1 (B); pos_customers: 0 (A), 1 (A).
# Pairs c0-p0 and p0-p1 close into {c0, p0, p1}: customers~pos 2 true, 2 found, 2 predicted.
def test_recall_by_dataset_pair_across_datasets():
    truth = corpus([1, 2, 1, 1], ["customers", "customers", "pos_customers", "pos_customers"])
    predicted = pa.table(
        {
            "dataset_a": ["customers", "pos_customers"],
            "record_id_a": [0, 0],
            "dataset_b": ["pos_customers", "pos_customers"],
            "record_id_b": [0, 1],
        }
    )
    s = score(truth, predicted)
    assert s.datasets == ("customers", "pos_customers")
    assert s.by_dataset_pair == {
        "customers ~ pos_customers": breakdown.PairOfDatasets(2, 2, 2, 1.0, 1.0),
        "pos_customers ~ pos_customers": breakdown.PairOfDatasets(1, 1, 1, 1.0, 1.0),
    }
    assert s.pairwise == metrics.Rates(1.0, 1.0, 1.0)


def test_similarity_histograms_split_found_and_missed_duplicates():
    truth = corpus(FIVE, name_similarity=[None, 0.9, 0.5, None, 0.7])
    truth.truth.records = truth.truth.records.set_column(
        4, "duplicate_of", pa.array([None, 0, 0, None, 3], pa.int64())
    )
    s = score(truth, clusters([1, 1, 2, 3, 3]))
    histogram = s.similarity["name"]
    assert (sum(histogram.found), sum(histogram.missed)) == (2, 1)  # 1 and 4 found, 2 missed
    assert histogram.edges[0] == 0.5 and histogram.edges[-1] == 0.9


def test_the_curve_is_exact_for_the_closure_hand_worked():
    # A = {0, 1, 2}, B = {3, 4}. Scores: 0-1 0.9, 1-2 0.8, 2-3 0.5, 3-4 0.4.
    # >= 0.9: {0,1} 1 pair, 1 correct; >= 0.8: {0,1,2} 3/3; >= 0.5: {0..3} 6 pairs, 3 correct;
    # >= 0.4: {0..4} 10 pairs, 4 correct. True pairs 4: best F1 at 0.8 (P 1, R 3/4, F1 6/7).
    s = score(corpus(FIVE), pairs([(0, 1), (1, 2), (2, 3), (3, 4)], [0.9, 0.8, 0.5, 0.4]))
    c = s.curve
    assert c.thresholds == (0.9, 0.8, 0.5, 0.4)
    assert c.precision == (1.0, 1.0, 0.5, 0.4)
    assert c.recall == (0.25, 0.75, 0.75, 1.0)
    assert (c.best_threshold, c.best_precision, c.best_recall) == (0.8, 1.0, 0.75)
    assert c.best_f1 == pytest.approx(6 / 7)
    assert s.pairwise.precision == 0.4  # the metrics take every pair given


# ---------------------------------------------------------------- against brute force

labelling = st.integers(2, 14).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 4), min_size=n, max_size=n),
        st.lists(st.integers(0, 5), min_size=n, max_size=n),
        st.lists(st.booleans(), min_size=n, max_size=n),
    )
)


@settings(max_examples=150, deadline=None)
@given(labelling)
def test_group_sizes_equal_listing_every_pair(case):
    entity, cluster, carries = (np.array(x) for x in case)
    table = metrics.contingency(np.unique(entity, return_inverse=True)[1], cluster)
    every = list(itertools.combinations(range(len(entity)), 2))
    true = {(i, j) for i, j in every if entity[i] == entity[j]}
    predicted = {(i, j) for i, j in every if cluster[i] == cluster[j]}
    rates = metrics.pairwise(table)
    assert rates.recall == metrics.ratio(len(true & predicted), len(true))
    assert rates.precision == metrics.ratio(len(true & predicted), len(predicted))
    same_e = [entity == entity[i] for i in range(len(entity))]
    same_c = [cluster == cluster[i] for i in range(len(entity))]
    both = [(same_e[i] & same_c[i]).sum() for i in range(len(entity))]
    bcubed = metrics.bcubed(table)
    assert bcubed.precision == pytest.approx(
        np.mean([b / c.sum() for b, c in zip(both, same_c, strict=True)])
    )
    assert bcubed.recall == pytest.approx(
        np.mean([b / e.sum() for b, e in zip(both, same_e, strict=True)])
    )
    involved = {(i, j) for i, j in true if carries[i] or carries[j]}
    recall = breakdown.recall_by(table, np.unique(entity, return_inverse=True)[1], {"k": carries})
    if involved:
        assert recall["k"].found_pairs == len(involved & predicted)
        assert recall["k"].true_pairs == len(involved)
    group = np.array([0, 0, 1, -1, 1])  # entities 0 and 1 share a group, 2 and 4 another
    dense = np.unique(entity, return_inverse=True)
    negatives = {(i, j) for i, j in every if entity[i] != entity[j]}
    negatives = {(i, j) for i, j in negatives if group[entity[i]] == group[entity[j]] >= 0}
    found = breakdown.hard_negatives(table, dense[1], cluster, group[dense[0]])
    assert (found.pairs, found.false_matches) == (len(negatives), len(negatives & predicted))


edges = st.integers(2, 12).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.integers(0, 4))),
        st.lists(st.integers(0, 3), min_size=n, max_size=n),
    )
)


def _closure(size: int, links) -> list[set]:
    """Connected components by repeated merging of sets (brute force)."""
    groups = [{i} for i in range(size)]
    for a, b in links:
        ga, gb = next(g for g in groups if a in g), next(g for g in groups if b in g)
        if ga is not gb:
            groups.remove(gb)
            ga |= gb
    return groups


@settings(max_examples=150, deadline=None)
@given(edges)
def test_components_and_curve_equal_brute_force_closure(case):
    size, links, entity = case
    links = [(a, b, s) for a, b, s in links if a != b]
    entity = np.array(entity)
    a = np.array([x for x, _, _ in links], np.int64)
    b = np.array([y for _, y, _ in links], np.int64)
    label = components(size, a, b)
    for group in _closure(size, [(x, y) for x, y, _ in links]):
        assert len({label[i] for i in group}) == 1
    assert len(set(label.tolist())) == len(_closure(size, [(x, y) for x, y, _ in links]))
    if not links:
        return
    scores = np.array([s for _, _, s in links], float)
    thresholds, predicted, correct = closure_counts(a, b, scores, entity)
    assert thresholds.tolist() == sorted(set(scores.tolist()), reverse=True)
    for threshold, p, c in zip(thresholds, predicted, correct, strict=True):
        groups = _closure(size, [(x, y) for x, y, s in links if s >= threshold])
        sizes = [len(g) for g in groups]
        assert p == sum(n * (n - 1) // 2 for n in sizes)
        assert c == sum(
            sum(1 for i, j in itertools.combinations(sorted(g), 2) if entity[i] == entity[j])
            for g in groups
        )


# ---------------------------------------------------------------- bad input: exit 2, the line


@pytest.fixture
def day(tmp_path) -> Path:
    """A run directory holding a tiny hand-made day: customers 0-4 of entities FIVE."""
    truth = tmp_path / "run" / "out" / DAY.isoformat() / "truth"
    truth.mkdir(parents=True)
    made = corpus(FIVE).truth
    pacsv.write_csv(made.records, truth / "records.csv")
    pacsv.write_csv(made.entities, truth / "entities.csv")
    return tmp_path / "run"


def _score(day: Path, text: str | bytes, *flags: str, name: str = "p.csv") -> int:
    path = day / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return main(
        ["score", "--dir", str(day), "--date", DAY.isoformat(), "--predictions", str(path), *flags]
    )


BIG = "1e+20 is not a whole number from 0 to 2^63-1"  # 99999999999999999999, read as a float


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("record_id_a,record_id_b\n0,1\n0,9\n", "p.csv, line 3: record_id_b 9 is not a record"),
        ("record_id_a,record_id_b\n0,1\n2,3\n1,0\n", "p.csv, line 4: the same pair as line 2"),
        ("record_id,cluster_id\n0,a\n1,a\n0,b\n", "p.csv, line 4: the same record as line 2"),
        ("record_id_a,record_id_b\n0,1\n2,3,4\n", "p.csv, line 3: 3 field(s) where the header"),
        ("record_id_a,record_id_b\n0,1\n\n2,3\n", "p.csv, line 3: record_id_a is empty"),
        ("record_id_a,record_id_b\n0,1\nx,3\n", "p.csv, line 3: record_id_a 'x' is not a whole"),
        ("record_id_a,record_id_b\n0,1\n2,\n", "p.csv, line 3: record_id_b is empty"),
        ("record_id_a,record_id_b\n0,0\n", "p.csv, line 2: pairs a record with itself"),
        ("record_id_a,record_id_b,score\n0,1,0.5\n2,3,inf\n", "line 3: score inf is not a finite"),
        ("record_id_a,record_id_b,score\n0,1,0.5\n2,3,high\n", "line 3: score 'high' is not"),
        ("record_id,cluster_id\n0,a\n1,\n", "p.csv, line 3: cluster_id is empty"),
        ("record_id,cluster_id\n0,1\n", "no dataset column, so one --dataset at most"),
        ("id,match\n0,1\n", "header id, match has neither record_id_a and record_id_b"),
        ("record_id_a,record_id_b,dataset_a\n0,1,customers\n", "dataset_a without its partner"),
        ("", "p.csv: not a readable CSV"),
        ("record_id_a,record_id_a,record_id_b\n0,1,2\n", "p.csv: column record_id_a appears 2"),
        ("record_id_a,record_id_b\n0,1\n1,99999999999999999999\n", f"line 3: record_id_b {BIG}"),
        ("record_id_a,record_id_b\n0,1\n1,-2\n", "line 3: record_id_b -2 is not a whole number"),
        ("record_id_a,record_id_b,score\n0,1,0.5\n2,3,nan\n", "line 3: score nan is not a finite"),
        ("record_id_a,record_id_b\n0,1\nNA,3\n", "line 3: record_id_a 'NA' is not a whole"),
        (b"record_id_a,record_id_b,sc\xf6re\n0,1,2\n", "p.csv, line 1: not UTF-8 text"),
        (b"record_id_a,record_id_b\n0,1\n3,4,caf\xe9\n", "p.csv, line 3: not UTF-8 text: '3,4,caf"),
    ],
)
def test_bad_predictions_exit_2_naming_the_line(day, caplog, monkeypatch, text, message):
    flags = ("--dataset", "customers", "orders") if "--dataset" in message else ()
    ignored = []  # exceptions Python could only print ("Exception ignored in ...")
    monkeypatch.setattr(sys, "unraisablehook", ignored.append)
    assert _score(day, text, *flags) == 2
    assert message in caplog.text
    assert len(caplog.records) == 1 and "\n" not in caplog.text.strip() and not ignored


def test_a_dataset_not_scored_names_the_line(day, caplog):
    text = "record_id,dataset,cluster_id\n0,customers,1\n1,pos,1\n"
    assert _score(day, text, "--dataset", "customers") == 2
    assert "p.csv, line 3: dataset 'pos' is not a scored dataset (customers)" in caplog.text
    assert _score(day, text) == 2
    assert "p.csv, line 3: dataset 'pos' is not a dataset of the truth (customers)" in caplog.text
    assert _score(day, text, "--dataset", "orders") == 2
    assert "truth: no records of dataset(s) orders (it has customers)" in caplog.text


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (pairs([(0, 1), (1, 7)]), "p.parquet, row 2: record_id_b 7 is not a record of customers"),
        (
            pa.table({"record_id_a": [0.0, 1.0], "record_id_b": [1.0, 1e300]}),
            "p.parquet, row 2: record_id_b 1e+300 is not a whole number from 0 to 2^63-1",
        ),
        (
            pa.table({"record_id_a": pa.array([0, 2**64 - 1], pa.uint64()), "record_id_b": [1, 2]}),
            "row 2: record_id_a 18446744073709551615 is not a whole number from 0 to 2^63-1",
        ),
        (
            pa.table({"record_id": [0, 1], "cluster_id": [[1], [1, 2]]}),
            "p.parquet: cluster_id must hold numbers or text, not list<element: int64>",
        ),
        (
            clusters(["x", "x"], [["customers"], ["customers"]]),
            "p.parquet: dataset must hold text (dataset names), not list<element: string>",
        ),
    ],
)
def test_bad_parquet_exit_2_naming_the_row_or_column(day, caplog, table, message):
    pq.write_table(table, day / "p.parquet")
    path = str(day / "p.parquet")
    assert main(["score", "--dir", str(day), "--date", DAY.isoformat(), "--predictions", path]) == 2
    assert message in caplog.text


@pytest.mark.parametrize(
    ("labels", "names"),
    [
        (
            pa.array(list("xxyyy")).dictionary_encode(),
            pa.array(["customers"] * 5).dictionary_encode(),
        ),
        (pa.array([b"x", b"x", b"y", b"y", b"y"]), pa.array(["customers"] * 5, pa.large_string())),
        (pa.array([1.0, 1.0, 2.5, 2.5, 2.5]), None),
    ],
)
def test_labels_and_dataset_names_of_every_allowed_type_score(day, labels, names):
    s = score(day, clusters(labels, names), date=DAY)
    assert s.pairwise == metrics.Rates(0.5, 0.5, 0.5)


def test_an_empty_table_with_empty_typed_columns_scores(day):
    nothing = pa.table(
        {"record_id": pa.array([], pa.int64())}
        | {column: pa.array([], pa.null()) for column in ("cluster_id", "dataset")}
    )
    assert score(day, nothing, date=DAY).pairwise.recall == 0.0


def test_missing_day_and_file_exit_2(day, caplog):
    assert main(["score", "--dir", str(day), "--date", "2026-01-01", "--predictions", "x"]) == 2
    assert "does not exist: run that day first" in caplog.text
    assert _score(day, "record_id,cluster_id\n") == 0  # a header alone: all singletons


# ---------------------------------------------------------------- the command line


def test_json_and_table_output(day, capsys):
    assert _score(day, "record_id,cluster_id\n0,x\n1,x\n2,y\n3,y\n4,y\n", "--json") == 0
    document = json.loads(capsys.readouterr().out)
    assert document["pairwise"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert document["cluster_sizes"]["true"] == {"2": 1, "3": 1}
    assert _score(day, "record_id,cluster_id\n0,x\n1,x\n") == 0
    table = capsys.readouterr().out
    assert "pairwise" in table and "b-cubed" in table and "household" in table


def test_report_embeds_its_plots(day, capsys):
    text = "record_id_a,record_id_b,score\n0,1,0.9\n1,2,0.7\n3,4,0.2\n"
    assert _score(day, text, "--report", str(day / "report.html")) == 0
    page = (day / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 2  # sizes and the curve: no corruptions here
    assert "best threshold" in page and "<script" not in page


def test_a_report_overwrites_an_html_page_but_never_the_predictions(day, caplog):
    text = "record_id,cluster_id\n0,x\n1,x\n"
    (day / "report.html").write_text("yesterday's")
    assert _score(day, text, "--report", str(day / "report.html")) == 0
    assert "<h1>gensample score</h1>" in (day / "report.html").read_text()
    manifest = day / "manifest.json"
    manifest.write_text("{}")
    bad = "record_id,cluster_id\n0,x\n0,y\n"  # refused before the predictions are read
    assert _score(day, bad, "--report", str(manifest)) == 2
    assert "manifest.json: must end in .html or .htm" in caplog.text
    assert "the same record" not in caplog.text and manifest.read_text() == "{}"
    assert _score(day, text, "--report", str(day / "p.HTM"), name="p.HTM") == 2
    assert "is the predictions file" in caplog.text and (day / "p.HTM").read_text() == text


def test_a_report_it_cannot_write_is_exit_1_naming_it(day, tmp_path, caplog):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "taken").write_text("mine")
    report = folder / "taken" / "report.html"  # under a file
    assert _score(day, "record_id,cluster_id\n0,x\n", "--report", str(report)) == 1
    assert f"cannot write {report}" in caplog.text
    assert [path.name for path in folder.iterdir()] == ["taken"]


def test_report_without_matplotlib_says_how_to_install_it(day, caplog, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert _score(day, "record_id,cluster_id\n0,x\n", "--report", str(day / "r.html")) == 2
    assert "pip install 'gensample[report]'" in caplog.text


def test_a_day_directory_scores_too(day):
    s = score(day / "out" / DAY.isoformat(), pairs([(0, 1)]))
    assert s.correct_pairs == 1 and s.truth.endswith("truth")


# ---------------------------------------------------------------- a real generated day


@pytest.fixture(scope="module")
def real_day(tmp_path_factory) -> Path:
    """A small generated day (every dataset on by default)."""
    run = tmp_path_factory.mktemp("real") / "run"
    assert main(["init", str(run)]) == 0
    flags = ["--date", DAY.isoformat(), "--customers", "1500", "--workers", "1"]
    assert main(["run", "--dir", str(run), *flags]) == 0
    return run


def test_a_real_day_perfect_and_naive_predictions(real_day, capsys):
    day = real_day / "out" / DAY.isoformat()
    records = pacsv.read_csv(day / "truth" / "records.csv")
    perfect = records.select(["dataset", "record_id", "entity_id"]).rename_columns(
        ["dataset", "record_id", "cluster_id"]
    )
    pq.write_table(perfect, real_day / "perfect.parquet")
    args = ["score", "--dir", str(real_day), "--date", DAY.isoformat(), "--json"]
    assert main([*args, "--predictions", str(real_day / "perfect.parquet")]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["pairwise"]["f1"] == 1.0 and document["bcubed"]["f1"] == 1.0
    assert len(document["datasets"]) > 1 and document["hard_negatives"]["household"]["rate"] == 0

    customers = pacsv.read_csv(day / "data" / "customers.csv")
    email = pc.utf8_lower(customers["email"]).to_numpy(zero_copy_only=False)
    ids = customers["customer_id"].to_numpy()
    order = np.argsort(email, kind="stable")
    known = np.array([bool(e) for e in email[order]])  # a blank e-mail matches nothing
    same = (email[order][1:] == email[order][:-1]) & known[1:]
    links = pa.table({"record_id_a": ids[order][:-1][same], "record_id_b": ids[order][1:][same]})
    pacsv.write_csv(links, real_day / "email.csv")
    assert main([*args, "--predictions", str(real_day / "email.csv")]) == 0
    naive = json.loads(capsys.readouterr().out)
    assert naive["datasets"] == ["customers"]
    assert 0.3 < naive["pairwise"]["recall"] < 1.0
    # e-mails shared in a household cost precision; copies' e-mails differ ever more often
    assert naive["pairwise"]["precision"] > 0.8, naive["hard_negatives"]
    assert naive["recall_by_corruption"]["change_email_domain"]["recall"] < 0.2
    # the truth's name and address similarities, over the duplicates found and those missed
    found, missed = (naive["similarity"]["name"][key] for key in ("found", "missed"))
    assert set(naive["similarity"]) == {"name", "address"} and sum(found) and sum(missed)
