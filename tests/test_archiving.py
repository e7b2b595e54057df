"""The archive: store and load, replacement, atomicity, pruning, and picking for re-injection."""

import datetime as dt
import hashlib
import json
import logging
import os
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from gensample.daily import archiving, reinjection
from gensample.daily.archiving import ArchiveError
from gensample.errors import RunError
from gensample.generate.datasets.customers import SCHEMA
from gensample.generate.truth import ENTITIES_SCHEMA, RECORDS_SCHEMA, history_rows, record_rows
from gensample.output import atomic

DAY = dt.date(2026, 11, 23)
CREATED = dt.datetime(2026, 11, 1, 8, 30)


def customers(ids: np.ndarray) -> pa.Table:
    """Customer rows in SCHEMA: text needing quotes, blanks and missing birth dates included."""
    ids = np.asarray(ids, dtype=np.int64)
    born = [None if i % 7 == 0 else dt.date(1950, 1, 1) + dt.timedelta(days=int(i)) for i in ids]
    columns = {
        name: pa.array([f'{name} "{i}", x' if i % 3 else "" for i in ids])
        for name in SCHEMA.names
        if SCHEMA.field(name).type == pa.string()
    }
    columns |= {
        "customer_id": pa.array(ids),
        "birth_date": pa.array(born, pa.date32()),
        "created_at": pa.array([CREATED] * len(ids), pa.timestamp("s")),
        "updated_at": pa.array([CREATED + dt.timedelta(hours=int(i)) for i in ids]),
    }
    return pa.table(columns).select(SCHEMA.names).cast(SCHEMA)


def entity_of(ids: np.ndarray) -> np.ndarray:
    """The person behind each record id in these tests: two records per person."""
    return 1000 + np.asarray(ids) // 2


def truth(ids: np.ndarray, dataset: str = "customers") -> pa.Table:
    """Truth rows for record ids: odd ids are duplicates of the even id before them."""
    ids = np.asarray(ids, dtype=np.int64)
    duplicate = ids % 2 == 1
    return record_rows(
        dataset,
        ids,
        entity_of(ids),
        pa.array(np.where(duplicate, "duplicate", "original")),
        pa.array(ids - 1, mask=~duplicate),
        pa.array(np.where(duplicate, "first_name:make_typo", "")),
    )


def people(entity_ids: np.ndarray) -> pa.Table:
    """Truth entities for entity ids (plus, in a day, people of other datasets)."""
    ids = np.asarray(entity_ids, dtype=np.int64)
    columns = {
        name: pa.nulls(len(ids), field.type)
        for name, field in zip(ENTITIES_SCHEMA.names, ENTITIES_SCHEMA, strict=True)
    }
    columns.update(entity_id=ids, household_id=ids, first_name=[f"P{i}" for i in ids])
    return pa.table(columns, schema=ENTITIES_SCHEMA)


def write_day(root: Path, parts: list[np.ndarray], file_format: str = "csv") -> Path:
    """A day directory: customer data in ``parts`` (batch files) and truth of two datasets."""
    day_dir = root / "out" / DAY.isoformat()
    (day_dir / "data").mkdir(parents=True)
    (day_dir / "truth").mkdir()
    for number, ids in enumerate(parts, start=1):
        batch = "" if number == 1 else f".{number}"
        path = day_dir / "data" / f"customers{batch}.{file_format}"
        if file_format == "parquet":
            pq.write_table(customers(ids), path)
        else:
            pacsv.write_csv(customers(ids), path)
    ids = np.concatenate(parts)
    rows = pa.concat_tables([truth(ids), truth(ids, "orders")])
    shuffled = np.random.default_rng(5).permutation(rows.num_rows)
    pacsv.write_csv(rows.take(shuffled), day_dir / "truth" / "records.csv")
    everyone = np.concatenate([np.unique(entity_of(ids)), [1, 2, 3]])
    pacsv.write_csv(people(everyone), day_dir / "truth" / "entities.csv")
    history = history_rows(people(everyone), DAY, None)
    pacsv.write_csv(history, day_dir / "truth" / "entities_history.csv")
    return day_dir


