"""Loading a finished day into a database: SQLite (standard library) or DuckDB (an extra).

Tables get the dictionary's columns and ``day``, which ends every key. A day is loaded in bulk
in one transaction, recorded in ``gensample_loads`` and loaded again only to replace it (deleted
first, in the same transaction): a failure leaves the database as it was. DuckDB cannot delete
rows and the rows referencing them in one transaction: its foreign keys are only checked."""

import contextlib
import datetime as dt
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from gensample.errors import BadInputError, RunError
from gensample.output import dictionary, manifest, table_files
from gensample.output.dictionary import DAY, TableSpec
from gensample.output.encoding import sha256

LOADS_TABLE = "gensample_loads"
LOADS_COLUMNS = "(day TEXT PRIMARY KEY, manifest_sha256 TEXT, loaded_at TEXT)"
NO_DUCKDB = "loading into DuckDB needs the duckdb package: pip install 'gensample[duckdb]'"
URL_FORMS = "sqlite:///path/to.db or duckdb:///path/to.db (sqlite:////abs/path.db when absolute)"
SQL_TYPES = (  # Arrow type test, SQLite type (dates and times as ISO text), DuckDB type
    (pa.types.is_boolean, "INTEGER", "BOOLEAN"),
    (pa.types.is_integer, "INTEGER", "BIGINT"),
    (pa.types.is_decimal, "NUMERIC", "DECIMAL({precision}, {scale})"),
    (pa.types.is_floating, "REAL", "DOUBLE"),
    (pa.types.is_string, "TEXT", "VARCHAR"),
    (pa.types.is_date, "TEXT", "DATE"),
    (pa.types.is_timestamp, "TEXT", "TIMESTAMP"),
)


@dataclass(frozen=True)
class LoadReport:
    """What a load did: the day, the database, rows per table, whether it replaced the day."""

    day: str
    url: str
    rows: dict[str, int]
    replaced: bool


def load_day(day_dir: Path, url: str, *, replace: bool = False) -> LoadReport:
    """Load the finished day in ``day_dir`` into the database at ``url``, all or nothing.

    Every file is checked against the manifest first (as publishing does): a file changed after
    the run is a :class:`BadInputError` naming it, and the database is not touched.
    """
    engine, path = parse_url(url)  # a bad URL fails before anything is read
    document = manifest.read(day_dir)
    day, specs = document["date"], dictionary.tables()
    sources = _sources(day_dir, document, specs)
    _verify(day_dir, document)
    with _transaction(engine, path, url) as database:
        replaced = _prepare(database, specs, day, url, replace)
        rows = {s.name: _load_table(database, s, day, *sources[s.name], url) for s in specs}
        _check_foreign_keys(database, specs, day, url)
        digest = sha256(Path(day_dir) / manifest.MANIFEST_FILE)
        stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        database.execute(f"INSERT INTO {LOADS_TABLE} VALUES (?, ?, ?)", (day, digest, stamp))
    return LoadReport(day, url, rows, replaced)


def describe_load(report: LoadReport) -> str:
    """The load in one line, for ``gensample load``."""
    again = " (replacing its earlier load)" if report.replaced else ""
    counts = ", ".join(f"{table} {rows}" for table, rows in report.rows.items())
    return f"loaded {report.day} into {report.url}{again}: {counts} rows"


def parse_url(url: str) -> tuple[type["_Database"], Path]:
    """The engine and the database file of ``sqlite:///path/to.db`` or ``duckdb:///...``."""
    scheme, separator, path = url.partition(":///")
    if scheme not in ENGINES or not separator or not path:
        raise BadInputError(f"{url!r} is not a database gensample can load into: use {URL_FORMS}")
    return ENGINES[scheme], Path(path)


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
    database: "_Database", specs: list[TableSpec], day: str, url: str, replace: bool
) -> bool:
    """Create missing tables (and indexes of foreign keys, else SQLite scans a table for every
    parent row deleted); refuse a day already loaded, or delete it to replace it."""
    for statement in (sql for spec in specs for sql in _create_table(database, spec)):
        database.execute(statement)
    database.execute(f"CREATE TABLE IF NOT EXISTS {LOADS_TABLE} {LOADS_COLUMNS}")
    loaded = database.execute(f"SELECT loaded_at FROM {LOADS_TABLE} WHERE day = ?", (day,))
    if loaded and not replace:
        raise BadInputError(
            f"{url}: {day} is already loaded (at {loaded[0][0]}); use --replace to load it again"
        )
    if replace:
        for spec in reversed(specs):  # children first
            database.execute(f"DELETE FROM {_quoted(spec.name)} WHERE day = ?", (day,))
        database.execute(f"DELETE FROM {LOADS_TABLE} WHERE day = ?", (day,))
    return bool(loaded)


