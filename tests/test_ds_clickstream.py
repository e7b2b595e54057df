"""The clickstream dataset: web hits in sessions, logged in or anonymous, and the helpers the
behavioural event datasets share (this file also holds the test helpers of their tests)."""

import datetime as dt
import functools
import itertools
import re
from collections import defaultdict

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gensample.datasets import REGISTRY, clickstream, products
from gensample.datasets.clickstream import (
    CountLaw,
    hex_text,
    place_sessions,
    random_ids,
)
from gensample.datasets.common import event_window
from gensample.pipeline import generate_block
from gensample.plan import make_plan
from gensample.seeding import BLOCK_SIZE
from gensample.settings import Settings

DAY = dt.date(2026, 11, 23)
PEOPLE = 3000
fast = settings(max_examples=60, deadline=None)


def generate_day(
    datasets: tuple[str, ...], trans_type: str = "full", entity_start: int = 0, people=PEOPLE
) -> tuple[dict, Settings, list]:
    """Every enabled dataset of each block of a small day, with the settings and the plan's
    blocks: ``(datasets of the first block, settings, [(datasets, block) of every block])``."""
    run = Settings(customers=people, datasets=datasets, trans_type=trans_type)
    plan = make_plan(run, DAY, entity_start)
    blocks = [generate_block(run, DAY, block) for block in plan.blocks]
    return (
        blocks[0].datasets,
        run,
        [(b.datasets, block) for b, block in zip(blocks, plan.blocks, strict=True)],
    )


generated = functools.lru_cache(maxsize=64)(generate_day)
"""``generate_day``, computed once per test session."""


def seconds(table: pa.Table, column: str) -> np.ndarray:
    """A timestamp column as seconds since the epoch (nulls as -1)."""
    return table[column].cast(pa.int64()).fill_null(-1).to_numpy()


def ints(table: pa.Table, column: str) -> np.ndarray:
    """An integer column as numbers (nulls as -1)."""
    return table[column].fill_null(-1).to_numpy()


def assert_block_contract(
    name: str, datasets: tuple[str, ...], trans_type: str, entity_start: int = 0, people=PEOPLE
) -> None:
    """In every block, rows() equals the generated rows, ids are exactly the block's range, in
    order, and the schema is the declared one."""
    _, run, blocks = generated(datasets, trans_type, entity_start, people)
    module = REGISTRY[name]
    for result, block in blocks:
        data = result[name].data
        parent_rows = {parent: block.rows[parent] for parent in block.rows}
        assert module.rows(run, block.entity_start, block.entities, parent_rows) == data.num_rows
        start = block.id_starts[name]
        key = module.PRIMARY_KEY[0]
        assert ints(data, key).tolist() == list(range(start, start + block.rows[name]))
        assert data.schema == module.SCHEMA
        assert set(module.DESCRIPTIONS) == set(module.SCHEMA.names)


