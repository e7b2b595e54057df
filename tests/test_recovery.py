"""Repairing the state after a run killed between its commit and its bookkeeping."""

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from conftest import DAY, SAMPLE_TRACER, read_csv, run_day

from gensample.cli import main
from gensample.errors import BadInputError

NEXT = DAY + dt.timedelta(days=1)


def test_a_tracer_whose_move_was_interrupted_is_not_consumed_twice(run_dir):
    tracer_dir = run_dir / "tracer"
    tracer_dir.mkdir()
    shutil.copy(SAMPLE_TRACER, tracer_dir / "tracer.csv")
    run_day(run_dir, customers=50, tracer=True)
    # as if killed after the day's swap but before the tracer move and the state save
    shutil.rmtree(tracer_dir / "consumed")
    shutil.copy(SAMPLE_TRACER, tracer_dir / "tracer.csv")
    (run_dir / "state.json").unlink()

    run_day(run_dir, NEXT, customers=50, tracer=True)

    kinds = {
        r["kind"]
        for r in read_csv(run_dir / "out" / NEXT.isoformat() / "truth" / "records.csv").to_pylist()
    }
    assert "tracer" not in kinds
    assert not (tracer_dir / "tracer.csv").exists()
    assert len(list((tracer_dir / "consumed").iterdir())) == 1
    state = json.loads((run_dir / "state.json").read_text())
    assert state["days"][DAY.isoformat()][0]["tracer"].startswith("tracer/consumed/")


def test_a_lost_state_is_rebuilt_from_the_manifests(run_dir):
    first = run_day(run_dir, customers=120)
    run_day(run_dir, customers=80, load_type="append")
    (run_dir / "state.json").unlink()
    later = run_day(run_dir, NEXT, customers=10)
    assert later.batch.entity_start == first.batch.entity_stop + 80
    days = json.loads((run_dir / "state.json").read_text())["days"]
    assert len(days[DAY.isoformat()]) == 2


def forget_archiving(run_dir: Path) -> None:
    """Make the state look as a run killed after its commit, before its archiving, leaves it."""
    state = json.loads((run_dir / "state.json").read_text())
    state["archived"].pop(DAY.isoformat())
    (run_dir / "state.json").write_text(json.dumps(state))


def test_a_day_left_unarchived_by_a_killed_run_is_archived_by_the_next(run_dir):
    run_day(run_dir, customers=60)
    shutil.rmtree(run_dir / "archive" / DAY.isoformat())
    forget_archiving(run_dir)
    run_day(run_dir, NEXT, customers=60)
    assert (run_dir / "archive" / DAY.isoformat() / "customers.csv").exists()


def test_an_archive_older_than_its_day_is_replaced(run_dir):
    run_day(run_dir, customers=60)
    old = (run_dir / "archive" / DAY.isoformat() / "customers.csv").read_bytes()
    run_day(run_dir, customers=60, load_type="append")  # as if killed before archiving this
    archive_dir = run_dir / "archive" / DAY.isoformat()
    shutil.rmtree(archive_dir)
    archive_dir.mkdir()
    (archive_dir / "customers.csv").write_bytes(old)
    forget_archiving(run_dir)
    run_day(run_dir, NEXT, customers=60)
    day_customers = run_dir / "out" / DAY.isoformat() / "data" / "customers.csv"
    assert (archive_dir / "customers.csv").read_bytes() == day_customers.read_bytes()


def test_an_archived_day_the_user_deleted_stays_deleted(run_dir):
    run_day(run_dir, customers=60)
    shutil.rmtree(run_dir / "archive" / DAY.isoformat())
    run_day(run_dir, NEXT, customers=60)
    assert not (run_dir / "archive" / DAY.isoformat()).exists()


def truth_ids(day_dir: Path) -> set[tuple[str, str]]:
    """Every (dataset, record id) of a day's truth, and every entity id as ("entity", id)."""
    records = read_csv(day_dir / "truth" / "records.csv").to_pylist()
    people = read_csv(day_dir / "truth" / "entities.csv")["entity_id"].to_pylist()
    return {(r["dataset"], r["record_id"]) for r in records} | {("entity", p) for p in people}


def wipe_out_and_lose_state(run_dir: Path, tmp_path: Path) -> None:
    """What the operator did: ``rm -rf out/*`` and ``mv state.json`` away."""
    for day_dir in (run_dir / "out").iterdir():
        shutil.rmtree(day_dir)
    (run_dir / "state.json").rename(tmp_path / "state.json.moved")


def test_ids_continue_after_out_is_wiped_and_the_state_moved_away(run_dir, tmp_path):
    run_day(run_dir, customers=120, load_type="append")
    run_day(run_dir, customers=30, load_type="append")  # two batches: both must be known
    first = truth_ids(run_dir / "out" / DAY.isoformat())
    wipe_out_and_lose_state(run_dir, tmp_path)

    later = run_day(run_dir, NEXT, customers=80)

    assert not first & truth_ids(later.day_dir)
    moved = json.loads((tmp_path / "state.json.moved").read_text())
    rebuilt = json.loads((run_dir / "state.json").read_text())
    assert later.batch.entity_start == moved["next_entity_id"]
    assert later.batch.record_start == moved["next_record_id"]
    assert all(later.plan.id_starts[name] == moved["next_ids"][name] for name in moved["next_ids"])
    assert rebuilt["days"][DAY.isoformat()] == moved["days"][DAY.isoformat()]


