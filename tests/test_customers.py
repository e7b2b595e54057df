"""The customer master and its truth: counts, duplicates, corruptions and the truth contract."""

import dataclasses
import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from conftest import DAY, read_csv, run_day

from gensample.corruptions.fuzzmap import FIELD_COLUMNS
from gensample.corruptions.weights import DIFFICULTIES
from gensample.generate import truth, variants
from gensample.generate.datasets import fuzzing
from gensample.settings import Settings
from gensample.settings.validity import ValiditySettings

CUSTOMERS = 10_000


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    """One 10k-customer day of the customer master alone: data, truth records and truth
    entities as Python rows."""
    run_dir = tmp_path_factory.mktemp("customers")
    run_day(run_dir, customers=CUSTOMERS, dupe_rate=20.0, datasets=("customers",))
    root = run_dir / "out" / DAY.isoformat()
    return {
        "data": read_csv(root / "data" / "customers.csv").to_pylist(),
        "records": read_csv(root / "truth" / "records.csv").to_pylist(),
        "entities": read_csv(root / "truth" / "entities.csv").to_pylist(),
    }


def test_exactly_the_requested_originals_and_the_dupe_rate_within_a_point(day):
    kinds = [record["kind"] for record in day["records"]]
    assert kinds.count("original") == CUSTOMERS
    assert abs(100 * kinds.count("duplicate") / len(kinds) - 20.0) < 1.0


def test_every_record_is_in_the_truth_once_and_every_entity_exists(day):
    data_ids = [row["customer_id"] for row in day["data"]]
    truth_ids = [record["record_id"] for record in day["records"]]
    assert len(set(data_ids)) == len(data_ids)
    assert sorted(data_ids) == sorted(truth_ids)
    entity_ids = {entity["entity_id"] for entity in day["entities"]}
    assert {record["entity_id"] for record in day["records"]} == entity_ids
    assert {record["dataset"] for record in day["records"]} == {"customers"}
    assert {record["kind"] for record in day["records"]} <= set(truth.KINDS)


def test_each_person_has_one_original_and_duplicates_point_to_it(day):
    originals = {r["record_id"]: r for r in day["records"] if r["kind"] == "original"}
    assert len({r["entity_id"] for r in originals.values()}) == len(originals)
    for record in day["records"]:
        if record["kind"] == "duplicate":
            assert originals[record["duplicate_of"]]["entity_id"] == record["entity_id"]
        else:
            assert record["duplicate_of"] == ""


def clean(record: dict) -> bool:
    """Whether a truth record carries neither a variation nor a corruption."""
    return record["corruptions"] == "" and record["variations"] == ""


def test_the_truth_names_exactly_the_fields_that_differ_from_a_clean_original(day):
    rows = {row["customer_id"]: row for row in day["data"]}
    truth_of = {record["record_id"]: record for record in day["records"]}
    account = {"customer_id", "account_status", "created_at", "updated_at"}
    for record in day["records"]:
        if record["kind"] != "duplicate" or not clean(truth_of[record["duplicate_of"]]):
            continue
        duplicate, original = rows[record["record_id"]], rows[record["duplicate_of"]]
        differing = {c for c in duplicate if c not in account and duplicate[c] != original[c]}
        labels = record["corruptions"].split(";") if record["corruptions"] else []
        fields = [label.split(":")[0] for label in labels]
        columns = {field: set(FIELD_COLUMNS.get(field, (field,))) for field in fields}
        carried = record["variations"].split(";") if record["variations"] else []
        varied = set().union(*(variants.COLUMNS[variation] for variation in carried))
        assert differing <= set().union(*columns.values(), varied), record
        # a corruption on top of a variation may land back on the original's value
        assert all(columns[field] & (differing | varied) for field in fields), record


def test_exact_copies_make_up_about_the_exact_share(day):
    duplicates = [r for r in day["records"] if r["kind"] == "duplicate"]
    untouched = sum(1 for r in duplicates if r["corruptions"] == "")
    exact = Settings().exact_duplicate_share * DIFFICULTIES["medium"].exact_share
    assert exact <= untouched / len(duplicates) <= exact + 0.002  # no-ops are tried again


def kinds_present(day) -> set[str]:
    """The kinds of the day's truth records."""
    return {record["kind"] for record in day["records"]}


def test_ids_and_order_do_not_reveal_duplicates(day):
    kind_of = {r["record_id"]: r["kind"] for r in day["records"]}
    ordered = [kind_of[row["customer_id"]] for row in day["data"]]
    half = len(ordered) // 2
    first_half_share = ordered[:half].count("duplicate") / half
    second_half_share = ordered[half:].count("duplicate") / (len(ordered) - half)
    assert abs(first_half_share - second_half_share) < 0.03
    ids = {kind: [int(i) for i, k in kind_of.items() if k == kind] for kind in kinds_present(day)}
    mean = {kind: sum(values) / len(values) for kind, values in ids.items()}
    assert abs(mean["original"] - mean["duplicate"]) < 0.03 * len(kind_of)  # same id range


@pytest.mark.parametrize("column", ["email", "phone", "created_at", "updated_at"])
def test_no_identifying_column_is_always_copied_to_duplicates(day, column):
    rows = {row["customer_id"]: row for row in day["data"]}
    pairs = [
        (rows[r["record_id"]], rows[r["duplicate_of"]])
        for r in day["records"]
        if r["kind"] == "duplicate"
    ]
    differing = sum(1 for duplicate, original in pairs if duplicate[column] != original[column])
    assert differing > 0.03 * len(pairs)


