"""The text helpers the dataset modules share: hex text, fixed-width columns, lists in words."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gensample.generate.datasets.texts import fixed_width_text, hex_text, listed, random_bytes


@settings(max_examples=60, deadline=None)
@given(data=st.binary(min_size=6, max_size=6 * 8).filter(lambda b: len(b) % 6 == 0))
def test_hex_text_writes_bytes_as_grouped_hex(data):
    raw = np.frombuffer(data, np.uint8).reshape(-1, 6)
    upper = np.arange(len(raw)) % 2 == 1
    written = hex_text(raw, (2, 4), "-", upper).to_pylist()
    for row, text, up in zip(raw, written, upper, strict=True):
        expected = f"{bytes(row[:2]).hex()}-{bytes(row[2:]).hex()}"
        assert text == (expected.upper() if up else expected)
    assert hex_text(raw, (1,) * 6, ":").to_pylist()[0] == bytes(raw[0]).hex(":")


def test_random_bytes_are_rows_of_the_width_asked_for():
    raw = random_bytes(np.random.default_rng(1), 5, 3)
    assert raw.shape == (5, 3) and raw.dtype == np.uint8 and raw.flags.writeable


def test_fixed_width_text_makes_one_string_a_row():
    chars = np.frombuffer(b"abcdef", np.uint8).reshape(3, 2)
    assert fixed_width_text(chars).to_pylist() == ["ab", "cd", "ef"]


def test_listed_joins_texts_in_words():
    assert listed(["a", "b", "c"]) == "a, b or c"
    assert listed(["a", "b"]) == "a or b"
