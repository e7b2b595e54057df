"""email_subscribers: addresses and first names, statuses and opt-out times that agree."""

import pytest
from conftest import DAY
from identity_checks import run, window

NAME = "email_subscribers"
STATUSES = {"subscribed", "unsubscribed", "pending", "bounced"}


@pytest.fixture(scope="module")
def mailing_list():
    """Subscribers of 4,000 people."""
    return run((NAME,))


def test_the_columns_other_datasets_read(mailing_list):
    assert mailing_list.data(NAME).column_names == [
        "subscriber_id",
        "email",
        "first_name",
        "status",
        "subscribed_at",
        "unsubscribed_at",
    ]


@pytest.mark.parametrize("trans_type", ["full", "daily"])
def test_only_unsubscribers_have_an_opt_out_time_after_signing_up(trans_type):
    rows = run((NAME,), customers=1000, trans_type=trans_type).data(NAME).to_pylist()
    first, last = window(DAY, 5 * 365)
    for row in rows:
        assert row["status"] in STATUSES
        assert first <= row["subscribed_at"] <= last
        if row["status"] == "unsubscribed":
            assert row["subscribed_at"] <= row["unsubscribed_at"] <= last
        else:
            assert row["unsubscribed_at"] is None
    assert {row["status"] for row in rows} == STATUSES


def test_an_unlabelled_original_is_the_address_and_maybe_the_first_name_of_the_person(
    mailing_list,
):
    rows = mailing_list.rows(NAME)
    nameless = 0
    originals = [
        r
        for r in mailing_list.truth(NAME).to_pylist()
        if r["kind"] == "original" and r["corruptions"] == r["variations"] == ""
    ]
    for record in originals:
        row, person = rows[record["record_id"]], mailing_list.people[record["entity_id"]]
        assert row["email"] == person["email"]
        assert row["first_name"] in (None, person["first_name"])
        nameless += row["first_name"] is None
    assert 0.3 < nameless / len(originals) < 0.4


def test_a_second_subscription_mostly_has_another_address(mailing_list):
    rows = mailing_list.rows(NAME)
    duplicates = [r for r in mailing_list.truth(NAME).to_pylist() if r["kind"] == "duplicate"]
    other_address = sum(
        rows[r["record_id"]]["email"] != rows[r["duplicate_of"]]["email"] for r in duplicates
    )
    assert all(rows[r["record_id"]]["email"] for r in duplicates)
    assert other_address / len(duplicates) > 0.5
