"""DuckDB (``gensample[duckdb]``): Arrow batches scanned where they are; foreign keys checked,
not declared, as DuckDB cannot delete rows and the rows referencing them in one transaction."""

from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

import pyarrow as pa

from gensample.errors import BadInputError, RunError, one_line
from gensample.load.model import FileDatabase, Target, quoted
from gensample.output.dictionary import TableSpec

NO_DUCKDB = "loading into DuckDB needs the duckdb package: pip install 'gensample[duckdb]'"


SQLITE_HEADER = b"SQLite format 3\x00"
"""What every SQLite database file starts with."""
OFFLINE = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
"""DuckDB never downloads an extension (it would, to read a database of another kind)."""


def _starts_with(path: Path, header: bytes) -> bool:
    """Whether the file at ``path`` exists and starts with ``header``."""
    try:
        with open(path, "rb") as file:
            return file.read(len(header)) == header
    except OSError:
        return False


class DuckDB(FileDatabase):
    """DuckDB: each batch inserted by one statement scanning it."""

    TYPES: ClassVar[dict[str, str]] = {
        "boolean": "BOOLEAN",
        "integer": "BIGINT",
        "decimal": "DECIMAL({precision}, {scale})",
        "floating": "DOUBLE",
        "string": "VARCHAR",
        "date": "DATE",
        "timestamp": "TIMESTAMP",
    }
    INCOMING = "gensample_incoming"

    @classmethod
    def connect(cls, target: Target, password: str | None) -> "DuckDB":
        """Open (or create) the database file; the duckdb package is needed only here."""
        path = cls.path(target)
        try:
            import duckdb
        except ImportError as error:
            raise RunError(f"{target.shown}: {NO_DUCKDB} ({error})") from error
        if _starts_with(path, SQLITE_HEADER):
            raise BadInputError(
                f"{target.shown}: {path} is a SQLite database, not DuckDB: load it with "
                f"--db sqlite:///{path}"
            )
        try:
            connection = duckdb.connect(str(path), config=OFFLINE)
            connection.execute("SET enable_progress_bar = false")  # cron's log is no terminal
        except duckdb.Error as error:
            problem = one_line(error)
            raise RunError(f"{target.shown}: cannot open the database: {problem}") from error
        return cls(connection, (duckdb.Error,))

    def insert(self, spec: TableSpec, schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> int:
        """Insert ``batches``, each with one statement scanning it where Arrow holds it."""
        columns = quoted(*schema.names)
        sql = (
            f"INSERT INTO {self.table(spec.name)} ({columns}) SELECT {columns} FROM {self.INCOMING}"
        )
        rows = 0
        for batch in batches:
            self.connection.register(self.INCOMING, pa.Table.from_batches([batch]))
            rows += self.execute(sql)[0][0]
        return rows
