"""What only a PostgreSQL load does: truth in a schema of its own, keys declared and kept by later
days, a load killed with the whole day copied leaving nothing, passwords from every source and
never shown, bad input as exit 2. The tests every database shares (counts, replace, failures
half-way) are in test_load.py."""

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pytest
import test_load
from conftest import DAY, gensample_command
from postgres_server import LOADER, LOADER_PASSWORD, PREFIX, remove_stale_homes
from publishing_servers import FakeVault
from test_load import NEXT_DAY, counts, day_dir, manifest_rows, two_days

from gensample import load
from gensample.cli import main
from gensample.generate import truth
from gensample.generate.datasets import REGISTRY
from gensample.output import dictionary, table_files

__all__ = ["two_days"]  # a fixture of test_load, used here too
TRUTH_TABLES = {"truth_entities", "truth_records", "truth_entities_history"}
WRONG = "Wr0ng-Sesame-9f3d"
"""A distinctive wrong password: it must never appear in any output."""
WAIT_SECONDS = 60
NO_PID = 4_194_304
"""Linux's largest pid_max: no process has this id."""


@pytest.fixture
def url(postgres_server) -> str:
    """A new database owned by the loader role, its URL with the password."""
    return postgres_server.new_database()


def database_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


def without_password(url: str) -> str:
    return url.replace(f":{LOADER_PASSWORD}@", "@")


def tables(server, url: str) -> set[tuple[str, str]]:
    """(schema, table) of every table outside PostgreSQL's own schemas."""
    sql = """SELECT schemaname, tablename FROM pg_tables
        WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"""
    return set(server.execute(sql, database_of(url)))


def load_command(run_dir: Path, url: str, *more: str, date=DAY) -> list[str]:
    return ["load", "--dir", str(run_dir), "--date", date.isoformat(), "--db", url, *more]


def test_truth_has_a_schema_of_its_own_that_a_matcher_can_be_kept_from(
    postgres_server, two_days, url
):
    load.load_day(day_dir(two_days), url)
    assert tables(postgres_server, url) == {
        *(("gensample", name) for name in [*REGISTRY, "gensample_loads"]),
        *(("gensample_truth", name) for name in TRUTH_TABLES),
    }
    database = database_of(url)
    matcher = f"matcher_{database}"
    for sql in (
        f"CREATE ROLE {matcher} LOGIN PASSWORD 'matcher'",
        f"GRANT USAGE ON SCHEMA gensample TO {matcher}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA gensample TO {matcher}",
    ):
        postgres_server.execute(sql, database)
    with psycopg.connect(postgres_server.url(matcher, "matcher", database)) as connection:
        customers = connection.execute("SELECT count(*) FROM gensample.customers").fetchone()
        assert customers == (manifest_rows(day_dir(two_days))["customers"],)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute("SELECT count(*) FROM gensample_truth.truth_records")


def keys(server, url: str) -> set[tuple]:
    """(table, kind, columns, parent table) of every validated key of the loaded tables."""
    sql = """SELECT conrelid::regclass::text, contype::text,
            array(SELECT attname::text FROM unnest(conkey) WITH ORDINALITY AS k(number, place)
                  JOIN pg_attribute ON attrelid = conrelid AND attnum = k.number ORDER BY place),
            CASE WHEN contype = 'f' THEN confrelid::regclass::text END
        FROM pg_constraint WHERE connamespace::regnamespace::text LIKE 'gensample%'
            AND convalidated"""
    return set(
        (table, kind, tuple(columns), parent)
        for table, kind, columns, parent in server.execute(sql, database_of(url))
    )


def foreign_keys(server, url: str) -> set[tuple]:
    return {key for key in keys(server, url) if key[1] == "f"}