def build_archive(root: Path, days: dict[dt.date, int]) -> Path:
    """An archive holding ``days`` (date -> customer rows), stored through ``archiving.store``."""
    archive_dir = root / "archive"
    for number, (date, rows) in enumerate(days.items()):
        ids = np.arange(rows) + 10_000 * (number + 1)
        archiving.store(archive_dir, date, write_day(root / date.isoformat(), [ids]))
    return archive_dir


def entries(folder: Path) -> list[str]:
    """Every name in a folder, hidden ones included."""
    return sorted(path.name for path in folder.iterdir())


@pytest.mark.parametrize(("file_format", "parts"), [("csv", 1), ("parquet", 1), ("parquet", 11)])
def test_store_then_load_round_trips_customers_and_their_truth(tmp_path, file_format, parts):
    ids = np.array_split(np.arange(100, 166), parts)
    day_dir = write_day(tmp_path, ids, file_format)

    folder = archiving.store(tmp_path / "archive", DAY, day_dir)
    loaded = archiving.load_day(tmp_path / "archive", DAY)

    assert folder == tmp_path / "archive" / "2026-11-23"
    assert entries(folder) == [
        "archive.json",
        "customers.csv",
        "entities.csv",
        "history.csv",
        "records.csv",
    ]
    assert loaded.date == DAY
    assert loaded.customers.equals(customers(np.arange(100, 166)))
    assert loaded.records.equals(truth(np.arange(100, 166)))
    expected = people(np.unique(entity_of(np.arange(100, 166))))
    assert loaded.entities.select(["entity_id", "first_name"]).equals(
        expected.select(["entity_id", "first_name"])
    )
    assert loaded.history.select(["entity_id", "valid_from", "valid_to"]).to_pylist() == [
        {"entity_id": int(i), "valid_from": DAY, "valid_to": None}
        for i in [*np.unique(entity_of(np.arange(100, 166))), 1, 2, 3]
    ]
    index = json.loads((folder / "archive.json").read_text())
    assert index["date"] == "2026-11-23"
    for name in ("customers.csv", "records.csv"):
        assert index["files"][name]["rows"] == 66
        assert (
            index["files"][name]["sha256"]
            == hashlib.sha256((folder / name).read_bytes()).hexdigest()
        )


def test_a_day_archived_before_drift_reads_as_inserts_without_history(tmp_path):
    archive_dir = build_archive(tmp_path, {DAY: 12})
    folder = archive_dir / DAY.isoformat()
    old = pacsv.read_csv(folder / "customers.csv").drop_columns(["operation"])
    pacsv.write_csv(old, folder / "customers.csv")
    (folder / "history.csv").unlink()
    index = json.loads((folder / "archive.json").read_text())
    del index["files"]["history.csv"]
    digest = hashlib.sha256((folder / "customers.csv").read_bytes()).hexdigest()
    index["files"]["customers.csv"]["sha256"] = digest
    (folder / "archive.json").write_text(json.dumps(index))

    loaded = archiving.load_day(archive_dir, DAY)

    assert loaded.customers["operation"].to_pylist() == ["I"] * 12
    assert loaded.customers.drop_columns(["operation"]).equals(
        customers(np.arange(10_000, 10_012)).drop_columns(["operation"])
    )
    assert loaded.history.num_rows == 0


def test_store_replaces_an_earlier_archive_of_the_day(tmp_path):
    archive_dir = tmp_path / "archive"
    archiving.store(archive_dir, DAY, write_day(tmp_path / "first", [np.arange(1, 50)]))

    archiving.store(archive_dir, DAY, write_day(tmp_path / "rerun", [np.arange(500, 510)]))

    assert archiving.load_day(archive_dir, DAY).customers.equals(customers(np.arange(500, 510)))
    assert entries(archive_dir) == ["2026-11-23"]


