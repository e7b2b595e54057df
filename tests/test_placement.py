"""Slots writing CSV rows in place, in turns: the same bytes as writing the whole table at once,
whatever order the slots run in and whichever process runs them."""

import hashlib
import multiprocessing
import os
import threading

import pytest
from sample_tables import SCHEMA, expected_csv, split

from gensample.errors import RunError
from gensample.native.sha256 import SharedSha256
from gensample.output.encoding import start_csv, write_csv_rows
from gensample.output.placement import PartFiles, Placement, copy_range, part_path

NAME = "data/customers.csv"


def placement_of(tmp_path, *names: str) -> Placement:
    """A placement over new CSV day files ``names`` in ``tmp_path``."""
    paths = {name: tmp_path / name for name in names}
    return Placement(paths, {name: start_csv(path, SCHEMA) for name, path in paths.items()})


def sha256_of(path) -> str:
    """The hex SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_slot(placement: Placement, slot: int, name: str, table) -> None:
    with placement.turn(slot, name) as file:
        write_csv_rows(table, file)


@pytest.mark.parametrize("sizes", [[7], [3, 5, 8], [4, 0, 9], [1, 1, 1, 1, 1, 1]])
def test_slots_started_last_first_in_processes_write_in_slot_order(tmp_path, sizes):
    tables, placement = split(sizes), placement_of(tmp_path, NAME)
    processes = [
        multiprocessing.get_context("fork").Process(
            target=write_slot, args=(placement, slot, NAME, tables[slot])
        )
        for slot in reversed(range(len(tables)))
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    path = tmp_path / NAME
    assert path.read_bytes() == expected_csv(tables)
    assert placement.ends() == {NAME: path.stat().st_size}
    assert placement.hexdigests() == {NAME: sha256_of(path)}  # hashed in turns


def test_a_slot_that_writes_nothing_passes_the_turn_on(tmp_path):
    tables, placement = split([3, 4]), placement_of(tmp_path, NAME)
    write_slot(placement, 0, NAME, tables[0])
    with placement.turn(1, NAME):
        pass
    write_slot(placement, 2, NAME, tables[1])
    assert (tmp_path / NAME).read_bytes() == expected_csv(tables)


def test_a_file_already_holding_rows_is_continued_after_them(tmp_path):
    tables = split([2, 3, 4])
    write_slot(placement_of(tmp_path, NAME), 0, NAME, tables[0])  # an earlier batch of the day
    later = placement_of(tmp_path, NAME)
    write_slot(later, 0, NAME, tables[1])
    write_slot(later, 1, NAME, tables[2])
    assert (tmp_path / NAME).read_bytes() == expected_csv(tables)
    assert later.hexdigests() == {NAME: sha256_of(tmp_path / NAME)}


def test_a_file_grown_outside_the_turns_is_left_to_its_reader_to_hash(tmp_path):
    placement = placement_of(tmp_path, "a.csv", "b.csv")
    write_slot(placement, 0, "a.csv", split([3])[0])
    with open(tmp_path / "b.csv", "ab") as file:
        file.write(b"a row no turn wrote\n")
    assert placement.hexdigests() == {"a.csv": sha256_of(tmp_path / "a.csv")}


def test_without_libcrypto_nothing_is_hashed_in_the_turns(tmp_path, monkeypatch):
    monkeypatch.setattr(SharedSha256, "available", staticmethod(lambda: False))
    placement = placement_of(tmp_path, NAME)
    write_slot(placement, 0, NAME, split([3])[0])
    assert placement.digests is None and placement.hexdigests() == {}


def test_each_file_has_turns_of_its_own(tmp_path):
    placement, tables = placement_of(tmp_path, "a.csv", "b.csv"), split([2, 3])
    released, later_slot_done = threading.Event(), threading.Event()

    def first_slot():
        write_slot(placement, 0, "a.csv", tables[0])
        with placement.turn(0, "b.csv") as file:
            released.wait(timeout=60)
            write_csv_rows(tables[0], file)

    def second_slot():
        write_slot(placement, 1, "a.csv", tables[1])
        later_slot_done.set()
        write_slot(placement, 1, "b.csv", tables[1])

    threads = [threading.Thread(target=first_slot), threading.Thread(target=second_slot)]
    for thread in threads:
        thread.start()
    assert later_slot_done.wait(timeout=60)  # while slot 0 still holds its turn at b.csv
    released.set()
    for thread in threads:
        thread.join(timeout=60)
    for name in ("a.csv", "b.csv"):
        assert (tmp_path / name).read_bytes() == expected_csv(tables)


def test_abandoning_the_run_fails_a_slot_waiting_for_its_turn(tmp_path):
    placement, errors = placement_of(tmp_path, NAME), []

    def waiting_slot():
        try:
            write_slot(placement, 1, NAME, split([3])[0])
        except RunError as error:
            errors.append(error)

    thread = threading.Thread(target=waiting_slot)
    thread.start()
    placement.abandon()
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert len(errors) == 1 and "stopped" in str(errors[0])
    assert (tmp_path / NAME).read_bytes() == expected_csv([])


def test_a_turn_at_a_file_that_is_gone_names_it(tmp_path):
    placement = placement_of(tmp_path, NAME)
    (tmp_path / NAME).unlink()
    with pytest.raises(RunError) as raised, placement.turn(0, NAME):
        pass
    assert str(tmp_path / NAME) in str(raised.value)


@pytest.mark.parametrize("sizes", [[3, 5, 8], [4, 0, 9]])
def test_parts_written_in_any_order_are_appended_in_slot_order(tmp_path, sizes):
    tables, placement = split(sizes), placement_of(tmp_path, NAME)
    parts_dir = tmp_path / "parts"
    parts_dir.mkdir()
    parts = PartFiles(placement.paths, parts_dir)
    for slot in reversed(range(len(tables))):  # as workers elsewhere finish
        write_slot(parts, slot, NAME, tables[slot])
    for slot in range(len(tables)):
        placement.append(slot, NAME, part_path(parts_dir, NAME, slot))
    assert (tmp_path / NAME).read_bytes() == expected_csv(tables)
    assert placement.hexdigests() == {NAME: sha256_of(tmp_path / NAME)}
    assert not list(parts_dir.iterdir())  # each part deleted once appended


def test_a_part_appears_whole_or_not_at_all(tmp_path):
    parts = PartFiles({NAME: tmp_path / NAME}, tmp_path)
    with pytest.raises(RuntimeError), parts.turn(0, NAME) as file:
        file.write(b"half a row")
        raise RuntimeError("the worker fails")
    assert not list(tmp_path.iterdir())  # neither the part nor its temporary
    write_slot(parts, 0, NAME, split([2])[0])
    write_slot(parts, 0, NAME, split([2])[0])  # the block again, its first worker lost
    assert [path.name for path in tmp_path.iterdir()] == [part_path(tmp_path, NAME, 0).name]


def test_a_missing_part_is_named(tmp_path):
    placement = placement_of(tmp_path, NAME)
    with pytest.raises(RunError, match=r"cannot read .*data--customers\.csv\.0\.part"):
        placement.append(0, NAME, part_path(tmp_path, NAME, 0))


@pytest.mark.parametrize("in_kernel", [True, False])
def test_a_range_of_bytes_is_copied_where_the_target_stands(tmp_path, monkeypatch, in_kernel):
    if not in_kernel:  # as on a system without copy_file_range
        monkeypatch.delattr(os, "copy_file_range")
    source, target = tmp_path / "source", tmp_path / "target"
    source.write_bytes(bytes(range(256)) * 40_000)  # beyond one chunk of the fallback
    with open(source, "rb") as reading, open(target, "wb") as writing:
        writing.write(b"head")
        copy_range(reading, writing, 1_000, 9_001_000)
        writing.write(b"tail")
    assert target.read_bytes() == b"head" + source.read_bytes()[1_000:9_001_000] + b"tail"


def test_a_range_beyond_the_end_of_its_file_is_an_error(tmp_path):
    source = tmp_path / "source"
    source.write_bytes(b"0123456789")
    with (
        open(source, "rb") as reading,
        open(tmp_path / "target", "wb") as writing,
        pytest.raises(OSError, match="ended after 10 of the 20 bytes"),
    ):
        copy_range(reading, writing, 5, 20)