def test_keys_are_declared_and_enforced(postgres_server, two_days, url):
    load.load_day(day_dir(two_days), url)
    declared = keys(postgres_server, url)
    assert {
        ("gensample.customers", "p", ("customer_id", "day"), None),
        ("gensample.pos_transactions", "p", ("basket_id", "line_number", "day"), None),
        ("gensample.pos_transactions", "f", ("sku", "day"), "gensample.products"),
        ("gensample.mobile_events", "f", ("member_id", "day"), "gensample.loyalty_members"),
        ("gensample_truth.truth_records", "p", ("dataset", "record_id", "day"), None),
        (
            "gensample_truth.truth_records",
            "f",
            ("entity_id", "day"),
            "gensample_truth.truth_entities",
        ),
    } <= declared
    assert sum(kind == "p" for _, kind, _, _ in declared) == len(REGISTRY) + len(TRUTH_TABLES) + 1
    with psycopg.connect(url) as connection, pytest.raises(psycopg.errors.ForeignKeyViolation):
        connection.execute("DELETE FROM gensample_truth.truth_entities")


def test_later_days_and_replaced_days_keep_every_key(postgres_server, two_days, url):
    load.load_day(day_dir(two_days), url)
    first = keys(postgres_server, url)
    load.load_day(day_dir(two_days, NEXT_DAY), url)
    load.load_day(day_dir(two_days), url, replace=True)
    assert keys(postgres_server, url) == first
    assert len(foreign_keys(postgres_server, url)) == sum(
        len(spec.foreign_keys) for spec in dictionary.tables()
    )


def test_a_transaction_joins_to_its_customers_truth(two_days, url):
    day = day_dir(two_days, NEXT_DAY)
    load.load_day(day, url)
    joined = test_load.query(
        url,
        """SELECT t.transaction_id, e.entity_id FROM transactions t
        JOIN truth_records r ON r.dataset = 'customers' AND r.record_id = t.customer_id
            AND r.day = t.day
        JOIN truth_entities e ON e.entity_id = r.entity_id AND e.day = r.day""",
    )
    transactions = read_table(day, "data/transactions.", REGISTRY["transactions"].SCHEMA)
    records = read_table(day, "truth/records.csv", truth.RECORDS_SCHEMA)
    customers = records.filter(pc.equal(records["dataset"], "customers"))
    expected = transactions.join(customers, "customer_id", "record_id").select(
        ["transaction_id", "entity_id"]
    )
    assert len(joined) == transactions.num_rows > 0
    assert sorted(joined) == sorted(zip(*expected.to_pydict().values(), strict=True))


def read_table(day: Path, prefix: str, schema: pa.Schema) -> pa.Table:
    """Every batch of the day's files starting with ``prefix``, as one table."""
    paths = sorted(path for path in day.rglob("*") if str(path.relative_to(day)).startswith(prefix))
    return pa.concat_tables(table_files.read(path, schema) for path in paths)


def test_a_load_killed_before_it_commits_leaves_the_database_as_it_was(
    postgres_server, two_days, url
):
    load.load_day(day_dir(two_days), url)
    before = counts(url)
    database = database_of(url)
    with psycopg.connect(postgres_server.url(database=database)) as blocker:
        # SHARE lets the load read gensample_loads but not record the day: its last statement
        blocker.execute("LOCK TABLE gensample.gensample_loads IN SHARE MODE")
        command = [sys.executable, "-m", "gensample", *load_command(two_days, url, date=NEXT_DAY)]
        loader = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wrote = wait_for_load_waiting_on(
                postgres_server, database, "INSERT INTO %gensample_loads"
            )
            loader.send_signal(signal.SIGKILL)
        finally:
            loader.kill()
            loader.wait()
        blocker.rollback()  # the load's INSERT gets its lock, reads a closed socket, and aborts
    wait_for(lambda: not loads_running(postgres_server, database))
    assert wrote  # it had copied every table and added the keys again when killed
    assert counts(url) == before
    assert len(foreign_keys(postgres_server, url)) == sum(
        len(spec.foreign_keys) for spec in dictionary.tables()
    )


