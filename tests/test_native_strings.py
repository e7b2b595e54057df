"""The compiled join joins strings as Arrow's binary_join_element_wise joins them."""

import ast
import collections

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_native_take import GENERATION, TEXTS

from gensample.native import strings


@st.composite
def parts_to_join(draw):
    """Columns of strings of one length (slices, at times) and single strings, in any order."""
    rows = draw(st.integers(0, 30))
    parts = []
    for _ in range(draw(st.integers(1, 5))):
        if draw(st.booleans()):
            values = draw(st.lists(TEXTS, min_size=rows + 2, max_size=rows + 2))
            parts.append(pa.array(values, pa.string()).slice(draw(st.integers(0, 2)), rows))
        else:
            parts.append(draw(st.text(max_size=20)))
    if all(isinstance(part, str) for part in parts):
        parts.append(pa.array(draw(st.lists(TEXTS, min_size=rows, max_size=rows)), pa.string()))
    return parts


def joined_in_python(parts: list, separator: str, skip: bool, rows: int) -> list:
    """Each row's parts joined by ``separator``: missing when one is (or skipped)."""
    joined = []
    for row in range(rows):
        values = [part if isinstance(part, str) else part[row].as_py() for part in parts]
        present = [value for value in values if value is not None]
        joined.append(separator.join(present) if skip or len(present) == len(values) else None)
    return joined


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(parts=parts_to_join(), separator=st.text(max_size=3), skip=st.booleans())
def test_strings_are_joined_row_by_row(take_library, parts, separator, skip):
    rows = next(len(part) for part in parts if not isinstance(part, str))
    null_handling = "skip" if skip else "emit_null"
    joined = strings.join_element_wise(*parts, separator, null_handling=null_handling)
    assert joined.type == pa.string()
    assert joined.to_pylist() == joined_in_python(parts, separator, skip, rows)
    joined.validate(full=True)
    if not skip:  # as Arrow's (which leaves out a row of values all missing, when skipping)
        assert joined.equals(pc.binary_join_element_wise(*parts, separator))


def test_a_row_of_values_all_missing_joins_to_empty_when_skipping_them(take_library):
    first, last = pa.array(["Ann", None, None]), pa.array([None, "Ng", None])
    joined = strings.join_element_wise(first, last, " ", null_handling="skip")
    assert joined.to_pylist() == ["Ann", "Ng", ""]
    with_missing_value = strings.join_element_wise(
        first, pa.scalar(None, pa.string()), " ", null_handling="skip"
    )
    assert with_missing_value.to_pylist() == ["Ann", "", ""]


def test_chunked_columns_are_joined_into_a_chunked_array():
    last = pa.chunked_array([pa.array(["Ng", None]), pa.array(["Li"])])
    joined = strings.join_element_wise(pa.array(["Ann", "Bo", "Cy"]), last, " ")
    assert isinstance(joined, pa.ChunkedArray)
    assert joined.to_pylist() == ["Ann Ng", None, "Cy Li"]


@pytest.mark.parametrize(
    "parts",
    [
        (pa.array([b"a", b"b"]), pa.array([b"x", b"y"]), b"-"),  # bytes: Arrow's
        (pa.array(["a", "b"]), pa.array(["x", "y"]), pa.array(["-", "+"])),  # separators
        (pa.array(["a", "b"], pa.large_string()), pa.scalar("-", pa.large_string())),
        (pa.array(["a", "b"]), pa.scalar("x"), "-"),  # an Arrow scalar
    ],
)
def test_what_the_library_does_not_join_arrow_joins(parts):
    expected = pc.binary_join_element_wise(*parts)
    assert strings.join_element_wise(*parts).equals(expected)


def test_columns_of_other_lengths_are_refused_as_arrow_refuses_them():
    with pytest.raises(pa.ArrowInvalid):
        strings.join_element_wise(pa.array(["a", "b"]), pa.array(["x"]), "-")


def test_generation_joins_its_strings_through_the_compiled_join():
    """A block's joins go through ``native.strings.join_element_wise``, not Arrow's."""
    found = [
        f"{path.name}:{node.lineno}"
        for path in (path for folder in GENERATION for path in sorted(folder.rglob("*.py")))
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.Attribute) and node.attr == "binary_join_element_wise"
    ]
    assert not found, f"use gensample.native.strings.join_element_wise: {found}"


@st.composite
def strings_and_keys(draw):
    """Strings (a slice of an array or a chunked array, at times) drawn from a few, some of them
    repeated, and a small integer key for each."""
    pool = draw(st.lists(st.text(max_size=12), min_size=1, max_size=6))
    values = draw(st.lists(st.sampled_from(pool), max_size=80))
    start = draw(st.integers(0, 2))
    array = pa.array(["?"] * start + values, pa.string()).slice(start)
    if draw(st.booleans()):  # in two chunks
        array = pa.chunked_array([array.slice(0, len(values) // 2), array.slice(len(values) // 2)])
    keys = draw(st.lists(st.integers(-3, 3), min_size=len(values), max_size=len(values)))
    counted = draw(st.lists(st.booleans(), min_size=len(values), max_size=len(values)))
    return array, np.array(keys, np.int64), np.array(counted, bool)


@given(strings_and_keys())
def test_ranks_in_groups_count_the_earlier_rows_of_the_same_string_and_key(drawn):
    values, keys, counted = drawn
    seen, expected = collections.Counter(), []
    for value, key, count in zip(values.to_pylist(), keys.tolist(), counted, strict=True):
        expected.append(seen[value, key])
        seen[value, key] += int(count)
    assert strings.ranks_in_groups(values, keys, counted).tolist() == expected


@given(values=st.lists(st.text(st.characters(max_codepoint=127), max_size=30), max_size=40))
def test_padded_prefixes_are_arrows_padded_slices_of_ascii_text(values):
    array = pa.array(values, pa.string())
    padded = pc.utf8_rpad(pc.utf8_slice_codeunits(array, 0, 24), 24)
    expected = b"".join(value.encode() for value in padded.to_pylist())
    assert strings.padded_prefixes(array, 24).tobytes() == expected


@pytest.mark.parametrize("values", [["Zoë", "Ann"], ["Ann", None]])
def test_padded_prefixes_are_left_to_arrow_beyond_ascii_or_with_missing_values(values):
    assert strings.padded_prefixes(pa.array(values), 24) is None
