"""Atomic writes and directory swaps: a reader sees the old version or the whole new one."""

import errno
import json
import mmap
import os
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

import pytest
from page_cache import cached_pages, writes_to_disk

from gensample.errors import BadInputError, RunError
from gensample.output import atomic
from gensample.output.atomic import (
    atomic_output,
    recover_directories,
    remove_temporaries,
    remove_tree,
    swap_directory,
    sync_tree,
    write_json,
)


def tree(directory) -> dict[str, str]:
    """Every file under ``directory`` (hidden ones included) with its text."""
    return {
        str(path.relative_to(directory)): path.read_text()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def test_atomic_output_replaces_the_file_and_leaves_nothing_else(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old")
    with atomic_output(path, "w") as handle:
        handle.write("new")
        assert path.read_text() == "old"  # not visible before the rename
    assert tree(tmp_path) == {"out.txt": "new"}


def test_atomic_output_creates_missing_directories(tmp_path):
    path = tmp_path / "a" / "b" / "out.bin"
    with atomic_output(path) as handle:
        handle.write(b"\x00\x01")
    assert path.read_bytes() == b"\x00\x01"


@pytest.mark.parametrize(
    ("error", "raised"),
    [
        (ValueError("generator failed"), ValueError),
        (KeyboardInterrupt(), KeyboardInterrupt),
        (OSError(28, "No space left on device"), RunError),
    ],
)
def test_atomic_output_keeps_the_old_file_on_an_error(tmp_path, error, raised):
    path = tmp_path / "out.txt"
    path.write_text("old")
    with pytest.raises(raised), atomic_output(path, "w") as handle:
        handle.write("half of the new")
        raise error
    assert tree(tmp_path) == {"out.txt": "old"}


def test_an_os_error_is_reported_naming_the_file(tmp_path):
    path = tmp_path / "out.txt"
    with pytest.raises(RunError) as raised, atomic_output(path, "w"):
        raise OSError(28, "No space left on device")
    assert str(path) in str(raised.value) and "No space left" in str(raised.value)
    assert list(tmp_path.iterdir()) == []


def test_write_json_is_indented_key_sorted_with_a_final_newline(tmp_path):
    path = tmp_path / "doc.json"
    write_json(path, {"b": 1, "a": [1, "x"], "c": {"z": None, "y": True}})
    assert path.read_text() == (
        '{\n  "a": [\n    1,\n    "x"\n  ],\n  "b": 1,\n  "c": {\n    "y": true,\n'
        '    "z": null\n  }\n}\n'
    )


def test_write_json_replaces_an_earlier_document(tmp_path):
    path = tmp_path / "doc.json"
    write_json(path, {"version": 1, "old": "yes"})
    write_json(path, {"version": 2})
    assert json.loads(path.read_text()) == {"version": 2}
    assert [p.name for p in tmp_path.iterdir()] == ["doc.json"]


def make(directory, files: dict[str, str]):
    directory.mkdir(parents=True)
    for name, text in files.items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(text)
    return directory


def test_swap_directory_replaces_the_directory_whole(tmp_path):
    make(tmp_path / "day", {"old.csv": "old", "truth/old.csv": "old truth"})
    staging = make(tmp_path / ".day.staging", {"new.csv": "new"})
    assert swap_directory(staging, tmp_path / "day") == tmp_path / "day"
    assert tree(tmp_path) == {"day/new.csv": "new"}


def test_swap_directory_creates_a_new_directory(tmp_path):
    staging = make(tmp_path / ".day.staging", {"new.csv": "new"})
    swap_directory(staging, tmp_path / "day")
    assert tree(tmp_path) == {"day/new.csv": "new"}


def test_a_failed_swap_keeps_the_old_directory_and_names_it(tmp_path):
    make(tmp_path / "day", {"old.csv": "old"})
    with pytest.raises(RunError) as raised:
        swap_directory(tmp_path / ".day.staging", tmp_path / "day")  # no staging to swap in
    assert str(tmp_path / "day") in str(raised.value)
    assert tree(tmp_path) == {"day/old.csv": "old"}


def test_recover_restores_a_replaced_directory_left_without_its_successor(tmp_path):
    make(tmp_path / ".2026-11-23.replaced", {"customers.csv": "old"})
    recover_directories(tmp_path)
    assert tree(tmp_path) == {"2026-11-23/customers.csv": "old"}


def as_ordinary_user(work) -> None:
    """Call ``work()`` without the powers of root (whose writes no permission stops): in a
    child process of user and group ``nobody`` when this one is root; it must not raise."""
    if os.geteuid() != 0:
        work()
        return
    child = os.fork()
    if child == 0:
        code = 1
        try:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            work()
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    assert os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]) == 0


def test_a_day_its_user_made_read_only_is_replaced_whole():
    with tempfile.TemporaryDirectory() as scratch:  # not under pytest's, closed to others
        out = Path(scratch) / "out"
        Path(scratch).chmod(0o777)

        def replace_a_read_only_day() -> None:
            make(out / "day", {"old.csv": "old", "truth/old.csv": "old truth"})
            for folder in (out / "day" / "truth", out / "day"):
                folder.chmod(0o555)
            swap_directory(make(out / ".day.staging", {"new.csv": "new"}), out / "day")
            assert tree(out) == {"day/new.csv": "new"}  # no .day.replaced left

        as_ordinary_user(replace_a_read_only_day)


