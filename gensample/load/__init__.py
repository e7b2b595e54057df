"""Loading a finished day into a database: SQLite (standard library), DuckDB or PostgreSQL
(extras). ``model`` holds what they share, one module per database what differs.

Tables get the dictionary's columns and ``day``, which ends every key. A day is loaded in bulk
in one transaction, recorded in ``gensample_loads`` and loaded again only to replace it (deleted
first, in the same transaction): a failure leaves the database as it was. A URL's password is
never shown: messages name the database by :func:`without_password`.
"""

import contextlib
import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from gensample.errors import BadInputError, RunError
from gensample.load import duckdb, postgres, sqlite
from gensample.load.model import LOADS_TABLE, Database, Target
from gensample.output import dictionary, manifest, table_files
from gensample.output.dictionary import DAY, TableSpec
from gensample.output.encoding import sha256
from gensample.settings import Settings
from gensample.settings.publish import VaultSettings

ENGINES: dict[str, type[Database]] = {
    "sqlite": sqlite.SQLite,
    "duckdb": duckdb.DuckDB,
    "postgresql": postgres.Postgres,
    "postgres": postgres.Postgres,
}
"""URL scheme -> database."""
URL_FORMS = (
    "sqlite:///path/to.db or duckdb:///path/to.db (sqlite:////abs/path.db when absolute), "
    "or postgresql://user@host:port/database"
)


@dataclass(frozen=True)
class LoadReport:
    """What a load did: the day, the database (without password), rows per table, whether it
    replaced the day."""

    day: str
    url: str
    rows: dict[str, int]
    replaced: bool


def load_day(
    day_dir: Path,
    url: str,
    *,
    replace: bool = False,
    schema: str | None = None,
    password: str | None = None,
) -> LoadReport:
    """Load the finished day in ``day_dir`` into the database at ``url``, all or nothing.

    ``schema`` and ``password`` (else the URL's, else libpq's) apply to PostgreSQL only. Every
    file is checked against the manifest first (as publishing does): a file changed after the
    run is a :class:`BadInputError` naming it, and the database is not touched.
    """
    target = parse_url(url, schema)  # a bad URL fails before anything is read
    document = manifest.read(day_dir)
    day, specs = document["date"], dictionary.tables(document)
    sources = _sources(day_dir, document, specs)
    _verify(day_dir, document)
    with _transaction(target, password) as database:
        database.create_tables(specs)
        replaced = _prepare(database, specs, day, target.shown, replace)
        rows = {s.name: _load_table(database, s, day, *sources[s.name], target) for s in specs}
        database.add_keys(specs)
        _check_foreign_keys(database, specs, day, target.shown)
        digest = sha256(Path(day_dir) / manifest.MANIFEST_FILE)
        stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        marks = ", ".join([database.MARK] * 3)
        insert = f"INSERT INTO {database.table(LOADS_TABLE)} VALUES ({marks})"
        database.execute(insert, (day, digest, stamp))
    return LoadReport(day, target.shown, rows, replaced)


def describe_load(report: LoadReport) -> str:
    """The load in one line, for ``gensample load``."""
    again = " (replacing its earlier load)" if report.replaced else ""
    counts = ", ".join(f"{table} {rows}" for table, rows in report.rows.items())
    return f"loaded {report.day} into {report.url}{again}: {counts} rows"


def parse_url(url: str, schema: str | None = None) -> Target:
    """Where ``url`` (``sqlite:///path/to.db``, ``duckdb:///...``, ``postgresql://...``) and
    ``schema`` say to load; a URL no database takes is a :class:`BadInputError`."""
    shown = without_password(url)
    engine = ENGINES.get(url.partition("://")[0])
    if engine is None or not engine.takes(url):
        raise BadInputError(f"{shown!r} is not a database gensample can load into: use {URL_FORMS}")
    engine.check_schema(schema, shown)
    return Target(engine, url, shown, schema)


def without_password(url: str) -> str:
    """``url`` with its password (``user:PASSWORD@`` or ``password=...``) shown as ``***``."""
    url = re.sub(r"(password=)[^&#]*", r"\1***", url)
    return re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://[^/@:?#]*:)[^@/]*@", r"\1***@", url)


def may_need_vault(url: str) -> bool:
    """Whether a load into ``url`` may take its password from Vault: a PostgreSQL URL without
    one. Only then does ``gensample load`` read the run directory's settings."""
    postgresql = ENGINES.get(url.partition("://")[0]) is postgres.Postgres
    return postgresql and without_password(url) == url  # the URL's own password wins


