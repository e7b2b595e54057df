"""The compiled take gathers the values Arrow's take gathers, for strings, tables and the rest."""

import ast
import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gensample.native import load
from gensample.native import take as native

GENERATION = [Path(native.__file__).parents[1] / name for name in ("generate", "corruptions")]
TEXTS = st.one_of(
    st.none(), st.text(max_size=40), st.sampled_from(["", "x" * 16, "y" * 17, "z" * 32, "w" * 33])
)


def test_the_compiled_take_is_built_in_this_installation():
    assert native.available()  # else every block takes its strings through Arrow, slower


@st.composite
def strings_and_positions(draw):
    """A string or binary array (a slice of one, at times) and positions inside it."""
    values = draw(st.lists(TEXTS, max_size=60))
    kind = draw(st.sampled_from([pa.string(), pa.binary()]))
    array = pa.array(values, pa.string()).cast(kind)
    start = draw(st.integers(0, len(values)))
    array = array.slice(start, draw(st.integers(0, len(values) - start)))
    if not len(array):
        return array, []
    return array, draw(st.lists(st.integers(0, len(array) - 1), max_size=80))


@settings(max_examples=300, deadline=None)
@given(strings_and_positions(), st.sampled_from(["list", "numpy", "arrow int32", "chunked"]))
def test_strings_are_taken_as_arrow_takes_them(case, form):
    array, positions = case
    given_as = {
        "list": positions,
        "numpy": np.array(positions, np.int64),
        "arrow int32": pa.array(positions, pa.int32()),
        "chunked": positions,
    }[form]
    halves = [array.slice(0, len(array) // 2), array.slice(len(array) // 2)]
    values = pa.chunked_array(halves, array.type) if form == "chunked" else array
    taken = native.take(values, given_as)
    expected = values.take(pa.array(positions, pa.int64()))
    assert type(taken) is type(expected)
    assert taken.type == array.type
    assert taken.equals(expected)
    assert taken.null_count == expected.null_count
    taken.validate(full=True)


FIXED_WIDTH = {
    pa.bool_(): st.booleans(),
    pa.int8(): st.integers(-128, 127),
    pa.uint16(): st.integers(0, 2**16 - 1),
    pa.int32(): st.integers(-(2**31), 2**31 - 1),
    pa.int64(): st.integers(-(2**63), 2**63 - 1),
    pa.float64(): st.floats(allow_nan=False),
    pa.date32(): st.dates(),
    pa.timestamp("s"): st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(2999, 1, 1)),
    pa.decimal128(12, 2): st.decimals(-(10**9), 10**9, places=2),
}
"""Kinds of values of a fixed width the library takes, and values of each."""


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(list(FIXED_WIDTH)), st.data(), st.booleans())
def test_values_of_a_fixed_width_are_taken_as_arrow_takes_them(kind, data, chunked):
    values = data.draw(st.lists(st.none() | FIXED_WIDTH[kind], max_size=60))
    start = data.draw(st.integers(0, len(values)))
    array = pa.array(values, kind).slice(start)
    positions = data.draw(st.lists(st.integers(0, max(len(array) - 1, 0)), max_size=80))
    positions = positions if len(array) else []
    if chunked:
        array = pa.chunked_array([array.slice(0, len(array) // 2), array.slice(len(array) // 2)])
    taken = native.take(array, np.array(positions, np.int64))
    expected = array.take(pa.array(positions, pa.int64()))
    assert type(taken) is type(expected) and taken.type == kind
    assert taken.equals(expected) and taken.null_count == expected.null_count
    taken.validate(full=True)


@st.composite
def values_and_replacements(draw):
    """A string or binary array (a slice of one, at times), distinct positions inside it in any
    order, and as many replacements (a slice of an array, at times)."""
    array, _ = draw(strings_and_positions())
    rows = draw(st.permutations(range(len(array))))[: draw(st.integers(0, len(array)))]
    extra = draw(st.integers(0, 3))
    replacements = pa.array(draw(st.lists(TEXTS, min_size=len(rows) + extra)), pa.string())
    return array, np.array(rows, np.int64), replacements.cast(array.type).slice(extra, len(rows))


@settings(max_examples=300, deadline=None)
@given(values_and_replacements(), st.booleans())
def test_values_are_replaced_at_their_rows(case, compiled):
    array, rows, replacements = case
    expected = array.to_pylist()
    for row, value in zip(rows, replacements.to_pylist(), strict=True):
        expected[row] = value
    with pytest.MonkeyPatch.context() as patch:
        if not compiled:
            patch.setattr(native, "_library", lambda: None)  # installed without it
        replaced = native.replaced_at(array, rows, replacements)
    assert replaced.type == array.type
    assert replaced.to_pylist() == expected
    assert replaced.null_count == expected.count(None)
    replaced.validate(full=True)


def test_values_other_than_strings_are_replaced_through_a_take():
    values = pa.array([1, None, 3, 4], pa.int64())
    replaced = native.replaced_at(values, np.array([3, 1]), pa.array([40, 20], pa.int64()))
    assert replaced.to_pylist() == [1, 20, 3, 40]


def test_a_row_outside_the_values_raises():
    with pytest.raises(IndexError):
        native.replaced_at(pa.array(["a", "b"]), np.array([2]), pa.array(["x"]))


def test_a_row_given_twice_keeps_its_last_replacement():
    replaced = native.replaced_at(pa.array(["a", "b"]), np.array([1, 1]), pa.array(["x", "y"]))
    assert replaced.to_pylist() == ["a", "y"]


def test_a_table_keeps_its_schema_and_every_column_type():
    schema = pa.schema(
        [("name", pa.string()), ("n", pa.int64()), ("when", pa.date32())], metadata={b"k": b"v"}
    )
    first, second = dt.date(2026, 1, 1), dt.date(2026, 1, 2)
    table = pa.table(
        {"name": ["Ann", None, 'Bo "B"'], "n": [1, None, 3], "when": [first, second, None]},
        schema=schema,
    )
    chunked = pa.concat_tables([table.slice(0, 1), table.slice(1)])  # columns of two chunks
    for values in (table, chunked):
        taken = native.take(values, np.array([2, 0, 0, 1]))
        assert taken.schema == schema and taken.schema.metadata == {b"k": b"v"}
        assert taken.to_pylist() == [
            {"name": 'Bo "B"', "n": 3, "when": None},
            {"name": "Ann", "n": 1, "when": first},
            {"name": "Ann", "n": 1, "when": first},
            {"name": None, "n": None, "when": second},
        ]
    no_columns = pa.table({"n": [1, 2]}).select([])
    assert native.take(no_columns, [1, 1, 0]).equals(no_columns.take([1, 1, 0]))


@pytest.mark.parametrize("count", [3, 40, 400])  # bytes below and beyond SMALL_DATA (4096)
def test_the_last_strings_of_an_array_are_taken_whole(count):
    # the library moves a short string as 16 or 32 bytes when as many follow its start: the
    # last values of an array's bytes must be copied another way (or from a padded copy)
    values = pa.array([f"{i:x}" * (1 + i % 20) for i in range(count)])
    positions = np.concatenate([np.arange(count)[::-1], np.full(50, count - 1)])
    assert native.take(values, positions).equals(values.take(positions))


@pytest.mark.parametrize("positions", [[3], [-1], [0, 2**40]])
@pytest.mark.parametrize("values", [["a", "b", "c"], [1, 2, 3], [True, False, None]])
def test_a_position_outside_the_values_raises_arrows_error(positions, values):
    with pytest.raises(IndexError, match="out of bounds"):
        native.take(pa.array(values), np.array(positions))


def test_null_positions_give_nulls_as_in_arrow():
    values = pa.array(["a", "b"])
    positions = pa.array([1, None, 0], pa.int64())
    assert native.take(values, positions).to_pylist() == ["b", None, "a"]


def test_a_library_not_installed_is_none():
    assert load("gensample.native._not_built") is None
    assert load("gensample.native._take") is not None


def test_without_the_library_arrow_takes_the_same(monkeypatch):
    values = pa.array(["Ann", None, "Bo"] * 3)
    with_library = native.take(values, [8, 0, 1])
    monkeypatch.setattr(native, "_library", lambda: None)  # installed without it
    assert native.take(values, [8, 0, 1]).equals(with_library)
    assert with_library.to_pylist() == ["Bo", "Ann", None]


def test_one_array_keeps_an_only_chunk_as_it_is_and_joins_several():
    values = pa.array(["Ann", None, "Bo"])
    assert native.one_array(values) is values
    only = native.one_array(pa.chunked_array([values]))
    assert only.buffers()[2].address == values.buffers()[2].address  # not copied
    joined = native.one_array(pa.chunked_array([values, pa.array(["Cy"])]))
    assert isinstance(joined, pa.Array) and joined.to_pylist() == ["Ann", None, "Bo", "Cy"]


def test_generation_takes_its_values_through_the_compiled_take():
    """A block's takes go through ``native.take``, not Arrow's (or NumPy's) ``.take`` method."""
    found = []
    for path in (path for folder in GENERATION for path in sorted(folder.rglob("*.py"))):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                method = node.func
                if method.attr == "take" and not (
                    isinstance(method.value, ast.Name) and method.value.id == "np"
                ):
                    found.append(f"{path.name}:{node.lineno}")
    assert not found, f"use gensample.native.take.take instead of .take(): {found}"


@settings(max_examples=200, deadline=None)
@given(strings_and_positions(), st.data())
def test_filtered_values_are_those_arrows_filter_keeps(case, data):
    array, _ = case
    keep = np.array(data.draw(st.lists(st.booleans(), min_size=len(array), max_size=len(array))))
    kept = native.filtered(array, keep)
    assert kept.equals(array.filter(pa.array(keep, pa.bool_())))
    kept.validate(full=True)
    table = pa.table({"text": array, "number": pa.array(range(len(array)), pa.int16())})
    assert native.filtered(table, keep).equals(table.filter(pa.array(keep, pa.bool_())))