def test_recover_drops_a_replaced_directory_whose_successor_is_in_place(tmp_path):
    make(tmp_path / ".2026-11-23.replaced", {"customers.csv": "old"})
    make(tmp_path / "2026-11-23", {"customers.csv": "new"})
    recover_directories(tmp_path)
    assert tree(tmp_path) == {"2026-11-23/customers.csv": "new"}


def test_recover_removes_staging_leftovers_and_nothing_else(tmp_path):
    make(tmp_path / ".2026-11-23.staging", {"customers.csv": "half"})
    make(tmp_path / ".2026-11-24.staging", {})
    make(tmp_path / "2026-11-22", {"customers.csv": "kept"})
    (tmp_path / ".keep").write_text("hidden file")
    recover_directories(tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == [".keep", "2026-11-22"]
    assert tree(tmp_path) == {"2026-11-22/customers.csv": "kept", ".keep": "hidden file"}


def test_recover_ignores_a_missing_parent(tmp_path):
    recover_directories(tmp_path / "nowhere")
    assert list(tmp_path.iterdir()) == []


def dead_pid() -> int:
    """The pid of a process that has exited."""
    process = subprocess.Popen([sys.executable, "-c", ""])
    process.wait()
    return process.pid


def test_atomic_output_never_writes_through_a_symlinked_temporary(tmp_path):
    secret = tmp_path / "elsewhere.txt"
    secret.write_text("not yours")
    path = tmp_path / "run" / "state.json"
    path.parent.mkdir()
    temporary = path.with_name(f".state.json.tmp-{os.getpid()}")
    temporary.symlink_to(secret)
    with pytest.raises(BadInputError, match="symbolic link") as raised:
        write_json(path, {"new": True})
    assert str(temporary) in str(raised.value)
    assert secret.read_text() == "not yours" and not path.exists()


def test_atomic_output_replaces_a_leftover_temporary_of_its_own_pid(tmp_path):
    path = tmp_path / "state.json"
    path.with_name(f".state.json.tmp-{os.getpid()}").write_text("left by a killed process")
    write_json(path, {"new": True})
    assert tree(tmp_path) == {"state.json": '{\n  "new": true\n}\n'}


def test_swap_directory_refuses_a_symlinked_final_and_keeps_both(tmp_path):
    outside = make(tmp_path / "outside", {"keep.csv": "kept"})
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "day").symlink_to(outside)
    staging = make(tmp_path / "out" / ".day.staging", {"new.csv": "new"})
    with pytest.raises(BadInputError, match="symbolic link") as raised:
        swap_directory(staging, tmp_path / "out" / "day")
    assert str(tmp_path / "out" / "day") in str(raised.value)
    assert tree(outside) == {"keep.csv": "kept"} and staging.is_dir()


def test_recover_removes_a_symlinked_staging_without_following_it(tmp_path, caplog):
    outside = make(tmp_path / "outside", {"keep.csv": "kept"})
    out = make(tmp_path / "out", {})
    (out / ".2026-11-23.staging").symlink_to(outside)
    recover_directories(out)
    assert list(out.iterdir()) == []
    assert tree(outside) == {"keep.csv": "kept"}
    assert "symbolic link" in caplog.text


def test_recover_removes_a_symlinked_replaced_day_beside_its_successor(tmp_path):
    outside = make(tmp_path / "outside", {"keep.csv": "kept"})
    out = make(tmp_path / "out", {"2026-11-23/new.csv": "new"})
    (out / ".2026-11-23.replaced").symlink_to(outside)
    recover_directories(out)
    assert [path.name for path in out.iterdir()] == ["2026-11-23"]
    assert tree(outside) == {"keep.csv": "kept"}


def test_remove_tree_outlasts_a_writer_that_adds_files_as_it_goes(tmp_path, monkeypatch):
    staging = tmp_path / ".2026-11-01.staging"
    (staging / ".parts-0").mkdir(parents=True)
    remove, late_writes = atomic._remove_tree, []

    def with_a_late_writer(path):  # a file appears as the folder is removed, twice
        remove(path)
        if len(late_writes) < 2:
            late = staging / ".parts-0" / "customers.csv.1.part"
            late.parent.mkdir(parents=True)
            late.touch()
            late_writes.append(late)

    monkeypatch.setattr(atomic, "_remove_tree", with_a_late_writer)
    remove_tree(staging)
    assert len(late_writes) == 2 and not staging.exists()


def test_a_tree_that_stays_is_reported_with_the_reason(tmp_path, monkeypatch):
    staging = tmp_path / ".2026-11-01.staging"
    staging.mkdir()
    monkeypatch.setattr(atomic, "_remove_tree", lambda path: None)
    monkeypatch.setattr(atomic.shutil, "rmtree", lambda path: throw(OSError(errno.EBUSY, "busy")))
    with pytest.raises(RunError) as raised:
        remove_tree(staging)
    assert str(raised.value) == f"cannot remove {staging}: busy"


