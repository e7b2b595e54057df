"""Daily operation over several days in one run directory: ids, load types, tracer, archive."""

import datetime as dt
import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import DAY, SAMPLE_TRACER, off_manifest, read_csv, run_day

from gensample.daily import archiving
from gensample.errors import BadInputError
from gensample.generate.datasets import REGISTRY

NEXT = DAY + dt.timedelta(days=1)


def day_dir(run_dir: Path, date: dt.date = DAY) -> Path:
    """The committed directory of ``date``."""
    return run_dir / "out" / date.isoformat()


def records(run_dir: Path, date: dt.date = DAY) -> list[dict]:
    """The truth records of a day's customers."""
    rows = read_csv(day_dir(run_dir, date) / "truth" / "records.csv").to_pylist()
    return [row for row in rows if row["dataset"] == "customers"]


def inserted(run_dir: Path, date: dt.date = DAY) -> set[str]:
    """Record ids a day inserts (its other rows update earlier days' records)."""
    rows = read_csv(day_dir(run_dir, date) / "data" / "customers.csv").to_pylist()
    return {row["customer_id"] for row in rows if row["operation"] == "I"}


def test_ids_never_repeat_across_days(run_dir):
    seen_records, seen_entities = set(), set()
    for offset in range(3):
        date = DAY + dt.timedelta(days=offset)
        run_day(run_dir, date, customers=200, drift_share=0.1)  # updates keep their ids
        new = inserted(run_dir, date)
        day = [r for r in records(run_dir, date) if r["record_id"] in new]
        ids = {r["record_id"] for r in day}
        entities = {r["entity_id"] for r in day}
        assert not ids & seen_records and not entities & seen_entities
        seen_records |= ids
        seen_entities |= entities


def test_append_adds_a_batch_with_fresh_ids_and_no_second_header(run_dir):
    first = run_day(run_dir, customers=200)
    second = run_day(run_dir, customers=100, load_type="append")
    assert second.batch.entity_start == first.batch.entity_stop
    lines = (day_dir(run_dir) / "data" / "customers.csv").read_text().splitlines()
    assert sum(1 for line in lines if line.startswith('"customer_id"')) == 1
    manifest = json.loads((day_dir(run_dir) / "manifest.json").read_text())
    assert [b["originals"] for b in manifest["batches"]] == [200, 100]
    assert manifest["files"]["data/customers.csv"]["rows"] == len(lines) - 1
    assert manifest["counts"]["originals"] == 300
    assert len(records(run_dir)) == len(lines) - 1
    assert off_manifest(day_dir(run_dir)) == []  # the first batch's bytes hashed as well


def test_append_in_parquet_adds_a_part_file(run_dir):
    run_day(run_dir, customers=200, format="parquet")
    run_day(run_dir, customers=100, format="parquet", load_type="append")
    data = day_dir(run_dir) / "data"
    names = {p.name for p in data.iterdir()}
    for name, module in REGISTRY.items():  # reference data is the same in every batch
        assert (f"{name}.2.parquet" in names) is not module.REFERENCE
        assert f"{name}.parquet" in names
    assert len(names) == 2 * len(REGISTRY) - sum(m.REFERENCE for m in REGISTRY.values())
    rows = pq.read_table(data / "customers.parquet").num_rows
    rows += pq.read_table(data / "customers.2.parquet").num_rows
    assert rows == len(records(run_dir))


def test_truncate_after_appends_replaces_the_day_with_its_first_batch(run_dir):
    run_day(run_dir, customers=200)
    first = (day_dir(run_dir) / "data" / "customers.csv").read_bytes()
    run_day(run_dir, customers=100, load_type="append")
    run_day(run_dir, customers=200)
    assert (day_dir(run_dir) / "data" / "customers.csv").read_bytes() == first


def test_backfilling_an_earlier_day_takes_fresh_ids(run_dir):
    run_day(run_dir, customers=200)
    earlier = run_day(run_dir, DAY - dt.timedelta(days=7), customers=100, allow_date=True)
    assert earlier.batch.entity_start == 200


def test_a_state_that_missed_a_committed_day_is_repaired_from_manifests(run_dir):
    run_day(run_dir, customers=200)
    (run_dir / "state.json").unlink()  # as if killed after the swap, before saving the state
    later = run_day(run_dir, NEXT, customers=100)
    assert later.batch.entity_start == 200
    saved = json.loads((run_dir / "state.json").read_text())
    assert set(saved["days"]) == {DAY.isoformat(), NEXT.isoformat()}


def test_a_tracer_drop_is_consumed_once_and_kept(run_dir):
    (run_dir / "tracer").mkdir()
    shutil.copy(SAMPLE_TRACER, run_dir / "tracer" / "tracer.csv")
    summary = run_day(run_dir, customers=100, tracer=True)
    tracers = [r for r in records(run_dir) if r["kind"] == "tracer"]
    sample_rows = len(SAMPLE_TRACER.read_text().strip().splitlines()) - 1
    assert len(tracers) == sample_rows
    assert not (run_dir / "tracer" / "tracer.csv").exists()
    kept = list((run_dir / "tracer" / "consumed").iterdir())
    assert len(kept) == 1 and kept[0].read_bytes() == SAMPLE_TRACER.read_bytes()
    entities = {
        e["entity_id"] for e in read_csv(day_dir(run_dir) / "truth" / "entities.csv").to_pylist()
    }
    assert {r["entity_id"] for r in tracers} <= entities
    assert all(int(r["entity_id"]) >= summary.plan.entity_stop for r in tracers)
    run_day(run_dir, NEXT, customers=100, tracer=True)
    assert not any(r["kind"] == "tracer" for r in records(run_dir, NEXT))


