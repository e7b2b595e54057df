"""pos_customers: till registrations typed by staff, in the till's format."""

import re

import pytest
from conftest import DAY
from identity_checks import assert_store_in_persons_state, run, window

NAME = "pos_customers"
FIVE_YEARS = 5 * 365


@pytest.fixture(scope="module")
def tills():
    """Till customers of 4,000 people and what they were generated from."""
    return run((NAME,))


def originals(tills) -> list[tuple[dict, dict]]:
    """Each original record carrying no variation nor corruption, with its true person."""
    rows = tills.rows(NAME)
    return [
        (rows[r["record_id"]], tills.people[r["entity_id"]])
        for r in tills.truth(NAME).to_pylist()
        if r["kind"] == "original" and r["corruptions"] == r["variations"] == ""
    ]


def test_every_record_is_in_the_tills_format(tills):
    for row in tills.data(NAME).to_pylist():
        assert re.fullmatch(r"[^,]+(, [^,]+)?", row["full_name"]), row
        assert row["phone"] is None or re.fullmatch(r"\d{10}", row["phone"]), row
        assert re.fullmatch(r"\d{5}", row["postal_code"]), row


def test_an_unlabelled_original_is_the_true_person_as_the_till_writes_them(tills):
    initials = []
    for row, person in originals(tills):
        typed = f"{person['last_name']}, {person['first_name']}"
        middle = f"{typed} {(person['middle_name'] or ' ')[0]}"
        assert row["full_name"] in (typed, typed.upper(), middle, middle.upper())
        if person["middle_name"]:
            initials.append(row["full_name"] in (middle, middle.upper()))
        assert row["phone"] in (None, re.sub(r"\D", "", person["phone"]))
        assert row["birth_date"] in (None, person["birth_date"])
        assert row["postal_code"] == person["postal_code"]
    assert 0.02 < sum(initials) / len(initials) < 0.1  # habits.middle_initial 0.05 give one


def test_most_tills_write_capitals_and_some_details_are_not_asked(tills):
    found = originals(tills)
    capitals = sum(1 for row, _ in found if row["full_name"] == row["full_name"].upper())
    assert 0.65 < capitals / len(found) < 0.75
    rows, records = tills.rows(NAME), tills.truth(NAME).to_pylist()
    firsts = [(rows[r["record_id"]], r) for r in records if r["kind"] == "original"]
    for column, low, high in (("birth_date", 0.35, 0.45), ("phone", 0.07, 0.13)):
        # a blank the truth does not name is a detail never asked
        unasked = [row[column] is None and column not in r["corruptions"] for row, r in firsts]
        assert low < sum(unasked) / len(firsts) < high, column


def test_the_home_store_exists_and_is_in_the_persons_state_when_one_is(tills):
    assert_store_in_persons_state(tills, NAME, "home_store_id")


@pytest.mark.parametrize("trans_type", ["full", "daily"])
def test_registrations_are_within_five_years_before_the_end_of_the_day(trans_type):
    tills = run((NAME,), customers=500, trans_type=trans_type)
    first, last = window(DAY, FIVE_YEARS)
    registered = tills.data(NAME)["registered_at"].to_pylist()
    assert all(first <= when <= last for when in registered)
    assert min(registered) < last - (last - first) * 0.9  # spread over the years, even for daily