def loads_running(server, database: str, where: str = "TRUE") -> list[tuple]:
    """The transaction ids of ``gensample load`` sessions in ``database`` matching ``where``."""
    sql = f"""SELECT backend_xid::text FROM pg_stat_activity
        WHERE application_name = 'gensample load' AND datname = '{database}' AND {where}"""
    return server.execute(sql)


def wait_for_load_waiting_on(server, database: str, statement: str) -> bool:
    """Wait until the load's ``statement`` (a LIKE pattern) waits for a lock; whether the load
    had written."""
    where = f"query LIKE '{statement}%' AND wait_event_type = 'Lock'"
    found = wait_for(lambda: loads_running(server, database, where))
    return found[0][0] is not None


def wait_for(check):
    """The first true answer of ``check``, polled for up to a minute."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not (answer := check()):
        assert time.monotonic() < deadline, "waited a minute in vain"
        time.sleep(0.05)
    return answer


def test_a_schema_of_ones_choice_and_names_that_are_no_identifiers(
    postgres_server, two_days, url, caplog
):
    assert main(load_command(two_days, url, "--schema", "staging")) == 0
    assert {schema for schema, _ in tables(postgres_server, url)} == {"staging", "staging_truth"}
    for bad in ("Staging", "1st", "x;drop", "a" * 58):
        assert main(load_command(two_days, url, "--schema", bad)) == 2
        assert (
            f"--schema {bad!r} is not allowed: expected a lower-case SQL identifier" in caplog.text
        )
    assert main(load_command(two_days, url, "--schema", "a" * 57)) == 0


@pytest.mark.parametrize(
    "case, expected",
    [
        ("wrong password", f'password authentication failed for user "{LOADER}"'),
        ("unknown user", 'password authentication failed for user "stranger"'),
        ("no such database", 'database "no_such_database" does not exist'),
        ("closed port", "Connection refused"),
        ("wrong PGPASSWORD", f'password authentication failed for user "{LOADER}"'),
    ],
)
def test_connection_problems_are_exit_2_and_never_show_the_password(
    postgres_server, two_days, url, monkeypatch, case, expected
):
    bad = {
        "wrong password": url.replace(LOADER_PASSWORD, WRONG),
        "unknown user": postgres_server.url("stranger", WRONG),
        "no such database": without_password(url).replace(database_of(url), "no_such_database")
        + f"?password={LOADER_PASSWORD}",
        "closed port": postgres_server.url(LOADER, WRONG).replace(str(postgres_server.port), "9"),
        "wrong PGPASSWORD": without_password(url),
    }[case]
    monkeypatch.setenv("PGPASSWORD", WRONG)
    result = gensample_command(*load_command(two_days, bad))
    assert result.returncode == 2
    assert "cannot connect" in result.stderr and expected in result.stderr
    assert WRONG not in result.stdout + result.stderr
    assert LOADER_PASSWORD not in result.stdout + result.stderr
    assert tables(postgres_server, url) == set()


def test_passwords_from_pgpassword_and_pgpass(
    postgres_server, two_days, url, tmp_path, monkeypatch
):
    monkeypatch.setenv("PGPASSWORD", LOADER_PASSWORD)
    assert load.load_day(day_dir(two_days), without_password(url)).rows["customers"] > 0
    monkeypatch.delenv("PGPASSWORD")
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"127.0.0.1:{postgres_server.port}:*:{LOADER}:{LOADER_PASSWORD}\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    report = load.load_day(day_dir(two_days, NEXT_DAY), without_password(url))
    assert report.rows == manifest_rows(day_dir(two_days, NEXT_DAY))


def vault_run_dir(two_days: Path, tmp_path: Path, vault_url: str) -> Path:
    """A run directory holding the first day, its password at Vault's ``mdm/postgres``."""
    run_dir = tmp_path / "run"
    shutil.copytree(day_dir(two_days), run_dir / "out" / DAY.isoformat())
    (run_dir / "gensample.toml").write_text(
        f'[vault]\nurl = "{vault_url}"\n\n[load]\npostgres_vault_path = "mdm/postgres"\n'
    )
    return run_dir