def fail_writing_the_index(monkeypatch, day_dir: Path) -> None:
    """The disk fills up while the index is written."""

    def write_json(path, document):
        raise RunError(f"cannot write {path}: No space left on device")

    monkeypatch.setattr(archiving, "write_json", write_json)


def fail_renaming_into_place(monkeypatch, day_dir: Path) -> None:
    """The rename of the staged day fails after the earlier day was moved aside."""
    real_replace = os.replace

    def replace(source, target):
        if Path(source).name.endswith(".staging"):
            raise OSError(5, "Input/output error")
        real_replace(source, target)

    monkeypatch.setattr(atomic.os, "replace", replace)


def break_the_day_file(monkeypatch, day_dir: Path) -> None:
    """The day's customer file is cut short in the middle of a row."""
    cut_short(day_dir / "data" / "customers.csv")


def cut_short(path: Path) -> None:
    """Keep the first two thirds of a file's bytes (which ends in the middle of a row here)."""
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])


def archived_bytes(archive_dir: Path) -> dict[str, bytes]:
    """The bytes of every file of the archived DAY."""
    folder = archive_dir / DAY.isoformat()
    return {name: (folder / name).read_bytes() for name in entries(folder)}


@pytest.mark.parametrize(
    "failure", [fail_writing_the_index, fail_renaming_into_place, break_the_day_file]
)
def test_a_failed_store_leaves_the_earlier_archive_intact(tmp_path, monkeypatch, failure):
    archive_dir = tmp_path / "archive"
    archiving.store(archive_dir, DAY, write_day(tmp_path / "first", [np.arange(1, 50)]))
    before = archived_bytes(archive_dir)
    day_dir = write_day(tmp_path / "rerun", [np.arange(500, 510)])
    failure(monkeypatch, day_dir)

    with pytest.raises(RunError, match=r"cannot|unreadable"):
        archiving.store(archive_dir, DAY, day_dir)

    monkeypatch.undo()
    assert entries(archive_dir) == ["2026-11-23"]
    assert archived_bytes(archive_dir) == before
    assert archiving.load_day(archive_dir, DAY).customers.equals(customers(np.arange(1, 50)))


def test_store_restores_a_day_left_moved_aside_by_a_killed_run(tmp_path, caplog):
    archive_dir = build_archive(tmp_path, {DAY - dt.timedelta(days=1): 10})
    earlier = archive_dir / "2026-11-22"
    earlier.rename(archive_dir / ".2026-11-22.replaced")
    (archive_dir / ".2026-11-20.staging").mkdir()

    archiving.store(archive_dir, DAY, write_day(tmp_path / "today", [np.arange(5)]))

    assert entries(archive_dir) == ["2026-11-22", "2026-11-23"]
    assert archiving.load_day(archive_dir, DAY - dt.timedelta(days=1)).customers.num_rows == 10
    assert "restoring" in caplog.text and "2026-11-22" in caplog.text


def test_store_needs_a_customers_data_file(tmp_path):
    day_dir = write_day(tmp_path, [np.arange(5)])
    (day_dir / "data" / "customers.csv").rename(day_dir / "data" / "orders.csv")

    with pytest.raises(RunError, match=r"no customers data file in .*data"):
        archiving.store(tmp_path / "archive", DAY, day_dir)
    assert not (tmp_path / "archive" / "2026-11-23").exists()


def make_folders(archive_dir: Path, names: list[str]) -> None:
    """Empty folders (enough for listing and pruning), a README and a stray hidden folder."""
    for name in names:
        (archive_dir / name).mkdir(parents=True)
    (archive_dir / "README.md").write_text("about the archive")
    (archive_dir / ".2026-11-01.staging").mkdir()