def vault_password(url: str, settings: Settings, environ: Mapping[str, str]) -> str | None:
    """The password at ``[load] postgres_vault_path`` in Vault (read with the ``[vault]``
    settings, as publishing does) for a PostgreSQL URL without one; else None (libpq looks).
    A Vault failure is a :class:`RunError` naming the Vault path and the setting (exit 1, as
    for publishing)."""
    path = settings.load.postgres_vault_path if settings.load else ""
    if not path or not may_need_vault(url):
        return None
    from gensample.credentials.vault import read_password  # hvac: only when asked for

    return read_password(settings.vault or VaultSettings(), path, environ)


def _sources(day_dir: Path, document: dict, specs: list[TableSpec]) -> dict[str, tuple]:
    """Per table, the day's files holding its rows (every batch) and their rows in the manifest."""
    files = document["files"]
    held = {spec.name: [name for name in files if spec.holds(name)] for spec in specs}
    stray = sorted(set(files).difference(*held.values()))
    if stray:
        raise RunError(f"{day_dir}: {stray} belong to no table of the data dictionary")
    return {
        table: ([Path(day_dir) / n for n in names], sum(files[n]["rows"] for n in names))
        for table, names in held.items()
    }


def _verify(day_dir: Path, document: dict) -> None:
    """Refuse the day, before the database is opened, if a file differs from the manifest."""
    try:
        for name, entry in sorted(document["files"].items()):
            manifest.verify_file(day_dir, name, entry)
    except BadInputError as error:
        raise BadInputError(f"{error}; nothing was loaded") from error


def _prepare(
    database: Database, specs: list[TableSpec], day: str, shown: str, replace: bool
) -> bool:
    """Refuse a day already loaded, or delete it to replace it; whether it was loaded."""
    loads = database.table(LOADS_TABLE)
    loaded = database.execute(f"SELECT loaded_at FROM {loads} WHERE day = {database.MARK}", (day,))
    if loaded and not replace:
        raise BadInputError(
            f"{shown}: {day} is already loaded (at {loaded[0][0]}); use --replace to load it again"
        )
    if replace:
        for spec in reversed(specs):  # children first
            table = database.table(spec.name, spec.truth)
            database.execute(f"DELETE FROM {table} WHERE day = {database.MARK}", (day,))
        database.execute(f"DELETE FROM {loads} WHERE day = {database.MARK}", (day,))
    return bool(loaded)


def _load_table(
    database: Database, spec: TableSpec, day: str, paths: list[Path], expected: int, target: Target
) -> int:
    """Insert the rows of ``paths`` with ``day``; they must be as many as the manifest says."""
    schema = spec.schema.append(DAY)
    stamp = pa.scalar(dt.date.fromisoformat(day), DAY.type)
    batches = (
        batch.append_column(DAY, pa.repeat(stamp, batch.num_rows))
        for path in paths
        for batch in table_files.read_batches(path, spec.schema)
    )
    try:
        rows = database.insert(spec, schema, batches)
    except database.errors as error:
        raise RunError(f"{target.shown}: cannot load {spec.name}: {error}") from error
    if rows != expected:
        raise RunError(
            f"{target.shown}: {spec.name}: the files hold {rows} rows but the manifest lists "
            f"{expected}; they changed after the run"
        )
    return rows


def _check_foreign_keys(database: Database, specs: list[TableSpec], day: str, shown: str) -> None:
    """Refuse the load when rows reference no row of their day in their parent table."""
    problems = [
        f"{count} rows of {spec.name} reference no row of {parent}"
        for spec in specs
        for parent, count in database.orphans(spec, day).items()
    ]
    if problems:
        raise RunError(f"{shown}: {'; '.join(problems)} of their day; nothing was loaded")


@contextlib.contextmanager
def _transaction(target: Target, password: str | None) -> Iterator[Database]:
    """The database in a transaction, rolled back on any error; database errors as RunError."""
    database = target.engine.connect(target, password)
    try:
        database.execute(database.BEGIN)
        yield database
        database.execute("COMMIT")
    except BaseException as error:
        with contextlib.suppress(*database.errors):
            database.execute("ROLLBACK")
        if isinstance(error, database.errors):
            raise RunError(
                f"{target.shown}: loading failed, nothing was loaded: {error}"
            ) from error
        raise
    finally:
        database.close()
