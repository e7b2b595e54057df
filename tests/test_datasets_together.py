"""All datasets of a day together: keys that resolve in a database for every combination of
enabled datasets, one truth row per identity record, and datasets independent of each other."""

import contextlib
import datetime as dt
import json
import sqlite3
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from conftest import DAY, read_csv, run_day, with_parents, without
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gensample import load
from gensample.daily import state
from gensample.daily.rundir import RunDirectory
from gensample.generate.datasets import REGISTRY, stores
from gensample.generate.seeding import BLOCK_SIZE
from gensample.output import table_files
from gensample.settings import DATASETS

CUSTOMERS = 300


def day_dir(run_dir: Path, date: dt.date = DAY) -> Path:
    return RunDirectory(run_dir).day(date)


def load_into_sqlite(run_dir: Path) -> Path:
    """Load the day into a fresh SQLite database, which declares and enforces every key."""
    database = run_dir / "day.db"
    load.load_day(day_dir(run_dir), f"sqlite:///{database}")  # refuses a day with orphans
    return database


def assert_keys_hold(run_dir: Path, datasets: tuple[str, ...]) -> None:
    """Every dataset's rows are in the database, with unique keys and no orphan."""
    database = load_into_sqlite(run_dir)
    files = json.loads((day_dir(run_dir) / "manifest.json").read_text())["files"]
    with contextlib.closing(sqlite3.connect(database)) as connection:
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        for name in datasets:
            (rows,) = connection.execute(f"SELECT count(*) FROM {name}").fetchone()
            assert rows == files[f"data/{name}.csv"]["rows"] > 0, name


@pytest.mark.parametrize("name", DATASETS)
def test_each_dataset_with_only_what_it_refers_to_loads_with_its_keys(tmp_path, name):
    datasets = with_parents({name})
    run_day(tmp_path, customers=CUSTOMERS, datasets=datasets)
    assert sorted(p.stem for p in (day_dir(tmp_path) / "data").iterdir()) == sorted(datasets)
    assert_keys_hold(tmp_path, datasets)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(chosen=st.sets(st.sampled_from(DATASETS)))
def test_any_combination_of_datasets_loads_with_its_keys(tmp_path_factory, chosen):
    run_dir = tmp_path_factory.mktemp("combination")
    datasets = with_parents(chosen)
    run_day(run_dir, customers=CUSTOMERS, datasets=datasets)
    assert_keys_hold(run_dir, datasets)


def test_keys_hold_across_blocks_and_in_parquet(tmp_path):
    """A run spanning a block edge, as Parquet: ids of every dataset unique across blocks."""
    state.save(tmp_path / "state.json", state.State(BLOCK_SIZE - 500, 0))
    run_day(tmp_path, customers=1000, format="parquet", workers=2)
    assert len(json.loads((day_dir(tmp_path) / "manifest.json").read_text())["batches"]) == 1
    database = load_into_sqlite(tmp_path)
    with contextlib.closing(sqlite3.connect(database)) as connection:
        for name in DATASETS:
            (rows,) = connection.execute(f"SELECT count(*) FROM {name}").fetchone()
            assert rows > 0, name


def test_every_identity_record_has_one_truth_row_and_its_person_exists(full_day):
    day = day_dir(full_day)
    records = read_csv(day / "truth" / "records.csv")
    people = set(read_csv(day / "truth" / "entities.csv")["entity_id"].to_pylist())
    assert set(records["entity_id"].to_pylist()) <= people
    pairs = list(zip(records["dataset"].to_pylist(), records["record_id"].to_pylist(), strict=True))
    assert len(pairs) == len(set(pairs))
    for name, module in REGISTRY.items():
        data = read_csv(day / "data" / f"{name}.csv")
        ids = data[module.PRIMARY_KEY[0]].to_pylist()
        truth_ids = records.filter(pc.equal(records["dataset"], name))["record_id"].to_pylist()
        assert sorted(truth_ids) == (sorted(ids) if module.IDENTITY else []), name


def test_rows_per_file_are_what_check_prints(tmp_path, capsys):
    from gensample.cli import main

    (tmp_path / "gensample.toml").write_text(f"customers = {CUSTOMERS}\nworkers = 1\n")
    assert main(["check", "--dir", str(tmp_path), "--date", DAY.isoformat()]) == 0
    printed = capsys.readouterr().out
    assert main(["run", "--dir", str(tmp_path), "--date", DAY.isoformat()]) == 0
    files = json.loads((day_dir(tmp_path) / "manifest.json").read_text())["files"]
    for name, entry in files.items():
        line = f"out/{DAY}/{name}"
        assert any(
            text.split()[0] == line and text.split()[1] == f"{entry['rows']:,}"
            for text in printed.splitlines()
            if text.strip().startswith(line)
        ), name


@pytest.fixture(scope="module")
def full_day(tmp_path_factory) -> Path:
    """A run directory whose day has every dataset."""
    run_dir = tmp_path_factory.mktemp("full")
    run_day(run_dir, customers=CUSTOMERS)
    return run_dir


@pytest.mark.parametrize("name", [n for n in DATASETS if n != "customers"])
def test_leaving_a_dataset_out_changes_no_byte_of_the_others(full_day, tmp_path, name):
    run_day(tmp_path, customers=CUSTOMERS, datasets=without(name))
    assert not (day_dir(tmp_path) / "data" / f"{name}.csv").exists()
    for kept in without(name):
        file = f"data/{kept}.csv"
        assert (day_dir(tmp_path) / file).read_bytes() == (day_dir(full_day) / file).read_bytes()


IN_STORE = {  # what happens in a store: dataset -> its moments
    "pos_customers": ("registered_at",),
    "pos_transactions": ("purchased_at",),
    "incident_reports": ("occurred_at", "reported_at"),
    "wifi_sessions": ("connected_at",),
}


def test_what_happens_in_a_store_happens_in_opening_hours(full_day):
    opening, closing = stores.OPENING_HOURS
    for name, columns in IN_STORE.items():
        data = table_files.read(day_dir(full_day) / "data" / f"{name}.csv", REGISTRY[name].SCHEMA)
        for column in columns:
            hours = pc.hour(data[column]).to_numpy(zero_copy_only=False)
            assert ((opening <= hours) & (hours < closing)).all(), f"{name}.{column}"
    wifi = table_files.read(
        day_dir(full_day) / "data" / "wifi_sessions.csv", REGISTRY["wifi_sessions"].SCHEMA
    )
    closed = pc.add(
        pc.floor_temporal(wifi["connected_at"], unit="day"),
        pa.scalar(closing * 3600, pa.duration("s")),
    )
    assert pc.all(pc.less_equal(wifi["disconnected_at"], closed)).as_py()
