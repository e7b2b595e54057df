"""The wifi_sessions dataset: portal logins at the stores, with their truth."""

import itertools
import re
from collections import Counter, defaultdict

import pytest
from conftest import DAY
from dataset_checks import (
    PEOPLE,
    assert_contract_in_small_and_tiny_days,
    assert_in_window,
    assert_references,
    assert_unchanged_without,
    generated,
    seconds,
)

from gensample.generate import population
from gensample.generate.datasets import wifi_sessions
from gensample.generate.datasets.common import share_of
from gensample.generate.pipeline import reference_tables

WIFI = ("customers", "stores", "wifi_sessions")
MAC = re.compile(r"[0-9a-f]{2}(:[0-9a-f]{2}){5}")


def users(trans_type: str = "full") -> tuple[dict[int, list[dict]], dict, object]:
    """Each person's connections in time order (data and truth row together), the block's
    datasets and the settings."""
    result, run, _ = generated(WIFI, trans_type)
    wifi = result["wifi_sessions"]
    by_person = defaultdict(list)
    rows = zip(wifi.data.to_pylist(), wifi.truth.to_pylist(), strict=True)
    for row, record in sorted(rows, key=lambda pair: pair[0]["connected_at"]):
        by_person[record["entity_id"]].append({**row, **record})
    return by_person, result, run


def test_rows_ids_and_schema_follow_the_contract():
    assert_contract_in_small_and_tiny_days("wifi_sessions", WIFI)


def test_one_truth_row_per_session_in_the_same_order():
    result, _, _ = generated(WIFI)
    wifi = result["wifi_sessions"]
    assert wifi.truth["record_id"].equals(wifi.data["session_id"])
    assert set(wifi.truth["dataset"].to_pylist()) == {"wifi_sessions"}
    assert set(wifi.truth["entity_id"].to_pylist()) <= set(range(PEOPLE))


def test_exactly_the_covered_share_of_people_each_first_original_then_duplicates():
    by_person, _, run = users()
    assert len(by_person) == share_of(PEOPLE, run.coverage.store_wifi)
    for connections in by_person.values():
        first, *later = connections
        assert first["kind"] == "original" and first["duplicate_of"] is None
        for connection in later:
            assert connection["kind"] == "duplicate"
            assert connection["duplicate_of"] == first["session_id"]
            assert connection["connected_at"] >= first["disconnected_at"]


OTHER_LOGINS = {"email": "email:work", "phone": "phone:landline"}
"""The variation a login of each type may carry."""


def test_a_user_logs_in_with_one_login_and_the_truth_names_every_variation_and_typo():
    by_person, _, run = users()
    people = {p["entity_id"]: p for p in population.of_settings(run, 0, PEOPLE, DAY).to_pylist()}
    mistyped, varied = Counter(), 0
    for entity_id, connections in by_person.items():
        login_type, variation = connections[0]["login_type"], connections[0]["variations"]
        assert {(c["login_type"], c["variations"]) for c in connections} == {
            (login_type, variation)
        }
        assert variation in ("", OTHER_LOGINS[login_type])
        varied += variation != ""
        own = people[entity_id][login_type]
        typed_right = {c["portal_login"] for c in connections if c["corruptions"] == ""}
        assert len(typed_right) <= 1
        assert not typed_right or (variation != "") == (typed_right != {own})
        for connection in connections:
            assert connection["portal_login"]
            if connection["corruptions"]:
                mistyped[connection["kind"]] += 1
                assert re.fullmatch(rf"{login_type}:[a-z_]+", connection["corruptions"])
                assert connection["portal_login"] not in typed_right | {own}
    kinds = Counter(c["kind"] for connections in by_person.values() for c in connections)
    shares = {"duplicate": wifi_sessions.MISTYPED_SHARE, "original": 0.4}  # medium
    for kind, share in shares.items():
        assert 0.8 * share * kinds[kind] <= mistyped[kind] <= share * kinds[kind] + 1, kind
    assert 0.02 < varied / len(by_person) < 0.25


def test_a_later_login_carries_its_agreement_with_the_first_in_the_truth():
    by_person, _, _ = users()
    for connections in by_person.values():
        first, *later = connections
        compared = f"{first['login_type']}_match"
        other = "phone_match" if compared == "email_match" else "email_match"
        assert first[compared] is None and first["difficulty"] is None
        for connection in later:
            same = connection["portal_login"].lower() == first["portal_login"].lower()
            if compared == "phone_match":
                same = digits(connection["portal_login"]) == digits(first["portal_login"])
            assert connection[compared] == same and connection[other] is None, connection
            assert connection["name_similarity"] is None and connection["difficulty"], connection


def digits(text: str) -> str:
    """The digits of a text."""
    return re.sub(r"\D", "", text)


@pytest.mark.parametrize("trans_type", ["full", "daily"])
def test_connections_of_a_user_follow_one_another_in_the_window(trans_type):
    by_person, result, run = users(trans_type)
    data = result["wifi_sessions"].data
    connected, disconnected = seconds(data, "connected_at"), seconds(data, "disconnected_at")
    assert (connected < disconnected).all()
    assert_in_window(connected, run)
    assert_in_window(disconnected, run)
    for connections in by_person.values():
        for before, after in itertools.pairwise(connections):
            assert before["disconnected_at"] <= after["connected_at"]


def test_a_device_per_user_unless_the_phone_randomises_its_mac_address():
    by_person, _, _ = users()
    kinds = Counter()
    for connections in by_person.values():
        macs = [c["mac_address"] for c in connections]
        assert all(MAC.fullmatch(mac) for mac in macs)
        local = [int(mac[1], 16) & 2 == 2 for mac in macs]
        if len(set(macs)) == 1 and not local[0]:
            kinds["one device"] += 1
        else:
            assert all(local) and len(set(macs)) == len(macs)
            kinds["randomised"] += 1
    assert kinds["one device"] > kinds["randomised"] > 0


def test_stores_exist_and_users_mostly_visit_one_in_their_state():
    by_person, result, run = users()
    stores = reference_tables(run, DAY)["stores"].data
    assert_references(result["wifi_sessions"].data, "store_id", stores, "store_id")
    state_of = dict(zip(stores["store_id"].to_pylist(), stores["state"].to_pylist(), strict=True))
    people = population.of_settings(run, 0, PEOPLE, DAY).to_pylist()
    home_state = {p["entity_id"]: p["state"] for p in people}
    at_home = in_state = 0
    for entity_id, connections in by_person.items():
        home, visits = Counter(c["store_id"] for c in connections).most_common(1)[0]
        at_home += visits
        in_state += state_of[home] == home_state[entity_id] or home_state[entity_id] not in set(
            state_of.values()
        )
    total = sum(len(c) for c in by_person.values())
    assert at_home / total >= 0.85 - 0.03  # habits.home_store
    assert in_state / len(by_person) > 0.9


def test_same_settings_same_bytes_and_other_datasets_change_nothing():
    assert_unchanged_without("wifi_sessions", WIFI, ("brands", "products", "clickstream"))
