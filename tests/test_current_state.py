"""The current-state table says what a scan of every archived day says, day after day: with
drift, closures, re-injection, an appended batch, a truncate re-run and archive pruning; and a
lost or damaged table is rebuilt without changing a byte of the next day."""

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from conftest import DAY, run_day

from gensample import settings
from gensample.daily import archiving, current_state
from gensample.daily.rundir import RunDirectory

SETTINGS = {
    "customers": 40,
    "datasets": ("customers",),
    "dupe_rate": 30.0,
    "drift_share": 0.2,
    "closure_share": 0.05,
    "archival": True,
    "archival_share": 0.1,
    "archive_retention_days": 5,
}
DAYS = 30


def scanned(archive: Path, since: dt.date) -> tuple[list[dict], list[dict], list[dict]]:
    """Each archived record's newest row and truth row, and each person's newest version (with
    the start of it), reading every archived day from ``since`` in order."""
    rows, truth, people, started = {}, {}, {}, {}
    for date in archiving.archived_days(archive, dt.date.max, since):
        day = archiving.load_day(archive, date)
        for row, record in zip(day.customers.to_pylist(), day.records.to_pylist(), strict=True):
            rows[row["customer_id"]], truth[row["customer_id"]] = row, record
        for person in day.entities.to_pylist():
            people[person["entity_id"]] = person
        for version in day.history.to_pylist():
            if version["valid_to"] is None and version["valid_from"] is not None:
                person, since = version["entity_id"], version["valid_from"]
                started[person] = max(started.get(person, since), since)
    versions = [{**people[p], "valid_from": started.get(p)} for p in sorted(people)]
    return [rows[r] for r in sorted(rows)], [truth[r] for r in sorted(truth)], versions


def everything(state: current_state.CurrentState) -> list[list[dict]]:
    """Every record's current row and truth row, and every person's current version."""
    records, people = state.records["customer_id"], state.people["entity_id"]
    existing = state.existing(records.to_numpy(), people.to_numpy())
    return [
        existing.customers.to_pylist(),
        existing.records.to_pylist(),
        existing.people.to_pylist(),
    ]


def saved_state(run_dir: Path, after: dt.date) -> current_state.CurrentState:
    """The state a first batch of the day after ``after`` reads."""
    loaded = settings.load(run_dir, environ={}, flags=SETTINGS)
    following = after + dt.timedelta(days=1)
    return current_state.for_batch(RunDirectory(run_dir), loaded, following, True, False)


def assert_scanned(run_dir: Path, after: dt.date) -> None:
    """The saved state gives what a scan gives of the archived days the next day reads (those
    its retention keeps)."""
    since = archiving.kept_since(after + dt.timedelta(days=1), SETTINGS["archive_retention_days"])
    assert everything(saved_state(run_dir, after)) == list(scanned(run_dir / "archive", since))


@pytest.fixture(scope="module")
def month(tmp_path_factory) -> Path:
    """Thirty days of 40 customers, an appended batch on day 10 and a re-run of day 20."""
    run_dir = tmp_path_factory.mktemp("month")
    for number in range(DAYS):
        date = DAY + dt.timedelta(days=number)
        run_day(run_dir, date, allow_date=True, **SETTINGS)
        if number == 10:
            run_day(run_dir, date, allow_date=True, load_type="append", **SETTINGS)
        if number == 20:
            run_day(run_dir, date, allow_date=True, **SETTINGS)
        assert_scanned(run_dir, date)
    return run_dir


def test_the_state_equals_a_scan_of_the_archive_every_day(month):
    last = DAY + dt.timedelta(days=DAYS - 1)
    folder = month / current_state.CURRENT_DIR
    saved = sorted(path.name for path in folder.iterdir() if path.name != "rows")
    assert saved == [(last - dt.timedelta(days=1)).isoformat(), last.isoformat()]
    kept = SETTINGS["archive_retention_days"] + 2  # the days of the two saved indexes
    assert len(list((folder / "rows").iterdir())) == kept
    state = saved_state(month, last)  # the next day reads the archived days it will keep
    since = archiving.kept_since(last + dt.timedelta(days=1), SETTINGS["archive_retention_days"])
    kept_days = archiving.archived_days(month / "archive", dt.date.max, since)
    assert set(state.days) == {day.isoformat() for day in kept_days}
    assert len(state.days) == SETTINGS["archive_retention_days"]
    assert state.changeable_people().size and state.open_records().size


def test_drift_changed_people_and_closed_records_over_the_month(month):
    state = saved_state(month, DAY + dt.timedelta(days=DAYS - 1))
    rows, _, people = everything(state)
    assert "closed" in {row["account_status"] for row in rows}
    assert any(person["valid_from"] and person["valid_from"] > DAY for person in people)


@pytest.mark.parametrize("damage", ["delete", "truncate", "stale"])
def test_a_lost_damaged_or_stale_state_is_rebuilt_and_the_next_day_is_the_same(tmp_path, damage):
    first = tmp_path / "kept"
    first.mkdir()
    for number in range(3):
        run_day(first, DAY + dt.timedelta(days=number), allow_date=True, **SETTINGS)
    second = tmp_path / "damaged"
    shutil.copytree(first, second)
    folder = second / current_state.CURRENT_DIR
    if damage == "delete":
        shutil.rmtree(folder)
    elif damage == "truncate":
        for saved in (folder / "rows").iterdir():
            (saved / "records.arrow").write_bytes(b"ARROW1")
    else:  # the newest day archived again with other content: the state no longer agrees
        shutil.rmtree(folder / sorted(p.name for p in folder.iterdir() if p.name != "rows")[0])
        (second / "archive" / (DAY + dt.timedelta(days=2)).isoformat() / "archive.json").write_text(
            (second / "archive" / (DAY + dt.timedelta(days=2)).isoformat() / "archive.json")
            .read_text()
            .replace("{", "{ ", 1)
        )
    following = DAY + dt.timedelta(days=3)
    for run_dir in (first, second):
        run_day(run_dir, following, allow_date=True, **SETTINGS)
    day = Path("out") / following.isoformat()
    assert json.loads((second / day / "manifest.json").read_text())["counts"]["updates"] > 0
    files = sorted(path.relative_to(first / day) for path in (first / day).rglob("*"))
    for name in files:
        if (first / day / name).is_file():
            assert (first / day / name).read_bytes() == (second / day / name).read_bytes()
    assert_scanned(second, following)


def test_without_drift_no_state_is_kept(run_dir):
    run_day(run_dir, DAY, customers=40)
    run_day(run_dir, DAY + dt.timedelta(days=1), customers=40)
    assert not (run_dir / current_state.CURRENT_DIR).exists()
