"""Identity drift over consecutive days in one run directory: updates in the data, versions in the
history truth, closures, re-runs and appended batches."""

import datetime as dt
import json
import re
from pathlib import Path

import numpy as np
import phonenumbers
import pyarrow as pa
import pytest
from conftest import DAY, read_csv, run_day

from gensample import reference
from gensample.corruptions.fuzzmap import FIELD_COLUMNS
from gensample.daily import drift
from gensample.daily.current_state import Existing
from gensample.errors import BadInputError
from gensample.generate import names, population, variants
from gensample.generate.datasets import customers
from gensample.generate.truth import ENTITIES_SCHEMA, RECORDS_SCHEMA

DAYS = [DAY + dt.timedelta(days=k) for k in range(4)]
CUSTOMERS, DRIFT, CLOSURE = 150, 0.2, 0.05
SETTINGS = {
    "customers": CUSTOMERS,
    "dupe_rate": 30.0,
    "drift_share": DRIFT,
    "closure_share": CLOSURE,
    "archival": True,
    "archival_share": 0.05,
}
PERSON = customers.PERSON_COLUMNS
ADDRESS = ["address_line1", "address_line2", "city", "state", "postal_code"]


def day_files(run_dir: Path, date: dt.date) -> dict:
    """A day's customers, their truth, the people and the manifest, as rows of text."""
    root = run_dir / "out" / date.isoformat()
    records = read_csv(root / "truth" / "records.csv").to_pylist()
    return {
        "data": read_csv(root / "data" / "customers.csv").to_pylist(),
        "records": [record for record in records if record["dataset"] == "customers"],
        "entities": read_csv(root / "truth" / "entities.csv").to_pylist(),
        "history": read_csv(root / "truth" / "entities_history.csv").to_pylist(),
        "manifest": json.loads((root / "manifest.json").read_text()),
    }


@pytest.fixture(scope="module")
def days(tmp_path_factory) -> dict[dt.date, dict]:
    """Four consecutive days with a fifth of the people changing every day."""
    run_dir = tmp_path_factory.mktemp("drift")
    for date in DAYS:
        run_day(run_dir, date, **SETTINGS)
    return {date: day_files(run_dir, date) for date in DAYS}


def before(days: dict, date: dt.date) -> tuple[dict, dict]:
    """The newest data row and truth row of every record of the days before ``date``."""
    rows, truth = {}, {}
    for day in DAYS:
        if day < date:
            rows.update({row["customer_id"]: row for row in days[day]["data"]})
            truth.update({record["record_id"]: record for record in days[day]["records"]})
    return rows, truth


def versions(days: dict, date: dt.date) -> tuple[dict, dict]:
    """The old and new version of each person who changed on ``date``, from its history."""
    history, day = days[date]["history"], date.isoformat()
    old = {row["entity_id"]: row for row in history if row["valid_to"] == day}
    new = {r["entity_id"]: r for r in history if r["entity_id"] in old and not r["valid_to"]}
    return old, new


def attributes(version: dict) -> dict:
    """A history row without its validity."""
    return {key: value for key, value in version.items() if not key.startswith("valid")}


def fields(labels: str) -> list[str]:
    """The fields of a truth ``corruptions`` value."""
    return [label.split(":")[0] for label in labels.split(";") if label]


def expected_update(prior: dict, labels: str, old: dict | None, new: dict | None) -> tuple:
    """The person columns and labels an update row should have: the new clean values where the
    person changed (a move writes the whole address, a new family name a swapped name whole)."""
    expected = {column: prior[column] for column in PERSON}
    if old is None:
        return expected, labels
    written = {column for column in PERSON if old[column] != new[column]}
    if written & set(ADDRESS):
        written |= set(ADDRESS)
    if "last_name" in written and "name" in fields(labels):
        written.add("first_name")
    expected.update({column: new[column] for column in written})
    kept = [label for label in labels.split(";") if label and not columns_of(label) & written]
    return expected, ";".join(kept)


def columns_of(label: str) -> set[str]:
    """The columns a corruption label (``field:corruption``) is about."""
    field = label.split(":")[0]
    return set(FIELD_COLUMNS.get(field, (field,)))


def test_updates_carry_earlier_record_ids_and_new_rows_are_inserts(days):
    assert {row["operation"] for row in days[DAYS[0]]["data"]} == {"I"}
    for date in DAYS[1:]:
        earlier, _ = before(days, date)
        data = days[date]["data"]
        updates = [row for row in data if row["operation"] == "U"]
        inserts = [row for row in data if row["operation"] == "I"]
        assert updates and {row["customer_id"] for row in updates} <= set(earlier)
        assert not {row["customer_id"] for row in inserts} & set(earlier)
        assert days[date]["manifest"]["counts"]["updates"] == len(updates)
        assert all(row["updated_at"].startswith(date.isoformat()) for row in updates)


