"""One pass of the fuzz map in layers: each corruption called once per layer, a field sharing a
column with an earlier one corrupting what the earlier one left."""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.corruptions import CORRUPTIONS, Corruption, fuzz_steps, fuzzmap, layered
from gensample.corruptions.fuzzmap import FieldFuzz, fuzz
from gensample.generate import population


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


def passes(table: pa.Table) -> list[fuzzmap.Request]:
    """Three passes as three source systems make them: their own rows, columns, maps (one
    with its corruptions in the reverse order) and generators."""
    default = dict(fuzzmap.DEFAULT_FUZZ_MAP)
    reversed_map = {
        field: FieldFuzz(entry.weight, dict(reversed(entry.corruptions.items())))
        for field, entry in default.items()
    }
    no_email = table.drop_columns(["email", "birth_date"])
    return [
        fuzzmap.Request(table, np.arange(0, 400, 2), default, 3, np.random.default_rng(1)),
        fuzzmap.Request(no_email, np.arange(300), default, 2, np.random.default_rng(2), 0.5),
        fuzzmap.Request(table, np.arange(100, 400), reversed_map, 4, np.random.default_rng(3)),
    ]


def test_passes_made_together_come_out_as_each_would_alone():
    table = population.people(9, 0, 400, 0.25).drop_columns(["entity_id", "household_id"])
    together = fuzzmap.fuzz_together(passes(table))
    for request, (fuzzed, labels) in zip(passes(table), together, strict=True):
        alone = fuzz(
            request.table,
            request.rows,
            request.fuzz_map,
            request.max_fields,
            request.rng,
            request.hurried_share,
        )
        assert fuzzed.equals(alone[0]) and labels.equals(alone[1])
        assert pc.sum(pc.not_equal(labels, "")).as_py() > len(request.rows) * 0.8


def test_passes_made_together_call_each_corruption_fewer_times(monkeypatch):
    """Two systems' passes over many rows (a field gets rows of each of its corruptions, so
    both call them in the same order): about one call where each made one."""
    table = population.people(9, 0, 2000, 0.25).drop_columns(["entity_id", "household_id"])
    calls = []
    for name, corruption in list(CORRUPTIONS.items()):
        counted = Corruption(
            lambda *a, f=corruption.function: calls.append(1) or f(*a), corruption.applies_to
        )
        monkeypatch.setitem(CORRUPTIONS, name, counted)
    default, rows = dict(fuzzmap.DEFAULT_FUZZ_MAP), np.arange(2000)
    two = [fuzzmap.Request(table, rows, default, 3, np.random.default_rng(s)) for s in (1, 2)]
    fuzzmap.fuzz_together(two)
    together = len(calls)
    calls.clear()
    for request in two:
        fuzzmap.fuzz_together([request])
    assert together < len(calls) * 0.6, (together, len(calls))


def test_calls_made_together_keep_each_layers_order_in_as_few_calls_as_it_allows():
    a, b, c, d = (("a", ()), ("b", ()), ("c", ()), ("d", ()))
    layers = [[a, b, c], [b, c], [c, a], [d]]
    order = layered._call_order(layers)
    for position, keys in enumerate(layers):
        assert [key for key, callers in order if position in callers] == keys
    # a and c come in both orders, so one of them is called twice; every other once
    assert sorted(key[0] for key, _ in order) in (list("aabcd"), list("abccd"))


def test_steps_run_together_get_each_pass_as_alone_however_many_they_ask_for():
    table = population.people(9, 0, 300, 0.25).drop_columns(["entity_id", "household_id"])
    default = dict(fuzzmap.DEFAULT_FUZZ_MAP)

    def step(seed: int, passes: int):
        rng, labels = np.random.default_rng(seed), []
        for rows in (np.arange(0, 300, 3), np.arange(150))[:passes]:
            _, found = yield fuzzmap.Request(table, rows, default, 2, rng)
            labels.append(found.to_pylist())
        return labels

    together = fuzz_steps.run_together({"two": step(1, 2), "one": step(2, 1), "none": step(3, 0)})
    alone = {"two": step(1, 2), "one": step(2, 1), "none": step(3, 0)}
    for name, steps in alone.items():
        assert together[name] == fuzz_steps.run_together({name: steps})[name]
    assert len(together["two"]) == 2 and len(together["one"]) == 1 and together["none"] == []
