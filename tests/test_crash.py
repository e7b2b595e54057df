"""A run killed with SIGKILL at any moment leaves the day as it was, or complete; never mixed.

Real ``gensample run`` processes are killed at named crash points (``daily.faults``) and at
moments while blocks are generated; the next run must find a consistent directory, and leave
the same files and current-state table as runs that were never killed.
"""

import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import DAY, SAMPLE_TRACER, gensample_command, read_csv

from gensample import settings
from gensample.daily import current_state
from gensample.daily.faults import CRASH_AT, POINTS
from gensample.daily.rundir import RunDirectory

NEXT = DAY + dt.timedelta(days=1)
SETTINGS = (
    "customers = 300\nworkers = 1\ntracer = true\narchival = true\n"
    "drift_share = 0.1\nclosure_share = 0.05\n"
)


def gensample(
    run_dir: Path, date: dt.date, *flags: str, crash_at: str | None = None, wait: bool = True
) -> subprocess.Popen:
    """Start (and by default wait for) a real ``gensample run``."""
    environ = {**os.environ, **({CRASH_AT: crash_at} if crash_at else {})}
    command = [
        sys.executable,
        "-m",
        "gensample",
        "run",
        "--dir",
        str(run_dir),
        "--date",
        date.isoformat(),
        *flags,
    ]
    process = subprocess.Popen(
        command, env=environ, start_new_session=True, stderr=subprocess.DEVNULL
    )
    if wait:
        process.wait()
    return process


def kill(process: subprocess.Popen) -> None:
    """SIGKILL the run and its workers, and wait until every one of them is gone."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.02)
    raise AssertionError("workers of the killed run are still alive")


def day_files(run_dir: Path, date: dt.date = DAY) -> dict[str, bytes]:
    """Every file of a committed day."""
    day = run_dir / "out" / date.isoformat()
    return {str(p.relative_to(day)): p.read_bytes() for p in day.rglob("*") if p.is_file()}


def assert_complete(run_dir: Path, date: dt.date = DAY) -> dict:
    """The day's manifest lists exactly its files, with matching checksums; return it."""
    files = day_files(run_dir, date)
    manifest = json.loads(files.pop("manifest.json"))
    assert set(files) == set(manifest["files"])
    for name, entry in manifest["files"].items():
        assert hashlib.sha256(files[name]).hexdigest() == entry["sha256"]
    return manifest


def records(run_dir: Path, date: dt.date) -> list[dict]:
    """The truth records a committed day inserted (not its updates of earlier records)."""
    day = run_dir / "out" / date.isoformat()
    batches = json.loads((day / "manifest.json").read_text())["batches"]
    ranges = [{"customers": (b["record_start"], b["record_stop"]), **b["ids"]} for b in batches]
    rows = read_csv(day / "truth" / "records.csv").to_pylist()
    return [r for r in rows if any(_inside(r, ids) for ids in ranges)]


def _inside(record: dict, ranges: dict[str, list[int]]) -> bool:
    """Whether the truth row's record id is in its dataset's range of a batch."""
    start, stop = ranges.get(record["dataset"], (0, 0))
    return start <= int(record["record_id"]) < stop


def prepare(run_dir: Path) -> Path:
    """One committed day (seed 1) and a waiting tracer drop in ``run_dir``."""
    (run_dir / "gensample.toml").write_text(SETTINGS)
    assert gensample(run_dir, DAY - dt.timedelta(days=1), "--seed", "1").returncode == 0
    (run_dir / "tracer").mkdir(exist_ok=True)
    shutil.copy(SAMPLE_TRACER, run_dir / "tracer" / "tracer.csv")
    return run_dir


@pytest.fixture
def directory(run_dir):
    """A run directory with one committed day (seed 1) and a waiting tracer drop."""
    return prepare(run_dir)


