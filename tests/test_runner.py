"""End to end through the orchestrator: layout, manifest, determinism, atomicity, lock, state."""

import datetime as dt
import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import DAY, lock_held_elsewhere, run_day

from gensample.daily import runner, state
from gensample.daily.rundir import RunDirectory
from gensample.errors import BadInputError, RunError
from gensample.generate.seeding import BLOCK_SIZE
from gensample.native.sha256 import SharedSha256
from gensample.output import batch, workers
from gensample.output.digests import GrowingFiles
from gensample.settings import DATASETS


def day_bytes(run_dir: Path, date: dt.date = DAY) -> dict[str, bytes]:
    """Every file of a committed day, by path relative to the day directory."""
    day = run_dir / "out" / date.isoformat()
    return {str(p.relative_to(day)): p.read_bytes() for p in sorted(day.rglob("*")) if p.is_file()}


def start_state_at(run_dir: Path, entity_id: int) -> None:
    """Pretend earlier days took ids up to ``entity_id`` (so a small run spans a block edge)."""
    state.save(run_dir / "state.json", state.State(entity_id, entity_id))


@pytest.mark.parametrize("in_turns", [True, False], ids=["hashed-in-turns", "hashed-after"])
def test_a_day_has_the_documented_layout_and_a_manifest_that_checks_it(
    run_dir, monkeypatch, in_turns
):
    hashing = []  # whether the threads that see the files grow hash them

    def growing_files(*arguments, **options):
        hashing.append(options.get("hashing", True))
        return GrowingFiles(*arguments, **options)

    monkeypatch.setattr(batch, "GrowingFiles", growing_files)
    if not in_turns:  # no libcrypto to hash the blocks' rows as they are written
        monkeypatch.setattr(SharedSha256, "available", staticmethod(lambda: False))
    summary = run_day(run_dir, customers=500)
    assert hashing == [not in_turns]
    files = day_bytes(run_dir)
    assert set(files) == {
        *(f"data/{name}.csv" for name in DATASETS),
        "truth/records.csv",
        "truth/entities.csv",
        "truth/entities_history.csv",
        "manifest.json",
    }
    manifest = json.loads(files["manifest.json"])
    for name, entry in manifest["files"].items():
        assert hashlib.sha256(files[name]).hexdigest() == entry["sha256"]
        assert entry["bytes"] == len(files[name])
        assert entry["rows"] == files[name].count(b"\n") - 1
    assert manifest["counts"]["originals"] == 500
    assert manifest["files"]["data/customers.csv"]["rows"] == 500 + summary.plan.duplicates
    assert manifest["seed"] == 42 and manifest["settings"]["customers"] == 500
    assert "workers" not in manifest["settings"]