def test_unlabelled_originals_carry_the_person_with_the_suffix_and_some_a_middle_initial(day):
    entities = {e["entity_id"]: e for e in day["entities"]}
    rows = {row["customer_id"]: row for row in day["data"]}
    suffixed = unlabelled = 0
    initials = []
    for record in day["records"]:
        if record["kind"] == "original" and clean(record):
            unlabelled += 1
            person, row = entities[record["entity_id"]], rows[record["record_id"]]
            shared = set(person) & set(row) - {"first_name", "last_name"}
            assert {c: row[c] for c in shared} == {c: person[c] for c in shared}
            typed = " ".join(filter(None, (person["last_name"], person["suffix"])))
            assert row["last_name"] == typed
            initial = f"{person['first_name']} {person['middle_name'][:1]}"
            assert row["first_name"] in (person["first_name"], initial)
            if person["middle_name"]:
                initials.append(row["first_name"] == initial)
            suffixed += person["suffix"] != ""
    assert 0.005 < suffixed / unlabelled < 0.04  # some men give a suffix
    assert 0.1 < sum(initials) / len(initials) < 0.2  # habits.middle_initial 0.15 type one


def _seconds(timestamp: str) -> float:
    return dt.datetime.fromisoformat(timestamp).replace(tzinfo=dt.timezone.utc).timestamp()


def test_accounts_open_after_the_18th_birthday_and_the_original_first(day):
    entities = {e["entity_id"]: e for e in day["entities"]}
    rows = {row["customer_id"]: row for row in day["data"]}
    opened = {record_id: _seconds(row["created_at"]) for record_id, row in rows.items()}
    window_start = _seconds(f"{DAY - dt.timedelta(days=5 * 365)}T23:59:59")
    for record in day["records"]:
        born = dt.date.fromisoformat(entities[record["entity_id"]]["birth_date"])
        birthday = born.replace(
            year=born.year + 18, day=min(born.day, 28 if born.month == 2 else 31)
        )
        assert opened[record["record_id"]] >= _seconds(f"{birthday}T00:00:00")
        assert opened[record["record_id"]] >= window_start
        if record["kind"] == "duplicate":
            assert opened[record["record_id"]] >= opened[record["duplicate_of"]]


def test_households_are_distinct_people_sharing_an_address(day):
    by_household: dict[str, list[dict]] = {}
    for entity in day["entities"]:
        by_household.setdefault(entity["household_id"], []).append(entity)
    shared = [members for members in by_household.values() if len(members) > 1]
    assert len(shared) > 0.05 * len(by_household)
    for members in shared:
        assert len({(m["address_line1"], m["postal_code"]) for m in members}) == 1
        assert len({m["entity_id"] for m in members}) == len(members)


def test_corruption_labels_spread_over_the_fuzz_map(day):
    labels = pc.value_counts(
        pc.list_flatten(
            pc.split_pattern([r["corruptions"] for r in day["records"] if r["corruptions"]], ";")
        )
    ).to_pylist()
    kinds = {entry["values"] for entry in labels}
    for expected in (
        "first_name:use_nickname",
        "birth_date:swap_day_month",
        "email:change_email_domain",
        "phone:reformat_phone",
        "address_line1:abbreviate_street",
        "name:swap_given_and_family_name",
    ):
        assert expected in kinds


def test_no_duplicate_holds_a_birth_date_its_account_would_refuse(day):
    rows = {row["customer_id"]: row for row in day["data"]}
    for record in day["records"]:
        row = rows[record["record_id"]]
        if row["birth_date"]:
            assert row["birth_date"] <= row["created_at"][:10], (record, row)


def _copies(births: list[str]) -> pa.Table:
    return pa.table({"birth_date": pa.array([dt.date.fromisoformat(b) for b in births])})


@pytest.mark.parametrize("allowed", [False, True])
def test_refused_birth_dates_are_retyped_or_let_through_labelled(allowed):
    copies = _copies(["2070-03-14", "1970-03-14", "2070-05-02"])
    originals = _copies(["2007-03-14", "1970-03-14", "2007-05-02"])
    labels = pa.array(["birth_date:mistype_year", "", "email:make_typo;birth_date:mistype_year"])
    opened = np.full(3, (dt.date(2026, 11, 1) - dt.date(1970, 1, 1)).days)
    settings = dataclasses.replace(Settings(), validity=ValiditySettings(invalid_dates=allowed))
    fixed, fixed_labels = fuzzing.validated(
        copies, originals["birth_date"], labels, opened, settings, np.random.default_rng(1)
    )
    if allowed:
        assert fixed.equals(copies)
        assert fixed_labels.to_pylist() == [
            "birth_date:mistype_year;birth_date:invalid_date",
            "",
            "email:make_typo;birth_date:mistype_year;birth_date:invalid_date",
        ]
        return
    born = fixed["birth_date"].to_pylist()
    assert born[1] == dt.date(1970, 3, 14)
    assert {
        abs((born[0] - dt.date(2007, 3, 14)).days),
        abs((born[2] - dt.date(2007, 5, 2)).days),
    } == {1}
    assert fixed_labels.to_pylist() == [
        "birth_date:mistype_day",
        "",
        "email:make_typo;birth_date:mistype_day",
    ]
