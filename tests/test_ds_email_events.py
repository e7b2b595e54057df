"""The email_events dataset: sends and what followed them, shaped by each subscriber's status."""

import datetime as dt
import re
from collections import defaultdict

import pytest
from dataset_checks import (
    assert_contract_in_small_and_tiny_days,
    assert_in_window,
    assert_references,
    assert_unchanged_without,
    generated,
    seconds,
)

EMAIL = ("customers", "email_subscribers", "email_events")
FOLLOWS = {  # event type -> the types the event before it (in its group) may have
    "open": {"send"},
    "bounce": {"send"},
    "click": {"open"},
    "unsubscribe": {"send", "open"},
}


def histories(trans_type: str) -> tuple[dict, dict, object]:
    """Each subscriber record, and its events in time order, with the settings."""
    result, run, _ = generated(EMAIL, trans_type)
    subscribers = {s["subscriber_id"]: s for s in result["email_subscribers"].data.to_pylist()}
    events = defaultdict(list)
    data = result["email_events"].data.sort_by([("event_at", "ascending")])
    for event in data.to_pylist():
        events[event["subscriber_id"]].append(event)
    return subscribers, events, run


def epoch(moment: dt.datetime) -> int:
    """A naive UTC datetime as seconds since the epoch."""
    return int(moment.replace(tzinfo=dt.timezone.utc).timestamp())


def test_rows_ids_and_schema_follow_the_contract():
    assert_contract_in_small_and_tiny_days("email_events", EMAIL)


@pytest.mark.parametrize("trans_type", ["full", "daily"])
def test_events_resolve_to_subscribers_inside_the_window_after_signing_up(trans_type):
    result, run, _ = generated(EMAIL, trans_type)
    events, subscribers = result["email_events"].data, result["email_subscribers"].data
    assert_references(events, "subscriber_id", subscribers, "subscriber_id")
    assert_in_window(seconds(events, "event_at"), run)
    signed_up = dict(
        zip(*(subscribers[c].to_pylist() for c in ("subscriber_id", "subscribed_at")), strict=True)
    )
    for event in events.to_pylist():
        assert event["event_at"] >= signed_up[event["subscriber_id"]]


@pytest.mark.parametrize("trans_type", ["full", "daily"])
def test_each_event_follows_what_it_must_and_a_second_after_it(trans_type):
    subscribers, events, _ = histories(trans_type)
    for subscriber_id, history in events.items():
        times = [epoch(e["event_at"]) for e in history]
        assert times == sorted(set(times))  # a subscriber's events never share a second
        after = subscribers[subscriber_id]["status"] == "unsubscribed" and times[0] > epoch(
            subscribers[subscriber_id]["unsubscribed_at"]
        )
        for before, event in zip([None, *history], history, strict=False):
            kind = event["event_type"]
            if after:  # left before the window: late opens and clicks of earlier mail only
                assert kind == "open" or (kind == "click" and before["event_type"] == "open")
            elif kind != "send":
                assert before is not None and before["event_type"] in FOLLOWS[kind]
                assert event["campaign_id"] == before["campaign_id"]


@pytest.mark.parametrize("trans_type", ["full", "daily"])
def test_statuses_shape_the_events(trans_type):
    subscribers, events, _ = histories(trans_type)
    seen = defaultdict(int)
    for subscriber_id, history in events.items():
        subscriber, kinds = subscribers[subscriber_id], [e["event_type"] for e in history]
        status = subscriber["status"]
        if status == "pending":
            assert set(kinds) == {"send"}
        if "unsubscribe" in kinds:
            assert status == "unsubscribed" and kinds.count("unsubscribe") == 1
            assert kinds[-1] == "unsubscribe"
            assert history[-1]["event_at"] == subscriber["unsubscribed_at"]
        if status == "unsubscribed" and subscriber["unsubscribed_at"] >= history[0]["event_at"]:
            assert all(e["event_at"] <= subscriber["unsubscribed_at"] for e in history)
            assert len(kinds) == 1 or kinds[-1] == "unsubscribe"
            seen["left in the window"] += 1
        elif status == "unsubscribed":
            seen["left before"] += 1
        if status == "bounced" and len(kinds) >= 2:
            assert kinds[-2:] == ["send", "bounce"]
            seen["bounced"] += 1
        seen["soft bounce"] += status == "subscribed" and "bounce" in kinds
    assert seen["bounced"]
    if trans_type == "full":  # everyone signed up inside the five years of the window
        assert seen["left in the window"] and seen["soft bounce"] and not seen["left before"]
    else:  # hardly anyone left on the day itself
        assert seen["left before"]


@pytest.mark.parametrize("trans_type", ["full", "daily"])
def test_campaigns_are_named_after_the_day_of_their_send(trans_type):
    _, events, _ = histories(trans_type)
    for history in events.values():
        for event in history:
            assert re.fullmatch(r"CMP-\d{4}-\d{3}", event["campaign_id"])
            if event["event_type"] == "send":
                assert event["campaign_id"] == event["event_at"].strftime("CMP-%Y-%j")


def test_same_settings_same_bytes_and_other_datasets_change_nothing():
    assert_unchanged_without("email_events", EMAIL, ("clickstream",))


def test_about_the_configured_events_per_subscriber():
    result, _, _ = generated(EMAIL)
    per_subscriber = (
        result["email_events"].data.num_rows / result["email_subscribers"].data.num_rows
    )
    assert abs(per_subscriber - 6.0) < 0.5  # counts.events_per_subscriber_full.mean


def test_over_a_whole_life_every_status_has_its_event():
    subscribers, events, _ = histories("full")
    ending = {"bounced": "bounce", "unsubscribed": "unsubscribe"}
    seen = defaultdict(int)
    for subscriber_id, subscriber in subscribers.items():
        kinds = [event["event_type"] for event in events[subscriber_id]]
        if subscriber["status"] in ending:
            assert kinds[-1] == ending[subscriber["status"]], (subscriber, kinds)
            seen[subscriber["status"]] += 1
    assert min(seen.values()) > 10
