"""What every database shares: the tables of the data dictionary as SQL, and a connection.

A table has the dictionary's columns and ``day``, which ends its primary key and every foreign
key. Each database is a :class:`Database` subclass saying what differs: its column types, how a
transaction begins, its parameter marker, where tables live, whether foreign keys are declared,
how rows go in.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from gensample.errors import BadInputError, RunError
from gensample.output.dictionary import DAY, TableSpec

LOADS_TABLE = "gensample_loads"
LOADS_COLUMNS = "(day TEXT PRIMARY KEY, manifest_sha256 TEXT, loaded_at TEXT)"
KINDS = (
    ("boolean", pa.types.is_boolean),
    ("integer", pa.types.is_integer),
    ("decimal", pa.types.is_decimal),
    ("floating", pa.types.is_floating),
    ("string", pa.types.is_string),
    ("date", pa.types.is_date),
    ("timestamp", pa.types.is_timestamp),
)
"""Kind of column -> the Arrow type test that recognises it; each database names its SQL type."""


@dataclass(frozen=True)
class Target:
    """Where to load: the database class, the URL as given, the URL safe to show (no password),
    and the schema (PostgreSQL only)."""

    engine: type["Database"]
    url: str
    shown: str
    schema: str | None


def quoted(*names: str) -> str:
    """SQL identifiers, quoted and joined by commas."""
    return ", ".join(f'"{name}"' for name in names)


class Database:
    """A connection, and what differs between databases."""

    TYPES: dict[str, str]  # kind of KINDS -> SQL type ({precision} and {scale} for decimals)
    BEGIN = "BEGIN TRANSACTION"
    MARK = "?"  # parameter marker
    FOREIGN_KEYS: str | None = None  # how a declared foreign key clause ends; None: not declared

    def __init__(self, connection, errors: tuple[type[Exception], ...]) -> None:
        self.connection, self.errors = connection, errors

    @classmethod
    def takes(cls, url: str) -> bool:
        """Whether ``url`` names a database of this kind."""
        raise NotImplementedError

    @classmethod
    def check_schema(cls, schema: str | None, shown: str) -> None:
        """Refuse a schema: only PostgreSQL has them."""
        if schema is not None:
            raise BadInputError(f"{shown}: --schema is allowed with PostgreSQL only")

    @classmethod
    def connect(cls, target: Target, password: str | None) -> "Database":
        """Open the database ``target`` names."""
        raise NotImplementedError

    def execute(self, sql: str, parameters: tuple = ()) -> list[tuple]:
        """Run one statement; its result rows."""
        return self.connection.execute(sql, parameters).fetchall()

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()

    def table(self, name: str, truth: bool = False) -> str:
        """The quoted name of table ``name`` (of the truth tables when ``truth``)."""
        return quoted(name)

    def sql_type(self, arrow_type: pa.DataType) -> str:
        """The column type of ``arrow_type`` in this database."""
        for kind, is_kind in KINDS:
            if is_kind(arrow_type):
                return self.TYPES[kind].format(
                    precision=getattr(arrow_type, "precision", ""),
                    scale=getattr(arrow_type, "scale", ""),
                )
        raise RunError(f"no SQL type for {arrow_type}: add it to gensample.load.model.KINDS")

    def create_tables(self, specs: list[TableSpec]) -> None:
        """Create the missing tables, with their keys, and indexes of their foreign keys (else
        deleting a day scans a child table for every parent row)."""
        for spec in specs:
            keys = [self.primary_key(spec), *self.foreign_key_clauses(spec)]
            self.execute(self.create_table(spec, keys, "IF NOT EXISTS"))
            for statement in self.indexes(spec, "IF NOT EXISTS"):
                self.execute(statement)
        self.create_loads_table()

    def create_loads_table(self) -> None:
        """Create the table of loaded days if missing."""
        self.execute(f"CREATE TABLE IF NOT EXISTS {self.table(LOADS_TABLE)} {LOADS_COLUMNS}")

    def create_table(self, spec: TableSpec, keys: list[str], condition: str = "") -> str:
        """``CREATE TABLE`` of ``spec`` with ``day`` (key columns NOT NULL) and ``keys``."""
        key = (*spec.primary_key, DAY.name)
        columns = [
            f"{quoted(field.name)} {self.sql_type(field.type)}"
            + (" NOT NULL" if field.name in key else "")
            for field in (*spec.schema, DAY)
        ]
        name = self.table(spec.name, spec.truth)
        return f"CREATE TABLE {condition} {name} ({', '.join(columns + keys)})"

    @staticmethod
    def primary_key(spec: TableSpec) -> str:
        """The primary key clause of ``spec``: its key within a day, and ``day``."""
        return f"PRIMARY KEY ({quoted(*spec.primary_key, DAY.name)})"

    def foreign_key_clauses(self, spec: TableSpec) -> list[str]:
        """The foreign key clauses of ``spec`` this database declares."""
        return [
            f"FOREIGN KEY ({quoted(column, DAY.name)}) REFERENCES {self.table(parent, spec.truth)}"
            f" ({quoted(target, DAY.name)}) {self.FOREIGN_KEYS}"
            for column, (parent, target) in self.foreign_keys(spec).items()
        ]

    def foreign_keys(self, spec: TableSpec) -> dict[str, tuple[str, str]]:
        """The foreign keys this database declares for ``spec``: column -> (table, column).
        A table's parents are of its own kind (truth tables refer only to truth tables)."""
        return dict(spec.foreign_keys) if self.FOREIGN_KEYS is not None else {}

    def indexes(self, spec: TableSpec, condition: str = "") -> list[str]:
        """``CREATE INDEX`` of each declared foreign key of ``spec``."""
        return [
            f'CREATE INDEX {condition} "{spec.name}_{column}" '
            f"ON {self.table(spec.name, spec.truth)} ({quoted(column, DAY.name)})"
            for column in self.foreign_keys(spec)
        ]

    def add_keys(self, specs: list[TableSpec]) -> None:
        """Add the keys left out when the tables were made (none here: made with them)."""

    def orphans(self, spec: TableSpec, day: str) -> Counter:
        """Rows of ``spec`` of ``day`` with no parent of that day, per parent table."""
        counts: Counter = Counter()
        for column, (parent, target) in spec.foreign_keys.items():
            sql = (
                f"SELECT count(*) FROM {self.table(spec.name, spec.truth)} AS c "
                f"WHERE c.day = {self.MARK} AND c.{quoted(column)} IS NOT NULL AND NOT EXISTS "
                f"(SELECT 1 FROM {self.table(parent, spec.truth)} AS p WHERE "
                f"p.{quoted(target)} = c.{quoted(column)} AND p.day = c.day)"
            )
            counts[parent] += self.execute(sql, (day,))[0][0]
        return +counts

    def insert(self, spec: TableSpec, schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> int:
        """Insert ``batches`` (the table's columns and ``day``); the rows inserted."""
        raise NotImplementedError


class FileDatabase(Database):
    """A database in one file, named ``scheme:///path`` (four slashes: an absolute path)."""

    @classmethod
    def takes(cls, url: str) -> bool:
        """Whether ``url`` is ``scheme:///path``."""
        return bool(url.partition(":///")[2])

    @staticmethod
    def path(target: Target) -> Path:
        """The database file; its directory must exist."""
        path = Path(target.url.partition(":///")[2])
        if not path.parent.is_dir():
            raise BadInputError(f"{target.shown}: the directory {path.parent} does not exist")
        return path