def test_same_settings_seed_date_and_state_give_identical_bytes(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    for directory in (first, second):
        directory.mkdir()
        run_day(directory, customers=800)
    assert day_bytes(first) == day_bytes(second)


def test_worker_count_does_not_change_a_byte(tmp_path):
    edge = BLOCK_SIZE - 700
    outputs = []
    for count in (1, 2):
        directory = tmp_path / f"w{count}"
        directory.mkdir()
        start_state_at(directory, edge)
        summary = run_day(directory, customers=1500, workers=count)
        assert len(summary.plan.blocks) == 2
        outputs.append(day_bytes(directory))
    assert outputs[0] == outputs[1]


def test_another_seed_gives_other_people(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    for directory, seed in ((first, 1), (second, 2)):
        directory.mkdir()
        run_day(directory, customers=200, seed=seed)
    assert day_bytes(first)["truth/entities.csv"] != day_bytes(second)["truth/entities.csv"]


def test_rerunning_a_day_replaces_it_with_the_same_bytes_and_keeps_ids(run_dir):
    run_day(run_dir, customers=300)
    before = day_bytes(run_dir)
    first_state = json.loads((run_dir / "state.json").read_text())
    run_day(run_dir, customers=300)
    assert day_bytes(run_dir) == before
    again = json.loads((run_dir / "state.json").read_text())
    assert again["next_entity_id"] == first_state["next_entity_id"] == 300
    assert len(again["runs"]) == 2


def test_a_day_folder_no_run_committed_is_left_alone(run_dir):
    (run_dir / "out" / DAY.isoformat()).mkdir(parents=True)
    (run_dir / "out" / DAY.isoformat() / "mine.csv").write_text("keep")
    with pytest.raises(BadInputError, match=r"holds no manifest\.json, so no run committed it"):
        run_day(run_dir, customers=300)
    assert (run_dir / "out" / DAY.isoformat() / "mine.csv").read_text() == "keep"


def test_the_next_day_continues_the_ids(run_dir):
    first = run_day(run_dir, customers=300)
    second = run_day(run_dir, DAY + dt.timedelta(days=1), customers=200)
    assert second.plan.entity_start == first.plan.entity_stop
    assert second.plan.record_start == first.plan.record_stop


def test_a_rerun_that_needs_ids_a_later_day_took_is_refused(run_dir):
    run_day(run_dir, customers=300)
    run_day(run_dir, DAY + dt.timedelta(days=1), customers=200)
    with pytest.raises(BadInputError, match="overlap ids of 2026-11-24"):
        run_day(run_dir, customers=400)


def test_a_failed_run_leaves_the_previous_day_state_and_no_staging(run_dir, monkeypatch):
    run_day(run_dir, customers=300)
    before, state_before = day_bytes(run_dir), (run_dir / "state.json").read_bytes()

    def fail(*args, **kwargs):
        raise RunError("disk full (simulated)")

    monkeypatch.setattr(runner.manifest, "build", fail)
    with pytest.raises(RunError, match="simulated"):
        run_day(run_dir, customers=300, seed=7)
    assert day_bytes(run_dir) == before
    assert (run_dir / "state.json").read_bytes() == state_before
    assert [p.name for p in (run_dir / "out").iterdir()] == [DAY.isoformat()]


def test_an_unwritable_directory_fails_with_a_clear_message(run_dir):
    (run_dir / "out").write_text("not a directory")
    with pytest.raises(RunError, match="out"):
        run_day(run_dir, customers=50)
    assert not (run_dir / "state.json").exists()


def test_a_second_concurrent_run_is_stopped(run_dir):
    with lock_held_elsewhere(run_dir), pytest.raises(RunError, match="another gensample run"):
        run_day(run_dir, customers=50)


TAKES_THE_LOCK_SLOWLY = """
import fcntl, os, sys, time
with open(sys.argv[1], "a+") as handle:
    handle.write("pid 999999999 since 2026-01-01T00:00:00")  # an earlier run's, long gone
    handle.flush()
    fcntl.lockf(handle, fcntl.LOCK_EX)
    print("locked", flush=True)  # its own pid not written yet, as a run an instant in
    time.sleep(0.3)
    handle.truncate(0)
    handle.write(f"pid {os.getpid()} since 2026-12-07T10:00:00")
    handle.flush()
    time.sleep(60)
"""


def test_two_runs_starting_at_once_name_the_live_holder(run_dir):
    holder = subprocess.Popen(
        [sys.executable, "-c", TAKES_THE_LOCK_SLOWLY, str(run_dir / ".gensample.lock")],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "locked\n"
        with pytest.raises(RunError) as refused, RunDirectory(run_dir).lock():
            pass
    finally:
        holder.kill()
        holder.wait()
    assert f"(pid {holder.pid} since 2026-12-07T10:00:00, still running)" in str(refused.value)


def test_a_lock_is_not_taken_twice_by_one_process(run_dir):
    with RunDirectory(run_dir).lock(), pytest.raises(RunError, match="already held by this"):
        run_day(run_dir, customers=50)
    run_day(run_dir, customers=50)  # released: the first lock was not lost with the second


def test_a_symlinked_lock_file_is_refused_and_its_target_kept(run_dir, tmp_path):
    target = tmp_path / "precious"
    target.write_text("keep me")
    (run_dir / ".gensample.lock").symlink_to(target)
    with pytest.raises(RunError, match="symbolic link"):
        run_day(run_dir, customers=50)
    assert target.read_text() == "keep me"


def test_a_half_done_swap_is_repaired_before_the_next_run(run_dir):
    run_day(run_dir, customers=100)
    before = day_bytes(run_dir)
    out = run_dir / "out"
    (out / DAY.isoformat()).rename(out / f".{DAY.isoformat()}.replaced")  # killed mid-swap
    (out / ".2026-11-24.staging").mkdir()
    RunDirectory(run_dir).recover()
    assert day_bytes(run_dir) == before
    assert sorted(p.name for p in out.iterdir()) == [DAY.isoformat()]


def test_parquet_output_holds_the_same_rows_as_csv(tmp_path):
    import pyarrow.parquet as pq
    from conftest import read_csv

    as_csv, as_parquet = tmp_path / "csv", tmp_path / "parquet"
    for directory, file_format in ((as_csv, "csv"), (as_parquet, "parquet")):
        directory.mkdir()
        run_day(directory, customers=200, format=file_format)
    csv_ids = read_csv(as_csv / "out" / DAY.isoformat() / "data" / "customers.csv")["customer_id"]
    table = pq.read_table(as_parquet / "out" / DAY.isoformat() / "data" / "customers.parquet")
    assert [str(i) for i in table["customer_id"].to_pylist()] == csv_ids.to_pylist()


def test_a_failed_run_with_workers_leaves_no_worker_writing(run_dir, monkeypatch):
    start_state_at(run_dir, BLOCK_SIZE - 700)
    calls = []

    def fail_once_joined(self, part):
        calls.append(part)
        raise RunError("disk full (simulated)")

    monkeypatch.setattr(batch.ParquetDayFile, "append", fail_once_joined)
    with pytest.raises(RunError, match="simulated"):
        run_day(run_dir, customers=60_000, workers=2, format="parquet")
    time.sleep(1.0)  # a worker still running would write by now
    assert calls
    out = run_dir / "out"
    assert not out.exists() or list(out.iterdir()) == []


def test_a_block_failing_in_a_worker_fails_the_run_and_stops_the_others(run_dir, monkeypatch):
    start_state_at(run_dir, BLOCK_SIZE - 700)
    generate = workers.generate_block

    def first_block_fails(settings, date, block, **options):  # the workers inherit it (forked)
        if block.entity_start == BLOCK_SIZE - 700:
            raise RunError("generation failed (simulated)")
        return generate(settings, date, block, **options)

    monkeypatch.setattr(workers, "generate_block", first_block_fails)
    with pytest.raises(RunError, match="simulated"):
        run_day(run_dir, customers=60_000, workers=2)
    out = run_dir / "out"
    assert not out.exists() or list(out.iterdir()) == []


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB file system (a tmpfs), to fill up for real; skipped where mounting is not allowed."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode:
        pytest.skip("mounting a tmpfs needs root")
    yield mount_point
    subprocess.run(["umount", str(mount_point)], check=False)


def test_a_full_disk_fails_clearly_and_keeps_the_committed_day(small_disk):
    run_day(small_disk, customers=300, stores=5)  # few stores: a small inventory file
    before = day_bytes(small_disk)
    with pytest.raises(RunError, match=r"No space left on device"):
        run_day(small_disk, customers=20_000, stores=5)
    assert day_bytes(small_disk) == before
    assert [p.name for p in (small_disk / "out").iterdir()] == [DAY.isoformat()]