def test_the_archive_keeps_the_id_ranges_of_its_days(run_dir):
    run_day(run_dir, customers=50)
    index = json.loads((run_dir / "archive" / DAY.isoformat() / "archive.json").read_text())
    manifest = json.loads((run_dir / "out" / DAY.isoformat() / "manifest.json").read_text())
    assert [batch["ids"] for batch in index["batches"]] == [manifest["batches"][0]["ids"]]
    assert index["batches"][0]["entity_stop"] == manifest["batches"][0]["entity_stop"]


def drop_archived_ranges(run_dir: Path, day: dt.date) -> None:
    """Make an archived day look as versions before this one archived it: no id ranges."""
    path = run_dir / "archive" / day.isoformat() / "archive.json"
    index = json.loads(path.read_text())
    del index["batches"]
    path.write_text(json.dumps(index))


def test_unknown_ids_of_earlier_days_are_refused_with_exit_2(run_dir, tmp_path, caplog):
    assert main(["init", str(run_dir)]) == 0
    run_day(run_dir, customers=60)
    drop_archived_ranges(run_dir, DAY)
    wipe_out_and_lose_state(run_dir, tmp_path)

    code = main(["run", "--dir", str(run_dir), "--date", NEXT.isoformat(), "--workers", "1"])

    assert code == 2
    assert "the ids of earlier days are not known" in caplog.text
    assert f"{DAY} (archive/{DAY}/archive.json)" in caplog.text
    assert "Restore state.json" in caplog.text
    assert not (run_dir / "out" / NEXT.isoformat()).exists()
    assert not (run_dir / "state.json").exists()


def test_an_archived_day_without_ranges_is_fine_while_the_state_knows_it(run_dir):
    run_day(run_dir, customers=60)
    drop_archived_ranges(run_dir, DAY)
    shutil.rmtree(run_dir / "out" / DAY.isoformat())
    assert run_day(run_dir, NEXT, customers=10).batch.entity_start == 60


DAMAGED = {
    "not json": lambda manifest: "{not json",
    "no batches": lambda manifest: json.dumps(
        {k: v for k, v in manifest.items() if k != "batches"}
    ),
    "no date": lambda manifest: json.dumps({k: v for k, v in manifest.items() if k != "date"}),
    "a batch without ids": lambda manifest: json.dumps(
        {**manifest, "batches": [{"entity_start": 0}]}
    ),
}


def damage_manifest(run_dir: Path, day: dt.date, how: str) -> None:
    path = run_dir / "out" / day.isoformat() / "manifest.json"
    path.write_text(DAMAGED[how](json.loads(path.read_text())))


@pytest.mark.parametrize("how", sorted(DAMAGED))
def test_an_unreadable_old_manifest_is_skipped_with_a_warning(run_dir, how, caplog):
    run_day(run_dir, customers=60, archive_retention_days=0)
    damage_manifest(run_dir, DAY, how)
    state = json.loads((run_dir / "state.json").read_text())
    state["archived"][DAY.isoformat()] = "stale"  # so that the next run tries to archive it again
    (run_dir / "state.json").write_text(json.dumps(state))

    later = run_day(run_dir, NEXT, customers=10)
    run_day(run_dir, NEXT + dt.timedelta(days=1), customers=10)  # and every later run

    assert later.batch.entity_start == 60
    assert f"skipping {run_dir / 'out' / DAY.isoformat()}" in caplog.text


def test_the_ids_of_an_unreadable_manifest_are_kept_from_the_archive(run_dir, tmp_path):
    first = run_day(run_dir, customers=60)
    damage_manifest(run_dir, DAY, "not json")
    (run_dir / "state.json").rename(tmp_path / "state.json.moved")
    assert run_day(run_dir, NEXT, customers=10).batch.entity_start == first.batch.entity_stop


def test_the_ids_of_an_unreadable_manifest_known_nowhere_else_are_refused(run_dir, caplog):
    run_day(run_dir, customers=60)
    damage_manifest(run_dir, DAY, "no batches")
    (run_dir / "state.json").unlink()
    shutil.rmtree(run_dir / "archive" / DAY.isoformat())
    with pytest.raises(BadInputError, match=f"{DAY} \\(out/{DAY}/manifest.json\\)"):
        run_day(run_dir, NEXT, customers=10)


def test_a_folder_in_out_that_is_not_a_day_is_left_alone(run_dir):
    (run_dir / "out" / "backup").mkdir(parents=True)
    (run_dir / "out" / "backup" / "manifest.json").write_text("{}")
    run_day(run_dir, customers=10)
    assert "backup" not in json.loads((run_dir / "state.json").read_text())["days"]
