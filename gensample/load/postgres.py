"""PostgreSQL (``gensample[postgres]``, psycopg 3): rows go in with COPY, a new table gets its
keys after its data, and truth tables live in a schema of their own (``<schema>_truth``), so a
matcher under test can be given rights on the data schema only.

The password comes from the URL, else from Vault (``[load] postgres_vault_path``), else libpq
finds it (``PGPASSWORD``, ``~/.pgpass``). It is never shown: messages name the database by the
URL without it, and libpq's own messages never hold it.
"""

import re
import zlib
from collections import Counter
from collections.abc import Iterable
from typing import ClassVar

import pyarrow as pa

from gensample.errors import BadInputError, RunError, one_line
from gensample.load.model import Database, Target, quoted
from gensample.output.dictionary import TableSpec
from gensample.output.encoding import write_csv_rows

DEFAULT_SCHEMA = "gensample"
TRUTH_SUFFIX = "_truth"
IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,56}")
"""An unquoted PostgreSQL name that stays one (63 bytes at most) with ``_truth`` added."""
NO_PSYCOPG = "loading into PostgreSQL needs psycopg: pip install 'gensample[postgres]'"
LOCK = zlib.crc32(b"gensample load")
"""Advisory lock held by every load into one database, so two never interleave."""
CONNECT_SECONDS = 10


