"""The compiled CSV writer writes the bytes Arrow's CSV writer writes, for every type."""

import datetime as dt
import decimal
import io
import logging
import threading

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from conftest import off_manifest, run_day
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gensample.output import csv_native, encoding

DAY_SECONDS = 86_400
FIRST, LAST = dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59, 59)
EPOCH = dt.datetime(1970, 1, 1)


def arrow_bytes(table: pa.Table) -> bytes:
    """What Arrow's writer writes for ``table`` with gensample's options."""
    written = io.BytesIO()
    pacsv.write_csv(table, written, encoding.ROWS_CSV_OPTIONS)
    return written.getvalue()


def native_bytes(table: pa.Table) -> bytes:
    written = io.BytesIO()
    csv_native.write_rows(table, written)
    return written.getvalue()


def test_the_compiled_writer_is_built_in_this_installation():
    assert csv_native.available()  # else every run writes through Arrow, about 2x slower
    assert csv_native.writer() == "the compiled writer"


def test_a_run_says_which_writer_writes_its_rows(tmp_path, caplog, monkeypatch):
    monkeypatch.setattr(csv_native, "available", lambda: False)  # installed without it
    caplog.set_level(logging.INFO)
    (tmp_path / "run").mkdir()
    summary = run_day(tmp_path / "run", customers=200)
    assert "CSV rows written by Arrow's writer: gensample was installed without" in caplog.text
    assert off_manifest(summary.day_dir) == []  # hashed as Arrow's writer wrote them


def seconds(lowest: int, highest: int) -> st.SearchStrategy[int]:
    return st.one_of(st.integers(lowest, highest), st.sampled_from([lowest, highest, 0, -1]))


