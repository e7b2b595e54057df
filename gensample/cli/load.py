"""``gensample load``: load an existing day into a database, all or nothing."""

import argparse
import os

from gensample import settings
from gensample.cli.common import date_argument, dir_argument, existing_day
from gensample.daily.rundir import RunDirectory
from gensample.load import describe_load, load_day, may_need_vault, vault_password
from gensample.load.postgres import DEFAULT_SCHEMA, TRUTH_SUFFIX

HELP = "load an existing day into SQLite, DuckDB or PostgreSQL"
EXAMPLE = (
    "gensample load --dir /data/gensample/mdm-test --date 2026-11-01 --db sqlite:///mdm-test.db\n"
    "gensample load --dir . --date 2026-11-01 --db duckdb:////data/mdm.duckdb --replace\n"
    "gensample load --dir . --date 2026-11-01 --db postgresql://loader@db.example:5432/mdm "
    "--schema staging"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    dir_argument(parser)
    date_argument(parser, "load")
    parser.add_argument(
        "--db",
        required=True,
        metavar="URL",
        help="database: sqlite:///path/to.db or duckdb:///path/to.db (four slashes: absolute), "
        "or postgresql://user@host:port/database (password: PGPASSWORD, ~/.pgpass or Vault)",
    )
    parser.add_argument(
        "--schema",
        default=None,
        help=f"PostgreSQL schema of the data tables (default {DEFAULT_SCHEMA}); the truth "
        f"tables go to <schema>{TRUTH_SUFFIX}",
    )
    parser.add_argument("--replace", action="store_true", help="replace the day if loaded")


def run(arguments: argparse.Namespace) -> int:
    """Load the day under the run directory's lock, so no run swaps it meanwhile."""
    day_dir = existing_day(arguments.dir, arguments.date)
    password = None
    if may_need_vault(arguments.db):  # else the settings are no concern of the load
        password = vault_password(arguments.db, settings.load(arguments.dir), os.environ)
    with RunDirectory(arguments.dir).lock():
        report = load_day(
            day_dir,
            arguments.db,
            replace=arguments.replace,
            schema=arguments.schema,
            password=password,
        )
    print(describe_load(report))
    return 0
