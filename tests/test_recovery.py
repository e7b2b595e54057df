"""Repairing the state after a run killed between its commit and its bookkeeping."""

import datetime as dt
import json
import shutil
from pathlib import Path

from conftest import DAY, read_csv, run_day

SAMPLE_TRACER = Path(__file__).resolve().parent.parent / "tracer" / "sample-tracer.csv"
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
