"""Loading days into SQLite, DuckDB and PostgreSQL: every row once, keys that hold, all or
nothing. What only PostgreSQL does is in test_postgres.py."""

import contextlib
import datetime as dt
import json
import shutil
import sqlite3
import sys
from pathlib import Path

import duckdb
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from conftest import DAY, read_csv, run_day

from gensample import load
from gensample.cli import main
from gensample.daily.rundir import RunDirectory
from gensample.errors import BadInputError, RunError
from gensample.generate import truth
from gensample.generate.datasets import REGISTRY
from gensample.output import dictionary, table_files
from gensample.output.encoding import sha256
from gensample.output.table_files import TableFileError

NEXT_DAY = DAY + dt.timedelta(days=1)
FILE_ENGINES = ["sqlite", "duckdb"]
ENGINES = [*FILE_ENGINES, "postgresql"]
SEARCH_PATH = "-c search_path=gensample,gensample_truth"
"""Where a PostgreSQL load puts its tables, so queries name them as in the other databases."""
TABLE_FILES = {
    **{name: f"data/{name}." for name in REGISTRY},
    "truth_records": "truth/records.csv",
    "truth_entities": "truth/entities.csv",
    "truth_entities_history": "truth/entities_history.csv",
}
"""Where each table's rows are in a day (a data table's files start with the path)."""


@pytest.fixture(scope="module")
def two_days(tmp_path_factory) -> Path:
    """Two days: a Parquet day of two batches, then a CSV day of two batches whose drift
    updates records of the first (same customer_id, another day). Ten stores: their stock
    (about 1,750 rows a store) would be most of the rows loaded."""
    directory = tmp_path_factory.mktemp("load")
    (directory / "gensample.toml").write_text("stores = 10\n")
    run_day(directory, customers=300, format="parquet")
    run_day(directory, customers=200, format="parquet", load_type="append")
    drift = {"customers": 300, "drift_share": 0.2, "closure_share": 0.1}
    run_day(directory, NEXT_DAY, **drift)
    run_day(directory, NEXT_DAY, **drift, load_type="append")
    return directory


def day_dir(run_dir: Path, date: dt.date = DAY) -> Path:
    """The committed day ``date`` of ``run_dir``."""
    return RunDirectory(run_dir).day(date)


def manifest_rows(day: Path) -> dict[str, int]:
    """Rows of each table by the day's manifest."""
    files = json.loads((day / "manifest.json").read_text())["files"]
    return {
        table: sum(entry["rows"] for name, entry in files.items() if name.startswith(prefix))
        for table, prefix in TABLE_FILES.items()
    }


@pytest.fixture(params=ENGINES)
def url(request, tmp_path) -> str:
    """A database without tables, of each engine (a PostgreSQL one on the session's server)."""
    if request.param == "postgresql":
        return request.getfixturevalue("postgres_server").new_database()
    return f"{request.param}:///{tmp_path / 'gensample.db'}"


@pytest.fixture(params=FILE_ENGINES)
def file_url(request, tmp_path) -> str:
    """A database file that does not exist yet, of each engine keeping one."""
    return f"{request.param}:///{tmp_path / 'gensample.db'}"


def query(url: str, sql: str) -> list[tuple]:
    """The rows ``sql`` returns from the database at ``url``."""
    if url.startswith("postgresql"):
        with psycopg.connect(url, options=SEARCH_PATH) as connection:
            return connection.execute(sql).fetchall()
    engine, _, path = url.partition(":///")
    connect = {"sqlite": sqlite3.connect, "duckdb": duckdb.connect}[engine]
    with contextlib.closing(connect(path)) as connection:
        return connection.execute(sql).fetchall()


def table_count(url: str) -> int:
    """How many tables the database at ``url`` has (none when its file does not exist)."""
    if not url.startswith("postgresql") and not Path(url.partition(":///")[2]).exists():
        return 0
    sql = """SELECT count(*) FROM information_schema.tables
        WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"""
    if url.startswith("sqlite"):
        sql = "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
    return query(url, sql)[0][0]


