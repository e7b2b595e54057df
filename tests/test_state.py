"""state.json: batches that never share ids, where the next batch starts, and a safe round trip."""

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gensample.daily.state import HISTORY_KEPT, Batch, State, check_run_date, load, save
from gensample.errors import BadInputError, RunError

DAY = dt.date(2026, 11, 23)
NEXT = DAY + dt.timedelta(days=1)
fast = settings(max_examples=200, deadline=None)

ranges = st.tuples(st.integers(0, 40), st.integers(0, 20)).map(lambda r: (r[0], r[0] + r[1]))


def ids(start: int, stop: int) -> set[int]:
    return set(range(start, stop))


@fast
@given(entities=st.tuples(ranges, ranges), records=st.tuples(ranges, ranges))
def test_batches_overlap_exactly_when_they_share_an_entity_or_a_record_id(entities, records):
    (e1, e2), (r1, r2) = entities, records
    first, second = Batch(*e1, *r1), Batch(*e2, *r2)
    shared = bool(ids(*e1) & ids(*e2)) or bool(ids(*r1) & ids(*r2))
    assert bool(first.shared_ids(second)) == shared
    assert bool(second.shared_ids(first)) == shared


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (Batch(0, 10, 0, 10), Batch(10, 20, 10, 20), False),  # touching ranges
        (Batch(5, 5, 5, 5), Batch(0, 10, 0, 10), False),  # empty ranges inside others
        (Batch(0, 10, 0, 10), Batch(0, 10, 0, 10), True),
        (Batch(0, 10, 0, 10), Batch(9, 20, 10, 20), True),  # one shared entity id
        (Batch(0, 10, 0, 10), Batch(10, 20, 9, 20), True),  # one shared record id
        (Batch(3, 3, 0, 10), Batch(0, 10, 20, 30), False),  # no entities, records apart
    ],
)
def test_overlap_examples(first, second, expected):
    assert bool(first.shared_ids(second)) is expected


def two_day_state() -> State:
    """DAY took entities 0-100 and records 0-120 in two batches; NEXT took 100-150, 120-180."""
    state = State()
    state.set_day(DAY.isoformat(), [Batch(0, 60, 0, 70), Batch(60, 100, 70, 120)])
    state.set_day(NEXT.isoformat(), [Batch(100, 150, 120, 180)])
    return state


@pytest.mark.parametrize(
    ("date", "load_type", "expected"),
    [
        (DAY, "truncate", (0, {"customers": 0})),  # a re-run re-uses the day's first batch
        (NEXT, "truncate", (100, {"customers": 120})),
        (DAY, "append", (150, {"customers": 180})),  # appends and new days: high-water marks
        (NEXT + dt.timedelta(days=1), "truncate", (150, {"customers": 180})),
        (NEXT + dt.timedelta(days=1), "append", (150, {"customers": 180})),
    ],
)
def test_starts_for(date, load_type, expected):
    assert two_day_state().starts_for(date, load_type) == expected


def test_a_fresh_state_starts_at_zero():
    assert State().starts_for(DAY, "truncate") == (0, {"customers": 0})


def test_every_dataset_has_its_own_ids_and_high_water_mark():
    state = State()
    state.record(DAY, Batch(0, 50, 0, 60, ids={"pos_customers": (0, 20)}), "truncate", {})
    state.record(NEXT, Batch(50, 90, 60, 110, ids={"transactions": (0, 300)}), "truncate", {})
    later = NEXT + dt.timedelta(days=1)
    expected = {"customers": 110, "pos_customers": 20, "transactions": 300}
    assert state.starts_for(later, "append") == (90, expected)
    # a re-run of DAY re-uses its own first ids; a dataset DAY did not have starts afresh
    expected = {"customers": 0, "pos_customers": 0, "transactions": 300}
    assert state.starts_for(DAY, "truncate") == (0, expected)
    with pytest.raises(BadInputError, match="transactions"):
        state.check_fits(DAY, Batch(0, 50, 0, 60, ids={"transactions": (299, 310)}))
    state.check_fits(DAY, Batch(0, 50, 0, 60, ids={"pos_customers": (0, 25)}))


def test_a_state_file_without_dataset_ids_still_loads(tmp_path):
    path = tmp_path / "state.json"
    batch = {"entity_start": 0, "entity_stop": 5, "record_start": 0, "record_stop": 6}
    path.write_text(json.dumps({**GOOD, "days": {DAY.isoformat(): [batch]}}))
    assert load(path).days[DAY.isoformat()] == [Batch(0, 5, 0, 6)]