class Postgres(Database):
    """PostgreSQL: COPY in CSV into tables without foreign keys, which are added (or dropped
    and added again) after the data: PostgreSQL checks a key added to a full table in one join,
    instead of a trigger per row (more than half of a later day's load)."""

    TYPES: ClassVar[dict[str, str]] = {
        "boolean": "BOOLEAN",
        "integer": "BIGINT",
        "decimal": "NUMERIC({precision}, {scale})",
        "floating": "DOUBLE PRECISION",
        "string": "TEXT",
        "date": "DATE",
        "timestamp": "TIMESTAMP",
    }
    BEGIN = "BEGIN"
    MARK = "%s"
    FOREIGN_KEYS = "DEFERRABLE"

    def __init__(self, connection, errors: tuple[type[Exception], ...], schema: str) -> None:
        super().__init__(connection, errors)
        self.schema, self.truth_schema = schema, schema + TRUTH_SUFFIX
        self.new: list[TableSpec] = []  # tables this load creates: keys come after their data
        self.dropped: list[tuple[str, str, str]] = []  # (table, name, definition) to add again
        self.keys_hold = True

    @classmethod
    def takes(cls, url: str) -> bool:
        """Any ``postgresql://`` URL: libpq judges the rest when connecting."""
        return True

    @classmethod
    def check_schema(cls, schema: str | None, shown: str) -> None:
        """Refuse a schema name that is not a plain lower-case identifier."""
        if schema is not None and not IDENTIFIER.fullmatch(schema):
            raise BadInputError(
                f"--schema {schema[:80]!r} is not allowed: expected a lower-case SQL identifier "
                "(a-z, 0-9 and _, not starting with a digit, at most 57 characters: the truth "
                f"schema adds {TRUTH_SUFFIX})"
            )

    @classmethod
    def connect(cls, target: Target, password: str | None) -> "Postgres":
        """Connect (``password`` over libpq's own sources); a refusal is bad input."""
        try:
            import psycopg
        except ImportError as error:
            raise RunError(f"{target.shown}: {NO_PSYCOPG} ({error})") from error
        given = {} if password is None else {"password": password}
        try:
            connection = psycopg.connect(
                target.url,
                autocommit=True,  # transactions are ours: BEGIN ... COMMIT
                connect_timeout=CONNECT_SECONDS,
                application_name="gensample load",
                **given,
            )
        except psycopg.Error as error:
            message = one_line(error)
            raise BadInputError(f"{target.shown}: cannot connect: {message}") from None
        return cls(connection, (psycopg.Error,), target.schema or DEFAULT_SCHEMA)

    def execute(self, sql: str, parameters: tuple = ()) -> list[tuple]:
        """Run one statement; its result rows (none for a statement without)."""
        cursor = self.connection.execute(sql, parameters or None)
        return cursor.fetchall() if cursor.description else []

    def table(self, name: str, truth: bool = False) -> str:
        """The table's name in its schema: the truth schema for truth tables."""
        return f"{quoted(self.truth_schema if truth else self.schema)}.{quoted(name)}"

    def create_tables(self, specs: list[TableSpec]) -> None:
        """Create both schemas and the missing tables, without keys (added after the data)."""
        self.execute(f"SELECT pg_advisory_xact_lock({LOCK})")
        for schema in (self.schema, self.truth_schema):
            self.execute(f"CREATE SCHEMA IF NOT EXISTS {quoted(schema)}")
        found = self.execute(
            "SELECT schemaname, tablename FROM pg_tables WHERE schemaname IN (%s, %s)",
            (self.schema, self.truth_schema),
        )
        schemas = {False: self.schema, True: self.truth_schema}
        self.new = [spec for spec in specs if (schemas[spec.truth], spec.name) not in set(found)]
        for spec in self.new:
            self.execute(self.create_table(spec, []))
        self.create_loads_table()
        self.drop_foreign_keys(specs)
        self.execute("SET CONSTRAINTS ALL DEFERRED")  # keys of other tables referring to ours

    def drop_foreign_keys(self, specs: list[TableSpec]) -> None:
        """Drop the foreign keys of the tables there already, remembering them to add them
        again after the data: else deleting and copying a day checks every row by trigger."""
        tables = [self.table(spec.name, spec.truth) for spec in specs if spec not in self.new]
        self.dropped = self.execute(
            """SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid)
            FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])
            ORDER BY conrelid, conname""",
            (tables,),
        )
        for table, name, _ in self.dropped:
            self.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")

    def insert(self, spec: TableSpec, schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> int:
        """COPY ``batches`` in as CSV, as the day files are written (what COPY ... (FORMAT
        csv) reads: a null unquoted and empty, an empty text quoted); the rows the server
        took."""
        columns = quoted(*schema.names)
        sql = f"COPY {self.table(spec.name, spec.truth)} ({columns}) FROM STDIN (FORMAT csv)"
        with self.connection.cursor() as cursor:
            with cursor.copy(sql) as copy:
                for batch in batches:
                    sink = pa.BufferOutputStream()
                    write_csv_rows(pa.Table.from_batches([batch]), sink)
                    copy.write(memoryview(sink.getvalue()))
            return cursor.rowcount

    def add_keys(self, specs: list[TableSpec]) -> None:
        """Key the new tables, add the dropped foreign keys again, then check every foreign key
        at once; when one breaks, :meth:`orphans` counts the rows that break it.

        A key is added validated, never ``NOT VALID``: PostgreSQL checks all its rows, every
        day's, in one join, so every declared key holds for every row once the load commits.
        """
        from psycopg import errors

        for spec in self.new:
            self.execute(
                f"ALTER TABLE {self.table(spec.name, spec.truth)} ADD {self.primary_key(spec)}"
            )
        self.execute("SAVEPOINT foreign_keys")
        try:
            for table, name, definition in self.dropped:
                self.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
            for spec in self.new:
                for clause in self.foreign_key_clauses(spec):
                    self.execute(f"ALTER TABLE {self.table(spec.name, spec.truth)} ADD {clause}")
                for statement in self.indexes(spec):
                    self.execute(statement)
            self.execute("SET CONSTRAINTS ALL IMMEDIATE")
        except errors.ForeignKeyViolation:
            self.execute("ROLLBACK TO SAVEPOINT foreign_keys")
            self.keys_hold = False

    def orphans(self, spec: TableSpec, day: str) -> Counter:
        """Rows without a parent, counted only when the foreign keys did not hold."""
        return Counter() if self.keys_hold else super().orphans(spec, day)
