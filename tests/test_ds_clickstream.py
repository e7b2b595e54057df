"""The clickstream dataset: web hits in sessions, logged in or anonymous."""

import itertools
import re
from collections import defaultdict

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from conftest import DAY
from dataset_checks import (
    PEOPLE,
    assert_contract_in_small_and_tiny_days,
    assert_in_window,
    assert_references,
    assert_unchanged_without,
    generated,
    ints,
    seconds,
)

from gensample.generate import population
from gensample.generate.datasets import clickstream, products
from gensample.generate.seeding import BLOCK_SIZE
from gensample.settings import Settings

CLICKSTREAM = ("customers", "clickstream")


def clicks(trans_type: str = "full") -> tuple[pa.Table, pa.Table, Settings]:
    """The first block's hits and customers."""
    result, run, _ = generated(CLICKSTREAM, trans_type)
    return result["clickstream"].data, result["customers"], run


def test_rows_ids_and_schema_follow_the_contract():
    assert_contract_in_small_and_tiny_days("clickstream", CLICKSTREAM)


def test_rows_ids_and_schema_hold_in_every_block_of_a_day_across_a_block_edge():
    _, _, blocks = generated(CLICKSTREAM, "full", BLOCK_SIZE - PEOPLE // 2)
    assert len(blocks) == 2
    for (result, block), other in zip(blocks, reversed(blocks), strict=True):
        data = result["clickstream"].data
        sessions = set(ints(data, "session_id").tolist())
        start = block.id_starts["clickstream"]
        assert min(sessions) >= start and max(sessions) < start + block.rows["clickstream"]
        assert not sessions & set(ints(other[0]["clickstream"].data, "session_id").tolist())


@pytest.mark.parametrize("trans_type", ["full", "daily"])
def test_hits_lie_in_their_session_in_the_window_after_the_account_opened(trans_type):
    data, customers, run = clicks(trans_type)
    hit, started, ended = (
        seconds(data, c) for c in ("hit_at", "session_started_at", "session_ended_at")
    )
    assert (started <= hit).all() and (hit <= ended).all()
    assert_in_window(np.concatenate([started, ended]), run)
    accounts = {account["customer_id"]: account for account in customers.data.to_pylist()}
    for logged in data.filter(pc.is_valid(data["customer_id"])).to_pylist():
        account = accounts[logged["customer_id"]]
        assert logged["hit_at"] >= account["created_at"]
        if account["account_status"] == "closed":
            assert logged["session_ended_at"] <= account["updated_at"]
    first_hit = defaultdict(lambda: 2**62)
    for session, at in zip(ints(data, "session_id"), hit, strict=True):
        first_hit[session] = min(first_hit[session], at)
    assert all(first_hit[s] == at for s, at in zip(ints(data, "session_id"), started, strict=True))


def test_customer_ids_resolve_and_each_person_browses_with_one_cookie_of_their_household():
    data, customers, run = clicks()
    people = population.of_settings(run, 0, PEOPLE, DAY)
    household = dict(
        zip(people["entity_id"].to_pylist(), people["household_id"].to_pylist(), strict=True)
    )
    assert_references(data, "customer_id", customers.data, "customer_id")
    person = dict(
        zip(
            customers.truth["record_id"].to_pylist(),
            customers.truth["entity_id"].to_pylist(),
            strict=True,
        )
    )
    cookies_of, people_of = defaultdict(set), defaultdict(set)
    for cookie, customer in zip(
        data["cookie_id"].to_pylist(), data["customer_id"].to_pylist(), strict=True
    ):
        if customer is not None:
            cookies_of[person[customer]].add(cookie)
            people_of[cookie].add(person[customer])
    assert all(len(cookies) == 1 for cookies in cookies_of.values())
    assert all(len({household[p] for p in people}) == 1 for people in people_of.values())
    shared = sum(len(people) > 1 for people in people_of.values())  # a family computer
    assert 0.01 < shared / len(people_of) < 0.2
    assert all(re.fullmatch("[0-9a-f]{32}", c) for c in data["cookie_id"].to_pylist())
    per_session = pa.TableGroupBy(data, "session_id").aggregate(
        [("cookie_id", "count_distinct"), ("device_type", "count_distinct")]
    )
    assert pc.max(per_session["cookie_id_count_distinct"]).as_py() == 1
    assert pc.max(per_session["device_type_count_distinct"]).as_py() == 1
    assert set(data["device_type"].to_pylist()) == {"desktop", "mobile", "tablet"}


def sessions_in_time_order(data: pa.Table) -> dict[int, list[dict]]:
    """The hits of each session, in time order."""
    by_session = defaultdict(list)
    for hit in data.sort_by([("hit_at", "ascending"), ("hit_id", "ascending")]).to_pylist():
        by_session[hit["session_id"]].append(hit)
    return by_session


def test_sessions_log_in_once_midway_or_from_the_start_and_a_share_stays_anonymous():
    data, _, _ = clicks()
    sessions = sessions_in_time_order(data)
    kinds = defaultdict(int)
    for hits in sessions.values():
        logged = [hit["customer_id"] is not None for hit in hits]
        assert logged == sorted(logged)  # anonymous hits, then logged-in ones, never back
        assert len({hit["customer_id"] for hit in hits} - {None}) <= 1
        if logged[0]:
            kinds["from the start"] += 1
        elif any(logged):
            kinds["midway"] += 1
            assert hits[logged.index(True)]["page_url"] == "/account/login"
        else:
            kinds["anonymous"] += 1
    assert kinds["from the start"] > kinds["midway"] > 0
    assert abs(kinds["anonymous"] / len(sessions) - 0.3) < 0.01  # habits.anonymous


def test_pages_are_shop_paths_with_catalog_skus_and_referrers_chain_the_previous_page():
    data, _, run = clicks()
    skus = set(products.catalog(run.seed, run.products)["sku"].to_pylist())
    path = re.compile(r"/|/search\?q=[a-z0-9+-]+|/c/[a-z-]+|/product/AP-\d{6}|/[a-z/-]+")
    for hits in sessions_in_time_order(data).values():
        assert hits[0]["referrer"] is None or not hits[0]["referrer"].startswith(clickstream.SITE)
        for before, hit in itertools.pairwise(hits):
            assert hit["referrer"] == clickstream.SITE + before["page_url"]
        for hit in hits:
            assert path.fullmatch(hit["page_url"])
            if hit["page_url"].startswith("/product/"):
                assert hit["page_url"].removeprefix("/product/") in skus


def test_same_settings_same_bytes_and_other_datasets_change_nothing():
    assert_unchanged_without("clickstream", CLICKSTREAM, ("stores", "pos_customers"))
