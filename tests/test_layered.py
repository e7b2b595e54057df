"""One pass of the fuzz map in layers: each corruption called once per layer, a field sharing a
column with an earlier one corrupting what the earlier one left."""

import numpy as np
import pyarrow as pa

from gensample.corruptions import CORRUPTIONS, Corruption, fuzzmap, layered
from gensample.corruptions.fuzzmap import FieldFuzz, fuzz


def test_a_field_sharing_a_column_with_an_earlier_one_comes_in_a_later_layer():
    fields = ["first_name", "city", "name", "last_name", "phone"]
    assert layered.in_layers(fields) == [[0, 1, 4], [2], [3]]
    assert layered.in_layers(["last_name", "first_name", "name"]) == [[0, 1], [2]]
    assert layered.in_layers([]) == []


def test_the_name_pair_swaps_the_first_name_the_earlier_field_corrupted():
    names = pa.table({"first_name": ["Anna", "Bob", "Carl"], "last_name": ["Lee", "Ray", "Poe"]})
    fuzz_map = {
        "first_name": FieldFuzz(1.0, {"use_initial": 1.0}),
        "name": FieldFuzz(1.0, {"swap_given_and_family_name": 1.0}),
    }
    rows = np.arange(3)
    fuzzed, labels = fuzz(names, rows, fuzz_map, 2, np.random.default_rng(0), hurried_share=1.0)
    assert fuzzed["first_name"].to_pylist() == ["Lee", "Ray", "Poe"]
    assert fuzzed["last_name"].to_pylist() == ["A.", "B.", "C."]
    assert set(labels.to_pylist()) == {"first_name:use_initial;name:swap_given_and_family_name"}


def test_each_corruption_is_called_once_for_all_the_fields_of_a_layer(monkeypatch):
    calls, typo = [], CORRUPTIONS["make_typo"].function

    def counted(values, rng):
        calls.append(len(values))
        return typo(values, rng)

    monkeypatch.setitem(CORRUPTIONS, "make_typo", Corruption(counted, frozenset({"text"})))
    table = pa.table({c: [f"{c} value {i}" for i in range(300)] for c in ("city", "email")})
    chances = {"make_typo": 1.0, "change_case": 1.0}
    fuzz_map = {"city": FieldFuzz(1.0, chances), "email": FieldFuzz(1.0, chances)}
    fuzzed, labels = fuzz(
        table, np.arange(300), fuzz_map, 2, np.random.default_rng(1), hurried_share=1.0
    )
    typed = sum(label.count("make_typo") for label in labels.to_pylist())
    assert len(calls) == 1 and 200 < calls[0] < 400  # both fields' rows, ~half of 600
    assert typed >= calls[0] * 0.9  # a typo nearly always changes a value
    for column in ("city", "email"):
        pairs = zip(fuzzed[column].to_pylist(), table[column].to_pylist(), strict=True)
        assert not any(a == b for a, b in pairs)  # each row got one of its field's corruptions


def test_rows_of_different_types_get_separate_calls_of_one_corruption(rng):
    table = pa.table(
        {
            "city": pa.array(["Austin", "Boise", "Dover", "Salem"]),
            "birth_date": pa.array([1000, 2000, 3000, 4000], pa.date32()),
        }
    )
    blank = {"leave_blank": 1.0}
    fuzz_map = {"city": FieldFuzz(1.0, blank), "birth_date": FieldFuzz(1.0, blank)}
    fuzzed, labels = fuzz(table, np.arange(4), fuzz_map, 2, rng, hurried_share=1.0)
    assert fuzzed.schema == table.schema
    assert fuzzed["city"].null_count == fuzzed["birth_date"].null_count == 4
    assert set(labels.to_pylist()) == {"city:leave_blank;birth_date:leave_blank"}
    assert fuzzmap.FIELD_COLUMNS is layered.FIELD_COLUMNS