@pytest.mark.parametrize(
    "batch",
    [
        Batch(0, 101, 0, 100),  # one entity id of NEXT
        Batch(0, 90, 0, 121),  # one record id of NEXT
        Batch(140, 160, 175, 200),  # inside both
    ],
)
def test_check_fits_refuses_ids_of_another_day_and_names_both_days(batch):
    with pytest.raises(BadInputError) as raised:
        two_day_state().check_fits(DAY, batch)
    message = str(raised.value)
    assert DAY.isoformat() in message and NEXT.isoformat() in message


@pytest.mark.parametrize(
    "batch",
    [
        Batch(0, 100, 0, 120),  # the day's whole old range
        Batch(0, 40, 0, 50),  # a smaller re-run
        Batch(30, 100, 50, 120),  # ids of its own later batch, touching NEXT
    ],
)
def test_check_fits_accepts_a_rerun_inside_its_own_old_range(batch):
    two_day_state().check_fits(DAY, batch)


def test_check_fits_accepts_fresh_ids_for_a_new_day():
    two_day_state().check_fits(NEXT + dt.timedelta(days=1), Batch(150, 200, 180, 260))


def test_appends_accumulate_batches_and_truncate_replaces_them():
    state, day = State(), DAY.isoformat()
    first, second, rerun = Batch(0, 50, 0, 60), Batch(50, 80, 60, 100), Batch(0, 30, 0, 35)
    state.record(DAY, first, "truncate", {})
    state.record(DAY, second, "append", {})
    assert state.days[day] == [first, second]
    state.record(DAY, rerun, "truncate", {})
    assert state.days[day] == [rerun]


def test_high_water_marks_only_go_up():
    state = State()
    state.record(DAY, Batch(0, 50, 0, 60), "truncate", {})
    state.record(NEXT, Batch(50, 90, 60, 110), "truncate", {})
    assert (state.next_entity_id, state.next_record_id) == (90, 110)
    state.record(DAY, Batch(0, 10, 0, 12), "truncate", {})  # a smaller re-run of the first day
    assert (state.next_entity_id, state.next_record_id) == (90, 110)
    assert state.starts_for(NEXT + dt.timedelta(days=1), "truncate") == (90, {"customers": 110})


def test_run_history_keeps_the_newest_runs():
    state = State()
    for run in range(HISTORY_KEPT + 5):
        state.record(DAY, Batch(run, run + 1, run, run + 1), "append", {"run": run})
    assert len(state.runs) == HISTORY_KEPT
    assert state.runs[0] == {"date": DAY.isoformat(), "run": 5}
    assert state.runs[-1] == {"date": DAY.isoformat(), "run": HISTORY_KEPT + 4}


def test_save_and_load_round_trip(tmp_path):
    state = two_day_state()
    state.set_day("2026-11-20", [Batch(150, 151, 180, 182, tracer="tracer/consumed/a.csv")])
    state.set_day("2026-11-21", [Batch(151, 160, 182, 190, ids={"transactions": (0, 40)})])
    state.runs = [{"date": DAY.isoformat(), "customers": 100, "seconds": 1.5}]
    path = tmp_path / "state.json"
    save(path, state)
    assert load(path) == state
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temporary file left


def test_a_missing_state_file_is_a_fresh_state(tmp_path):
    assert load(tmp_path / "state.json") == State()


GOOD = {"next_entity_id": 1, "next_record_id": 1, "days": {}, "runs": []}


@pytest.mark.parametrize(
    "content",
    [b"", b"{not json", b'{"next_entity_id": 1', b"\xff\xfe\x00garbage"],  # 3rd: cut off
)
def test_an_unreadable_state_raises_naming_the_file(tmp_path, content):
    path = tmp_path / "state.json"
    path.write_bytes(content)
    with pytest.raises(RunError) as raised:
        load(path)
    assert str(path) in str(raised.value)
    assert "restore it from a backup" in str(raised.value)


BATCH = {"entity_start": 0, "entity_stop": 5, "record_start": 0, "record_stop": 6}


