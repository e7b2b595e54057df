"""A run killed with SIGKILL at any moment leaves the day as it was, or complete; never mixed."""

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import DAY, run_day

from gensample.rundir import RunDirectory

KILL_AFTER = (0.3, 0.7, 1.1, 1.5, 1.9, 2.4)


def snapshot(run_dir: Path) -> dict[str, bytes]:
    """Every file of the day directory and the state."""
    day = run_dir / "out" / DAY.isoformat()
    files = {str(p.relative_to(run_dir)): p.read_bytes() for p in day.rglob("*") if p.is_file()}
    files["state.json"] = (run_dir / "state.json").read_bytes()
    return files


def assert_complete(run_dir: Path) -> None:
    """The day's manifest lists exactly its files, with matching checksums."""
    day = run_dir / "out" / DAY.isoformat()
    manifest = json.loads((day / "manifest.json").read_text())
    on_disk = {str(p.relative_to(day)) for p in day.rglob("*") if p.is_file()}
    assert on_disk == {*manifest["files"], "manifest.json"}
    for name, entry in manifest["files"].items():
        assert hashlib.sha256((day / name).read_bytes()).hexdigest() == entry["sha256"]


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


def start_run(run_dir: Path) -> subprocess.Popen:
    """A real ``gensample run`` big enough to be killed in every stage."""
    if not (run_dir / "gensample.toml").exists():
        (run_dir / "gensample.toml").write_text("# defaults\n")
    command = [
        sys.executable,
        "-m",
        "gensample",
        "run",
        "--dir",
        str(run_dir),
        "--date",
        DAY.isoformat(),
        "--customers",
        "120000",
        "--seed",
        "2",
        "--workers",
        "2",
    ]
    return subprocess.Popen(command, start_new_session=True, stderr=subprocess.DEVNULL)


@pytest.mark.parametrize("delay", KILL_AFTER)
def test_a_killed_run_leaves_the_old_day_or_a_complete_new_one(run_dir, delay):
    run_day(run_dir, customers=300, seed=1)
    before = snapshot(run_dir)
    process = start_run(run_dir)
    time.sleep(delay)
    kill(process)
    RunDirectory(run_dir).recover()  # what the next run does first
    after = snapshot(run_dir)
    if after != before:
        assert_complete(run_dir)
        assert (
            json.loads((run_dir / "out" / DAY.isoformat() / "manifest.json").read_text())["seed"]
            == 2
        )
    leftovers = [p.name for p in (run_dir / "out").iterdir() if p.name.startswith(".")]
    assert leftovers == []
    run_day(run_dir, customers=300, seed=1)  # and the directory is usable again
    assert (
        snapshot(run_dir)["out/2026-11-23/data/customers.csv"]
        == before["out/2026-11-23/data/customers.csv"]
    )


def test_a_second_run_in_the_same_directory_is_refused_while_one_runs(run_dir):
    process = start_run(run_dir)
    try:
        time.sleep(0.5)
        second = subprocess.run(
            [sys.executable, "-m", "gensample", "run", "--dir", str(run_dir), "--customers", "10"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert second.returncode == 1 and "another gensample run holds" in second.stderr
    finally:
        kill(process)
    run_day(run_dir, customers=10)  # the lock of a killed run is taken over