def counts(url: str) -> dict[str, list[tuple]]:
    """Rows per day of every table."""
    return {
        table: query(url, f"SELECT CAST(day AS TEXT), count(*) FROM {table} GROUP BY 1 ORDER BY 1")
        for table in [*TABLE_FILES, "gensample_loads"]
    }


def test_days_load_with_the_manifest_counts_unique_keys_and_no_orphans(two_days, url):
    for date in (DAY, NEXT_DAY):
        report = load.load_day(day_dir(two_days, date), url)
        assert report.rows == manifest_rows(day_dir(two_days, date))
        assert (report.day, report.replaced) == (date.isoformat(), False)
    loaded = counts(url)
    for table in TABLE_FILES:
        assert loaded[table] == [
            (date.isoformat(), manifest_rows(day_dir(two_days, date))[table])
            for date in (DAY, NEXT_DAY)
        ]
    keys = {"customers": "customer_id", "truth_records": "dataset, record_id"}
    for table, key in keys.items():  # update rows repeat earlier ids, on another day
        distinct = query(url, f"SELECT count(*) FROM (SELECT DISTINCT {key} FROM {table})")[0][0]
        assert 0 < distinct < sum(rows for _, rows in loaded[table])
        assert query(url, f"SELECT count(*) FROM (SELECT DISTINCT {key}, day FROM {table})") == [
            (sum(rows for _, rows in loaded[table]),)
        ]
    orphans = """SELECT count(*) FROM {0} c LEFT JOIN truth_entities e
        ON e.entity_id = c.entity_id AND e.day = c.day WHERE e.entity_id IS NULL"""
    assert query(url, orphans.format("truth_records")) == [(0,)]
    assert query(url, orphans.format("truth_entities_history")) == [(0,)]
    manifest = day_dir(two_days) / "manifest.json"
    assert query(url, f"SELECT manifest_sha256 FROM gensample_loads WHERE day = '{DAY}'") == [
        (sha256(manifest),)
    ]


def test_sqlite_enforces_the_foreign_keys_it_declares(two_days, tmp_path):
    url = f"sqlite:///{tmp_path / 'gensample.db'}"
    load.load_day(day_dir(two_days), url)
    assert query(url, "PRAGMA foreign_key_check") == []
    with contextlib.closing(sqlite3.connect(tmp_path / "gensample.db")) as connection:
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("DELETE FROM truth_entities")  # their records would be orphans
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            connection.commit()


def test_values_arrive_as_written(two_days, url):
    load.load_day(day_dir(two_days, NEXT_DAY), url)
    columns = ["customer_id", "birth_date", "created_at", "address_line2", "operation"]
    rows = query(url, f"SELECT {', '.join(columns)} FROM customers")
    loaded = sorted(tuple("" if value is None else str(value) for value in row) for row in rows)
    written = read_csv(day_dir(two_days, NEXT_DAY) / "data" / "customers.csv").select(columns)
    assert loaded == sorted(tuple(row.values()) for row in written.to_pylist())
    assert {row[-1] for row in loaded} == {"I", "U"}
    empty = "SELECT count(*) FROM {} WHERE {} IS NULL"
    assert query(url, empty.format("customers", "address_line2"))[0][0] > 0  # written empty
    assert query(url, empty.format("truth_records", "corruptions")) == [(0,)]  # written ""


def test_a_loaded_day_is_refused_and_replace_keeps_the_counts(two_days, url):
    load.load_day(day_dir(two_days), url)
    before = counts(url)
    with pytest.raises(BadInputError, match=f"{DAY} is already loaded .*; use --replace"):
        load.load_day(day_dir(two_days), url)
    report = load.load_day(day_dir(two_days), url, replace=True)
    assert report.replaced and report.rows == manifest_rows(day_dir(two_days))
    assert counts(url) == before