def test_a_drift_share_of_the_people_change_on_every_record_they_have(days):
    for number, date in enumerate(DAYS[1:], start=1):
        old, _ = versions(days, date)
        assert len(old) == round(DRIFT * CUSTOMERS * number)  # everyone so far is known
        _, truth = before(days, date)
        theirs = {r for r, record in truth.items() if record["entity_id"] in old}
        updated = {row["customer_id"] for row in days[date]["data"] if row["operation"] == "U"}
        assert theirs <= updated
        kinds = {truth[record]["kind"] for record in theirs}
        assert {"original", "duplicate"} <= kinds


def test_an_update_row_is_the_current_row_with_the_new_values_of_what_changed(days):
    for date in DAYS[1:]:
        prior_rows, prior_truth = before(days, date)
        old, new = versions(days, date)
        truth = {record["record_id"]: record for record in days[date]["records"]}
        for row in (row for row in days[date]["data"] if row["operation"] == "U"):
            record, prior = truth[row["customer_id"]], prior_rows[row["customer_id"]]
            archived = prior_truth[row["customer_id"]]
            person = record["entity_id"]
            expected, labels = expected_update(
                prior, archived["corruptions"], old.get(person), new.get(person)
            )
            assert {column: row[column] for column in PERSON} == expected, row
            assert record["corruptions"] == labels
            carried = set(archived["variations"].split(";")) - {""}
            kept = set(record["variations"].split(";")) - {""}
            for column in PERSON:
                if person in old and old[person][column] != new[person][column]:
                    assert row[column] == new[person][column]
                    # unless the record held another value (an error, another true value)
                    assert row[column] != prior[column] or prior[column] != old[person][column]
                    assert not any(column in variants.COLUMNS[v] for v in kept), record
            assert kept <= carried
            same = ("kind", "entity_id", "duplicate_of", "dataset")
            assert {key: record[key] for key in same} == {key: archived[key] for key in same}
            assert row["created_at"] == prior["created_at"]
            assert row["account_status"] in (prior["account_status"], "closed")


def test_entities_list_the_current_version_of_changed_people(days):
    for date in DAYS[1:]:
        _, new = versions(days, date)
        listed = {entity["entity_id"]: entity for entity in days[date]["entities"]}
        for person, version in new.items():
            assert listed[person] == {key: version[key] for key in listed[person]}


def test_the_history_closes_the_old_version_and_opens_the_new_one(days):
    opened: dict[str, str] = {}
    for date in DAYS:
        old, new = versions(days, date)
        for person, version in old.items():
            assert version["valid_from"] == opened[person] < date.isoformat()
            assert new[person]["valid_from"] == date.isoformat()
            assert attributes(version) != attributes(new[person])
        for row in days[date]["history"]:
            if not row["valid_to"]:
                opened[row["entity_id"]] = row["valid_from"]
        inserted = {row["customer_id"] for row in days[date]["data"] if row["operation"] == "I"}
        born = {r["entity_id"] for r in days[date]["records"] if r["record_id"] in inserted}
        born -= {r["entity_id"] for r in days[date]["records"] if r["kind"] == "archival"}
        started = {r["entity_id"] for r in days[date]["history"] if r["entity_id"] not in old}
        assert started == born


def test_a_second_change_builds_on_the_first(days):
    changed_on: dict[str, list[dt.date]] = {}
    for date in DAYS[1:]:
        for person in versions(days, date)[0]:
            changed_on.setdefault(person, []).append(date)
    twice = {person: dates for person, dates in changed_on.items() if len(dates) > 1}
    assert twice
    for person, (first, second, *_) in twice.items():
        assert versions(days, second)[0][person]["valid_from"] == first.isoformat()
        earlier = dict(versions(days, first)[1][person], valid_to=second.isoformat())
        assert versions(days, second)[0][person] == earlier


def test_the_union_of_history_files_gives_every_listed_person_as_of_that_day(days):
    assert_people_as_of_their_day(days)


def assert_people_as_of_their_day(days: dict) -> None:
    """Every person a day lists is the one version the union of all days' history files
    holds for that day."""
    rows: dict[tuple[str, str], dict] = {}
    for date in days:
        for row in days[date]["history"]:
            key = (row["entity_id"], row["valid_from"])
            if row["valid_to"] or key not in rows:
                rows[key] = row
    for date in days:
        day = date.isoformat()
        for entity in days[date]["entities"]:
            valid = [
                row
                for (person, start), row in rows.items()
                if person == entity["entity_id"]
                and start <= day
                and (not row["valid_to"] or day < row["valid_to"])
            ]
            assert len(valid) == 1
            assert {key: valid[0][key] for key in entity} == entity


