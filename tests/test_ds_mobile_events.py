"""The mobile_events dataset: app users' sessions, logins with the account or the loyalty card."""

import re
from collections import defaultdict

import pytest
from dataset_checks import (
    PEOPLE,
    assert_contract_in_small_and_tiny_days,
    assert_in_window,
    assert_references,
    assert_unchanged_without,
    generated,
    seconds,
)

from gensample.generate.datasets import mobile_events
from gensample.generate.datasets.common import share_of

MOBILE = ("customers", "loyalty_members", "mobile_events")
UUID = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"


def app(trans_type: str = "full") -> tuple[dict, object]:
    """The first block's datasets and settings."""
    result, run, _ = generated(MOBILE, trans_type)
    return result, run


def devices(result: dict) -> dict[str, list[dict]]:
    """Each device's events, in time order."""
    by_device = defaultdict(list)
    data = result["mobile_events"].data.sort_by([("event_at", "ascending")])
    for event in data.to_pylist():
        by_device[event["device_id"]].append(event)
    return by_device


def sessions_of(events: list[dict]) -> list[list[dict]]:
    """A device's events cut into sessions at each app_open."""
    sessions = []
    for event in events:
        if event["event_type"] == "app_open":
            sessions.append([])
        sessions[-1].append(event)
    return sessions


def owners(result: dict, dataset: str) -> dict[int, int]:
    """Record id -> entity id of every record (original or duplicate), from a dataset's truth."""
    return {r["record_id"]: r["entity_id"] for r in result[dataset].truth.to_pylist()}


def test_logged_in_events_use_duplicate_accounts_too():
    result, _ = app()
    kinds = {r["record_id"]: r["kind"] for r in result["customers"].truth.to_pylist()}
    used = {e["customer_id"] for e in result["mobile_events"].data.to_pylist()} - {None}
    assert {kinds[customer_id] for customer_id in used} == {"original", "duplicate"}


def test_rows_ids_and_schema_follow_the_contract():
    assert_contract_in_small_and_tiny_days("mobile_events", MOBILE)


def test_exactly_the_covered_share_of_people_use_the_app_each_on_one_device():
    result, run = app()
    by_device = devices(result)
    assert len(by_device) == share_of(PEOPLE, run.coverage.mobile_app)
    accounts, person_of = owners(result, "customers"), {}
    for device, events in by_device.items():
        assert re.fullmatch(UUID, device)
        assert len({(e["platform"], e["app_version"], e["advertising_id"]) for e in events}) == 1
        customer_ids = {e["customer_id"] for e in events} - {None}
        assert len(customer_ids) <= 1
        for customer_id in customer_ids:
            person_of[device] = accounts[customer_id]  # one of the person's accounts
    assert len(set(person_of.values())) == len(person_of)


def test_advertising_ids_follow_the_platform():
    result, _ = app()
    seen = defaultdict(set)
    for events in devices(result).values():
        platform, advertising_id = events[0]["platform"], events[0]["advertising_id"]
        if advertising_id is None:
            seen[platform].add("limited")
        elif platform == "ios":
            assert re.fullmatch(
                UUID.replace("0-9a-f", "0-9A-F").replace("89ab", "89AB"), advertising_id
            )
            seen[platform].add("tracked")
        else:
            assert platform == "android" and re.fullmatch(UUID, advertising_id)
            seen[platform].add("tracked")
    assert seen == {"ios": {"limited", "tracked"}, "android": {"limited", "tracked"}}


def test_ids_resolve_and_card_logins_carry_the_same_persons_member_record():
    result, _ = app()
    events = result["mobile_events"].data
    assert_references(events, "customer_id", result["customers"].data, "customer_id")
    assert_references(events, "member_id", result["loyalty_members"].data, "member_id")
    accounts, members = owners(result, "customers"), owners(result, "loyalty_members")
    card_users, members_using_app = set(), set()
    for device_events in devices(result).values():
        for event in device_events:
            if event["member_id"] is not None:
                assert event["customer_id"] is not None
                assert members[event["member_id"]] == accounts[event["customer_id"]]
                card_users.add(event["device_id"])
        people = {accounts[e["customer_id"]] for e in device_events if e["customer_id"]}
        if people & set(members.values()):
            members_using_app.add(device_events[0]["device_id"])
    assert card_users <= members_using_app
    share = len(card_users) / len(members_using_app)
    assert abs(share - mobile_events.CARD_LOGIN_SHARE) < 0.15


@pytest.mark.parametrize("trans_type", ["full", "daily"])
def test_sessions_open_the_app_then_log_in_at_most_once_and_log_out_last(trans_type):
    result, _ = app(trans_type)
    kinds = defaultdict(int)
    for events in devices(result).values():
        for session in sessions_of(events):
            types = [e["event_type"] for e in session]
            logged = [e["customer_id"] is not None for e in session]
            assert types[0] == "app_open" and logged == sorted(logged)
            assert types.count("login") <= 1 and "app_open" not in types[1:]
            if "login" in types:
                assert logged.index(True) == types.index("login") > 0
                kinds["midway"] += 1
            else:
                kinds["from the start" if logged[0] else "guest"] += 1
            if "logout" in types:
                assert types.index("logout") == len(types) - 1 and logged[-1]
            assert all(logged[i] for i, kind in enumerate(types) if kind == "purchase")
    assert min(kinds.values()) > 0 and len(kinds) == 3


@pytest.mark.parametrize("trans_type", ["full", "daily"])
def test_events_lie_in_the_window_while_the_account_is_open_and_after_the_enrolment(trans_type):
    result, run = app(trans_type)
    assert_in_window(seconds(result["mobile_events"].data, "event_at"), run)
    accounts = {a["customer_id"]: a for a in result["customers"].data.to_pylist()}
    enrolled = dict(
        zip(
            *(result["loyalty_members"].data[c].to_pylist() for c in ("member_id", "enrolled_on")),
            strict=True,
        )
    )
    closed = 0
    for device_events in devices(result).values():
        account_ids = {e["customer_id"] for e in device_events} - {None}
        card = {e["member_id"] for e in device_events} - {None}
        for account in (accounts[a] for a in account_ids):
            closed += account["account_status"] == "closed"
            for event in device_events:
                assert event["event_at"] >= account["created_at"]
                if account["account_status"] == "closed":
                    assert event["event_at"] <= account["updated_at"]
        for event in device_events:
            assert all(event["event_at"].date() >= enrolled[m] for m in card)
    assert closed or trans_type == "daily"


def test_same_settings_same_bytes_and_other_datasets_change_nothing():
    assert_unchanged_without("mobile_events", MOBILE, ("email_subscribers",))
