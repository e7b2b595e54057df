"""A run's files are durable before the manifest commits the day, the run never follows a
symbolic link where it writes its own files, and leftovers of killed writes are cleaned up."""

import json
import os
from pathlib import Path

import pytest
from conftest import DAY, run_day
from test_atomic import dead_pid

from gensample.cli import main
from gensample.daily import archiving
from gensample.daily.rundir import RunDirectory
from gensample.errors import BadInputError


def run(run_dir: Path, *flags: str) -> int:
    """``gensample run`` of DAY in ``run_dir``, small and in one process."""
    settings = run_dir / "gensample.toml"
    if not settings.exists():
        settings.write_text("")
    arguments = ["run", "--dir", str(run_dir), "--date", DAY.isoformat()]
    return main([*arguments, "--customers", "300", "--workers", "1", *flags])


@pytest.fixture
def events(monkeypatch) -> list[tuple[str, str]]:
    """What the run syncs (``fsync``, the path of the descriptor) and renames (``replace``,
    the target), in order."""
    seen = []
    fsync, replace = os.fsync, os.replace

    def recorded_fsync(fd: int) -> None:
        seen.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        fsync(fd)

    def recorded_replace(source, target) -> None:
        replace(source, target)
        seen.append(("replace", str(target)))

    monkeypatch.setattr(os, "fsync", recorded_fsync)
    monkeypatch.setattr(os, "replace", recorded_replace)
    return seen


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_every_file_and_folder_of_the_day_is_synced_before_the_manifest(
    run_dir, events, file_format
):
    assert run(run_dir, "--format", file_format) == 0
    day = run_dir / "out" / DAY.isoformat()
    staging = day.with_name(f".{DAY.isoformat()}.staging")
    synced = [path for kind, path in events if kind == "fsync"]
    manifest = synced.index(str(staging / f".manifest.json.tmp-{os.getpid()}"))
    before = set(synced[:manifest])
    files = [path for path in day.rglob("*") if path.name != "manifest.json"]
    assert len(files) > 10
    assert {str(staging / path.relative_to(day)) for path in files} <= before
    assert str(staging) in before
    commit = events.index(("replace", str(day)))
    assert ("fsync", str(run_dir / "out")) in events[commit:]


def test_archive_writes_sync_the_archive_folders(run_dir, events):
    (run_dir / "gensample.toml").write_text("archival = true\n")
    assert run(run_dir) == 0
    archived = run_dir / "archive" / DAY.isoformat()
    commit = events.index(("replace", str(archived)))
    assert ("fsync", str(run_dir / "archive")) in events[commit:]
    staging = archived.with_name(f".{DAY.isoformat()}.staging")
    assert ("fsync", str(staging)) in events[:commit]


def test_a_stale_symlinked_staging_is_removed_not_written_through(run_dir, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (run_dir / "out").mkdir()
    (run_dir / "out" / f".{DAY.isoformat()}.staging").symlink_to(outside)
    assert run(run_dir) == 0
    assert list(outside.iterdir()) == []
    day = run_dir / "out" / DAY.isoformat()
    assert day.is_dir() and not day.is_symlink() and (day / "manifest.json").is_file()


def test_a_staging_link_made_during_the_run_is_refused(run_dir, tmp_path, monkeypatch):
    outside = tmp_path / "outside"
    outside.mkdir()
    recover = RunDirectory.recover

    def recover_then_plant(directory: RunDirectory) -> None:
        recover(directory)
        directory.out.mkdir(exist_ok=True)
        (directory.out / f".{DAY.isoformat()}.staging").symlink_to(outside)

    monkeypatch.setattr(RunDirectory, "recover", recover_then_plant)
    with pytest.raises(BadInputError, match="symbolic link"):
        run_day(run_dir, customers=300)
    assert list(outside.iterdir()) == []
    assert not (run_dir / "out" / DAY.isoformat()).exists()


def test_a_symlinked_day_is_refused_naming_it(run_dir, tmp_path, caplog):
    outside = tmp_path / "outside"
    outside.mkdir()
    (run_dir / "out").mkdir()
    day = run_dir / "out" / DAY.isoformat()
    day.symlink_to(outside)
    assert run(run_dir) == 2
    assert f"{day}: is a symbolic link" in caplog.text
    assert list(outside.iterdir()) == [] and day.is_symlink()
    assert [path.name for path in (run_dir / "out").iterdir()] == [DAY.isoformat()]


def test_leftover_temporaries_of_killed_writes_are_removed_by_the_next_run(run_dir):
    assert run(run_dir) == 0
    dead = dead_pid()
    day = run_dir / "out" / DAY.isoformat()
    leftovers = [
        run_dir / f".state.json.tmp-{dead}",
        run_dir / f".state.json.tmp-{os.getpid()}",  # a killed process that had our pid
        run_dir / "archive" / f".archive.json.tmp-{dead}",
        day / f".publish.json.tmp-{dead}",
    ]
    for path in leftovers:
        path.parent.mkdir(exist_ok=True)
        path.write_text('{"half": ')
    assert run(run_dir) == 0
    assert not [path for path in leftovers if path.exists()]
    assert not list(run_dir.rglob("*.tmp-*"))


def test_a_symlinked_archive_day_is_never_read_or_pruned(tmp_path, caplog):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "customers.csv").write_text("secret\n")
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "2026-01-01").symlink_to(outside)
    assert archiving.archived_days(folder, DAY) == []
    assert archiving.prune(folder, DAY, 1) == []
    assert "not a link" in caplog.text
    assert (outside / "customers.csv").read_text() == "secret\n"


def test_a_damaged_archive_index_is_quoted_briefly(run_dir):
    (run_dir / "gensample.toml").write_text("archival = true\n")
    assert run(run_dir) == 0
    index = run_dir / "archive" / DAY.isoformat() / archiving.INDEX_FILE
    document = json.loads(index.read_text())
    document["files"]["customers.csv"]["rows"] = "x" * 500
    index.write_text(json.dumps(document))
    with pytest.raises(archiving.ArchiveError) as raised:
        archiving.load_day(run_dir / "archive", DAY)
    assert str(index) in str(raised.value) and "x" * 100 not in str(raised.value)