def test_archived_records_brought_back_on_a_day_without_drift_show_their_people_as_now(tmp_path):
    # re-injected people were listed as archived, before their later changes, and the next
    # day with drift took those old versions as current
    dates = [*DAYS, DAYS[-1] + dt.timedelta(days=1), DAYS[-1] + dt.timedelta(days=2)]
    for date in dates:
        still = date == dates[-2]
        shares = {"drift_share": 0.0, "closure_share": 0.0} if still else {}
        run_day(tmp_path, date, **{**SETTINGS, **shares, "archival_share": 0.3})
    days = {date: day_files(tmp_path, date) for date in dates}
    assert days[dates[-2]]["manifest"]["batches"][0]["archival"] > 10  # brought back, no drift
    assert_people_as_of_their_day(days)


def test_a_closure_share_of_open_records_close(days):
    for date in DAYS[1:]:
        prior, _ = before(days, date)
        still_open = sum(1 for row in prior.values() if row["account_status"] != "closed")
        closed = [
            row
            for row in days[date]["data"]
            if row["operation"] == "U"
            and row["account_status"] == "closed" != prior[row["customer_id"]]["account_status"]
        ]
        assert len(closed) == round(CLOSURE * still_open) > 0
        assert days[date]["manifest"]["counts"]["closures"] == len(closed)


def test_every_record_of_a_day_is_in_its_truth_exactly_once(days):
    for date in DAYS:
        data_ids = [row["customer_id"] for row in days[date]["data"]]
        truth_ids = [record["record_id"] for record in days[date]["records"]]
        assert len(set(data_ids)) == len(data_ids)
        assert sorted(data_ids) == sorted(truth_ids)
        people = [entity["entity_id"] for entity in days[date]["entities"]]
        assert len(set(people)) == len(people)
        assert {record["entity_id"] for record in days[date]["records"]} == set(people)


def test_a_truncate_rerun_reproduces_the_drift(tmp_path):
    for date in DAYS[:3]:
        run_day(tmp_path, date, **SETTINGS)
    day = tmp_path / "out" / DAYS[1].isoformat()
    first = {path: path.read_bytes() for path in day.rglob("*") if path.is_file()}
    run_day(tmp_path, DAYS[1], **SETTINGS)
    assert {path: path.read_bytes() for path in day.rglob("*") if path.is_file()} == first


def test_a_rerun_of_the_newest_day_reads_the_archive_it_kept(tmp_path):
    # the first run drew on archived days older than its retention, then pruned them
    dates = [DAY + dt.timedelta(days=k) for k in range(6)]
    kept = {**SETTINGS, "archive_retention_days": 2, "archival_count": 6}
    for date in dates:
        run_day(tmp_path, date, **kept)
    day = tmp_path / "out" / dates[-1].isoformat()
    first = {path: path.read_bytes() for path in day.rglob("*") if path.is_file()}
    run_day(tmp_path, dates[-1], **kept)
    assert {path: path.read_bytes() for path in day.rglob("*") if path.is_file()} == first


def test_a_refused_rerun_of_an_older_day_brings_no_pruned_day_back(tmp_path):
    dates = [DAY + dt.timedelta(days=k) for k in range(6)]
    kept = {**SETTINGS, "archive_retention_days": 2}
    for date in dates:
        run_day(tmp_path, date, **kept)
    archived = sorted(path.name for path in (tmp_path / "archive").iterdir())
    with pytest.raises(BadInputError, match="overlap ids of"):
        run_day(tmp_path, dates[2], **{**kept, "customers": CUSTOMERS * 2})
    assert sorted(path.name for path in (tmp_path / "archive").iterdir()) == archived


def test_without_a_share_nothing_drifts_or_closes(tmp_path):
    for date in DAYS[:2]:
        run_day(tmp_path, date, **{**SETTINGS, "drift_share": 0.0, "closure_share": 0.0})
    files = day_files(tmp_path, DAYS[1])
    assert {row["operation"] for row in files["data"]} == {"I"}
    assert all(not row["valid_to"] for row in files["history"])
    assert files["manifest"]["counts"]["updates"] == files["manifest"]["counts"]["closures"] == 0