def throw(error: Exception):
    raise error


def test_remove_temporaries_of_dead_writers_only(tmp_path):
    dead = dead_pid()
    outside = make(tmp_path / "outside", {"keep.csv": "kept"})
    run = make(
        tmp_path / "run",
        {
            f".state.json.tmp-{dead}": "{",
            f"archive/.archive.json.tmp-{dead}": "{",
            f"tracer/consumed/.x.csv.tmp-{dead}": "a,b",
            f"out/2026-11-23/.publish.json.tmp-{dead}": "{",
            f".state.json.tmp-{os.getppid()}": "being written by a live process",
            "out/2026-11-23/manifest.json": "{}",
            "notes.tmp-12": "not a temporary of ours",
        },
    )
    (run / f".link.tmp-{dead}").symlink_to(outside / "keep.csv")
    remove_temporaries(run)
    assert tree(run) == {
        f".state.json.tmp-{os.getppid()}": "being written by a live process",
        "out/2026-11-23/manifest.json": "{}",
        "notes.tmp-12": "not a temporary of ours",
    }
    assert not (run / f".link.tmp-{dead}").is_symlink()
    assert tree(outside) == {"keep.csv": "kept"}


def test_sync_tree_syncs_every_file_and_directory_root_last(tmp_path, monkeypatch):
    root = make(tmp_path / "day", {"data/a.csv": "a", "data/b.csv": "b", "truth/t.csv": "t"})
    synced = []
    real = os.fsync
    monkeypatch.setattr(
        os, "fsync", lambda fd: (synced.append(os.readlink(f"/proc/self/fd/{fd}")), real(fd))
    )
    sync_tree(root)
    names = [str(Path(path).relative_to(root)) for path in synced]
    assert sorted(names) == [".", "data", "data/a.csv", "data/b.csv", "truth", "truth/t.csv"]
    assert names[-1] == "."
    assert names.index("data") > max(names.index("data/a.csv"), names.index("data/b.csv"))


def clean_share(path: Path, started: bool) -> float:
    """Share of the freshly written file ``path`` whose pages are clean once the writeback
    under way ends (with the writeback ``started`` first, or not): only clean pages leave the
    page cache when advised to."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        if started:
            atomic.start_writeback(descriptor, 0, path.stat().st_size)
        wait_for_writeback_under_way = atomic.SYNC_FILE_RANGE_WAIT_BEFORE
        atomic._sync_file_range(descriptor, 0, path.stat().st_size, wait_for_writeback_under_way)
        os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)  # drops the clean pages
    finally:
        os.close(descriptor)
    return 1 - cached_pages(path).mean()


@writes_to_disk
def test_writeback_started_writes_the_bytes_to_disk_without_an_fsync(tmp_path):
    data = os.urandom(16 << 20)
    left_clean = []
    for attempt in range(3):
        # what earlier tests left dirty is written first: past the kernel's background
        # threshold its flusher writes every file, the one left alone too; another test
        # process writing at the same time can start it all the same (seen twice: half clean)
        os.sync()
        left, started = tmp_path / f"left-{attempt}.csv", tmp_path / f"started-{attempt}.csv"
        left.write_bytes(data)
        started.write_bytes(data)
        left_clean.append(clean_share(left, started=False))
        assert clean_share(started, started=True) > 0.9
        assert started.read_bytes() == data
        if left_clean[-1] < 0.5:  # still dirty: kept
            break
    assert min(left_clean) < 0.5, f"the file left alone was written out anyway: {left_clean}"


@writes_to_disk
def test_drop_written_puts_the_range_on_disk_and_out_of_the_page_cache(tmp_path):
    mib, pages_per_mib = 1 << 20, (1 << 20) // mmap.PAGESIZE
    path = tmp_path / "day.csv"
    data = os.urandom(8 * mib)
    path.write_bytes(data)  # dirty, in the page cache
    assert cached_pages(path).all()
    descriptor = os.open(path, os.O_RDONLY)
    try:  # whole MiB: the cache may hold a file in pieces (folios) of up to 2 MiB
        atomic.drop_written(descriptor, 2 * mib, 6 * mib)
    finally:
        os.close(descriptor)
    cached = cached_pages(path)
    assert not cached[2 * pages_per_mib : 6 * pages_per_mib].any()  # dirty, so once written
    assert cached[: 2 * pages_per_mib].all() and cached[6 * pages_per_mib :].all()
    assert path.read_bytes() == data


def test_drop_written_where_the_file_system_refuses_the_advice_loses_nothing(tmp_path, monkeypatch):
    def refuse(*_):
        raise OSError(errno.EINVAL, "no advice taken here")

    monkeypatch.setattr(os, "posix_fadvise", refuse)
    path = tmp_path / "day.csv"
    path.write_bytes(b"a,b\n" * 1000)
    descriptor = os.open(path, os.O_RDONLY)
    try:
        atomic.drop_written(descriptor, 0, 4000)
    finally:
        os.close(descriptor)
    assert path.read_bytes() == b"a,b\n" * 1000
