"""Characters of string columns kept byte by byte, by the compiled library and by NumPy."""

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gensample.generate import characters

TEXTS = st.lists(st.none() | st.text())
ONE_WAY = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
"""``take_library`` only chooses the way, the same for every example."""


@ONE_WAY
@given(TEXTS)
def test_digits_keeps_only_the_digits_and_the_nulls(take_library, values):
    expected = [None if v is None else "".join(c for c in v if c in "0123456789") for v in values]
    assert characters.digits(pa.array(values, pa.string())).to_pylist() == expected


@ONE_WAY
@given(TEXTS, st.integers(0, 11))
def test_kept_keeps_the_range_of_a_slice_or_of_chunks(take_library, values, start):
    letters = "abcdefghijklmnopqrstuvwxyz"
    expected = [None if v is None else "".join(c for c in v if c in letters) for v in values]
    array = pa.array(values, pa.string())
    kept = characters.kept(array[start:], "a", "z")
    assert kept.to_pylist() == expected[start:]
    kept.validate(full=True)
    chunked = pa.chunked_array([array[:start], array[start:]], pa.string())
    assert characters.kept(chunked, "a", "z").to_pylist() == expected


def test_a_slice_from_a_whole_byte_of_validity_keeps_its_own_nulls(take_library):
    array = pa.array(["a1"] * 8 + [None, "b2", None, "c3"] + ["d4"] * 5, pa.string())
    assert characters.kept(array[8:12], "a", "z").to_pylist() == [None, "b", None, "c"]