def test_a_load_that_fails_half_way_leaves_the_database_as_it_was(two_days, url, monkeypatch):
    load.load_day(day_dir(two_days), url)
    before = counts(url)
    stamp = query(url, "SELECT loaded_at FROM gensample_loads")
    real = table_files.read_batches

    def failing(path: Path, schema: pa.Schema):
        yield from real(path, schema)
        if path.name == "records.csv":
            raise TableFileError(f"{path}: unreadable (disk on fire)")

    monkeypatch.setattr(table_files, "read_batches", failing)
    for date, replace in ((NEXT_DAY, False), (DAY, True)):
        with pytest.raises(TableFileError, match="disk on fire"):
            load.load_day(day_dir(two_days, date), url, replace=replace)
        assert counts(url) == before
    assert query(url, "SELECT loaded_at FROM gensample_loads") == stamp


def test_a_failed_first_load_creates_no_tables(two_days, url, monkeypatch):
    def fail(*_) -> None:
        raise RunError("nothing was loaded (as planned by the test)")

    monkeypatch.setattr(load, "_check_foreign_keys", fail)
    with pytest.raises(RunError, match="nothing"):
        load.load_day(day_dir(two_days), url)
    assert table_count(url) == 0


@pytest.mark.parametrize("tables_exist", [False, True])
def test_an_orphan_refuses_the_day(two_days, url, tmp_path, tables_exist):
    if tables_exist:  # keyed by an earlier day (PostgreSQL drops and adds them again)
        load.load_day(day_dir(two_days, NEXT_DAY), url)
    before = counts(url) if tables_exist else None
    day = shutil.copytree(day_dir(two_days), tmp_path / "day")
    path = day / "truth" / "entities.csv"
    entities = table_files.read(path, truth.ENTITIES_SCHEMA)
    gone = entities["entity_id"][0].as_py()
    kept = entities.filter(pc.not_equal(entities["entity_id"], gone))
    table_files.write_csv(path, truth.ENTITIES_SCHEMA, kept.to_batches())
    manifest = json.loads((day / "manifest.json").read_text())
    entry = manifest["files"]["truth/entities.csv"]
    entry.update(rows=entry["rows"] - 1, sha256=sha256(path), bytes=path.stat().st_size)
    (day / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(RunError) as failure:
        load.load_day(day, url)
    for table, name in (
        ("truth_records", "records"),
        ("truth_entities_history", "entities_history"),
    ):
        rows = read_csv(day / "truth" / f"{name}.csv")
        orphans = pc.sum(pc.equal(rows["entity_id"], str(gone))).as_py()
        assert f"{orphans} rows of {table} reference no row of truth_entities" in str(failure.value)
    assert "nothing was loaded" in str(failure.value)
    if tables_exist:
        assert counts(url) == before


def test_row_counts_that_disagree_with_the_manifest_are_refused(two_days, url, tmp_path):
    day = shutil.copytree(day_dir(two_days, NEXT_DAY), tmp_path / "day")
    manifest = json.loads((day / "manifest.json").read_text())
    manifest["files"]["truth/records.csv"]["rows"] += 1
    (day / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(RunError, match=r"truth_records: the files hold \d+ rows but the manifest"):
        load.load_day(day, url)


@pytest.mark.parametrize("name", ["data/customers.csv", "truth/records.csv"])
def test_a_file_edited_after_the_run_is_refused_with_exit_2_naming_it(
    two_days, url, tmp_path, name, caplog
):
    run_dir = tmp_path / "run"
    shutil.copytree(day_dir(two_days, NEXT_DAY), run_dir / "out" / NEXT_DAY.isoformat())
    path = run_dir / "out" / NEXT_DAY.isoformat() / name
    text = path.read_text()
    path.write_text(text.replace("\n", "\r\n", 2))  # same rows, same values: only the bytes
    load = ["load", "--dir", str(run_dir), "--date", NEXT_DAY.isoformat(), "--db", url]

    assert main(load) == 2

    assert f"{path}: does not match manifest.json" in caplog.text
    assert "nothing was loaded" in caplog.text
    assert table_count(url) == 0


@pytest.mark.parametrize(
    "bad", ["mysql://db/x", "sqlite://x.db", "sqlite:///", "x.db", "DuckDB:///x.db"]
)
def test_a_url_of_no_known_engine_is_bad_input(two_days, bad):
    with pytest.raises(BadInputError) as failure:
        load.load_day(day_dir(two_days), bad)
    message = str(failure.value)
    assert repr(bad) in message and "sqlite:///path/to.db or duckdb:///path/to.db" in message


def test_a_bad_url_never_shows_its_password(two_days):
    with pytest.raises(BadInputError) as failure:
        load.load_day(day_dir(two_days), "mysql://me:Sesame-42@db/x?password=Sesame-43")
    assert "'mysql://me:***@db/x?password=***'" in str(failure.value)
    assert "Sesame" not in str(failure.value)


def test_a_schema_is_refused_for_a_database_file(two_days, file_url):
    with pytest.raises(BadInputError, match="--schema is allowed with PostgreSQL only"):
        load.load_day(day_dir(two_days), file_url, schema="staging")
    assert table_count(file_url) == 0


def test_a_database_in_a_missing_directory_is_bad_input(two_days, file_url):
    inside = file_url.replace("gensample.db", "no/such/gensample.db")
    with pytest.raises(BadInputError, match="no/such does not exist"):
        load.load_day(day_dir(two_days), inside)


def test_a_sqlite_file_given_as_duckdb_is_named_on_one_line(two_days, tmp_path):
    pytest.importorskip("duckdb")  # in the test extra: never skipped in CI
    path = tmp_path / "x.db"
    sqlite3.connect(path).execute("CREATE TABLE t (a)").connection.commit()
    with pytest.raises(BadInputError, match=f"{path} is a SQLite database, not DuckDB: load it "):
        load.load_day(day_dir(two_days), f"duckdb:///{path}")


def test_duckdb_missing_says_which_extra_to_install(two_days, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "duckdb", None)  # import fails
    with pytest.raises(RunError, match=r"pip install 'gensample\[duckdb\]'"):
        load.load_day(day_dir(two_days), f"duckdb:///{tmp_path / 'x.db'}")


def test_the_cli_loads_refuses_and_replaces(two_days, url, capsys, caplog):
    command = ["load", "--dir", str(two_days), "--date", DAY.isoformat(), "--db", url]
    assert main(command) == 0
    customers = manifest_rows(day_dir(two_days))["customers"]
    assert f"loaded {DAY} into {load.without_password(url)}: " in (out := capsys.readouterr().out)
    assert f" customers {customers}," in out
    assert main(command) == 2 and "use --replace" in caplog.text
    assert main([*command, "--replace"]) == 0
    assert "(replacing its earlier load)" in capsys.readouterr().out
    assert main([*command[:4], "2026-01-01", *command[5:]]) == 2
    assert "2026-01-01 does not exist" in caplog.text
    assert main([*command[:-1], "mysql://db"]) == 2


@pytest.mark.parametrize("settings", [None, "datasets = ['no_such_dataset']\n"])
def test_a_load_into_a_file_reads_no_settings(two_days, file_url, tmp_path, settings):
    run_dir = tmp_path / "run"
    shutil.copytree(day_dir(two_days), run_dir / "out" / DAY.isoformat())
    if settings is not None:  # a bad setting, refused by any command reading the settings
        (run_dir / "gensample.toml").write_text(settings)
        assert main(["publish", "--dir", str(run_dir), "--date", DAY.isoformat()]) == 2
    command = ["load", "--dir", str(run_dir), "--date", DAY.isoformat(), "--db", file_url]
    assert main(command) == 0
    customers = manifest_rows(day_dir(two_days))["customers"]
    assert counts(file_url)["customers"] == [(DAY.isoformat(), customers)]


def test_the_cli_prints_the_dictionary(capsys):
    assert main(["schema"]) == 0
    assert capsys.readouterr().out == dictionary.render_markdown()
