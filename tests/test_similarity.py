"""Similarity truth: each duplicate's likeness to its original, and its difficulty bucket."""

import datetime as dt

import jellyfish
import pyarrow as pa
import pytest
from conftest import DAY, read_csv, run_day
from hypothesis import given
from hypothesis import strategies as st
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler

from gensample.generate import similarity

ORIGINAL = {
    "first_name": "Martha",
    "last_name": "Philips",
    "email": "martha@x.com",
    "phone": "(503) 555-0142",
    "birth_date": dt.date(1980, 5, 6),
    "address_line1": "12 Oak St",
    "address_line2": "Apt 4",
    "city": "Portland",
}


def measured(*copies: dict) -> list[dict]:
    """Similarity rows of each copy (ORIGINAL with changes) to ORIGINAL."""
    rows = [{**ORIGINAL, **changes} for changes in copies]
    return similarity.similarities(
        pa.Table.from_pylist(rows), pa.Table.from_pylist([ORIGINAL] * len(rows))
    ).to_pylist()


def test_an_exact_copy_is_equal_everywhere_and_easy():
    (row,) = measured({})
    assert row == {
        "name_similarity": 1.0,
        "address_similarity": 1.0,
        "phonetic_match": True,
        "email_match": True,
        "phone_match": True,
        "birth_date_match": True,
        "difficulty": "easy",
    }


@given(st.lists(st.text(), min_size=1))
def test_equal_names_and_addresses_score_as_the_scorers_score_them(texts):
    """Equal texts are not scored, but given what the scorers give them."""
    table = pa.table({"first_name": texts, "address_line1": texts})
    rows = similarity.similarities(table, table).to_pylist()
    for row, name, address in zip(
        rows,
        similarity._name(table).to_pylist(),
        similarity._address(table).to_pylist(),
        strict=True,
    ):
        assert row["name_similarity"] == (
            None if name is None else JaroWinkler.normalized_similarity(name, name)
        )
        assert row["address_similarity"] == (
            None if address is None else fuzz.token_set_ratio(address, address) / 100
        )


def test_each_column_compares_what_it_says():
    typo, moved, other = measured(
        {"first_name": "Marhta", "email": "MARTHA@X.COM", "phone": "5035550142"},
        {"address_line1": "Oak St 12", "last_name": "Filips", "address_line2": None},
        {
            "first_name": "Jo",
            "last_name": "Jones",
            "email": None,
            "birth_date": dt.date(1981, 5, 6),
        },
    )
    expected = jellyfish.jaro_winkler_similarity("marhta philips", "martha philips")
    assert typo["name_similarity"] == pytest.approx(expected, rel=0, abs=1e-12)  # a double's
    assert typo["email_match"] and typo["phone_match"] and typo["difficulty"] == "easy"
    assert moved["address_similarity"] == 1.0  # the same tokens, one fewer
    assert moved["phonetic_match"] and not other["phonetic_match"]
    assert other["email_match"] is None and other["birth_date_match"] is False
    assert other["name_similarity"] < similarity.HARD_NAME and other["difficulty"] == "hard"


def test_similarities_are_the_scorers_own_doubles():
    """Not rounded through single precision: the truth agrees with the scorers to the last
    digit (0.9733333333333334, not 0.9733333587646484)."""
    (row,) = measured({"first_name": "Marta", "address_line1": "12 Oak Street"})
    copy = "12 oak street apt 4 portland"
    original = "12 oak st apt 4 portland"
    assert row["address_similarity"] == fuzz.token_set_ratio(copy, original) / 100
    names = ("marta philips", "martha philips")
    assert row["name_similarity"] == JaroWinkler.normalized_similarity(*names)


def test_a_copy_without_any_equal_identifier_is_hard_and_one_between_is_medium():
    none_equal, one_equal = measured(
        {"email": "m@y.com", "phone": None, "birth_date": None},
        {"email": "m@y.com", "phone": None},
    )
    assert none_equal["difficulty"] == "hard" and one_equal["difficulty"] == "medium"


def test_columns_a_system_does_not_hold_are_empty():
    names_only = pa.table({"first_name": ["Ann"], "last_name": ["Lee"]})
    (row,) = similarity.similarities(names_only, names_only).to_pylist()
    assert row["name_similarity"] == 1.0 and row["address_similarity"] is None
    assert row["email_match"] is None and row["difficulty"] == "hard"


def test_without_names_on_either_side_the_identifiers_alone_decide():
    logins = pa.table({"email": ["a@x.com", "a@x.com", None], "phone": [None, None, "5035550142"]})
    typed = pa.table({"email": ["a@x.com", "b@x.com", None], "phone": [None, None, "5035550124"]})
    buckets = [row["difficulty"] for row in similarity.similarities(typed, logins).to_pylist()]
    assert buckets == ["easy", "hard", "hard"]
    one_blank = pa.table({"first_name": [None], "last_name": ["Lee"], "email": ["a@x.com"]})
    no_name = pa.table({"first_name": [None], "last_name": [None], "email": ["a@x.com"]})
    (row,) = similarity.similarities(no_name, one_blank).to_pylist()
    assert row["difficulty"] == "hard"  # a name left blank on one side is no help


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    """The truth and data of a small day of customers and till customers, by record."""
    run_dir = tmp_path_factory.mktemp("similarity")
    run_day(run_dir, customers=2_000, datasets=("stores", "customers", "pos_customers"))
    root = run_dir / "out" / DAY.isoformat()
    return read_csv(root / "truth" / "records.csv").to_pylist()


def test_the_truth_carries_similarity_for_duplicates_only(day):
    for record in day:
        is_copy = record["kind"] == "duplicate"
        assert (record["difficulty"] != "") == is_copy, record
        assert (record["name_similarity"] != "") == is_copy, record
    buckets = {r["difficulty"] for r in day if r["kind"] == "duplicate"}
    assert buckets == {"easy", "medium", "hard"}


def test_exact_agreement_with_a_clean_original_follows_the_labels(day):
    clean = {
        r["record_id"]
        for r in day
        if r["dataset"] == "customers" and r["corruptions"] == r["variations"] == ""
    }
    copies = [
        r
        for r in day
        if r["dataset"] == "customers" and r["kind"] == "duplicate" and r["duplicate_of"] in clean
    ]
    assert len(copies) > 100
    for record in copies:
        labels, carried = record["corruptions"], record["variations"]
        if "email:leave_blank" in labels:
            assert record["email_match"] == "", record
        elif "email:" not in labels + carried:
            assert record["email_match"] == "true", record
        elif "email:" not in carried:
            assert record["email_match"] == "false", record


def test_texts_are_joined_with_single_spaces_whatever_is_missing():
    table = pa.table(
        {
            "address_line1": ["12  Oak   St", None, "", None, " 9 Elm "],
            "address_line2": [None, None, None, None, "Apt\t2"],
            "city": ["Portland", None, "Salem", "", None],
        }
    )
    texts = similarity._text(table, ("address_line1", "address_line2", "city"))
    assert texts.to_pylist() == ["12 oak st portland", None, "salem", None, "9 elm apt\t2"]
