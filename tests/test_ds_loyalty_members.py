"""loyalty_members: cards, tiers and points that add up, people in capitals, linked accounts."""

import collections
import datetime as dt
import math
import re
from decimal import Decimal

import pytest
from conftest import DAY
from identity_checks import run

NAME = "loyalty_members"
TIER_FLOORS = {"bronze": 0, "silver": 500, "gold": 2000, "platinum": 5000}
POINTS_PER_DOLLAR = {"bronze": 1, "silver": Decimal("1.25"), "gold": Decimal("1.5"), "platinum": 2}
PERSON = ("first_name", "last_name", "email", "phone", "address_line1", "city", "state")


@pytest.fixture(scope="module")
def program():
    """Loyalty members of 4,000 people, with the customer master they link to."""
    return run((NAME,))


def luhn_valid(number: str) -> bool:
    """Whether ``number`` passes the Luhn check (every second digit from the right doubled)."""
    total = 0
    for position, digit in enumerate(int(d) for d in reversed(number)):
        total += sum(divmod(2 * digit, 10)) if position % 2 else digit
    return total % 10 == 0


def test_card_numbers_are_unique_16_digit_luhn_numbers(program):
    cards = program.data(NAME)["card_number"].to_pylist()
    assert len(set(cards)) == len(cards)
    assert all(re.fullmatch(r"\d{16}", card) and luhn_valid(card) for card in cards)


def test_luhn_check_in_this_test_rejects_a_mistyped_number():
    assert luhn_valid("4539578763621486") and not luhn_valid("4539578763621487")


def test_tier_is_the_highest_threshold_reached_and_points_add_up(program):
    rows = program.data(NAME).to_pylist()
    for row in rows:
        spend, tier = row["lifetime_spend"], row["tier"]
        reached = [name for name, floor in TIER_FLOORS.items() if spend >= floor]
        assert tier == reached[-1], row
        assert row["points"] == math.floor(spend * POINTS_PER_DOLLAR[tier]), row
        assert spend >= 0 and spend == spend.quantize(Decimal("0.01"))
    assert {row["tier"] for row in rows} == set(TIER_FLOORS)


def test_longer_members_have_spent_more(program):
    rows = program.data(NAME).to_pylist()

    def mean_spend(rows) -> Decimal:
        return sum(row["lifetime_spend"] for row in rows) / len(rows)

    recent = [row for row in rows if (DAY - row["enrolled_on"]).days < 365]
    old = [row for row in rows if (DAY - row["enrolled_on"]).days > 3 * 365]
    assert mean_spend(old) > 2 * mean_spend(recent)


def test_enrolment_days_are_within_five_years_before_the_day(program):
    enrolled = program.data(NAME)["enrolled_on"].to_pylist()
    assert all(DAY - dt.timedelta(days=5 * 365) <= day <= DAY for day in enrolled)


def test_people_are_in_capitals_and_an_unlabelled_original_is_the_true_person(program):
    rows = program.rows(NAME)
    for record in program.truth(NAME).to_pylist():
        row = rows[record["record_id"]]
        assert all(row[c] is None or row[c] == row[c].upper() for c in PERSON), row
        if record["kind"] == "original" and record["corruptions"] == record["variations"] == "":
            person = program.people[record["entity_id"]]
            for column in (*PERSON, "postal_code"):
                assert row[column] in (None, person[column].upper()), (row, column)
            assert None not in (row["first_name"], row["last_name"], row["address_line1"])


def test_linked_members_point_to_any_of_the_persons_customer_records(program):
    customers = {r["record_id"]: r for r in program.truth("customers").to_pylist()}
    members = program.truth(NAME).to_pylist()
    accounts = collections.Counter(r["entity_id"] for r in customers.values())
    kinds, expected = [], []
    for member, row in zip(members, program.data(NAME).to_pylist(), strict=True):
        if row["customer_id"] is not None:
            customer = customers[row["customer_id"]]
            assert customer["entity_id"] == member["entity_id"]
            kinds.append(customer["kind"])
            expected.append(1 - 1 / accounts[member["entity_id"]])  # any account equally
    assert len(kinds) == round(0.4 * len(members))
    share = kinds.count("duplicate") / len(kinds)
    assert share == pytest.approx(sum(expected) / len(expected), abs=0.04) and share > 0.03
