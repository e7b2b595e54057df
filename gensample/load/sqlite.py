"""SQLite, in the standard library: foreign keys declared and checked when the load ends."""

import sqlite3
from collections import Counter
from collections.abc import Iterable
from typing import ClassVar

import pyarrow as pa

from gensample.errors import RunError
from gensample.load.model import FileDatabase, Target, quoted
from gensample.output.dictionary import TableSpec

_AS_TEXT = (pa.types.is_date, pa.types.is_timestamp, pa.types.is_decimal)
"""Arrow types SQLite is given as text: dates and times as ISO text, decimals as their text
(which NUMERIC columns store as numbers)."""


class SQLite(FileDatabase):
    """SQLite: rows inserted with ``executemany``; foreign keys deferred to the commit."""

    TYPES: ClassVar[dict[str, str]] = {
        "boolean": "INTEGER",
        "integer": "INTEGER",
        "decimal": "NUMERIC",
        "floating": "REAL",
        "string": "TEXT",
        "date": "TEXT",
        "timestamp": "TEXT",
    }
    BEGIN = "BEGIN IMMEDIATE"  # take the write lock now rather than half-way
    FOREIGN_KEYS = "DEFERRABLE INITIALLY DEFERRED"  # counted, then named by foreign_key_check

    @classmethod
    def connect(cls, target: Target, password: str | None) -> "SQLite":
        """Open (or create) the database file, foreign keys on, transactions left to us."""
        path = cls.path(target)
        try:
            connection = sqlite3.connect(path, isolation_level=None)
            connection.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as error:
            raise RunError(f"{target.shown}: cannot open the database: {error}") from error
        return cls(connection, (sqlite3.Error,))

    def insert(self, spec: TableSpec, schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> int:
        """Insert ``batches`` with one ``executemany`` each; the rows inserted."""
        marks = ", ".join("?" * len(schema))
        sql = f"INSERT INTO {self.table(spec.name)} ({quoted(*schema.names)}) VALUES ({marks})"
        rows = 0
        for batch in batches:
            self.connection.executemany(sql, zip(*map(_values, batch.columns), strict=True))
            rows += batch.num_rows
        return rows

    def orphans(self, spec: TableSpec, day: str) -> Counter:
        """Rows of ``spec`` with no parent, per parent table (``PRAGMA foreign_key_check``)."""
        found = self.execute(f"PRAGMA foreign_key_check({self.table(spec.name)})")
        return Counter(parent for _, _, parent, _ in found)


def _values(column: pa.Array) -> list:
    """A column as the Python values SQLite stores."""
    if any(is_type(column.type) for is_type in _AS_TEXT):
        column = column.cast(pa.string())
    return column.to_pylist()