def test_an_appended_batch_does_not_drift_again(tmp_path):
    for date in DAYS[:2]:
        run_day(tmp_path, date, **SETTINGS)
    run_day(tmp_path, DAYS[1], load_type="append", **SETTINGS)
    files = day_files(tmp_path, DAYS[1])
    ids = [row["customer_id"] for row in files["data"]]
    assert len(ids) == len(set(ids))
    assert [batch["updates"] > 0 for batch in files["manifest"]["batches"]] == [True, False]


def test_a_new_family_name_writes_a_swapped_name_again_and_drops_its_label(rng):
    row = {
        "customer_id": 7,
        "first_name": "Smith",
        "last_name": "Anna",
        "email": "anna.smith@gmial.com",
        "account_status": "active",
        "created_at": dt.datetime(2026, 1, 1),
        "updated_at": dt.datetime(2026, 2, 1),
        "operation": "I",
    }
    labels = "name:swap_given_and_family_name;email:make_typo"
    record = {"dataset": "customers", "record_id": 7, "entity_id": 3, "kind": "duplicate"}
    person = {"entity_id": 3, "first_name": "Anna", "last_name": "Jones", "email": "a@x.com"}
    existing = Existing(
        pa.Table.from_pylist([row], customers.SCHEMA),
        pa.Table.from_pylist([{**record, "corruptions": labels}], RECORDS_SCHEMA),
        ENTITIES_SCHEMA.empty_table(),
    )
    new = pa.Table.from_pylist([person], ENTITIES_SCHEMA)
    kind = np.array([[c.name for c in drift.CHANGES].index("change_family_name")])
    data, truth = drift.update_rows(rng, existing, new, kind, np.array([7]), DAYS[1])
    updated = data.to_pylist()[0]
    assert updated["first_name"] == "Anna" and updated["last_name"] == "Jones"
    assert updated["email"] == "anna.smith@gmial.com" and updated["account_status"] == "closed"
    assert updated["operation"] == "U" and updated["updated_at"].date() == DAYS[1]
    assert truth["corruptions"].to_pylist() == ["email:make_typo"]


def test_a_backfill_behind_later_days_is_refused_while_drift_is_on(run_dir):
    run_day(run_dir, DAY, customers=100)
    run_day(run_dir, DAY + dt.timedelta(days=4), customers=100)
    backfill = DAY + dt.timedelta(days=2)
    with pytest.raises(BadInputError, match="expected days run oldest first"):
        run_day(run_dir, backfill, customers=100, drift_share=0.1, allow_date=True)
    run_day(run_dir, backfill, customers=100, allow_date=True)  # without drift it is fine


def test_no_record_ever_carries_another_persons_email(days):
    owner: dict[str, str] = {}
    holders: dict[str, set[str]] = {}
    for date in DAYS:
        for version in days[date]["history"]:
            email, person = version["email"], version["entity_id"]
            holders.setdefault(email, set()).add(person)
            if not version["shared_email_with"]:
                assert owner.setdefault(email, person) == person
    for date in DAYS:
        truth = {record["record_id"]: record for record in days[date]["records"]}
        for row in days[date]["data"]:
            record = truth[row["customer_id"]]
            if "email" not in f"{record['corruptions']};{record['variations']}":
                assert record["entity_id"] in holders[row["email"]]


def _changed(rng, people: pa.Table, change: str) -> pa.Table:
    """``people`` after each makes the ``change`` (a name in drift.CHANGES) on DAY."""
    kind = np.full(people.num_rows, [c.name for c in drift.CHANGES].index(change))
    return drift.new_versions(rng, people, kind, DAY)


def test_new_family_names_follow_the_census_with_its_rare_tail(rng):
    old = population.people(5, 0, 4000, 0.25, DAY)
    new = _changed(rng, old, "change_family_name")["last_name"].to_pylist()
    assert all(a != b for a, b in zip(new, old["last_name"].to_pylist(), strict=True))
    census = set(names.email_spelling(reference.family_names_census().values).to_pylist())
    plain = names.email_spelling(pa.array(new)).to_pylist()
    assert 0.05 < np.mean([name not in census for name in plain]) < 0.2  # rare and compound
    assert len(set(new)) > 2000  # the old pool held 999 names
    assert new.count("Smith") < 80


def test_new_phones_are_valid_and_in_the_state_of_the_address_unless_labelled(rng):
    old = population.people(5, 0, 1500, 0.25, DAY)
    area_states = {s: set(pool.values.to_pylist()) for s, pool in reference.area_codes().items()}
    for change in ("new_phone", "move_house"):
        for person in _changed(rng, old, change).to_pylist():
            number = phonenumbers.parse("+1" + re.sub(r"\D", "", person["phone"]))
            assert phonenumbers.is_valid_number(number), person["phone"]
            state = person["phone_state"] or person["state"]
            assert person["phone"][1:4] in area_states[state], person