def outcome(run_dir: Path) -> tuple[dict[str, bytes], list[list[dict]]]:
    """Every file of ``out/`` and ``archive/``, and the current state the day after NEXT reads
    (saved by NEXT's run)."""
    files = {
        str(path.relative_to(run_dir)): path.read_bytes()
        for folder in ("out", "archive")
        for path in sorted((run_dir / folder).rglob("*"))
        if path.is_file()
    }
    assert (run_dir / current_state.CURRENT_DIR / NEXT.isoformat()).is_dir()
    loaded = settings.load(run_dir, environ={}, flags={})
    after = NEXT + dt.timedelta(days=1)
    state = current_state.for_batch(RunDirectory(run_dir), loaded, after, True, False)
    existing = state.existing(state.records["customer_id"], state.people["entity_id"])
    return files, [existing.customers.to_pylist(), existing.people.to_pylist()]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> dict[bool, tuple]:
    """What a directory holds after NEXT when nothing was killed: with DAY run before it (a
    kill after DAY's commit) and without (a kill before it)."""
    found = {}
    for committed in (False, True):
        run_dir = prepare(tmp_path_factory.mktemp("uninterrupted"))
        for date in [DAY, NEXT] if committed else [NEXT]:
            assert gensample(run_dir, date).returncode == 0
        found[committed] = outcome(run_dir)
    return found


@pytest.mark.parametrize("point", POINTS)
def test_a_run_killed_at_any_point_leaves_a_consistent_directory(directory, point, uninterrupted):
    killed = gensample(directory, DAY, crash_at=point)
    assert killed.returncode == -signal.SIGKILL
    RunDirectory(directory).recover()  # what the next run does first
    committed = (directory / "out" / DAY.isoformat()).exists()
    assert committed == (POINTS.index(point) >= POINTS.index("committed"))
    if committed:
        assert_complete(directory)
    assert not [p for p in (directory / "out").iterdir() if p.name.startswith(".")]

    assert gensample(directory, NEXT).returncode == 0  # the next day, after the crash
    days = [DAY - dt.timedelta(days=1), *([DAY] if committed else []), NEXT]
    ids = [(r["dataset"], r["record_id"]) for day in days for r in records(directory, day)]
    assert len(ids) == len(set(ids))  # no record id handed out twice
    tracer_days = {day for day in days for r in records(directory, day) if r["kind"] == "tracer"}
    assert len(tracer_days) == 1  # the drop went into exactly one day
    assert not (directory / "tracer" / "tracer.csv").exists()
    assert len(list((directory / "tracer" / "consumed").iterdir())) == 1
    state = json.loads((directory / "state.json").read_text())
    assert {day.isoformat() for day in days} <= set(state["days"])
    files, tables = outcome(directory)
    expected_files, expected_tables = uninterrupted[committed]
    assert sorted(files) == sorted(expected_files)
    assert [name for name in files if files[name] != expected_files[name]] == []
    assert tables == expected_tables


@pytest.mark.parametrize("delay", (0.4, 0.8, 1.2))
def test_a_run_killed_while_generating_leaves_the_old_day_or_a_complete_new_one(run_dir, delay):
    (run_dir / "gensample.toml").write_text("customers = 300\n")
    assert gensample(run_dir, DAY, "--seed", "1").returncode == 0
    before = day_files(run_dir)
    process = gensample(
        run_dir, DAY, "--seed", "2", "--customers", "120000", "--workers", "2", wait=False
    )
    time.sleep(delay)
    kill(process)
    RunDirectory(run_dir).recover()
    if day_files(run_dir) != before:
        assert assert_complete(run_dir)["seed"] == 2
    assert gensample(run_dir, DAY, "--seed", "1").returncode == 0
    assert day_files(run_dir)["data/customers.csv"] == before["data/customers.csv"]


def test_a_second_run_in_the_same_directory_is_refused_while_one_runs(run_dir):
    (run_dir / "gensample.toml").write_text("customers = 2000000\n")
    process = gensample(run_dir, DAY, wait=False)
    try:
        staging = run_dir / "out" / f".{DAY.isoformat()}.staging"
        deadline = time.monotonic() + 30
        while not staging.exists() and time.monotonic() < deadline:  # it is writing now
            time.sleep(0.02)
        second = gensample_command("run", "--dir", str(run_dir), "--customers", "10")
        assert second.returncode == 1 and "another gensample run holds" in second.stderr
    finally:
        kill(process)
    assert gensample(run_dir, DAY, "--customers", "10").returncode == 0  # lock taken over