def values_of(kind: pa.DataType) -> st.SearchStrategy:
    """Python values of ``kind``, nulls among them, extremes favoured."""
    if pa.types.is_integer(kind):
        bits = kind.bit_width
        if pa.types.is_unsigned_integer(kind):
            return st.integers(0, 2**bits - 1)
        return st.integers(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    if pa.types.is_null(kind):
        return st.none()
    if pa.types.is_binary(kind):
        return st.text().map(str.encode)  # Arrow refuses to write others
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        quote_somewhere = st.tuples(st.integers(0, 20), st.integers(0, 20)).map(
            lambda sides: "a" * sides[0] + '"' + "b" * sides[1]  # around the 16 bytes moved at once
        )
        return st.one_of(
            st.text(), quote_somewhere, st.sampled_from(['"', '""', ",", "\n", "", 'a "b", c'])
        )
    if pa.types.is_timestamp(kind):
        first, last = ((moment - EPOCH) // dt.timedelta(seconds=1) for moment in (FIRST, LAST))
        return seconds(first, last)
    if pa.types.is_date32(kind):
        return seconds((FIRST - EPOCH).days, (LAST - EPOCH).days)
    if pa.types.is_decimal(kind):
        most = 10**kind.precision - 1
        return st.integers(-most, most).map(lambda units: decimal.Decimal(f"{units}e-{kind.scale}"))
    if pa.types.is_boolean(kind):
        return st.booleans()
    return st.floats(allow_nan=False)


TYPES = [
    pa.int8(),
    pa.int16(),
    pa.int32(),
    pa.int64(),
    pa.string(),
    pa.large_string(),
    pa.binary(),
    pa.timestamp("s"),
    pa.timestamp("ms"),  # written as Arrow writes it: its text, copied
    pa.timestamp("s", tz="UTC"),  # the same
    pa.uint64(),  # the same
    pa.null(),  # the same
    pa.date32(),
    pa.decimal64(12, 2),
    pa.decimal64(18, 0),
    pa.decimal64(6, 6),
    pa.decimal64(9, 9),  # Arrow writes some in scientific notation (0E-9): its text
    pa.decimal128(12, 2),  # read as 64-bit values
    pa.decimal128(18, 0),
    pa.decimal128(6, 6),
    pa.decimal128(30, 4),  # wider than 64 bits: Arrow's text
    pa.bool_(),
    pa.float64(),
]


@st.composite
def tables(draw) -> pa.Table:
    """A table of a few columns of the types above, nulls among the values; sliced, so that
    its arrays start at an offset."""
    kinds = draw(st.lists(st.sampled_from(TYPES), min_size=1, max_size=5))
    rows = draw(st.integers(1, 40))
    columns = {}
    for number, kind in enumerate(kinds):
        values = draw(st.lists(st.one_of(st.none(), values_of(kind)), min_size=rows, max_size=rows))
        if pa.types.is_timestamp(kind):
            values = [
                None if value is None else value * 1000 ** (kind.unit == "ms") for value in values
            ]
            columns[f"c{number}"] = pa.array(values, pa.int64()).view(kind)
        elif pa.types.is_date32(kind):
            columns[f"c{number}"] = pa.array(values, pa.int32()).view(kind)
        else:
            columns[f"c{number}"] = pa.array(values, kind)
    start = draw(st.integers(0, rows - 1))
    return pa.table(columns).slice(start)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_every_type_is_written_as_arrow_writes_it(table):
    assert native_bytes(table) == arrow_bytes(table)


def test_rows_beyond_one_call_and_dictionaries_are_written_as_arrow_writes_them(monkeypatch):
    monkeypatch.setattr(csv_native, "ROWS_AT_ONCE", 7)  # several calls of the library
    names = pa.array(["Ann", None, 'Bo "B"', "Ann"] * 5).dictionary_encode()
    table = pa.table({"id": pa.array(range(20)), "name": names})
    chunked = pa.concat_tables([table.slice(0, 3), table.slice(3)])
    assert native_bytes(chunked) == arrow_bytes(
        chunked.cast(pa.schema([("id", pa.int64()), ("name", pa.string())]))
    )


def test_a_quote_is_doubled_in_the_call_that_writes_it_and_only_there(monkeypatch):
    monkeypatch.setattr(csv_native, "ROWS_AT_ONCE", 3)  # calls without a quote and with one
    names = ["Ann", "Bo", "Cy", "Di", 'Ed "E"', "Flo", "Gus", "Hal", "Ivy"]
    table = pa.table({"name": names, "other": ["x", None, '"', "y", "z", "w", "v", "u", "t"]})
    written = native_bytes(table)
    assert written == arrow_bytes(table)
    assert b'"Ann","x"\n' in written and b'"Ed ""E""","z"\n' in written


def test_dates_and_times_beyond_four_digit_years_are_written_as_arrow_writes_them(monkeypatch):
    monkeypatch.setattr(csv_native, "ROWS_AT_ONCE", 2)  # the batch holding them goes to Arrow
    last_day, first_second = (LAST - EPOCH).days, (FIRST - EPOCH) // dt.timedelta(seconds=1)
    table = pa.table(
        {
            "day": pa.array([0, last_day, last_day + 1, 5, 6], pa.int32()).view(pa.date32()),
            "at": pa.array([0, 1, 2, first_second - 1, 3], pa.int64()).view(pa.timestamp("s")),
            "n": [1, 2, 3, 4, 5],
        }
    )
    written = native_bytes(table)
    assert written == arrow_bytes(table)
    assert b"10000-01-01" in written


def test_a_day_file_is_written_the_same_through_arrow(monkeypatch):
    table = pa.table(
        {
            "id": [1, 2],
            "at": pa.array([0, 1_700_000_000], pa.timestamp("s")),
            "amount": pa.array([decimal.Decimal("-0.05"), None], pa.decimal128(12, 2)),
        }
    )
    native = io.BytesIO()
    encoding.write_csv_rows(table, native)
    monkeypatch.setattr(csv_native, "available", lambda: False)
    through_arrow = io.BytesIO()
    encoding.write_csv_rows(table, through_arrow)
    assert (
        native.getvalue()
        == through_arrow.getvalue()
        == (b"1,1970-01-01 00:00:00,-0.05\n2,2023-11-14 22:13:20,\n")
    )


def test_a_buffer_for_long_texts_is_not_kept(monkeypatch):
    monkeypatch.setattr(csv_native, "KEPT_BYTES", 10_000)
    monkeypatch.setattr(csv_native, "_kept", threading.local())  # this test's thread, afresh
    short, long = (pa.table({"text": ["x" * length] * 10}) for length in (10, 10_000))
    assert native_bytes(short) == arrow_bytes(short)
    kept = csv_native._kept.buffer
    assert native_bytes(long) == arrow_bytes(long)  # in a buffer of about 200 kB
    assert csv_native._kept.buffer is kept


@pytest.mark.parametrize("rows", [0, 1])
def test_tables_of_no_row_or_one(rows):
    table = pa.table({"id": pa.array(range(rows), pa.int64()), "name": ["x"] * rows})
    assert native_bytes(table) == arrow_bytes(table)