def test_a_password_from_vault_unless_the_url_has_one(two_days, url, tmp_path, monkeypatch):
    vault = FakeVault()
    with vault.serve():
        run_dir = vault_run_dir(two_days, tmp_path, vault.url)
        monkeypatch.setenv("VAULT_TOKEN", vault.add_token())
        monkeypatch.delenv("PGPASSWORD", raising=False)
        vault.put_secret("secret", "mdm/postgres", {"password": LOADER_PASSWORD})
        assert main(load_command(run_dir, without_password(url))) == 0
        vault.put_secret("secret", "mdm/postgres", {"password": WRONG})
        assert main(load_command(run_dir, url, "--replace")) == 0  # the URL's password wins
        assert main(load_command(run_dir, without_password(url), "--replace")) == 2
    assert ("GET", "/v1/secret/data/mdm/postgres") in vault.requests


@pytest.mark.parametrize(
    "case, expected",
    [
        ("unreachable", "health check: Vault is unreachable (Connection refused)"),
        (
            "missing path",
            "nothing at this path (missing or deleted): "
            "check [vault] mount and [load] postgres_vault_path",
        ),
        ("no password key", "the secret has no key 'password'"),
    ],
)
def test_vault_failures_exit_1_as_in_publishing_naming_path_and_setting(
    postgres_server, two_days, url, tmp_path, monkeypatch, caplog, case, expected
):
    vault = FakeVault()
    with vault.serve():
        address = "http://127.0.0.1:9" if case == "unreachable" else vault.url
        run_dir = vault_run_dir(two_days, tmp_path, address)
        monkeypatch.setenv("VAULT_TOKEN", vault.add_token())
        if case == "no password key":
            vault.put_secret("secret", "mdm/postgres", {"user": LOADER})
        assert main(load_command(run_dir, without_password(url))) == 1
    assert (
        "cannot get the password from Vault secret/mdm/postgres ([load] postgres_vault_path, "
        f"{address}): "
    ) in caplog.text
    assert expected in caplog.text
    assert tables(postgres_server, url) == set()


def test_the_server_dies_with_the_process_that_started_it():
    starter = subprocess.Popen(
        [sys.executable, "-c", START_AND_SLEEP],
        cwd=Path(__file__).parent,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert starter.stdout.readline() == "ready\n"
        (server,) = psutil.Process(starter.pid).children()
        data_dir = Path(server.cmdline()[server.cmdline().index("-D") + 1])
        starter.send_signal(signal.SIGKILL)
        starter.wait()
        gone, alive = psutil.wait_procs([server], timeout=WAIT_SECONDS)
        assert gone and not alive
    finally:
        starter.kill()
        starter.wait()
    assert data_dir.parent.exists()  # the killed process could not remove it: the next does
    assert data_dir.parent in remove_stale_homes()
    assert not data_dir.parent.exists()


def test_only_data_directories_of_processes_gone_are_removed(tmp_path):
    ours = psutil.Process()
    homes = {
        "live": f"{ours.pid}-{int(ours.create_time())}-a",
        "gone": f"{NO_PID}-{int(ours.create_time())}-b",
        "id reused": f"{ours.pid}-{int(ours.create_time()) - 60}-c",
        "not ours": "elsewhere-d",
    }
    for name in homes.values():
        (tmp_path / f"{PREFIX}{name}").mkdir()
    removed = remove_stale_homes(tmp_path)
    assert {path.name for path in removed} == {
        f"{PREFIX}{homes[case]}" for case in ("gone", "id reused")
    }
    assert len(list(tmp_path.iterdir())) == 2


START_AND_SLEEP = """
import time, postgres_server
with postgres_server.running():
    print("ready", flush=True)
    time.sleep(120)
"""
