"""incident_reports: store incidents in time, and reporters written as staff heard them."""

import datetime as dt
import itertools
import re

import pytest
from conftest import DAY
from identity_checks import assert_store_in_persons_state, run, window

from gensample.generate.datasets.incident_reports import DESCRIPTIONS_BY_TYPE
from gensample.settings.sources import CoverageSettings

NAME = "incident_reports"
PHONE_FORMATS = r"\(\d{3}\) \d{3}-\d{4}|\d{10}|\d{3}-\d{3}-\d{4}|\d{3}\.\d{3}\.\d{4}"


@pytest.fixture(scope="module")
def reports():
    """Incident reports of 4,000 people (one in twenty reports something)."""
    return run((NAME,))


@pytest.mark.parametrize(("trans_type", "days"), [("full", 5 * 365), ("daily", 1)])
def test_incidents_happen_in_the_window_and_are_written_up_within_days(trans_type, days):
    rows = run((NAME,), customers=2000, trans_type=trans_type).data(NAME).to_pylist()
    first, last = window(DAY, days)
    for row in rows:
        assert first <= row["occurred_at"] <= row["reported_at"] <= last
        assert row["reported_at"] - row["occurred_at"] <= dt.timedelta(days=4)
    assert rows


def test_the_store_exists_and_is_in_the_reporters_state_when_one_is(reports):
    assert_store_in_persons_state(reports, NAME, "store_id")


def test_the_description_fits_the_type(reports):
    rows = reports.data(NAME).to_pylist()
    for row in rows:
        assert row["description"] in DESCRIPTIONS_BY_TYPE[row["incident_type"]]
    assert {row["incident_type"] for row in rows} == set(DESCRIPTIONS_BY_TYPE)


def test_an_unlabelled_original_reporter_is_the_person_as_staff_wrote_them(reports):
    rows = reports.rows(NAME)
    originals = [
        r
        for r in reports.truth(NAME).to_pylist()
        if r["kind"] == "original" and r["corruptions"] == r["variations"] == ""
    ]
    styles, middles = set(), []
    for record in originals:
        row, person = rows[record["record_id"]], reports.people[record["entity_id"]]
        first, middle, last = (person[c] for c in ("first_name", "middle_name", "last_name"))
        written = {last: ("family name", None)}
        for said, gave in ((f"{first} {last}", False), (f"{first} {middle} {last}", True)):
            written |= {said: ("said", gave), said.upper(): ("capitals", gave)}
        assert row["reporter_name"] in written, row
        style, gave = written[row["reporter_name"]]
        styles.add(style)
        if middle and gave is not None:
            middles.append(gave)
        phone = row["reporter_phone"]
        if phone is not None:
            assert re.fullmatch(PHONE_FORMATS, phone), row
            assert re.sub(r"\D", "", phone) == re.sub(r"\D", "", person["phone"])
    assert styles == {"said", "capitals", "family name"}
    assert 0.45 < sum(middles) / len(middles) < 0.75  # MIDDLE_SHARE 0.6 give their middle name


def test_most_reporters_give_no_phone(reports):
    rows = reports.rows(NAME)
    originals = [r for r in reports.truth(NAME).to_pylist() if r["kind"] == "original"]
    # a blank the truth does not name is a phone never given
    unasked = [
        rows[r["record_id"]]["reporter_phone"] is None and "phone" not in r["corruptions"]
        for r in originals
    ]
    assert 0.5 < sum(unasked) / len(originals) < 0.7


def test_reporter_names_are_never_a_structured_pair(reports):
    assert not any("," in name for name in reports.data(NAME)["reporter_name"].to_pylist())


@pytest.fixture(scope="module")
def many():
    """Reports of half of 8,000 people."""
    return run((NAME,), customers=8000, coverage=CoverageSettings(incident_reports=0.5))


def test_a_name_the_labels_leave_unchanged_is_made_of_the_persons_names_only(many):
    # a given name typed into the family name's place (a swap) by staff writing the family
    # name alone shows its own corruptions, labelled: letters no label explains never appear
    day = many
    rows, moving = day.rows(NAME), {"swap_given_and_family_name", "type_into_wrong_field"}
    checked = 0
    for record in day.truth(NAME).to_pylist():
        labels = [label.split(":") for label in record["corruptions"].split(";") if label]
        names = [kind for field, kind in labels if field in ("first_name", "last_name", "name")]
        if "name:" in record["variations"] or set(names) - moving - {"change_case"}:
            continue
        person = day.people[record["entity_id"]]
        parts = [person[c] or "" for c in ("first_name", "middle_name", "last_name", "suffix")]
        allowed = {token.upper() for token in " ".join(parts).split()} | {parts[1][:1].upper()}
        written = set(re.split(r"[ ,]+", rows[record["record_id"]]["reporter_name"].upper()))
        assert written - {""} <= allowed, (record, rows[record["record_id"]])
        checked += bool(set(names) & moving)
    assert checked > 100


def test_a_person_going_by_their_middle_name_gives_it_once(many):
    rows, checked = many.rows(NAME), 0
    for record in many.truth(NAME).to_pylist():
        person = many.people[record["entity_id"]]
        if "first_name:preferred" not in record["variations"]:
            continue
        if (person["middle_name"] or "").lower() == person["first_name"].lower():
            continue  # named twice at birth
        words = rows[record["record_id"]]["reporter_name"].lower().split()
        assert all(a != b for a, b in itertools.pairwise(words)), (record, words)
        checked += 1
    assert checked > 300