DAYS = ["2026-11-13", "2026-11-19", "2026-11-20", "2026-11-22", "2026-11-23"]


def test_prune_deletes_days_older_than_the_retention(tmp_path, caplog):
    archive_dir = tmp_path / "archive"
    make_folders(archive_dir, [*DAYS, "notes"])

    removed = archiving.prune(archive_dir, DAY, retention_days=3)

    assert removed == [dt.date(2026, 11, 13), dt.date(2026, 11, 19)]
    assert entries(archive_dir) == [
        ".2026-11-01.staging",
        "2026-11-20",
        "2026-11-22",
        "2026-11-23",
        "README.md",
        "notes",
    ]
    assert "notes" in caplog.text and "not an archived day" in caplog.text


def test_prune_with_retention_zero_keeps_every_day(tmp_path):
    archive_dir = tmp_path / "archive"
    make_folders(archive_dir, DAYS)

    assert archiving.prune(archive_dir, DAY + dt.timedelta(days=400), retention_days=0) == []
    assert [name for name in DAYS if (archive_dir / name).is_dir()] == DAYS


def test_archived_days_are_the_dated_folders_strictly_before_a_day(tmp_path):
    archive_dir = tmp_path / "archive"
    make_folders(archive_dir, [*DAYS, "notes", "2026-02-30", "20261121", "2026-11-21.bak"])

    days = archiving.archived_days(archive_dir, DAY)

    assert days == [dt.date.fromisoformat(name) for name in DAYS[:-1]]
    assert archiving.archived_days(tmp_path / "nowhere", DAY) == []


def test_pick_is_deterministic_for_a_seed(tmp_path):
    archive_dir = build_archive(tmp_path, {DAY - dt.timedelta(days=k): 50 for k in (1, 2, 3)})

    def picks(seed: int) -> list[tuple]:
        rng = np.random.default_rng(seed)
        picked = reinjection.pick(rng, archive_dir, DAY, count=4, share=0.1)
        return [(p.date, p.customers.to_pylist(), p.records.to_pylist()) for p in picked]

    assert picks(7) == picks(7)
    assert picks(7) != picks(8)


def test_pick_only_takes_days_before_the_given_day(tmp_path):
    days = {DAY + dt.timedelta(days=k): 20 for k in (-2, -1, 0, 1)}
    archive_dir = build_archive(tmp_path, days)

    picked = reinjection.pick(np.random.default_rng(1), archive_dir, DAY, count=60, share=0.1)

    assert len(picked) == 60
    assert {p.date for p in picked} == {DAY - dt.timedelta(days=2), DAY - dt.timedelta(days=1)}


@pytest.mark.parametrize(
    ("share", "rows", "sampled"),
    [(0.05, 200, 10), (0.01, 200, 2), (0.001, 200, 1), (0.0, 200, 1), (1.0, 200, 200), (0.5, 3, 2)],
)
def test_pick_takes_share_of_a_day_count_times(tmp_path, share, rows, sampled):
    archive_dir = build_archive(tmp_path, {DAY - dt.timedelta(days=1): rows})

    picked = reinjection.pick(np.random.default_rng(3), archive_dir, DAY, count=3, share=share)

    assert len(picked) == 3
    for p in picked:
        ids = p.customers["customer_id"].to_pylist()
        assert len(ids) == len(set(ids)) == sampled
        assert set(ids) <= set(range(10_000, 10_000 + rows))


def test_picked_records_are_the_truth_of_the_picked_customers_row_by_row(tmp_path):
    archive_dir = build_archive(tmp_path, {DAY - dt.timedelta(days=k): 80 for k in (1, 2)})

    picked = reinjection.pick(np.random.default_rng(11), archive_dir, DAY, count=5, share=0.2)

    for p in picked:
        ids = p.customers["customer_id"].to_numpy()
        assert p.customers.schema == SCHEMA and p.records.schema == RECORDS_SCHEMA
        assert p.customers.equals(customers(ids))
        assert p.records.equals(truth(ids))  # customers' rows only, though orders share the ids
        assert p.entities["entity_id"].to_pylist() == sorted(set(entity_of(ids).tolist()))