@pytest.mark.parametrize(
    ("document", "key", "expected"),
    [
        ([], "state.json", "an object"),
        ({**GOOD, "days": {DAY.isoformat(): [{"entity_start": 0}]}}, "entity_stop", "whole"),
        ({k: GOOD[k] for k in ("next_entity_id", "days", "runs")}, "next_record_id", "every"),
        ({**GOOD, "days": []}, "days", "an object"),
        ({**GOOD, "runs": 5}, "runs", "a list"),
        ({**GOOD, "next_entity_id": "5"}, "next_entity_id", "a whole number from 0 to 2**62"),
        (
            {**GOOD, "next_ids": {"transactions": "7"}},
            "transactions",
            "a whole number from 0 to 2**62",
        ),
        ({**GOOD, "next_entity_id": -1}, "next_entity_id = -1", "a whole number from 0 to 2**62"),
        ({**GOOD, "next_record_id": True}, "next_record_id", "a whole number from 0 to 2**62"),
        (
            {**GOOD, "next_ids": {"transactions": -7}},
            "transactions",
            "a whole number from 0 to 2**62",
        ),
        ({**GOOD, "next_entity_id": 2**63 - 8}, "next_entity_id", "from 0 to 2**62"),
        ({**GOOD, "next_ids": {"clickstream": 2**70}}, "clickstream", "from 0 to 2**62"),
        ({**GOOD, "days": {"yesterday": [BATCH]}}, "days key = 'yesterday'", "YYYY-MM-DD"),
        ({**GOOD, "days": {"2026-02-30": []}}, "days key = '2026-02-30'", "YYYY-MM-DD"),
        ({**GOOD, "archived": {"2026-1-5": "ab"}}, "archived key = '2026-1-5'", "YYYY-MM-DD"),
        ({**GOOD, "archived": {DAY.isoformat(): 5}}, "archived", "sha256"),
        ({**GOOD, "days": {DAY.isoformat(): [{**BATCH, "entity_stop": -2}]}}, "entity", "<="),
        ({**GOOD, "days": {DAY.isoformat(): [{**BATCH, "record_start": 9}]}}, "record", "<="),
        (
            {**GOOD, "days": {DAY.isoformat(): [{**BATCH, "ids": {"sessions": [4, 2]}}]}},
            "sess",
            "<=",
        ),
        ({**GOOD, "days": {DAY.isoformat(): [{**BATCH, "ids": {"sessions": [1]}}]}}, "sess", "<="),
        ({**GOOD, "days": {DAY.isoformat(): [{**BATCH, "ids": {"sessions": 3}}]}}, "sess", "<="),
        ({**GOOD, "days": {DAY.isoformat(): [{**BATCH, "tracer": 3}]}}, "tracer", "a path"),
    ],
)
def test_a_state_value_that_is_not_allowed_is_bad_input_naming_file_key_and_allowed(
    tmp_path, document, key, expected
):
    path = tmp_path / "state.json"
    path.write_text(json.dumps(document))
    with pytest.raises(BadInputError) as raised:
        load(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: ") and key in message and expected in message


def test_marks_below_a_recorded_batch_are_raised_on_load(tmp_path):
    path = tmp_path / "state.json"
    batch = {**BATCH, "ids": {"transactions": [0, 9]}}
    path.write_text(json.dumps({**GOOD, "days": {DAY.isoformat(): [batch]}}))
    assert load(path).starts_for(NEXT, "truncate") == (5, {"customers": 6, "transactions": 9})


def test_a_directory_in_place_of_the_state_file_raises_naming_it(tmp_path):
    path = tmp_path / "state.json"
    path.mkdir()
    with pytest.raises(RunError) as raised:
        load(path)
    assert str(path) in str(raised.value)


TODAY = dt.date(2026, 12, 4)


@pytest.mark.parametrize(
    "date",
    [TODAY, TODAY + dt.timedelta(days=1), NEXT, DAY + dt.timedelta(days=3), DAY],
)
def test_a_run_date_from_the_last_day_to_tomorrow_or_a_rerun_is_allowed(date):
    check_run_date(two_day_state(), date, TODAY, allow_date=False)


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (
            TODAY + dt.timedelta(days=2),
            "2 days after today (2026-12-04); allowed: up to 2026-12-05",
        ),
        (dt.date(2062, 1, 4), "--date 2062-01-04 is 12815 days after today"),
        (DAY - dt.timedelta(days=1), "--date 2026-11-22 is a new day before 2026-11-24, the"),
        (DAY - dt.timedelta(days=300), "allowed: 2026-11-24 or later, or a re-run of a"),
    ],
)
def test_a_future_date_or_one_before_the_last_committed_day_needs_allow_date(date, expected):
    with pytest.raises(BadInputError, match="--allow-date") as raised:
        check_run_date(two_day_state(), date, TODAY, allow_date=False)
    assert expected in str(raised.value)
    check_run_date(two_day_state(), date, TODAY, allow_date=True)


@pytest.mark.parametrize(
    "date", [dt.date.min, dt.date.max, dt.date(1899, 12, 31), dt.date(3000, 1, 1)]
)
def test_a_date_outside_the_generated_years_is_refused_even_when_allowed(date):
    with pytest.raises(BadInputError, match=f"--date {date} is not allowed: expected a day from"):
        check_run_date(State(), date, TODAY, allow_date=True)
