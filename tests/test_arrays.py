"""Array helpers of the corruptions: replacing rows, and one substitution rule per value."""

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gensample.corruptions.arrays import (
    by_group,
    differs,
    false_where_null,
    put,
    split_at_last,
    substitute_one,
    substitute_suffix,
)
from gensample.corruptions.spelling import OCR_CONFUSIONS, SOUNDS_ALIKE

NAMES = pa.array(["Philip", "Sophia", "Luke", None, "Ann", "Morris", "Clara", "", "Wren", "Lee"])


def test_put_replaces_the_rows_by_the_pieces_in_turn():
    values = pa.array(["a", None, "c", "d", "e"])
    pieces = [pa.array(["X", None]), pa.array(["Y"])]
    assert put(values, np.array([3, 0, 1]), pieces).to_pylist() == [None, "Y", "c", "X", "e"]


@pytest.mark.parametrize("rows", [[0, 1, 2], [2, 0, 1], [1, 0, 2]])
def test_put_of_every_row_gives_the_pieces_in_row_order(rows):
    values, pieces = pa.array(["a", "b", "c"]), [pa.array(["X", None]), pa.array(["Y"])]
    expected = dict(zip(rows, ["X", None, "Y"], strict=True))
    assert put(values, np.array(rows), pieces).to_pylist() == [expected[i] for i in range(3)]
    assert put(values, np.arange(3), [pa.array(["P", "Q", "R"])]).to_pylist() == ["P", "Q", "R"]


def test_differs_counts_a_value_against_a_missing_one_as_a_difference():
    left = pa.array(["a", "b", None, None, "c"])
    right = pa.array(["a", "x", "y", None, None])
    assert differs(left, right).tolist() == [False, True, True, False, True]


def test_put_of_no_rows_keeps_the_values():
    values = pa.array([1, 2])
    assert put(values, np.zeros(0, np.int64), []).equals(values)


def test_nulls_of_booleans_are_made_false():
    values = pa.array([True, None, False, None, True])
    assert false_where_null(values).to_pylist() == [True, False, False, False, True]
    chunked = pa.chunked_array([values.slice(1, 2), values.slice(3)])  # offsets inside bitmaps
    assert false_where_null(chunked).to_pylist() == [False, False, False, True]
    assert false_where_null(pa.array([True, False])).to_pylist() == [True, False]


def test_by_group_orders_positions_by_group_keeping_their_order(rng):
    order, bounds = by_group(np.array([2, 0, 2, 1, 0]), 4)
    assert order.tolist() == [1, 4, 3, 0, 2] and bounds.tolist() == [0, 2, 3, 5, 5]
    many = rng.integers(0, 300, 5_000)  # more groups than one byte counts
    order, bounds = by_group(many, 300)
    assert order.tolist() == sorted(range(len(many)), key=lambda row: many[row])
    assert bounds.tolist() == [int(np.sum(many < g)) for g in range(301)]


def test_each_value_gets_one_matching_rule_applied_once(rng):
    rules = (("ph", "f"), (r"([aeiou])k", r"\1ck"), ("r", "rr"))
    spelt = substitute_one(pa.array(NAMES.to_pylist()), rules, rng).to_pylist()
    for before, after in zip(NAMES.to_pylist(), spelt, strict=True):
        once = {re.sub(pattern, by, before, count=1) for pattern, by in rules} if before else set()
        if once - {before}:  # some rule matches
            assert after in once - {before}
        else:
            assert after == before


def test_rules_sharing_a_pattern_are_each_chosen(rng):
    rules = (("a", "1"), ("b", "2"), ("a", "3"))
    spelt = substitute_one(pa.array(["ab"] * 300 + ["b"] * 5 + ["a"] * 300), rules, rng)
    assert set(spelt.to_pylist()) == {"1b", "a2", "3b", "2", "1", "3"}


def test_a_missing_value_stays_missing_under_a_rule_matching_empty_text(rng):
    values = pa.array(["ab", None, ""])
    assert substitute_one(values, (("x?", "y"),), rng).to_pylist() == ["yab", None, "y"]


def test_literal_rules_give_what_the_same_rules_as_regular_expressions_give():
    """Literal patterns take a plain search and replace: same values, same draws."""
    words = pa.array(
        ["morning", "Clive", "Owen 01", "lily", "Sam", None, "wavy", *NAMES.to_pylist()]
    )
    for rules in (OCR_CONFUSIONS, SOUNDS_ALIKE):
        as_regex = tuple((f"(?:{pattern})", by) for pattern, by in rules)
        lower = pa.array([w.lower() if w else w for w in words.to_pylist()])
        for values in (words, lower):
            plain = substitute_one(values, rules, np.random.default_rng(7))
            regex = substitute_one(values, as_regex, np.random.default_rng(7))
            assert plain.equals(regex)


def test_suffix_rules_give_what_the_same_rules_as_anchored_expressions_give():
    """An ending searched for in any ASCII case: the values and the draws of a ``(?i)``
    regular expression anchored at the end."""
    rules = (("@gmail.com", "@gmial.com"), ("@gmail.com", "@gmail.co"), (".com", ".con"))
    rules += ((".net", ".nte"), ("@Aol.COM", "@aol.cm"))
    as_regex = tuple((f"(?i){re.escape(suffix)}$", by) for suffix, by in rules)
    values = pa.array(
        ["ann@gmail.com", "Bo@GMAIL.COM", "cy@x.Com", "é@aol.com", "d@gmail.com.au", None, ""]
        + ["e@comcast.NET", "gmail.com", "f@aol.comx", ".com"] * 20
    )
    by_suffix = substitute_suffix(values, rules, np.random.default_rng(3))
    by_regex = substitute_one(values, as_regex, np.random.default_rng(3))
    assert by_suffix.equals(by_regex)
    assert by_suffix.to_pylist()[3] in {"é@aol.cm", "é@aol.con"}


ADDRESS_TEXT = st.text(st.sampled_from(["a", "Z", "@", ".", "\n", "é", " ", "+"]), max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), ADDRESS_TEXT), max_size=30), st.integers(0, 5))
def test_a_split_at_the_last_mark_finds_what_the_expression_finds(texts, start):
    values = pa.array(texts, pa.string()).slice(min(start, len(texts)))
    head, tail = split_at_last(values, "@")
    parts = pc.extract_regex(values, r"^(?P<head>.*@)(?P<tail>[^@]+)$")
    assert head.equals(pc.struct_field(parts, "head"))
    assert tail.equals(pc.struct_field(parts, "tail"))
    head.validate(full=True)
    tail.validate(full=True)


def test_a_split_keeps_the_type_of_large_strings():
    head, tail = split_at_last(pa.array(["ann@x.org", "bo"], pa.large_string()), "@")
    assert head.type == tail.type == pa.large_string()
    assert head.to_pylist() == ["ann@", None] and tail.to_pylist() == ["x.org", None]