def drop_the_truth(folder: Path) -> None:
    (folder / "records.csv").unlink()


def drop_the_customers(folder: Path) -> None:
    (folder / "customers.csv").unlink()


def drop_a_column(folder: Path) -> None:
    table = pacsv.read_csv(folder / "customers.csv")
    pacsv.write_csv(table.drop_columns(["email"]), folder / "customers.csv")


def truncate_the_customers(folder: Path) -> None:
    cut_short(folder / "customers.csv")


def drop_the_last_row(folder: Path) -> None:
    lines = (folder / "customers.csv").read_bytes().splitlines(keepends=True)
    (folder / "customers.csv").write_bytes(b"".join(lines[:-1]))


def lose_a_truth_row(folder: Path) -> None:
    """As if the day was archived with a gap in its truth (the index agrees with the files)."""
    table = pacsv.read_csv(folder / "records.csv")
    ids = pc.if_else(pc.equal(table["record_id"], 20_005), 999_999, table["record_id"])
    pacsv.write_csv(table.set_column(1, "record_id", ids), folder / "records.csv")
    index = json.loads((folder / "archive.json").read_text())
    digest = hashlib.sha256((folder / "records.csv").read_bytes()).hexdigest()
    index["files"]["records.csv"]["sha256"] = digest
    (folder / "archive.json").write_text(json.dumps(index))


def edit_a_name(folder: Path) -> None:
    path = folder / "customers.csv"
    path.write_bytes(path.read_bytes().replace(b"first_name ", b"first_nane ", 1))


def drop_the_index(folder: Path) -> None:
    (folder / "archive.json").unlink()


@pytest.mark.parametrize(
    ("damage", "named", "problem"),
    [
        (drop_the_truth, "records.csv", "without their truth"),
        (drop_the_customers, "customers.csv", "missing"),
        (drop_a_column, "customers.csv", "wrong columns .*email"),
        (truncate_the_customers, "customers.csv", "unreadable"),
        (drop_the_last_row, "customers.csv", "29 rows, archive.json says 30"),
        (lose_a_truth_row, "records.csv", r"no truth row for 1 customers, e.g. \[20005\]"),
        (edit_a_name, "customers.csv", "changed since archived"),
        (drop_the_index, "archive.json", "missing or unreadable"),
    ],
)
def test_a_malformed_day_is_named_and_skipped(tmp_path, caplog, damage, named, problem):
    bad, good = DAY - dt.timedelta(days=1), DAY - dt.timedelta(days=2)
    archive_dir = build_archive(tmp_path, {good: 30, bad: 30})
    damage(archive_dir / bad.isoformat())
    message = re.escape(f"{archive_dir / bad.isoformat() / named}: ") + f".*{problem}"

    with pytest.raises(ArchiveError, match=message):
        archiving.load_day(archive_dir, bad)
    with caplog.at_level(logging.WARNING, logger="gensample.daily.archiving"):
        picked = reinjection.pick(np.random.default_rng(2), archive_dir, DAY, count=6, share=0.1)

    assert [p.date for p in picked] == [good] * 6
    assert str(archive_dir / bad.isoformat() / named) in caplog.text


def test_pick_without_a_good_day_picks_nothing(tmp_path, caplog):
    archive_dir = build_archive(tmp_path, {DAY - dt.timedelta(days=k): 10 for k in (1, 2)})
    for folder in archive_dir.iterdir():
        drop_the_truth(folder)

    assert reinjection.pick(np.random.default_rng(4), archive_dir, DAY, count=3, share=0.5) == []
    assert caplog.text.count("without their truth") == 2
    assert reinjection.pick(np.random.default_rng(4), tmp_path / "empty", DAY, 3, 0.5) == []
