"""Tables in key order on disk: a streaming merge gives what replacing rows by key gives."""

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest

from gensample.daily import sorted_tables

D1, D2, D3 = dt.date(2026, 1, 1), dt.date(2026, 1, 2), dt.date(2026, 1, 3)
SCHEMA = pa.schema(
    [("id", pa.int64()), ("value", pa.string()), ("valid_from", pa.date32()), ("day", pa.date32())]
)


def table(rows: list[tuple]) -> pa.Table:
    return pa.Table.from_pylist([dict(zip(SCHEMA.names, row, strict=True)) for row in rows], SCHEMA)


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    """Batches of two rows, so that merges cross batch boundaries."""
    monkeypatch.setattr(sorted_tables, "BATCH_ROWS", 2)


def merge(old: pa.Table, new: pa.Table, oldest: dt.date) -> list[tuple]:
    batches = list(sorted_tables.merged(old, new, "id", oldest))
    return [tuple(row.values()) for row in pa.Table.from_batches(batches, SCHEMA).to_pylist()]


def test_new_rows_replace_rows_with_their_key_and_join_in_key_order():
    old = table([(1, "a", D1, D1), (3, "c", D1, D1), (5, "e", D1, D1), (7, "g", D1, D1)])
    new = table([(2, "B", D2, D2), (5, "E", D2, D2), (9, "I", None, D2)])
    assert merge(old, new, D1) == [
        (1, "a", D1, D1),
        (2, "B", D2, D2),
        (3, "c", D1, D1),
        (5, "E", D2, D2),
        (7, "g", D1, D1),
        (9, "I", None, D2),
    ]


def test_rows_and_starts_of_days_before_the_oldest_are_forgotten():
    old = table([(1, "a", D1, D1), (3, "c", D1, D2), (4, "d", D2, D2)])
    new = table([(5, "e", D1, D3)])
    assert merge(old, new, D2) == [(3, "c", None, D2), (4, "d", D2, D2), (5, "e", None, D3)]


def test_written_tables_read_back_the_same(tmp_path):
    rows = table([(1, "a", D1, D1), (2, None, None, D2), (3, "", D2, D2)])
    sorted_tables.write(tmp_path / "t.arrow", SCHEMA, iter(rows.to_batches()))
    assert sorted_tables.read(tmp_path / "t.arrow", SCHEMA).to_pylist() == rows.to_pylist()
    with pytest.raises(ValueError, match="expected"):
        sorted_tables.read(tmp_path / "t.arrow", SCHEMA.remove(1))


def test_lookup_finds_each_key_across_batches_and_null_where_none():
    rows = table([(1, "a", D1, D1), (3, "c", D2, D1), (5, "e", D3, D1), (8, "h", None, D1)])
    found = sorted_tables.lookup(rows, "id", np.array([0, 3, 4, 5, 8, 9]), "valid_from")
    assert found.to_pylist() == [None, D2, None, D3, None, None]