def _create_table(database: "_Database", spec: TableSpec) -> list[str]:
    """``CREATE TABLE IF NOT EXISTS`` of ``spec`` with ``day``, keys and types; its indexes."""
    key = (*spec.primary_key, DAY.name)
    columns = [
        f"{_quoted(field.name)} {database.sql_type(field.type)}"
        + (" NOT NULL" if field.name in key else "")
        for field in (*spec.schema, DAY)
    ]
    columns.append(f"PRIMARY KEY ({_quoted(*key)})")
    declared = spec.foreign_keys if database.FOREIGN_KEYS else {}
    columns += [
        f"FOREIGN KEY ({_quoted(column, DAY.name)}) REFERENCES {_quoted(table)} "
        f"({_quoted(target, DAY.name)}) {database.FOREIGN_KEYS}"
        for column, (table, target) in declared.items()
    ]
    name = _quoted(spec.name)
    return [f"CREATE TABLE IF NOT EXISTS {name} ({', '.join(columns)})"] + [
        f'CREATE INDEX IF NOT EXISTS "{spec.name}_{column}" ON {name} ({_quoted(column, "day")})'
        for column in declared
    ]


def _load_table(
    database: "_Database", spec: TableSpec, day: str, paths: list[Path], expected: int, url: str
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
        rows = database.insert(spec.name, schema, batches)
    except database.errors as error:
        raise RunError(f"{url}: cannot load {spec.name}: {error}") from error
    if rows != expected:
        raise RunError(
            f"{url}: {spec.name}: the files hold {rows} rows but the manifest lists {expected}; "
            "they changed after the run"
        )
    return rows


def _check_foreign_keys(database: "_Database", specs: list[TableSpec], day: str, url: str) -> None:
    """Refuse the load when rows reference no row of their day in their parent table."""
    problems = [
        f"{count} rows of {spec.name} reference no row of {parent}"
        for spec in specs
        for parent, count in database.orphans(spec, day).items()
    ]
    if problems:
        raise RunError(f"{url}: {'; '.join(problems)} of their day; nothing was loaded")


@contextlib.contextmanager
def _transaction(engine: type["_Database"], path: Path, url: str) -> Iterator["_Database"]:
    """The database in a transaction, rolled back on any error; engine errors as RunError."""
    if not path.parent.is_dir():
        raise BadInputError(f"{url}: the directory {path.parent} does not exist")
    database = engine.connect(path, url)
    try:
        database.execute(database.BEGIN)
        yield database
        database.execute("COMMIT")
    except BaseException as error:
        with contextlib.suppress(*database.errors):
            database.execute("ROLLBACK")
        if isinstance(error, database.errors):
            raise RunError(f"{url}: loading failed, nothing was loaded: {error}") from error
        raise
    finally:
        database.connection.close()


def _quoted(*names: str) -> str:
    return ", ".join(f'"{name}"' for name in names)


class _Database:
    """A connection, and what differs between engines."""

    TYPE_COLUMN: int  # of SQL_TYPES
    BEGIN: str
    FOREIGN_KEYS = ""  # how a foreign key clause ends; empty: not declared

    def __init__(self, connection, errors: tuple[type[Exception], ...]) -> None:
        self.connection, self.errors = connection, errors

    def execute(self, sql: str, parameters: tuple = ()) -> list[tuple]:
        """Run one statement; its result rows."""
        return self.connection.execute(sql, parameters).fetchall()

    def sql_type(self, arrow_type: pa.DataType) -> str:
        """The column type of ``arrow_type`` in this engine."""
        for row in SQL_TYPES:
            if row[0](arrow_type):
                return row[self.TYPE_COLUMN].format(
                    precision=getattr(arrow_type, "precision", ""),
                    scale=getattr(arrow_type, "scale", ""),
                )
        raise RunError(f"no SQL type for {arrow_type}: add it to loading.SQL_TYPES")


class _SQLite(_Database):
    """SQLite, in the standard library: foreign keys enforced when the transaction commits."""

    TYPE_COLUMN = 1
    BEGIN = "BEGIN IMMEDIATE"  # take the write lock now rather than half-way
    FOREIGN_KEYS = "DEFERRABLE INITIALLY DEFERRED"  # counted, then named by foreign_key_check

    @classmethod
    def connect(cls, path: Path, url: str) -> "_SQLite":
        """Open (or create) the database file, foreign keys on, transactions left to us."""
        try:
            connection = sqlite3.connect(path, isolation_level=None)
            connection.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as error:
            raise RunError(f"{url}: cannot open the database: {error}") from error
        return cls(connection, (sqlite3.Error,))

    def insert(self, table: str, schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> int:
        """Insert ``batches`` with one ``executemany`` each; the rows inserted."""
        marks = ", ".join("?" * len(schema))
        sql = f"INSERT INTO {_quoted(table)} ({_quoted(*schema.names)}) VALUES ({marks})"
        rows = 0
        for batch in batches:
            self.connection.executemany(sql, zip(*map(self.values, batch.columns), strict=True))
            rows += batch.num_rows
        return rows

    def orphans(self, spec: TableSpec, day: str) -> Counter:
        """Rows of ``spec`` with no parent, per parent table (``PRAGMA foreign_key_check``)."""
        found = self.execute(f"PRAGMA foreign_key_check({_quoted(spec.name)})")
        return Counter(parent for _, _, parent, _ in found)

    @staticmethod
    def values(column: pa.Array) -> list:
        """A column as the Python values SQLite stores: dates and times as ISO text, decimals
        as their text (which NUMERIC columns store as numbers)."""
        if any(is_type(column.type) for is_type in _AS_TEXT_IN_SQLITE):
            column = column.cast(pa.string())
        return column.to_pylist()


_AS_TEXT_IN_SQLITE = (pa.types.is_date, pa.types.is_timestamp, pa.types.is_decimal)


class _DuckDB(_Database):
    """DuckDB (``gensample[duckdb]``): Arrow batches scanned natively; no declared foreign keys."""

    TYPE_COLUMN = 2
    BEGIN = "BEGIN TRANSACTION"
    INCOMING = "gensample_incoming"

    @classmethod
    def connect(cls, path: Path, url: str) -> "_DuckDB":
        """Open (or create) the database file; the duckdb package is needed only here."""
        try:
            import duckdb
        except ImportError as error:
            raise RunError(f"{url}: {NO_DUCKDB} ({error})") from error
        try:
            connection = duckdb.connect(str(path))
            connection.execute("SET enable_progress_bar = false")  # cron's log is no terminal
        except duckdb.Error as error:
            raise RunError(f"{url}: cannot open the database: {error}") from error
        return cls(connection, (duckdb.Error,))

    def insert(self, table: str, schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> int:
        """Insert ``batches``, each with one statement scanning it where Arrow holds it."""
        columns = _quoted(*schema.names)
        sql = f"INSERT INTO {_quoted(table)} ({columns}) SELECT {columns} FROM {self.INCOMING}"
        rows = 0
        for batch in batches:
            self.connection.register(self.INCOMING, pa.Table.from_batches([batch]))
            rows += self.execute(sql)[0][0]
        return rows

    def orphans(self, spec: TableSpec, day: str) -> Counter:
        """Rows of ``spec`` of ``day`` with no parent of that day, per parent table."""
        counts: Counter = Counter()
        for column, (parent, target) in spec.foreign_keys.items():
            sql = (
                f"SELECT count(*) FROM {_quoted(spec.name)} AS c WHERE c.day = ? "
                f"AND c.{_quoted(column)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                f"{_quoted(parent)} AS p WHERE p.{_quoted(target)} = c.{_quoted(column)} "
                "AND p.day = c.day)"
            )
            counts[parent] += self.execute(sql, (day,))[0][0]
        return +counts


ENGINES: dict[str, type[_Database]] = {"sqlite": _SQLite, "duckdb": _DuckDB}
"""URL scheme -> engine."""