def test_a_truncate_rerun_reuses_the_tracer_the_day_consumed(run_dir):
    (run_dir / "tracer").mkdir()
    shutil.copy(SAMPLE_TRACER, run_dir / "tracer" / "tracer.csv")
    run_day(run_dir, customers=100, tracer=True)
    before = (day_dir(run_dir) / "data" / "customers.csv").read_bytes()
    run_day(run_dir, customers=100, tracer=True)
    assert (day_dir(run_dir) / "data" / "customers.csv").read_bytes() == before


def test_a_bad_tracer_stops_the_run_before_anything_is_written(run_dir):
    (run_dir / "tracer").mkdir()
    bad = SAMPLE_TRACER.read_text().replace("19", "1x", 1)
    (run_dir / "tracer" / "tracer.csv").write_text(bad)
    with pytest.raises(BadInputError, match=r"tracer\.csv"):
        run_day(run_dir, customers=100, tracer=True)
    assert not (run_dir / "out").exists() and not (run_dir / "state.json").exists()
    assert (run_dir / "tracer" / "tracer.csv").read_text() == bad


def test_archival_records_come_from_earlier_days(run_dir):
    first = run_day(run_dir, customers=400)
    second = run_day(run_dir, NEXT, customers=300, archival=True, archival_share=0.05)
    archival = [r for r in records(run_dir, NEXT) if r["kind"] == "archival"]
    assert len(archival) == round(0.05 * len(records(run_dir)))
    earlier = {r["record_id"]: r for r in records(run_dir)}
    for record in archival:
        assert earlier[record["duplicate_of"]]["entity_id"] == record["entity_id"]
        assert int(record["entity_id"]) < first.batch.entity_stop <= second.batch.entity_start
    entities = {
        e["entity_id"]
        for e in read_csv(day_dir(run_dir, NEXT) / "truth" / "entities.csv").to_pylist()
    }
    assert {r["entity_id"] for r in archival} <= entities
    assert_similar_to_the_archived_record(run_dir, archival)


def assert_similar_to_the_archived_record(run_dir: Path, archival: list[dict]) -> None:
    """Each archival record's similarity columns compare it with the archived record."""
    rows = {
        r["customer_id"]: r
        for r in read_csv(day_dir(run_dir, NEXT) / "data" / "customers.csv").to_pylist()
    }
    before = {
        r["customer_id"]: r
        for r in read_csv(day_dir(run_dir) / "data" / "customers.csv").to_pylist()
    }
    for record in archival:
        row, was = rows[record["record_id"]], before[record["duplicate_of"]]
        assert record["difficulty"] in ("easy", "medium", "hard"), record
        same = row["birth_date"] == was["birth_date"]
        known = row["birth_date"] != "" and was["birth_date"] != ""
        assert record["birth_date_match"] == (str(same).lower() if known else ""), record
        names = [
            " ".join(filter(None, (r["first_name"], r["last_name"]))).lower() for r in (row, was)
        ]
        assert (float(record["name_similarity"]) == 1.0) == (names[0] == names[1]), record


def test_each_successful_run_archives_its_customers(run_dir):
    run_day(run_dir, customers=100)
    archived = archiving.load_day(run_dir / "archive", DAY)
    assert [str(i) for i in archived.customers["customer_id"].to_pylist()] == [
        r["customer_id"] for r in read_csv(day_dir(run_dir) / "data" / "customers.csv").to_pylist()
    ]
    # the committed CSV is archived as a hard link: no copy, whatever the day's size
    linked = run_dir / "archive" / DAY.isoformat() / "customers.csv"
    assert linked.stat().st_ino == (day_dir(run_dir) / "data" / "customers.csv").stat().st_ino


def test_a_parquet_day_is_archived_as_csv(run_dir):
    run_day(run_dir, customers=100, format="parquet")
    run_day(run_dir, customers=50, format="parquet", load_type="append")
    archived = archiving.load_day(run_dir / "archive", DAY)
    assert archived.customers.num_rows == len(records(run_dir))


def test_appending_with_archival_lists_each_person_once(run_dir):
    run_day(run_dir, DAY - dt.timedelta(days=1), customers=200)
    for _ in range(3):
        run_day(run_dir, customers=50, load_type="append", archival=True, archival_share=0.5)
    entities = read_csv(day_dir(run_dir) / "truth" / "entities.csv")["entity_id"].to_pylist()
    assert len(entities) == len(set(entities))
    assert {r["entity_id"] for r in records(run_dir)} <= set(entities)


def test_the_archive_copies_the_truth_of_customers_from_where_the_run_wrote_it(
    run_dir, monkeypatch
):
    """Two blocks in two workers, and an extra block of re-injected records: the archived truth
    is exactly the day's truth lines of customers, copied, never searched for."""
    run_day(run_dir, DAY - dt.timedelta(days=1), customers=300)
    monkeypatch.setattr(archiving, "copy_rows", None)  # searching the truth file would fail
    datasets = ["stores", "customers", "pos_customers"]
    run_day(run_dir, customers=60_000, workers=2, datasets=datasets, archival=True)
    lines = (day_dir(run_dir) / "truth" / "records.csv").read_bytes().splitlines(keepends=True)
    of_customers = [line for line in lines[1:] if line.startswith(b'"customers",')]
    assert {line.split(b",")[0] for line in lines[1:]} == {b'"customers"', b'"pos_customers"'}
    archived = run_dir / "archive" / DAY.isoformat()
    assert (archived / "records.csv").read_bytes() == b"".join([lines[0], *of_customers])
    index = json.loads((archived / "archive.json").read_text())
    assert index["files"]["records.csv"]["rows"] == len(of_customers) > 60_000
