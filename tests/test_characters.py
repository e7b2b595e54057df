"""Characters of string columns kept byte by byte."""

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from gensample.generate import characters

TEXTS = st.lists(st.none() | st.text())


@given(TEXTS)
def test_digits_keeps_only_the_digits_and_the_nulls(values):
    expected = [None if v is None else "".join(c for c in v if c in "0123456789") for v in values]
    assert characters.digits(pa.array(values, pa.string())).to_pylist() == expected


@given(TEXTS, st.integers(0, 3))
def test_kept_keeps_the_range_of_a_slice_or_of_chunks(values, start):
    letters = "abcdefghijklmnopqrstuvwxyz"
    expected = [None if v is None else "".join(c for c in v if c in letters) for v in values]
    array = pa.array(values, pa.string())
    assert characters.kept(array[start:], "a", "z").to_pylist() == expected[start:]
    chunked = pa.chunked_array([array[:start], array[start:]], pa.string())
    assert characters.kept(chunked, "a", "z").to_pylist() == expected