def assert_contract_in_small_and_tiny_days(name: str, datasets: tuple[str, ...]) -> None:
    """The block contract for a day of ``PEOPLE`` in both trans types (with rows), and for days of
    a few people across a block edge (where some blocks may have none)."""
    for trans_type in ("full", "daily"):
        assert_block_contract(name, datasets, trans_type)
        assert generated(datasets, trans_type)[0][name].data.num_rows > 0
        for people in (1, 2, 7):
            assert_block_contract(name, datasets, trans_type, BLOCK_SIZE - people // 2, people)


def assert_in_window(values: np.ndarray, run: Settings) -> None:
    """Every time inside the event window of the day."""
    lo, hi = event_window(run, DAY)
    assert values.min() >= lo and values.max() <= hi


def assert_references(child: pa.Table, column: str, parent: pa.Table, key: str) -> None:
    """Every non-null value of ``child[column]`` is a key of ``parent``."""
    values = pc.drop_null(child[column])
    assert pc.all(pc.is_in(values, value_set=parent[key].combine_chunks())).as_py() in (True, None)


def assert_unchanged_without(name: str, datasets: tuple[str, ...], others: tuple[str, ...]) -> None:
    """The dataset's bytes are equal with ``others`` enabled or not, and on a second run."""
    with_other = generated((*datasets, *others))[0][name]
    again = generate_day((*datasets, *others))[0][name]
    without = generated(datasets)[0][name]
    assert with_other.data.equals(without.data) and with_other.truth.equals(without.truth)
    assert again.data.equals(without.data)


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


def test_customer_ids_resolve_and_each_person_browses_with_one_cookie():
    data, customers, _ = clicks()
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
    assert all(len(people) == 1 for people in people_of.values())
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
    assert abs(kinds["anonymous"] / len(sessions) - clickstream.ANONYMOUS_SHARE) < 0.01


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


@fast
@given(
    sizes=st.lists(st.integers(1, 6), min_size=1, max_size=20),
    room=st.integers(0, 10_000),
    gap=st.integers(0, 3_000),
    tail=st.integers(0, 3_000),
    seed=st.integers(0, 2**32),
)
def test_place_sessions_keeps_events_in_order_inside_their_bounds(sizes, room, gap, tail, seed):
    rng = np.random.default_rng(seed)
    n = len(sizes)
    earliest = rng.integers(0, 1_000, n)
    latest = 1_000 + room
    session = np.repeat(np.arange(n), sizes)
    gaps = rng.integers(1, gap + 2, len(session))
    tails = rng.integers(0, tail + 1, n)
    at_latest = rng.random(n) < 0.3
    times, start, end = place_sessions(rng, session, earliest, latest, gaps, tails, at_latest)
    assert (earliest <= start).all() and (end <= latest).all() and (start <= end).all()
    assert (times >= start[session]).all() and (times <= end[session]).all()
    first = np.cumsum(sizes) - sizes
    assert (times[first] == start).all()
    same_session = session[1:] == session[:-1]
    assert (np.diff(times)[same_session] >= 0).all()
    roomy = (latest - earliest >= np.array(sizes) - 1)[session[1:]]
    assert (np.diff(times)[same_session & roomy] >= 1).all()  # a second apart when possible
    assert (end[at_latest] == latest).all()


def test_place_sessions_keeps_the_gaps_of_sessions_that_fit():
    rng = np.random.default_rng(1)
    session = np.array([0, 0, 0, 1, 1])
    gaps = np.array([99, 10, 20, 99, 5])
    times, start, end = place_sessions(rng, session, np.array([0, 0]), 1000, gaps, np.array([7, 0]))
    assert (times - start[session]).tolist() == [0, 10, 30, 0, 5]
    assert (end - start).tolist() == [37, 5]
    squeezed, start, end = place_sessions(
        rng, session, np.array([0, 0]), 15, gaps, np.array([7, 0])
    )
    assert start[0] == 0 and end[0] == 15 and squeezed[:3].tolist() == [0, 4, 12]
    tight, start, end = place_sessions(rng, session, np.array([0, 0]), 2, gaps, np.array([7, 0]))
    assert tight[:3].tolist() == [0, 1, 2] and end.tolist() == [2, 2]


@fast
@given(data=st.binary(min_size=6, max_size=6 * 8).filter(lambda b: len(b) % 6 == 0))
def test_hex_text_writes_bytes_as_grouped_hex(data):
    raw = np.frombuffer(data, np.uint8).reshape(-1, 6)
    upper = np.arange(len(raw)) % 2 == 1
    written = hex_text(raw, (2, 4), "-", upper).to_pylist()
    for row, text, up in zip(raw, written, upper, strict=True):
        expected = f"{bytes(row[:2]).hex()}-{bytes(row[2:]).hex()}"
        assert text == (expected.upper() if up else expected)
    assert hex_text(raw, (1,) * 6, ":").to_pylist()[0] == bytes(raw[0]).hex(":")


@fast
@given(least=st.integers(0, 2), extra=st.floats(0, 5), span=st.integers(0, 30))
def test_count_laws_stay_within_their_bounds(least, extra, span):
    law = CountLaw(least, least + extra, least + span)
    counts = law.draw(np.random.default_rng(7), 2_000)
    assert counts.min() >= least and counts.max() <= least + span


def test_count_law_has_about_its_mean():
    counts = CountLaw(1, 3.0, 1_000).draw(np.random.default_rng(3), 200_000)
    assert abs(counts.mean() - 3.0) < 0.05


@fast
@given(start=st.integers(0, 10**9), count=st.integers(0, 50), seed=st.integers(0, 2**32))
def test_random_ids_hand_out_the_range_and_sort_rows_by_id(start, count, seed):
    class Block:  # what random_ids asks of a block
        def id_range(self, name: str) -> tuple[int, int]:
            return start, count

    ids = random_ids(np.random.default_rng(seed), Block(), "clickstream")
    assert sorted(ids.of_row.tolist()) == ids.in_order.tolist() == list(range(start, start + count))
    assert ids.of_row[ids.order].tolist() == ids.in_order.tolist()
