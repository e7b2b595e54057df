"""SHA-256 of day files: whole, or hashed while they grow at their end."""

import hashlib
import itertools
import mmap
import threading

import numpy as np
import pytest
from conftest import blocks_stop_signals
from page_cache import cached_pages, writes_to_disk

from gensample.errors import RunError
from gensample.output import digests
from gensample.output.digests import GrowingFiles, sha256

PAGE = mmap.ALLOCATIONGRANULARITY
MIB = 1 << 20


@pytest.fixture(params=[digests.HASH_WINDOW, PAGE])  # the second: one page per window
def window(request, monkeypatch):
    monkeypatch.setattr(digests, "HASH_WINDOW", request.param)
    return request.param


def random_bytes(size: int) -> bytes:
    return np.random.default_rng(size).bytes(size)


@pytest.mark.parametrize("size", [0, 1, 1000, 5 * 2**20 + 7])  # 0: a file mmap refuses
def test_sha256_is_hashlibs(tmp_path, window, size):
    data = random_bytes(size)
    path = tmp_path / "file.bin"
    path.write_bytes(data)
    assert sha256(path) == hashlib.sha256(data).hexdigest()


# pieces appended one after the other: empty ones, ones ending inside a page, across pages
PIECES = [[0], [5], [3, 0, 7], [PAGE - 1, 2, PAGE + 3, 0, 1], [1, 3 * PAGE, 5 * PAGE + 11]]


@pytest.mark.parametrize("sizes", PIECES)
def test_a_file_hashed_as_it_grows_has_the_sha256_of_its_whole(tmp_path, window, sizes):
    data = random_bytes(sum(sizes) + 1)[: sum(sizes)]
    path = tmp_path / "file.csv"
    path.write_bytes(b"")
    with GrowingFiles({"file.csv": path}) as growing:
        end = 0
        for size in sizes:
            with path.open("r+b") as file:  # written where the last piece ended, as in turns
                file.seek(end)
                file.write(data[end : end + size])
            end += size
            growing.advance({"file.csv": end})
        assert growing.hexdigests() == {"file.csv": hashlib.sha256(data).hexdigest()}


def test_bytes_before_the_first_advance_are_hashed_too(tmp_path):
    # a CSV file continued after an earlier batch: its header and earlier rows come first
    path = tmp_path / "file.csv"
    path.write_bytes(b"id\n1\n")
    with GrowingFiles({"file.csv": path}) as growing:
        path.write_bytes(b"id\n1\n2\n")
        growing.advance({"file.csv": 7})
        assert growing.hexdigests()["file.csv"] == hashlib.sha256(b"id\n1\n2\n").hexdigest()


def test_a_file_that_grew_after_its_last_advance_is_left_to_its_reader(tmp_path):
    paths = {name: tmp_path / name for name in ("done.csv", "grown.csv")}
    for path in paths.values():
        path.write_bytes(b"a,b\n")
    with GrowingFiles(paths) as growing:
        growing.advance({"done.csv": 4, "grown.csv": 4})
        with paths["grown.csv"].open("ab") as file:  # grows on (never shrinks) meanwhile
            file.write(b"1,2\n")
        assert growing.hexdigests() == {"done.csv": hashlib.sha256(b"a,b\n").hexdigest()}


def test_a_file_it_cannot_read_is_named(tmp_path):
    path = tmp_path / "gone.csv"
    with GrowingFiles({"gone.csv": path}) as growing:
        growing.advance({"gone.csv": 10})
        with pytest.raises(RunError, match=r"gone\.csv"):
            growing.hexdigests()


def test_files_growing_together_each_get_their_own_sha256(tmp_path, window):
    rng = np.random.default_rng(3)
    paths = {f"{index}.csv": tmp_path / f"{index}.csv" for index in range(5)}
    for path in paths.values():
        path.write_bytes(b"")
    with GrowingFiles(paths) as growing:
        for _ in range(30):  # each block appends to every file, some nothing
            for path in paths.values():
                with path.open("ab") as file:
                    file.write(rng.bytes(int(rng.integers(0, 3 * PAGE))))
            growing.advance({name: path.stat().st_size for name, path in paths.items()})
        expected = {
            name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in paths.items()
        }
        assert growing.hexdigests() == expected


def test_every_byte_hashed_is_handed_to_the_disk(tmp_path, monkeypatch):
    handed = []
    monkeypatch.setattr(digests, "start_writeback", lambda _, *bytes_: handed.append(bytes_))
    data, path = random_bytes(14), tmp_path / "file.csv"
    path.write_bytes(data[:3])
    with GrowingFiles({"file.csv": path}) as growing:
        for start, end in itertools.pairwise((3, 5, 9, 9, 14)):
            with path.open("ab") as file:  # it grows at its end only, as day files do
                file.write(data[start:end])
            growing.advance({"file.csv": end})
        assert growing.hexdigests() == {"file.csv": hashlib.sha256(data).hexdigest()}
    assert sorted(handed)[0][0] == 0
    assert sorted(handed)[-1][1] == 14
    assert all(a[1] == b[0] for a, b in itertools.pairwise(sorted(handed)))  # no gap


def grow_together(paths: dict, growing: GrowingFiles, pieces: int, size: int) -> None:
    """Append ``pieces`` pieces of ``size`` random bytes to every file, advancing after each
    and waiting for the hashing (as when blocks land slower than they are hashed)."""
    for piece in range(pieces):
        for path in paths.values():
            with path.open("ab") as file:
                file.write(random_bytes(size + piece)[:size])
        growing.advance({name: path.stat().st_size for name, path in paths.items()})
        growing.hexdigests()


@writes_to_disk
def test_what_is_hashed_leaves_the_page_cache_but_in_files_read_again(tmp_path):
    paths = {name: tmp_path / name for name in ("data.csv", "truth.csv")}
    for path in paths.values():
        path.write_bytes(b"")
    with GrowingFiles(paths, read_again={"truth.csv"}) as growing:
        # pieces of 2 MiB: the cache may hold a file in pieces (folios) of up to 2 MiB
        grow_together(paths, growing, pieces=4, size=2 * MIB)
        digests_of = growing.hexdigests()
    data_cached = cached_pages(paths["data.csv"])  # before reading the files back below
    assert not data_cached[: 6 * MIB // mmap.PAGESIZE].any()  # all but the last piece
    assert cached_pages(paths["truth.csv"]).all()
    assert digests_of == {n: hashlib.sha256(p.read_bytes()).hexdigest() for n, p in paths.items()}


def test_the_hashing_threads_leave_stop_signals_to_the_main_thread(tmp_path):
    """A stop signal the kernel handed to a hashing thread could wait there unseen: they
    block the stop signals, so only the main thread, which stops the run, takes them."""
    path = tmp_path / "file.csv"
    path.write_bytes(b"id\n1\n")
    with GrowingFiles({"file.csv": path}) as growing:
        growing.advance({"file.csv": 5})
        growing.hexdigests()
        hashing = [thread for thread in threading.enumerate() if thread.name.startswith("sha256")]
        assert hashing and all(blocks_stop_signals(thread) for thread in hashing)
    assert not blocks_stop_signals(threading.main_thread())
